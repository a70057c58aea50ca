"""End to end on recorded answers of the embedded model (cassettes in cassettes/test_extract/).

Record again with: pytest --record-mode=rewrite tests/test_extract.py
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from summarizer import Incident, summarize
from summarizer._llm.prompting import prompt_words
from summarizer._llm.weights import MODEL_NAME
from summarizer._text.grounding import normalise
from summarizer.cli import app

from .conftest import ROOT, SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


# Written numbers a test can recognise on its own (independently of summarizer._text.counts).
WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "tens": 10,
    "dozen": 12,
    "dozens": 12,
    "hundred": 100,
    "hundreds": 100,
}


def stated_numbers(span: str) -> set[int]:
    """The numbers a phrase states, in digits or in words."""
    words = re.findall(r"[a-z]+", span.lower())
    return {int(n) for n in re.findall(r"\d+", span)} | {WORDS[w] for w in words if w in WORDS}


def assert_honest(records: list[dict], text: str) -> None:
    """Every casualty figure is a number its grounded phrase in the article states."""
    for record in records:
        for kind in ("killed", "injured"):
            count = record[kind]
            if count is None:
                continue
            for claim in count["claims"]:
                assert claim["alignment"] in {"exact", "normalised", "fuzzy"}
                span = text[claim["start"] : claim["end"]]
                assert span, claim
                for value in (claim["low"], claim["best"], claim["high"]):
                    assert value is None or value in stated_numbers(span), (value, span)
            assert count["best"] in {c["best"] for c in count["claims"]}
        evidence = record["evidence"]
        if evidence["start"] is not None:
            assert evidence["end"] > evidence["start"]


# Keys whose values are the schema's own words (types, enums, ids), not the article's.
SCHEMA_WORDS = {"id", "event_type", "sub_event_type", "modality", "precision", "alignment",
                "qualifier"}  # fmt: skip


def strings_of(value: object) -> list[str]:
    """Every string of a record that came from the article or the model, however deep."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, item in value.items() if k not in SCHEMA_WORDS for s in strings_of(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_of(item)]
    return []


def assert_nothing_from_a_prompt(records: list[dict], text: str) -> None:
    """No value of the output is text of a prompt's example that the article lacks."""
    article, prompts = normalise(text), prompt_words()
    for value in (normalise(s) for r in records for s in strings_of(r)):
        if len(value) > 3 and value in prompts:
            assert value in article, f"{value!r} comes from a prompt, not the article"


@pytest.mark.vcr
@pytest.mark.default_cassette("seed.yaml")
def test_seed_through_the_api(model_settings) -> None:
    doc = summarize(SEED_TEXT, published="2023-12-30", settings=model_settings, source="seed")
    assert doc.model == MODEL_NAME
    assert all(isinstance(r, Incident) for r in doc.records)
    assert len(doc.records) >= 2
    # The adaptive path: one call found several incidents, so the article was read again
    # in stages: one listing call, one fill per incident, a figures call for some.
    assert doc.prompt_version == "incidents@2+list_incidents@2+incident@3+figures@1"
    assert re.fullmatch(r"one call found \d+ incidents; the article was read again in "
                        r"stages, one call per incident", doc.warnings[0])  # fmt: skip
    assert doc.usage.llm_calls >= 1 + 1 + len(doc.records)
    assert doc.usage.prompt_tokens > len(SEED_TEXT) // 5
    records = doc.to_dict()["records"]
    assert_honest(records, SEED_TEXT)
    assert_nothing_from_a_prompt(records, SEED_TEXT)
    grounding = doc.to_dict()["grounding"]
    assert grounding["values"] >= 3 * len(records)  # evidence, place, figures, actors...
    assert 0 < grounding["grounded"] <= grounding["values"]
    assert doc.grounding_rate == grounding["grounded"] / grounding["values"]
    # The Belgorod strike and the Friday barrage on Ukraine are separate records.
    belgorod = [r for r in records if "Belgorod" in r["evidence"]["text"]]
    barrage = [r for r in records if "122 missiles" in r["evidence"]["text"]]
    assert belgorod and barrage
    assert not {r["id"] for r in belgorod} & {r["id"] for r in barrage}
    # The headline and the photo caption tell of one strike: merged into one record,
    # which takes the caption's date ("on Saturday").
    assert "1 record(s) merged into others or dropped as not reportable" in doc.warnings
    [strike] = [r for r in records if r["location"]["place"] == "Belgorod"]
    assert strike["date"]["start"] == "2023-12-30"
    # Ukraine's Friday toll: the article's "over 35" and Zelenskiy's 39 (the figures call),
    # two claims on one incident; best is the larger, low the smaller.
    [friday] = barrage
    claims = [(c["best"], c["claimant"]) for c in friday["killed"]["claims"]]
    assert (35, None) in claims
    assert any(best == 39 and claimant and "Zelenskiy" in claimant for best, claimant in claims)
    assert (friday["killed"]["low"], friday["killed"]["best"]) == (35, 39)


@pytest.mark.vcr
@pytest.mark.default_cassette("seed.yaml")
def test_seed_through_the_cli(model_settings, monkeypatch) -> None:
    for name, value in {
        "SUMMARIZER_BASE_URL": model_settings.base_url,
        "SUMMARIZER_MODEL": model_settings.model,
        "SUMMARIZER_API_KEY": model_settings.api_key,
        "SUMMARIZER_RESPONSE_FORMAT": "json_object",
        "SUMMARIZER_TRANSPORT_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        app, ["extract", str(SEED.relative_to(ROOT)), "--published", "2023-12-30"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {
        "source",
        "schema",
        "model",
        "prompt_version",
        "records",
        "usage",
        "warnings",
    }
    assert doc["schema"] == "incident"
    assert doc["usage"]["llm_calls"] >= 2
    assert doc["records"]
    assert_honest(doc["records"], SEED_TEXT)
    md = CliRunner().invoke(
        app,
        ["extract", str(SEED.relative_to(ROOT)), "--published", "2023-12-30", "--format", "md"],
    )
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# seeds/belgorod_strike.txt")
    assert md.stdout.count("\n## ") == len(doc["records"])


@pytest.mark.vcr
def test_user_schema_from_a_file(model_settings) -> None:
    text = (ROOT / "tests" / "data" / "tumaco.txt").read_text(encoding="utf-8")
    spec = str(ROOT / "tests" / "data" / "weapons_schema.py") + ":Attack"
    doc = summarize(text, schema=spec, settings=model_settings)
    assert doc.schema == "Attack"
    assert doc.prompt_version.startswith("list_incidents@") and "+generic@" in doc.prompt_version
    assert doc.records
    assert all(type(r).__name__ == "Attack" for r in doc.records)
    assert doc.grounding_rate is None  # a user's model is returned as filled, not grounded
    assert any(r.place and "Tumaco" in r.place for r in doc.records)
