"""Abstention: with one call, no fill is asked when the model gives an empty answer more
weight than the schema (or the user) allows."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import ClassVar

import httpx2
import pytest

from summarizer import Settings, SetupError
from summarizer._extract.pipeline import abstention_for, extract, needs_log_probabilities
from summarizer._llm import local_server
from summarizer._text.article import Article
from summarizer.schemas._muc4 import SCHEMA
from summarizer.schemas._registry import resolve_schema

from .test_llm import Endpoint, client, completion, with_logprobs

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


class ProbeThenFill(Endpoint):
    """Answers the short call (log-probabilities asked) with `empty` weight on "[]", and
    the fill with `ANSWER`."""

    def __init__(self, empty: float) -> None:
        super().__init__()
        alternatives = {' [{"': math.log(1 - empty), " []": math.log(empty)}
        self.probe = with_logprobs(' [{"', alternatives, usage=True)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(body := json.loads(request.content))
        if body.get("logprobs"):
            return self.probe
        return httpx2.Response(200, json=completion(json.dumps(ANSWER), 100, 20))


def run(empty: float, schema_threshold: float | None, user: float | None = None):
    endpoint = ProbeThenFill(empty)
    schema = replace(SCHEMA, abstain_above=schema_threshold)
    settings = Settings(base_url="http://model.test/v1", model="m", abstain_above=user)
    doc = extract(
        Article(text=TEXT, source="a"), schema, client(endpoint), published=None, settings=settings
    )
    return doc, endpoint.requests


def test_a_doubtful_article_is_not_filled_and_says_why() -> None:
    doc, requests = run(empty=0.2, schema_threshold=0.1)
    assert doc.records == []
    assert "not filled: the model gave 20.0% of its weight to no incident" in doc.warnings[0]
    assert len(requests) == 1 and requests[0]["logprobs"] is True
    assert doc.usage.llm_calls == 1


def test_a_confident_article_is_filled_with_the_same_messages() -> None:
    doc, requests = run(empty=0.05, schema_threshold=0.1)
    assert [t.incident_type for t in doc.records] == ["bombing"]
    assert not any("not filled" in w for w in doc.warnings)
    assert requests[0]["messages"] == requests[1]["messages"]  # the server's cache serves both
    assert "logprobs" not in requests[1] and doc.usage.llm_calls == 2


def test_the_users_threshold_overrides_the_schemas_and_1_never_drops() -> None:
    assert len(run(empty=0.2, schema_threshold=0.1, user=1.0)[0].records) == 1
    assert run(empty=0.2, schema_threshold=None, user=0.1)[0].records == []


def test_without_a_threshold_there_is_no_first_call() -> None:
    doc, requests = run(empty=0.9, schema_threshold=None)
    assert len(doc.records) == 1 and len(requests) == 1
    assert "logprobs" not in requests[0]


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_a_threshold_outside_0_1_is_refused(value: float) -> None:
    with pytest.raises(SetupError, match="probability from 0 to 1"):
        Settings(abstain_above=value)


def test_settings_read_the_threshold_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_ABSTAIN_ABOVE", "0.25")
    assert abstention_for(SCHEMA, Settings.load()) == 0.25


def test_the_staged_strategy_does_not_abstain_nor_need_log_probabilities() -> None:
    staged = Settings(strategy="staged", abstain_above=0.1)
    assert abstention_for(SCHEMA, staged) is None
    assert not needs_log_probabilities(SCHEMA, staged)
    assert needs_log_probabilities(SCHEMA, Settings(abstain_above=0.1))
    assert not needs_log_probabilities(SCHEMA, Settings())  # muc4 no longer abstains by default
    assert not needs_log_probabilities(SCHEMA, Settings(abstain_above=1.0))
    assert not needs_log_probabilities(resolve_schema("incident"), Settings())


class FakeServer:
    """Stands in for LocalServer in `shared_server`: records how it was made and stopped."""

    made: ClassVar[list[FakeServer]] = []

    def __init__(self, model_file, *, threads, context_size, log_probabilities=False) -> None:
        self.log_probabilities = log_probabilities
        self.pid: int | None = None
        self.made.append(self)

    def start(self) -> FakeServer:
        self.pid = 1000 + len(self.made)
        return self

    def stop(self) -> None:
        self.pid = None


def test_the_shared_server_keeps_logits_only_once_log_probabilities_are_asked(
    monkeypatch,
) -> None:
    monkeypatch.setattr(local_server, "LocalServer", FakeServer)
    monkeypatch.setattr(local_server, "_shared", None)
    monkeypatch.setattr(local_server.atexit, "register", lambda stop: None)
    FakeServer.made = []
    settings = Settings()
    plain = local_server.shared_server(settings)
    assert not plain.log_probabilities
    assert local_server.shared_server(settings) is plain
    with_them = local_server.shared_server(settings, log_probabilities=True)
    assert with_them.log_probabilities and plain.pid is None  # replaced, not kept beside
    assert local_server.shared_server(settings) is with_them  # a server with them serves all
    assert len(FakeServer.made) == 2
