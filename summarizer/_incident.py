"""The built-in ``incident`` schema: one violent incident, every value tied to the article.

Two shapes, after DESIGN.md section 1:

- `IncidentDraft` is what the model fills for one incident: flat, short strings,
  every field required but nullable, one closed enum (the sub-event type);
- `Incident` is what users get: the program grounds each value to character offsets,
  parses casualty phrases into ``{low, best, high, qualifier}``, resolves the date
  against the publication date, and derives the event type from the sub-event type.

Counting rule for several claims on one incident (e.g. "over 35" in the article's voice
and "39 ... killed so far" per Zelenskiy): ``low`` is the smallest claimed low,
``best`` the largest claimed best (tolls are revised upwards as bodies are found, and
"at least" figures are lower bounds), ``high`` the largest claimed high, or null when
any claim is open-ended. A claim whose phrase is not in the article is dropped with a
warning: no casualty figure that the article does not state reaches the output.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, Field

from summarizer._counts import Qualifier, parse_count
from summarizer._dates import Precision, resolve_date
from summarizer._grounding import Alignment, Span, align
from summarizer._schema import Context, Schema

SubEventType = Literal[
    "air_or_drone_strike",
    "missile_or_artillery_attack",
    "remote_explosive",
    "suicide_bombing",
    "grenade",
    "armed_clash",
    "attack_on_civilians",
    "abduction",
    "arson",
    "robbery",
    "interception",
    "airspace_violation",
    "property_destruction",
    "protest",
    "riot",
    "other",
]

# ACLED's event types, each the parent of the sub-event types it groups.
EVENT_TYPE: dict[str, str] = {
    "air_or_drone_strike": "explosions_remote_violence",
    "missile_or_artillery_attack": "explosions_remote_violence",
    "remote_explosive": "explosions_remote_violence",
    "suicide_bombing": "explosions_remote_violence",
    "grenade": "explosions_remote_violence",
    "armed_clash": "battles",
    "attack_on_civilians": "violence_against_civilians",
    "abduction": "violence_against_civilians",
    "arson": "violence_against_civilians",
    "robbery": "violence_against_civilians",
    "interception": "strategic_developments",
    "airspace_violation": "strategic_developments",
    "property_destruction": "strategic_developments",
    "protest": "protests",
    "riot": "riots",
    "other": "other",
}

Modality = Literal["asserted", "claimed", "denied", "hypothetical"]


# --- What the model fills ------------------------------------------------------------


class FigureDraft(BaseModel):
    """One casualty figure as the article words it."""

    phrase: str = Field(
        max_length=80, description="the exact words giving the number, e.g. 'at least 14 people'"
    )
    said_by: str | None = Field(
        max_length=60, description="who gives this figure; null if the article states it itself"
    )


class IncidentDraft(BaseModel):
    """One incident as the model reads it; every string is copied from the article."""

    sub_event_type: SubEventType = Field(description="the kind of incident")
    summary: str = Field(max_length=200, description="one sentence: who did what to whom, where")
    date_text: str | None = Field(max_length=60, description="when, as written, e.g. 'on Friday'")
    place: str | None = Field(max_length=60, description="city or place, as written")
    region: str | None = Field(max_length=60, description="region or province, only if written")
    country: str | None = Field(max_length=40, description="country where it happened")
    perpetrators: list[str] = Field(max_length=4, description="who carried it out")
    targets: list[str] = Field(max_length=4, description="buildings, vehicles or objects hit")
    victims: list[str] = Field(max_length=4, description="people killed, hurt or taken")
    weapons: list[str] = Field(max_length=4, description="weapons or means used")
    killed: list[FigureDraft] = Field(max_length=4, description="figures of people killed")
    injured: list[FigureDraft] = Field(max_length=4, description="figures of people injured")
    modality: Modality = Field(description="asserted, claimed, denied or hypothetical")
    quote: str = Field(max_length=300, description="the sentence that reports the incident")


# --- What users get ----------------------------------------------------------------


class Grounded(BaseModel):
    """A value copied from the article, with where the program found it."""

    text: str
    start: int | None = Field(description="character offset in the article (Python str index)")
    end: int | None
    alignment: Alignment


class Claim(Grounded):
    """One source's figure: the phrase, who said it, and the numbers it gives."""

    claimant: str | None = Field(description="who gives the figure; null: the article itself")
    low: int | None
    best: int | None
    high: int | None
    qualifier: Qualifier


