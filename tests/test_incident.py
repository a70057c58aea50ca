"""The built-in schema's finalize step: grounding, figures, sources and dates, no LLM."""

from __future__ import annotations

import datetime

import pytest

from summarizer._incident import FigureDraft, Incident, IncidentDraft, combine_claims, finalize
from summarizer._schema import Context

from .conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")


def draft(**fields) -> IncidentDraft:
    base = {
        "quote": "Moscow had launched 122 missiles and dozens of drones against Ukraine on Friday "
        "killing over 35 people and injuring around 160.",
        "sub_event_type": "missile_or_artillery_attack",
        "summary": "Russia launched 122 missiles against Ukraine.",
        "date_text": None, "place": None, "region": None, "country": "Ukraine",
        "perpetrators": ["Moscow"], "targets": ["maternity hospital"], "victims": [],
        "weapons": ["missiles"], "killed": [], "injured": [], "modality": "asserted",
    }  # fmt: skip
    return IncidentDraft(**{**base, **fields})


def run(d: IncidentDraft, published=datetime.date(2023, 12, 30)) -> tuple[Incident, list[str]]:
    context = Context(text=TEXT, published=published, record_id="r-1")
    return finalize(d, context), context.warnings


def test_two_sources_make_two_claims_on_one_incident() -> None:
    incident, _ = run(draft(killed=[
        FigureDraft(phrase="over 35 people", said_by=None),
        FigureDraft(phrase="39 of them have been killed so far", said_by="Volodymyr Zelenskiy"),
    ]))  # fmt: skip
    killed = incident.killed
    assert killed is not None
    assert [(c.best, c.qualifier, c.claimant) for c in killed.claims] == [
        (35, "more_than", None),
        (39, "exact", "Volodymyr Zelenskiy"),
    ]
    assert (killed.low, killed.best, killed.high) == (35, 39, None)
    for claim in killed.claims:
        assert TEXT[claim.start : claim.end] == claim.text


def test_figure_is_taken_from_the_article_words_not_the_model_phrase() -> None:
    incident, _ = run(draft(injured=[FigureDraft(phrase="around 160 people", said_by=None)]))
    claim = incident.injured.claims[0]
    assert claim.text == "around 160"
    assert (claim.best, claim.qualifier) == (160, "about")


def test_a_number_the_article_does_not_state_is_refused() -> None:
    incident, warnings = run(draft(killed=[FigureDraft(phrase="at least 12 people", said_by=None)]))
    assert incident.killed is None  # "over 12" is in the article, "at least 12" is not
    assert any("'at least 12 people' is not in the article" in w for w in warnings)


def test_objects_are_not_casualties() -> None:
    drones = FigureDraft(phrase="32 Ukrainian drones", said_by=None)
    incident, warnings = run(draft(killed=[drones]))
    assert incident.killed is None
    assert any("counts objects, not people" in w for w in warnings)


def test_a_source_must_be_named_beside_its_figure() -> None:
    incident, warnings = run(draft(killed=[FigureDraft(phrase="over 35 people", said_by="Poland")]))
    assert incident.killed.claims[0].claimant is None
    assert any("source 'Poland'" in w for w in warnings)


@pytest.mark.parametrize("voice", ["the article", "Article", "unknown", ""])
def test_the_article_voice_is_no_source(voice: str) -> None:
    incident, _ = run(draft(killed=[FigureDraft(phrase="over 35 people", said_by=voice)]))
    assert incident.killed.claims[0].claimant is None


def test_a_summary_with_an_invented_number_is_replaced_by_the_evidence() -> None:
    incident, warnings = run(draft(summary="Russia launched 150 missiles, killing 40."))
    assert incident.summary == incident.evidence.text
    assert any("states a number" in w for w in warnings)


def test_date_falls_back_to_the_evidence_sentence_and_resolves() -> None:
    incident, _ = run(draft())
    assert incident.date.text == "on Friday"
    assert incident.date.start == datetime.date(2023, 12, 29)
    assert incident.date.precision == "day"


def test_without_publication_date_nothing_is_resolved() -> None:
    incident, _ = run(draft(date_text="on Friday"), published=None)
    assert (incident.date.text, incident.date.start, incident.date.precision) == (
        "on Friday", None, "unknown")  # fmt: skip


def test_values_not_in_the_article_are_dropped_with_a_warning() -> None:
    incident, warnings = run(draft(perpetrators=["Moscow", "the Wagner group"]))
    assert [p.text for p in incident.perpetrators] == ["Moscow"]
    assert any("'the Wagner group' is not in the article" in w for w in warnings)


def test_event_type_is_derived_from_the_sub_type() -> None:
    incident, _ = run(draft(sub_event_type="interception"))
    assert incident.event_type == "strategic_developments"


def test_combine_claims_of_nothing_is_unknown_not_zero() -> None:
    assert combine_claims([]) is None


def test_every_lookup_is_tallied_for_the_grounding_rate() -> None:
    context = Context(text=TEXT, published=None, record_id="r-1")
    finalize(draft(perpetrators=["Moscow", "the Wagner group"]), context)
    # quote, 2 perpetrators, 1 target, 1 weapon: one of the five is not in the article
    assert (context.looked_up, context.found) == (5, 4)
