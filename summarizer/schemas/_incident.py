"""The built-in ``incident`` schema: one violent incident, every value tied to the article.

Two shapes, after the conflict-event datasets' choices (docs/design.md):

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
import functools
import re
from typing import Literal, cast

from pydantic import BaseModel, Field

from summarizer._llm.prompting import prompt_words
from summarizer._text.acts import checked_type, tells_of_violence
from summarizer._text.counts import (
    CasualtyKind,
    ParsedCount,
    Qualifier,
    casualty_kinds,
    one_person,
    parse_count,
)
from summarizer._text.dates import (
    Precision,
    ResolvedDate,
    find_date_phrase,
    resolve_date,
    the_one_day,
)
from summarizer._text.dictionary import in_dictionary
from summarizer._text.grounding import (
    Alignment,
    Span,
    align,
    headline,
    normalise,
    opening_at,
    paragraph,
)
from summarizer._text.places import (
    UNITED_STATES,
    dateline_state,
    state_after,
    state_name,
    state_within,
)
from summarizer.schemas._base import Context, Schema, merge_repeats

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

    quote: str = Field(max_length=300, description="the sentence that reports the incident")
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
    # The evidence of the records merged into this one: the article's other sentences
    # that report the same incident, where the figures they brought stand.
    more_evidence: list[Grounded] = []


def blank_incident(record_id: str, evidence: Grounded) -> Incident:
    """An incident an editor adds from a passage: the passage as its evidence and
    summary, every other field empty for the editor to fill."""
    return Incident(
        id=record_id, event_type=EVENT_TYPE["other"], sub_event_type="other",
        summary=evidence.text[:200], modality="asserted",
        date=EventDate(text=None, start=None, end=None, precision="unknown"),
        location=Location(text=None, place=None, admin1=None, country=None),
        perpetrators=[], targets=[], victims=[], weapons=[], killed=None, injured=None,
        evidence=evidence,
    )  # fmt: skip


# --- From one to the other ------------------------------------------------------------


def _locate(value: str, context: Context, within: tuple[int, int] | None = None) -> Grounded | None:
    """Where `value` stands in the article (or in its part `within`), or None; `text` is
    the article's own words."""
    first, last = within or (0, len(context.text))
    anchor = context.anchor.start if context.anchor else None
    near = None if anchor is None else anchor - first
    span: Span = align(value, context.text[first:last], near=near)
    if span.start is None or span.end is None:
        return None
    start, end = first + span.start, first + span.end
    return Grounded(text=context.text[start:end], start=start, end=end, alignment=span.alignment)


def _ground(value: str, context: Context, what: str) -> Grounded | None:
    """Ground `value`. One the article does not contain is flagged in the warnings and
    kept with alignment ``none``, or removed (None) when the context is strict or when a
    prompt holds it (`_from_a_prompt`)."""
    grounded = _locate(value, context)
    context.tally(grounded is not None, value)
    if grounded is not None:
        return grounded
    if _from_a_prompt(value):
        context.warnings.append(
            f"{context.record_id}: {what} {value!r} is not in the article but in a prompt's "
            "example (removed)"
        )
        return None
    removed = context.strict
    context.warnings.append(
        f"{context.record_id}: {what} {value!r} is not in the article "
        f"({'removed' if removed else 'kept unaligned'})"
    )
    return None if removed else Grounded(text=value, start=None, end=None, alignment="none")


def _from_a_prompt(value: str) -> bool:
    """True when `value` (not found in the article) stands in a prompt template: a small
    model copies the examples' "San Marcos" and "Rebels" into articles that lack them."""
    return bool(normalise(value)) and normalise(value) in prompt_words()


def _ground_all(values: list[str], context: Context, what: str) -> list[Grounded]:
    grounded = (_ground(v, context, what) for v in dict.fromkeys(v.strip() for v in values) if v)
    return [g for g in grounded if g is not None]


