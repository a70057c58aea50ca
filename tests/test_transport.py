"""Transport retries: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import datetime
import email.utils

import httpx2
import pytest

from summarizer._llm.transport import RetryingTransport


class Script:
    """A mock endpoint answering a scripted sequence of statuses (or raising errors)."""

    def __init__(self, *steps: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.steps = list(steps)
        self.calls = 0
        self.headers = headers or {}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        step = self.steps[min(self.calls, len(self.steps) - 1)]
        self.calls += 1
        if isinstance(step, Exception):
            raise step
        return httpx2.Response(step, headers=self.headers, json={"step": self.calls})


def _client(script: Script, sleeps: list[float], attempts: int = 4) -> httpx2.Client:
    transport = RetryingTransport(
        httpx2.MockTransport(script), attempts=attempts, max_backoff=30, sleep=sleeps.append
    )
    return httpx2.Client(transport=transport, base_url="http://model.test")


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retries_retryable_statuses_until_success(status: int) -> None:
    script, sleeps = Script(status, status, 200), []
    response = _client(script, sleeps).post("/v1/chat/completions", json={})
    assert response.status_code == 200
    assert script.calls == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_never_retries_client_errors(status: int) -> None:
    script, sleeps = Script(status, 200), []
    response = _client(script, sleeps).post("/v1/chat/completions", json={})
    assert response.status_code == status
    assert script.calls == 1
    assert sleeps == []


def test_honours_retry_after_seconds() -> None:
    script, sleeps = Script(429, 200, headers={"Retry-After": "7"}), []
    assert _client(script, sleeps).get("/").status_code == 200
    assert sleeps == [7.0]


def test_honours_retry_after_as_an_http_date() -> None:
    soon = email.utils.format_datetime(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=12), usegmt=True
    )
    script, sleeps = Script(503, 200, headers={"Retry-After": soon}), []
    assert _client(script, sleeps).get("/").status_code == 200
    assert len(sleeps) == 1 and 9 <= sleeps[0] <= 12


@pytest.mark.parametrize("value", ["soon", "Wed, 99 Foo 2026", "nan", "inf", "-5e999"])
def test_a_retry_after_that_says_nothing_usable_leaves_the_backoff_to_decide(value) -> None:
    script, sleeps = Script(429, 429, 200, headers={"Retry-After": value}), []
    assert _client(script, sleeps).get("/").status_code == 200
    assert len(sleeps) == 2 and all(0 <= s <= 30 for s in sleeps)


def test_retry_after_is_capped_by_max_backoff() -> None:
    script, sleeps = Script(429, 200, headers={"Retry-After": "3600"}), []
    _client(script, sleeps).get("/")
    assert sleeps == [30.0]


def test_backoff_grows_and_stays_bounded() -> None:
    script, sleeps = Script(503), []
    response = _client(script, sleeps, attempts=6).get("/")
    assert response.status_code == 503  # the last answer is handed back, not swallowed
    assert script.calls == 6
    assert len(sleeps) == 5
    assert all(0 <= s <= 30 for s in sleeps)


def test_retries_connection_errors_then_raises_the_last_one() -> None:
    script, sleeps = Script(httpx2.ConnectError("refused")), []
    with pytest.raises(httpx2.ConnectError):
        _client(script, sleeps, attempts=3).get("/")
    assert script.calls == 3


def test_recovers_after_a_timeout() -> None:
    script, sleeps = Script(httpx2.ReadTimeout("slow"), 200), []
    assert _client(script, sleeps).get("/").status_code == 200
    assert script.calls == 2