class Count(BaseModel):
    """Casualties of one kind, derived from the claims by the rule in the module docstring."""

    low: int | None
    best: int | None
    high: int | None
    qualifier: Qualifier | None
    text: str | None
    claims: list[Claim]


class EventDate(BaseModel):
    text: str | None
    start: datetime.date | None
    end: datetime.date | None
    precision: Precision


class Location(BaseModel):
    text: Grounded | None
    place: str | None
    admin1: str | None
    country: str | None


class Incident(BaseModel):
    """One incident, as `summarizer` returns it."""

    id: str
    event_type: str
    sub_event_type: SubEventType
    summary: str
    modality: Modality
    date: EventDate
    location: Location
    perpetrators: list[Grounded]
    targets: list[Grounded]
    victims: list[Grounded]
    weapons: list[Grounded]
    killed: Count | None
    injured: Count | None
    evidence: Grounded


# --- From one to the other ------------------------------------------------------------


def _ground(value: str, context: Context, what: str) -> Grounded | None:
    """Ground `value`; None (with a warning) when the article does not contain it."""
    near = context.anchor.start if context.anchor else None
    span: Span = align(value, context.text, near=near)
    if span.alignment == "none":
        context.warnings.append(f"{context.record_id}: {what} {value!r} is not in the article")
        return None
    return Grounded(text=value, start=span.start, end=span.end, alignment=span.alignment)


def _ground_all(values: list[str], context: Context, what: str) -> list[Grounded]:
    grounded = (_ground(v, context, what) for v in dict.fromkeys(v.strip() for v in values) if v)
    return [g for g in grounded if g is not None]


def _claims(figures: list[FigureDraft], context: Context, what: str) -> list[Claim]:
    claims = []
    for figure in figures:
        parsed = parse_count(figure.phrase)
        if parsed is None:
            context.warnings.append(f"{context.record_id}: no number in {what} {figure.phrase!r}")
            continue
        grounded = _ground(figure.phrase, context, f"{what} figure")
        if grounded is None:
            continue
        claims.append(
            Claim(
                **grounded.model_dump(),
                claimant=figure.said_by,
                low=parsed.low,
                best=parsed.best,
                high=parsed.high,
                qualifier=parsed.qualifier,
            )
        )
    return claims


def combine_claims(claims: list[Claim]) -> Count | None:
    """Derive one count from several claims (rule in the module docstring)."""
    if not claims:
        return None
    lows = [c.low for c in claims if c.low is not None]
    best_claim = max(claims, key=lambda c: -1 if c.best is None else c.best)
    open_ended = any(c.high is None for c in claims)
    return Count(
        low=min(lows) if lows else None,
        best=best_claim.best,
        high=None if open_ended else max(c.high for c in claims if c.high is not None),
        qualifier=best_claim.qualifier,
        text=best_claim.text,
        claims=claims,
    )


def finalize(draft: BaseModel, context: Context) -> Incident:
    """Turn the model's `IncidentDraft` into a grounded, normalised `Incident`."""
    assert isinstance(draft, IncidentDraft)
    evidence = _ground(draft.quote, context, "quote") or Grounded(
        text=draft.quote, start=None, end=None, alignment="none"
    )
    if evidence.start is not None:
        context.anchor = Span(evidence.start, evidence.end, evidence.alignment)
    place = _ground(draft.place, context, "place") if draft.place else None
    region = _ground(draft.region, context, "region") if draft.region else None
    resolved = resolve_date(draft.date_text, context.published)
    return Incident(
        id=context.record_id,
        event_type=EVENT_TYPE[draft.sub_event_type],
        sub_event_type=draft.sub_event_type,
        summary=draft.summary,
        modality=draft.modality,
        date=EventDate(
            text=resolved.text, start=resolved.start, end=resolved.end,
            precision=resolved.precision,
        ),  # fmt: skip
        location=Location(
            text=place,
            place=place.text if place else None,
            admin1=region.text if region else None,
            country=draft.country,
        ),
        perpetrators=_ground_all(draft.perpetrators, context, "perpetrator"),
        targets=_ground_all(draft.targets, context, "target"),
        victims=_ground_all(draft.victims, context, "victim"),
        weapons=_ground_all(draft.weapons, context, "weapon"),
        killed=combine_claims(_claims(draft.killed, context, "killed")),
        injured=combine_claims(_claims(draft.injured, context, "injured")),
        evidence=evidence,
    )


SCHEMA = Schema(
    name="incident",
    item_model=IncidentDraft,
    record_model=Incident,
    fill_prompt="incident",
    finalize=finalize,
)
