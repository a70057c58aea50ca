"""Abstention: in one call, an article's items are dropped when the model gave an empty
answer more probability than the schema (or the user) allows."""

from __future__ import annotations

import math
from dataclasses import replace

import httpx2
import pytest

from summarizer import Settings, SetupError
from summarizer._article import Article
from summarizer._muc4 import SCHEMA
from summarizer._pipeline import abstention_for, extract

from .test_llm import Endpoint, client, with_logprobs

TEXT = "guerrillas bombed the power station in usulutan on friday, the army reported."
ANSWER = {
    "incidents": [
        {
            "incident_type": "bombing",
            "perpetrators": ["guerrillas"],
            "perpetrator_organizations": [],
            "targets": ["power station"],
            "victims": [],
            "weapons": [],
        }
    ]
}


def run(empty: float, schema_threshold: float | None, user: float | None = None):
    alternatives = {' [{"': math.log(1 - empty), " []": math.log(empty)}
    endpoint = Endpoint(httpx2.Response(200, json=with_logprobs(ANSWER, ' [{"', alternatives)))
    schema = replace(SCHEMA, abstain_above=schema_threshold)
    settings = Settings(base_url="http://model.test/v1", model="m", abstain_above=user)
    doc = extract(
        Article(text=TEXT, source="a"), schema, client(endpoint), published=None, settings=settings
    )
    return doc, endpoint.requests[0]


def test_a_doubtful_answer_is_dropped_with_a_warning() -> None:
    doc, request = run(empty=0.2, schema_threshold=0.1)
    assert doc.records == []
    assert "1 incident(s) dropped: the model gave 20.0% to none" in doc.warnings[0]
    assert request["logprobs"] is True


def test_a_confident_answer_is_kept() -> None:
    doc, _ = run(empty=0.05, schema_threshold=0.1)
    assert [t.incident_type for t in doc.records] == ["bombing"]
    assert not any("dropped" in w for w in doc.warnings)


def test_the_users_threshold_overrides_the_schemas_and_1_never_drops() -> None:
    assert len(run(empty=0.2, schema_threshold=0.1, user=1.0)[0].records) == 1
    assert run(empty=0.2, schema_threshold=None, user=0.1)[0].records == []


def test_without_a_threshold_no_logprobs_are_asked() -> None:
    doc, request = run(empty=0.9, schema_threshold=None)
    assert len(doc.records) == 1
    assert "logprobs" not in request


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_a_threshold_outside_0_1_is_refused(value: float) -> None:
    with pytest.raises(SetupError, match="probability from 0 to 1"):
        Settings(abstain_above=value)


def test_settings_read_the_threshold_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_ABSTAIN_ABOVE", "0.25")
    assert abstention_for(SCHEMA, Settings.load()) == 0.25