# What small models write when they mean "the article itself says so".
_ARTICLE_VOICE = {"", "article", "the article", "report", "the report", "none", "null", "unknown"}


def _claimant(said_by: str | None, figure: Grounded, context: Context) -> str | None:
    """Who gives `figure`: a source named in the same paragraph, else the article's voice.

    Small models attribute figures to any name in the article ("Poland" for deaths from
    shelling in Russia); a source is only accepted where the figure itself stands.
    """
    if said_by is None or said_by.strip().lower() in _ARTICLE_VOICE:
        return None
    assert figure.start is not None
    start, end = paragraph(context.text, figure.start)
    span = align(said_by, context.text[start:end])
    context.tally(span.start is not None, None)  # a misattribution, not a wording to re-ask
    if span.start is None:
        context.warnings.append(
            f"{context.record_id}: source {said_by!r} of {figure.text!r} is not named beside it"
        )
        return None
    return context.text[start + span.start : start + span.end]


# Count nouns that are never people: a small model puts "32 drones" under killed.
_NOT_PEOPLE_WORDS = (
    "drone drones missile missiles rocket rockets shell shells bomb bombs aircraft plane "
    "planes helicopter helicopters tank tanks vehicle vehicles car cars building buildings "
    "house houses home homes school schools"
)
_NOT_PEOPLE = frozenset(_NOT_PEOPLE_WORDS.split())


def _count(phrase: str) -> ParsedCount | None:
    """The numbers of a casualty phrase: its number, 1 for one person named alone ("the
    victim"), or how many people it names ("Leanne Smith and Dustin Grey": 2)."""
    return parse_count(phrase) or one_person(phrase) or _named(phrase)


def _named(phrase: str) -> ParsedCount | None:
    """The count of a phrase that only names people, each by a name of two to four
    capitalised words, one of them no English word; else None."""
    people = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", phrase.strip()) if p]
    names = [re.findall(r"[\w'-]+", person) for person in people]
    if not names or not all(_is_a_name(words) for words in names):
        return None
    return ParsedCount(len(names), len(names), len(names), "exact", phrase.strip())


def _is_a_name(words: list[str]) -> bool:
    capitalised = 2 <= len(words) <= 4 and all(w[0].isupper() for w in words)
    return capitalised and not all(in_dictionary(w.lower()) for w in words)


def _ground_figure(
    phrase: str, context: Context, kind: CasualtyKind
) -> tuple[Grounded, ParsedCount] | None:
    """The figure as the article states it: its span, and the numbers parsed from that span.

    The model's phrase may carry words the article does not ("at least 14 people" for
    "killing at least 14"), so shorter prefixes are tried while they still hold a number,
    then those of the phrase without its article ("the 9-year-old boy": "9-year-old").
    The numbers come from the article's words, and must equal the phrase's: a fuzzy
    match of "at least 14" onto "at least 12" is refused.
    """
    words = phrase.split()
    wanted = _count(phrase)
    # "the 9-year-old boy" where the article says "a 9-year old ... 9-year-old dead".
    bare = words[1:] if len(words) > 1 and words[0].lower() in _DETERMINERS else []
    for candidate in _prefixes(words) + _prefixes(bare):
        found = _locate_in_passage(candidate, context, kind) or _locate(candidate, context)
        if found is None:
            continue
        stated = _count(found.text)
        if stated is not None and wanted is not None and stated.best == wanted.best:
            return found, stated
    return None


_DETERMINERS = frozenset({"the", "a", "an"})


def _prefixes(words: list[str]) -> list[str]:
    """`words` joined, then without their last word, and so on down to the first."""
    return [" ".join(words[:size]) for size in range(len(words), 0, -1)]


