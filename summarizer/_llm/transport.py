"""Transport retries: an httpx transport that retries what is worth retrying.

Sits under the openai client (whose own retries are off), so that transport failures
and the model's validation failures are handled apart: this layer retries 429
(honouring ``Retry-After``), 5xx, timeouts and connection errors with exponential
backoff and jitter, bounded in attempts and in total wait; it never retries any
other 4xx. Validation re-asks are instructor's job, one level up.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import time

import httpx2
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def _retry_after(response: httpx2.Response) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` (seconds or HTTP date);
    None when it says nothing usable (then the backoff decides)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until(http_date: str) -> float | None:
    """Seconds from now until an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"), or None."""
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": a UTC time whose zone was not given
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0.0, moment.timestamp() - time.time())


class RetryingTransport(httpx2.BaseTransport):
    """Wraps another transport; retries 429/5xx/transport errors with backoff."""

    def __init__(
        self,
        inner: httpx2.BaseTransport | None = None,
        *,
        attempts: int = 5,
        max_backoff: float = 60.0,
        max_total: float = 600.0,
        sleep=time.sleep,
    ) -> None:
        self._inner = inner or httpx2.HTTPTransport()
        self._exponential = wait_random_exponential(multiplier=0.5, max=max_backoff)
        self._max_backoff = max_backoff
        self._retrying = Retrying(
            retry=retry_if_exception_type(httpx2.TransportError)
            | retry_if_result(lambda r: r.status_code in RETRY_STATUSES),
            wait=self._wait,
            stop=stop_after_attempt(attempts) | stop_after_delay(max_total),
            sleep=sleep,
            retry_error_callback=self._give_up,
            reraise=True,
        )

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            hinted = _retry_after(outcome.result())
            if hinted is not None:
                return min(hinted, self._max_backoff)
        return self._exponential(state)

    @staticmethod
    def _give_up(state: RetryCallState) -> httpx2.Response:
        """Out of attempts: hand back the last response, or raise the last transport error."""
        assert state.outcome is not None
        return state.outcome.result()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        def send() -> httpx2.Response:
            response = self._inner.handle_request(request)
            if response.status_code in RETRY_STATUSES:
                response.read()  # release the connection before waiting
            return response

        return self._retrying(send)

    def close(self) -> None:
        self._inner.close()
