"""Scoring `incident` records against GVA's record of each article, and `eval run` on it.

The articles here are invented in GVA's shape (title, blank line, body; one shooting).
"""

from __future__ import annotations

import json

import httpx2
import pytest

from summarizer import LLMClient, Settings
from summarizer._eval.runner import PREDICTIONS, run_eval
from summarizer._llm.prompting import prompt_words
from summarizer._scoring.gva import CHECKS, score, score_article
from summarizer._text.places import (
    dateline_state,
    state_after,
    state_name,
    state_within,
    writes_state,
)
from summarizer.schemas._incident import SCHEMA

from .test_llm import completion

TEXT = (
    "Man killed, woman hurt in Starkville shooting\n\n"
    "STARKVILLE, Miss. (AP) — A man was shot dead and a woman was wounded on Main Street "
    "on Monday night, police said.\n\n"
    "A vigil for the victim drew 200 people on Wednesday."
)
EVENT = {
    "type": "shooting", "date": "2016-03-07", "killed": 1, "injured": 1,
    "place": {"city": "Starkville", "admin1": "Mississippi", "country": "United States"},
}  # fmt: skip
EVIDENCE = "A man was shot dead and a woman was wounded on Main Street on Monday night"


def grounded(text: str, article: str = TEXT) -> dict:
    start = article.find(text)
    found = start >= 0
    return {
        "text": text,
        "start": start if found else None,
        "end": start + len(text) if found else None,
        "alignment": "exact" if found else "none",
    }


def count(phrase: str, best: int) -> dict:
    claim = grounded(phrase) | {"claimant": None, "low": best, "best": best, "high": best}
    return {"low": best, "best": best, "high": best, "qualifier": "exact", "text": phrase,
            "claims": [claim | {"qualifier": "exact"}]}  # fmt: skip


def record(**changes) -> dict:
    base = {
        "id": "r-1", "event_type": "violence_against_civilians",
        "sub_event_type": "attack_on_civilians", "summary": "A man was shot dead in Starkville.",
        "modality": "asserted",
        "date": {"text": "on Monday night", "start": "2016-03-07", "end": "2016-03-07",
                 "precision": "day"},
        "location": {"text": grounded("Main Street"), "place": "Starkville",
                     "admin1": "Miss.", "country": "United States"},
        "perpetrators": [], "targets": [], "victims": [grounded("A man")], "weapons": [],
        "killed": count("A man was shot dead", 1) | {"best": 1},
        "injured": None, "evidence": grounded(EVIDENCE),
    }  # fmt: skip
    return base | changes


def test_a_right_main_record_passes_every_check() -> None:
    scored = score_article(EVENT, [record(injured=count("a woman", 1))], TEXT, prompt_words())
    assert {check: scored[check] for check in CHECKS} == dict.fromkeys(CHECKS, True)
    assert scored["values_from_prompt"] == [] and scored["evidence_not_in_article"] == 0


def test_no_figure_counts_as_none_killed_and_a_shooting_typed_as_a_bombing_fails() -> None:
    scored = score_article(
        EVENT | {"killed": 0}, [record(killed=None, sub_event_type="remote_explosive")],
        TEXT, prompt_words(),
    )  # fmt: skip
    assert scored["killed"] and not scored["injured"] and not scored["type"]


def test_the_main_record_is_the_first_and_a_second_record_fails_one_record() -> None:
    vigil = record(evidence=grounded("A vigil for the victim drew 200 people on Wednesday"))
    scored = score_article(EVENT, [record(), vigil], TEXT, prompt_words())
    assert scored["records"] == 2 and not scored["one_record"] and scored["killed"]


def test_a_prompt_example_and_evidence_not_in_the_article_are_counted() -> None:
    leaked = record(
        summary="Rebels set off a car bomb outside the mayor's office in San Marcos.",
        evidence=grounded("A car bomb left outside the mayor's office killed at least seven"),
        perpetrators=[grounded("Rebels")],
    )
    scored = score_article(EVENT, [leaked], TEXT, prompt_words())
    assert scored["evidence_not_in_article"] == 1
    assert {"Rebels", "San Marcos"} <= set(scored["values_from_prompt"])


def test_a_figure_outside_the_evidence_paragraph_is_counted() -> None:
    far = record(killed=count("200 people", 200))
    assert score_article(EVENT, [far], TEXT, prompt_words())["figures_outside_passage"] == 1


def test_a_merged_records_figure_stands_in_the_paragraph_of_its_more_evidence() -> None:
    vigil = grounded("A vigil for the victim drew 200 people")
    far = record(killed=count("200 people", 200))
    assert score_article(EVENT, [far], TEXT, prompt_words())["figures_outside_passage"] == 1
    merged = far | {"more_evidence": [vigil]}
    assert score_article(EVENT, [merged], TEXT, prompt_words())["figures_outside_passage"] == 0


@pytest.mark.parametrize(("evidence", "outside"), [(TEXT.split("\n")[0], 0), ("A vigil", 1)])
def test_the_lede_is_the_passage_of_a_record_told_in_the_headline(evidence, outside) -> None:
    nowhere = {"text": None, "place": None, "admin1": None, "country": None}
    told = record(evidence=grounded(evidence), location=nowhere, victims=[])
    scored = score_article(EVENT, [told], TEXT, prompt_words())
    assert scored["figures_outside_passage"] == outside  # "A man was shot dead": the lede


def test_scores_are_shares_of_articles_and_a_missing_prediction_counts_as_no_record() -> None:
    scores = score({"a": EVENT, "b": EVENT}, {"a": [record()]}, {"a": TEXT, "b": TEXT})
    assert (scores["one_record"], scores["killed"], scores["no_record"]) == (0.5, 0.5, 1)


