"""--require-grounding's substitution step, without a model: the article's words replace
the model's values wherever they occur in the draft."""

from __future__ import annotations

from summarizer._extract.regrounding import replace_values
from summarizer.schemas._incident import FigureDraft, IncidentDraft

from .test_incident import draft


def test_values_are_replaced_in_strings_lists_and_nested_figures() -> None:
    before = draft(
        place="Belgorod city",
        perpetrators=["Moscow", "Russian forces"],
        killed=[FigureDraft(phrase="14 people", said_by=None)],
    )
    after = replace_values(
        before,
        {"Belgorod city": "Belgorod", "Russian forces": "Moscow", "14 people": "at least 14"},
    )
    assert isinstance(after, IncidentDraft)
    assert after.place == "Belgorod"
    assert after.perpetrators == ["Moscow", "Moscow"]
    assert after.killed[0].phrase == "at least 14"
    assert after.quote == before.quote  # not named: unchanged


def test_a_replacement_that_does_not_fit_the_schema_leaves_the_draft_alone() -> None:
    before = draft(place="Belgorod city")
    assert replace_values(before, {"Belgorod city": "x" * 500}) == before  # place: max 60
