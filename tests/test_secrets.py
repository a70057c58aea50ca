"""No secret in a message: URL credentials, keys echoed by an endpoint, keys sent astray."""

from __future__ import annotations

import json

import httpx2
import pytest

from summarizer import LLMClient, Settings
from summarizer._errors import SummarizerError
from summarizer._llm.client import Usage
from summarizer._secrets import scrubbed, shown_url
from summarizer.schemas._incident import IncidentDraft

KEY = "sk-live-0123456789abcdef"
URL = "http://alice:S3CRET@model.test/v1?api-key=Q-K3Y-123"
MESSAGES = [{"role": "user", "content": "A bomb exploded."}]


def failing_client(answer) -> LLMClient:
    settings = Settings(base_url=URL, model="m", transport_retries=0, max_backoff=0, reasks=0)
    return LLMClient(base_url=URL, model="m", api_key=KEY, settings=settings,
                     transport=httpx2.MockTransport(answer))  # fmt: skip


def refused(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError(f"connection refused by {request.url}")


def echoing(status: int):
    def answer(request: httpx2.Request) -> httpx2.Response:
        body = {"error": {"message": f"bad request from {request.url} with "
                                     f"{request.headers.get('authorization')}"}}  # fmt: skip
        return httpx2.Response(status, json=body)

    return answer


@pytest.mark.parametrize(
    "answer", [refused, echoing(500), echoing(401), echoing(400)], ids=["down", "500", "401", "400"]
)
def test_errors_name_the_endpoint_without_its_credentials_or_the_key(answer) -> None:
    with pytest.raises(SummarizerError) as caught:
        failing_client(answer).extract(IncidentDraft, MESSAGES, Usage())
    message = str(caught.value)
    assert "model.test" in message
    for secret in ("S3CRET", "Q-K3Y-123", KEY):
        assert secret not in message, message


def test_a_shown_url_keeps_host_and_path_and_hides_the_rest() -> None:
    assert shown_url(URL) == "http://alice:***@model.test/v1?api-key=***"
    assert shown_url("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"


def test_scrubbing_ignores_values_too_short_to_be_secrets() -> None:
    assert scrubbed("a key x in text", ["x", None, "key!"]) == "a key x in text"
    assert scrubbed(json.dumps({"k": KEY}), [KEY]) == '{"k": "***"}'


@pytest.mark.parametrize(
    ("base_url", "model", "sent"),
    [
        (None, "gpt-4o-mini", True),  # OpenAI itself
        ("https://api.openai.com/v1", "gpt-4o-mini", True),
        ("http://other.example:8000/v1", "m", False),  # another host never gets it
        ("https://api.openai.com.evil.example/v1", "m", False),
    ],
)
def test_openai_api_key_goes_to_openai_only(monkeypatch, base_url, model, sent) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("SUMMARIZER_API_KEY", raising=False)
    monkeypatch.delenv("SUMMARIZER_BASE_URL", raising=False)
    settings = Settings.load(base_url=base_url, model=model)
    assert (settings.api_key == KEY) is sent


def test_a_key_given_for_the_endpoint_is_sent_to_it(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("SUMMARIZER_API_KEY", "local-key")
    assert Settings.load(base_url="http://other.example/v1").api_key == "local-key"