def _locate_in_passage(value: str, context: Context, kind: CasualtyKind) -> Grounded | None:
    """Where `value` stands in a paragraph of the incident (`_passages`), if it does: a
    figure the article gives twice is taken where the incident is told, and in a
    sentence about its `kind` of casualties if one of them is (a victim is named where
    she is introduced, then where she is killed)."""
    found = (_locate(value, context, within=passage) for passage in _passages(context))
    places = [grounded for grounded in found if grounded is not None]
    telling = (g for g in places if not _other_kind(kind, g, context))
    return next(telling, places[0] if places else None)


def _passages(context: Context) -> list[tuple[int, int]]:
    """The paragraphs that tell of the incident: its evidence's, then those in
    `Context.passages` (the listing's quotes', its values', the opening's)."""
    own = []
    if context.anchor is not None and context.anchor.start is not None:
        own.append(paragraph(context.text, context.anchor.start))
    return list(dict.fromkeys([*own, *context.passages]))


_SENTENCE_END = re.compile(r"[.!?]\s")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` around ``text[start:end]``, within its paragraph."""
    first, last = paragraph(text, start)
    stops = [m.end() for m in _SENTENCE_END.finditer(text, first, start)]
    after = _SENTENCE_END.search(text, end, last)
    return text[stops[-1] if stops else first : after.end() if after else last]


# Harm that is of neither kind yet: "6 shot at Easter party", "four people were hit".
_HARMED = re.compile(r"\b(?:shot|shooting|hit|struck|stabbed|victims?|casualt\w*)\b", re.I)


def _other_kind(kind: CasualtyKind, found: Grounded, context: Context) -> bool:
    """True when the figure's sentence does not speak of its kind of casualties: "39 of
    them have been killed" is no figure of injured, "159 were injured" none of killed,
    "the two children were home" none of either. A sentence that speaks of both
    ("killing 35 and injuring 160"), or of people shot or hit without saying which
    ("6 shot at a party"), passes."""
    assert found.start is not None and found.end is not None
    sentence = _sentence(context.text, found.start, found.end)
    kinds = casualty_kinds(sentence)
    return kind not in kinds if kinds else not _HARMED.search(sentence)


def _paragraphs(text: str, values: list[Grounded | None]) -> tuple[tuple[int, int], ...]:
    """The paragraphs where `values` found in `text` stand, once each."""
    starts = (v.start for v in values if v is not None and v.start is not None)
    return tuple(dict.fromkeys(paragraph(text, start) for start in starts))


def _by_kind(
    draft: IncidentDraft, context: Context, its_paragraph: str
) -> dict[CasualtyKind, list[FigureDraft]]:
    """The model's figures filed under the kind their sentence in the article speaks of.

    A small model files "four men were wounded" under killed, or "six people" under
    killed from "the person who shot six people"; the article's words decide: a sentence
    of one kind only files the figure there, and people shot, hit or victims in a
    sentence that says nothing of death, of an incident whose evidence paragraph
    (`its_paragraph`) says nothing of death either, are injured (as the Gun Violence
    Archive counts them; "the two victims" of a shooting that killed two stay killed).
    Any other sentence leaves the model's choice (`_claims` judges it).
    """
    death_told = "killed" in casualty_kinds(its_paragraph)
    filed: dict[CasualtyKind, list[FigureDraft]] = {"killed": [], "injured": []}
    for kind, figures in (("killed", draft.killed), ("injured", draft.injured)):
        for figure in figures:
            said = _kind_said(figure, cast(CasualtyKind, kind), context, death_told)
            filed[said].append(figure)
    return filed


def _kind_said(
    figure: FigureDraft, kind: CasualtyKind, context: Context, death_told: bool
) -> CasualtyKind:
    """The kind of casualties the sentence of `figure` speaks of (see `_by_kind`)."""
    words = set(figure.phrase.lower().split())
    counts_people = _count(figure.phrase) is not None and not _NOT_PEOPLE & words
    grounded = _ground_figure(figure.phrase, context, kind) if counts_people else None
    if grounded is None or grounded[0].start is None or grounded[0].end is None:
        return kind
    sentence = _sentence(context.text, grounded[0].start, grounded[0].end)
    kinds = casualty_kinds(sentence)
    other: CasualtyKind = "injured" if kind == "killed" else "killed"
    harmed = _HARMED.search(sentence) is not None
    harmed_alive = kind == "killed" and not kinds and harmed and not death_told
    if kinds != {other} and not harmed_alive:
        return kind
    context.warnings.append(
        f"{context.record_id}: {kind} {figure.phrase!r} counted as {other}, as its sentence tells"
    )
    return other


def _in_passage(found: Grounded, context: Context) -> bool:
    """True when `found` lies in a paragraph that tells of the incident (`_passages`). A
    figure elsewhere in the article belongs to another incident or to nothing ("three"
    in a Wichita story is no car bomb's toll)."""
    passages = _passages(context)
    return not passages or any(_within(found, passage) for passage in passages)


def _claims(figures: list[FigureDraft], context: Context, kind: CasualtyKind) -> list[Claim]:
    """The figures the article states, each with its numbers and source. A figure already
    claimed (its words overlap an earlier claim's: the fill's "over 35 people" and the
    figures call's "over 35") counts once."""
    claims: list[Claim] = []
    for figure in figures:
        problem = unfound = None
        if _count(figure.phrase) is None:
            problem = "holds no number"
        elif _NOT_PEOPLE & set(figure.phrase.lower().split()):
            problem = "counts objects, not people"
        elif (grounded := _ground_figure(figure.phrase, context, kind)) is None:
            problem = "is not in the article (removed: no figure without the article's words)"
            unfound = figure.phrase
        elif _other_kind(kind, grounded[0], context):
            problem = "stands in a sentence about the other kind of casualties, or none"
        elif not _in_passage(grounded[0], context):
            problem = "stands outside the paragraphs that tell of this incident"
        elif any(_overlap(grounded[0], claim) for claim in claims):
            continue
        context.tally(problem is None, unfound)
        if problem:
            context.warnings.append(f"{context.record_id}: {kind} {figure.phrase!r} {problem}")
            continue
        found, stated = grounded
        claims.append(
            Claim(
                **found.model_dump(),
                claimant=_claimant(figure.said_by, found, context),
                low=stated.low,
                best=stated.best,
                high=stated.high,
                qualifier=stated.qualifier,
            )
        )
    return claims


# A run of capitalised words: a name, which a summary may only take from the article.
_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def _summary_problem(
    summary: str, evidence: Grounded, counts: list[Count | None], text: str
) -> str | None:
    """What the model's summary says that the article does not, or None: a number that
    neither its evidence nor its figures give, or a name (four letters or more) that the
    article lacks ("San Marcos" from a prompt's example). An invented number or name is
    worse than no summary."""
    allowed = set(re.findall(r"\d+", evidence.text))
    allowed |= {str(c.best) for count in counts if count for c in count.claims}
    if set(re.findall(r"\d+", summary)) - allowed:
        return "states a number its evidence does not"
    article = normalise(text)
    names = [n for n in _NAME.findall(summary) if len(n) > 3 and normalise(n) not in article]
    return f"names {names[0]!r}, which the article does not" if names else None


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


def _evidence(quote: str, context: Context) -> Grounded | None:
    """The record's evidence in the article, or None (and why, in the warnings) when it
    reports no incident of this article: its quote is not there (an example copied from
    a prompt, a sentence made up), or neither its sentence nor the listing's sentence for
    the incident tells of an act of violence (a vigil, a statement, a hearing, an
    accident, a child out of hospital: `tells_of_violence`)."""
    found = _locate(quote, context)
    context.tally(found is not None, quote)
    if found is None:
        where = "not the article"
        if _from_a_prompt(quote):
            where = "a prompt's example, not the article"
        context.warnings.append(f"{context.record_id}: dropped: its evidence {quote!r} is {where}")
        return None
    assert found.start is not None and found.end is not None
    told = [_sentence(context.text, found.start, found.end)]
    anchor = context.anchor
    if anchor is not None and anchor.start is not None and anchor.end is not None:
        told.append(_sentence(context.text, anchor.start, anchor.end))
    if not any(tells_of_violence(sentence) for sentence in told):
        context.warnings.append(
            f"{context.record_id}: dropped: its evidence {found.text!r} tells of no act of violence"
        )
        return None
    return found


def _sub_event_type(draft: IncidentDraft, words: str, context: Context) -> SubEventType:
    """The model's type when `words` (the evidence's paragraph, the weapons) allow it, else
    the type they show (`checked_type`), with a warning."""
    checked = checked_type(draft.sub_event_type, words)
    if checked != draft.sub_event_type:
        context.warnings.append(
            f"{context.record_id}: sub-event type {draft.sub_event_type} needs words its "
            f"evidence does not have; {checked}, as its words show"
        )
    return cast(SubEventType, checked)  # one of `NEEDS`' keys or `_SHOWN`'s, all of them types


def _location(draft: IncidentDraft, context: Context) -> Location:
    """The place as written (a state written with it, "Bokoshe, Ark", is taken off it);
    the region as written (a US state by its name: "Miss." is Mississippi), else that
    state, else the state the article writes after the place ("STARKVILLE, Miss."), else
    its dateline's ("INDIANAPOLIS, Ind. —" for Kokomo); the country when the article
    names it, or the United States for a state."""
    place = _ground(draft.place, context, "place") if draft.place else None
    region = _ground(draft.region, context, "region") if draft.region else None
    within = state_within(place.text) if place is not None and place.start is not None else None
    if place is not None and within is not None:
        town = within[0]
        place = place.model_copy(update={"text": town, "end": (place.start or 0) + len(town)})
    if region is not None and region.start is not None:
        admin1 = state_name(region.text) or region.text
    elif within is not None:
        admin1 = within[1]
    elif place is not None and place.start is not None:
        admin1 = state_after(place.text, context.text) or _dateline_state(draft, context)
    else:
        admin1 = _dateline_state(draft, context)
    return Location(
        text=place,
        place=place.text if place else None,
        admin1=admin1,
        country=_country(draft.country, admin1, context),
    )


# How a model names the United States.
_UNITED_STATES = frozenset({"united states", "us", "u s", "usa", "u s a", "america"})


def _dateline_state(draft: IncidentDraft, context: Context) -> str | None:
    """The dateline's state, for a record of no other country ("WASHINGTON, D.C. (AP)"
    heads stories of Kharkiv too)."""
    foreign = draft.country and normalise(draft.country) not in _UNITED_STATES
    return None if foreign else dateline_state(context.text)


def _country(written: str | None, admin1: str | None, context: Context) -> str | None:
    """`written` when the article holds it; the United States when `admin1` is a state;
    else None, never the model's guess (a warning says so)."""
    if written and _locate(written, context) is not None:
        return written
    if admin1 and state_name(admin1):
        return UNITED_STATES
    if written:
        context.warnings.append(
            f"{context.record_id}: country {written!r} is not in the article (removed)"
        )
    return None


def _summary(draft: IncidentDraft, evidence: Grounded, counts: list[Count | None],
             context: Context) -> str:  # fmt: skip
    """The model's summary, or the evidence sentence when the summary says what the
    article does not (`_summary_problem`), with a warning."""
    problem = _summary_problem(draft.summary, evidence, counts, context.text)
    if problem is None:
        return draft.summary
    context.warnings.append(
        f"{context.record_id}: summary {draft.summary!r} {problem}; the evidence sentence "
        "stands in for it"
    )
    return evidence.text


def _date_text(draft: IncidentDraft, evidence: Grounded, its_paragraph: str) -> str | None:
    """When the incident happened, as written: the model's phrase, else the first date
    phrase of the evidence sentence, else of its paragraph (news gives the day once, in
    the lead: "... was shot Saturday night. Police said the victim ...")."""
    return draft.date_text or find_date_phrase(evidence.text) or find_date_phrase(its_paragraph)


def _date(
    draft: IncidentDraft, evidence: Grounded, its_paragraph: str, context: Context
) -> ResolvedDate:
    """The day of `_date_text`, else the day the whole article names when it names only
    one (`the_one_day`: the lede's "Monday night" of an article whose evidence sentence
    is its headline), else unknown."""
    resolved = resolve_date(_date_text(draft, evidence, its_paragraph), context.published)
    if resolved.precision != "unknown":
        return resolved
    one_day = the_one_day(context.text, context.published)
    return resolved if one_day is None else resolve_date(one_day, context.published)


def finalize(draft: IncidentDraft, context: Context) -> Incident | None:
    """Turn the model's `IncidentDraft` into a grounded, normalised `Incident`; None when
    it reports no incident of this article (`_evidence`)."""
    evidence = _evidence(draft.quote, context)
    if evidence is None:
        return None
    context.anchor = Span(evidence.start, evidence.end, evidence.alignment)
    weapons = _ground_all(draft.weapons, context, "weapon")
    assert evidence.start is not None
    first, last = paragraph(context.text, evidence.start)
    its_paragraph = context.text[first:last]
    words = " ".join([its_paragraph, *(w.text for w in weapons)])
    sub_event_type = _sub_event_type(draft, words, context)
    location = _location(draft, context)
    resolved = _date(draft, evidence, its_paragraph, context)
    perpetrators = _ground_all(draft.perpetrators, context, "perpetrator")
    targets = _ground_all(draft.targets, context, "target")
    victims = _ground_all(draft.victims, context, "victim")
    context.passages += _paragraphs(
        context.text, [location.text, *perpetrators, *targets, *victims, *weapons]
    )
    context.passages += opening_at(context.text, evidence.start)
    figures = _by_kind(draft, context, its_paragraph)
    killed = combine_claims(_claims(figures["killed"], context, "killed"))
    injured = combine_claims(_claims(figures["injured"], context, "injured"))
    return Incident(
        id=context.record_id,
        event_type=EVENT_TYPE[sub_event_type],
        sub_event_type=sub_event_type,
        summary=_summary(draft, evidence, [killed, injured], context),
        modality=draft.modality,
        date=EventDate(**resolved.__dict__),
        location=location,
        perpetrators=perpetrators,
        targets=targets,
        victims=victims,
        weapons=weapons,
        killed=killed,
        injured=injured,
        evidence=evidence,
    )


def _figures(incident: Incident) -> set[tuple[str, int]]:
    return {
        (kind, claim.best)
        for kind, count in (("killed", incident.killed), ("injured", incident.injured))
        if count
        for claim in count.claims
        if claim.best is not None
    }


def _overlap(a: Grounded, b: Grounded) -> bool:
    if a.start is None or a.end is None or b.start is None or b.end is None:
        return False
    return a.start < b.end and b.start < a.end


def _same_incident(one: Incident, other: Incident, top: tuple[int, int]) -> bool:
    """The merge rule: two records are one incident when their evidence overlaps in the
    article (overlapping chunks, a sentence listed twice) and they name no two different
    places (one sentence can tell of two incidents); or, naming no two different places
    (compared after `normalise`) and no two different dates, when

    - they share a casualty figure (the headline's and the caption's "killing at least
      14" in Belgorod), or
    - they happen at one place on one resolved day (ACLED's unit: one event per place
      and day), or
    - one is told in the article's first paragraph (`top`: its `headline`, or its lede)
      and both name the place: a headline announces the incident the body then tells
      (its figures may be an earlier toll: "over 12", then "at least 14").

    Whatever their places, records on no two different dates that name the same person
    as perpetrator or victim (`_same_person`: "Jeremiah James Pipkins", "Pipkins") are one
    incident: one shooting told from the county and from the town.

    Records without figures, a day, a headline or a person are merged only on
    overlapping evidence: two shellings of one town on unresolved days may well be two
    incidents."""
    places = {normalise(i.location.place or "") for i in (one, other)} - {""}
    if _overlap(one.evidence, other.evidence):
        return len(places) <= 1
    dates = {i.date.start for i in (one, other)} - {None}
    if len(dates) <= 1 and _same_person(one, other):
        return True
    if len(places) > 1 or len(dates) > 1:
        return False
    both_placed = all(i.location.place for i in (one, other))
    same_day = both_placed and all(i.date.start is not None for i in (one, other))
    announced = both_placed and any(_within(i.evidence, top) for i in (one, other))
    return same_day or announced or bool(_figures(one) & _figures(other))


def _same_person(one: Incident, other: Incident) -> bool:
    """True when one record names someone in full ("Jeremiah James Pipkins") whom the
    other names too, in full or by the last name alone ("Pipkins")."""
    return bool(_full_names(one) & _last_names(other) or _full_names(other) & _last_names(one))


def _full_names(incident: Incident) -> set[str]:
    """The last names of the record's perpetrators and victims named in full: capitalised
    words, one of them no English word (a name, not "Police Officer")."""
    return {words[-1].lower() for words in _capitalised(incident) if _is_a_name(words)}


def _last_names(incident: Incident) -> set[str]:
    return {words[-1].lower() for words in _capitalised(incident)}


def _capitalised(incident: Incident) -> list[list[str]]:
    """The words of each perpetrator and victim written with capitals only."""
    values = (re.findall(r"[\w'-]+", v.text) for v in incident.perpetrators + incident.victims)
    return [words for words in values if words and all(w[0].isupper() for w in words)]


def _within(value: Grounded, bounds: tuple[int, int]) -> bool:
    if value.start is None or value.end is None:
        return False
    return bounds[0] <= value.start and value.end <= bounds[1]


def _union(ones: list[Grounded], others: list[Grounded]) -> list[Grounded]:
    known = {normalise(g.text) for g in ones}
    return ones + [g for g in others if normalise(g.text) not in known]


def _merged_count(one: Count | None, other: Count | None) -> Count | None:
    """Both counts' claims, each claim (span and source) once, under the counting rule."""
    claims = {(c.start, c.text, c.claimant): c for n in (one, other) if n for c in n.claims}
    return combine_claims(list(claims.values()))


def _merged(one: Incident, other: Incident) -> Incident:
    """`one` (found first) completed by `other`: its type, summary and evidence stay
    (`other`'s evidence joins `more_evidence`); a date or place it lacks is taken from
    `other`; actors, targets, weapons and claims of both are kept, each once."""
    location = Location(
        **{
            key: getattr(one.location, key) or getattr(other.location, key)
            for key in Location.model_fields
        }
    )
    return one.model_copy(
        update={
            "date": one.date if one.date.precision != "unknown" else other.date,
            "location": location,
            **{
                key: _union(getattr(one, key), getattr(other, key))
                for key in ("perpetrators", "targets", "victims", "weapons")
            },
            "killed": _merged_count(one.killed, other.killed),
            "injured": _merged_count(one.injured, other.injured),
            "more_evidence": _union(
                [one.evidence, *one.more_evidence], [other.evidence, *other.more_evidence]
            )[1:],
        }
    )


def combine(records: list[Incident], text: str) -> list[Incident]:
    """A document's incidents, each once (`_same_incident`, `_merged`)."""
    same = functools.partial(_same_incident, top=headline(text))
    return merge_repeats(records, same, _merged)


SCHEMA: Schema[IncidentDraft, Incident] = Schema(
    name="incident",
    item_model=IncidentDraft,
    record_model=Incident,
    fill_prompt="incident",
    single_prompt="incidents",
    strategy="adaptive",
    figures_prompt="figures",
    finalize=finalize,
    combine=combine,
)