def test_the_state_is_also_scored_among_the_articles_that_write_it() -> None:
    unwritten = {**EVENT, "place": {**EVENT["place"], "admin1": "Alabama"}}
    golds = {"a": EVENT, "b": unwritten}
    scores = score(golds, {"a": [record()], "b": [record()]}, {"a": TEXT, "b": TEXT})
    # "Miss." is Mississippi; the second article never writes Alabama.
    assert (scores["state"], scores["state_where_written"], scores["state_written"]) == (
        0.5, 1.0, 1
    )  # fmt: skip


@pytest.mark.parametrize(
    ("state", "text", "written"),
    [("Mississippi", "STARKVILLE, Miss. (AP)", True), ("Arkansas", "JONESBORO, AR —", True),
     ("Indiana", "a man from Indiana", True), ("Indiana", "Indianapolis police", False),
     ("Oregon", "a shooting, or worse", False), ("Virginia", "in West Virginia", False),
     ("", "any text", False)],
)  # fmt: skip
def test_a_state_is_written_by_its_name_or_an_abbreviation_after_a_comma(
    state: str, text: str, written: bool
) -> None:
    assert writes_state(state, text) is written


@pytest.mark.parametrize(
    ("written", "state"),
    [("Miss.", "Mississippi"), ("MS", "Mississippi"), ("mississippi", "Mississippi"),
     ("W.Va.", "West Virginia"), ("Calif", "California"), ("in", None), ("Kharkiv", None)],
)  # fmt: skip
def test_a_state_is_read_from_its_name_or_abbreviations(written: str, state: str | None) -> None:
    assert state_name(written) == state


@pytest.mark.parametrize(
    ("place", "text", "state"),
    [
        ("Starkville", "STARKVILLE, Miss. (AP) — A man", "Mississippi"),
        ("Franklin", "in Franklin, Indiana, on Monday", "Indiana"),
        ("Portland", "Portland, OR 97201", "Oregon"),
        ("Portland", "in Portland, or nearby", None),
        ("Franklin", "Franklin police said", None),
    ],
)
def test_the_state_after_a_place_is_read_only_as_written(place, text, state) -> None:
    assert state_after(place, text) == state


@pytest.mark.parametrize(
    ("text", "state"),
    [
        (
            "Kokomo bar shooting\n\nINDIANAPOLIS, Ind. (June 15, 2014) \u2014 Police in Kokomo",
            "Indiana",
        ),
        ("Four shot\n\nBUFFALO, N.Y. - Four men were shot", "New York"),
        ("Strike\n\nKYIV, Ukraine (AP) \u2014 Russia launched", None),  # no US state
        ("A man from DALLAS, TX - the police said", None),  # not at a line's start
        ("Shooting\n\n" + "x " * 400 + "\nBUFFALO, N.Y. - Four", None),  # too far down
    ],
)
def test_the_datelines_state_is_read_at_the_top_of_the_article(text: str, state) -> None:
    assert dateline_state(text) == state


# --- eval run with the incident schema, on a fake endpoint -----------------------------

DRAFT = {
    "quote": EVIDENCE + ", police said.", "sub_event_type": "attack_on_civilians",
    "summary": "A man was shot dead in Starkville.", "date_text": "on Monday night",
    "place": "Starkville", "region": None, "country": None, "perpetrators": [],
    "targets": [], "victims": ["A man"], "weapons": [],
    "killed": [{"phrase": "A man was shot dead", "said_by": None}],
    "injured": [{"phrase": "a woman was wounded", "said_by": None}], "modality": "asserted",
}  # fmt: skip


def drafting(draft: dict) -> tuple[Settings, LLMClient]:
    """Settings of one call an article, and a client whose model answers `draft` always."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=completion(json.dumps({"incidents": [draft]}), 90, 30))

    settings = Settings(base_url="http://model.test/v1", model="fake", strategy="single",
                        transport_retries=0, reasks=0)  # fmt: skip
    client = LLMClient(base_url=settings.base_url, model="fake", api_key="k",
                       settings=settings, transport=httpx2.MockTransport(answer))  # fmt: skip
    return settings, client


def test_eval_run_scores_the_incident_schema_on_gva_events(tmp_path) -> None:
    settings, client = drafting(DRAFT)
    data = tmp_path / "gva.jsonl"
    line = {"id": "gva-1", "text": TEXT, "published": "2016-03-08", "events": [EVENT]}
    data.write_text(json.dumps(line) + "\n")
    metrics = run_eval(data, tmp_path / "run", schema=SCHEMA, llm=client, settings=settings)
    scored = metrics["score"]
    assert (scored["killed"], scored["date"], scored["city"], scored["one_record"]) == (
        1.0, 1.0, 1.0, 1.0
    )  # fmt: skip
    (line,) = (tmp_path / "run" / PREDICTIONS).read_text().splitlines()
    prediction = json.loads(line)
    assert prediction["id"] == "gva-1" and prediction["records"][0]["killed"]["best"] == 1


@pytest.mark.parametrize(
    ("place", "split"),
    [("Bokoshe, Ark", ("Bokoshe", "Arkansas")), ("JONESBORO, AR", ("JONESBORO", "Arkansas")),
     ("Montgomery Alabama", ("Montgomery", "Alabama")), ("West Virginia", None),
     ("BUFFALO, N.Y.", ("BUFFALO", "New York")), ("Bokoshe, Ark.", ("Bokoshe", "Arkansas")),
     ("Kansas City", None), ("Austin TX", None), ("New York.", None)],
)  # fmt: skip
def test_a_place_written_with_its_state_is_split(place: str, split) -> None:
    assert state_within(place) == split
