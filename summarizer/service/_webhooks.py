"""Webhooks: events kept in the store until a receiver takes them, signed per the
Standard Webhooks spec (the `standardwebhooks` package).

The store's writer records each event (`job.finished`, `article.failed`) in the
``webhooks`` table in its own thread, and on each turn of its loop (`Deliveries.turn`)
hands the due ones to a small pool of sender threads and records what they report. A
receiver that answers 2xx has the event; any other answer, or none within
`SEND_TIMEOUT`, is tried again after `BACKOFF_SECONDS` doubled per attempt, up to
`MAX_BACKOFF_SECONDS`, for as long as it takes: delivery is at least once, and survives
a restart. Each message carries ``webhook-id`` (the same on every attempt: receivers
drop repeats by it), ``webhook-timestamp`` and ``webhook-signature``.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from standardwebhooks import Webhook

from summarizer._batch.store import Store, WebhookMessage
from summarizer._secrets import scrubbed, shown_url, url_secrets
from summarizer.service._security import kept_secret

SECRET_FILE = "webhook.secret"
SECRET_VARIABLE = "SUMMARIZER_WEBHOOK_SECRET"
SEND_TIMEOUT = 10.0  # seconds a receiver has to answer one message
BACKOFF_SECONDS = 5.0  # the first retry's wait; doubled per attempt
MAX_BACKOFF_SECONDS = 3600.0  # a receiver down for a day is tried hourly
SENDERS = 2  # messages in flight at once
BATCH = 8  # due messages taken per turn


def webhook_secret(folder: Path) -> tuple[str, bool]:
    """The signing secret (``whsec_`` + base64), and whether it was made just now."""
    return kept_secret(folder, SECRET_FILE, SECRET_VARIABLE, _new_secret)


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def event(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """A new message's id and body."""
    body = {"type": kind, "timestamp": datetime.now(UTC).isoformat(), "data": data}
    return f"msg_{uuid.uuid4().hex}", json.dumps(body, ensure_ascii=False)


class Deliveries:
    """Sends the store's due webhook messages to one URL; used from the writer thread."""

    def __init__(self, url: str, secret: str, *, backoff: float = BACKOFF_SECONDS) -> None:
        self.url = url
        self.shown_url = shown_url(url)
        self._signer = Webhook(secret)
        self._secrets = [secret, *url_secrets(url)]
        self._backoff = backoff
        self._pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="summarizer-webhook")
        self._client = httpx2.Client(timeout=SEND_TIMEOUT, follow_redirects=False)
        self._sending: dict[str, Future[str | None]] = {}

    def turn(self, store: Store) -> None:
        """Record the sends that ended, then start the due ones."""
        self.settle(store, seconds=0)
        for message in store.due_webhooks(datetime.now(UTC).isoformat(), BATCH):
            if message.id not in self._sending:
                self._sending[message.id] = self._pool.submit(self._send, message)

    def settle(self, store: Store, seconds: float = SEND_TIMEOUT) -> None:
        """Wait up to `seconds` for the sends in flight and record them (at a stop: a
        message taken but not recorded would be sent again at the next start)."""
        wait(self._sending.values(), timeout=seconds)
        for message_id, sent in list(self._sending.items()):
            if sent.done():
                del self._sending[message_id]
                self._record(store, message_id, sent.result())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _record(self, store: Store, message_id: str, error: str | None) -> None:
        if error is None:
            store.webhook_delivered(message_id)
            return
        attempts = store.webhook_attempts(message_id)
        wait = min(self._backoff * 2**attempts, MAX_BACKOFF_SECONDS)
        later = (datetime.now(UTC) + timedelta(seconds=wait)).isoformat()
        store.webhook_failed(message_id, later, error)

    def _send(self, message: WebhookMessage) -> str | None:
        """None when the receiver took it, else why not (one line, no secret)."""
        now = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(message.id, now, message.body),
        }
        try:
            answer = self._client.post(self.url, content=message.body.encode(), headers=headers)
        except httpx2.HTTPError as exc:
            reason = scrubbed(str(exc) or type(exc).__name__, self._secrets)
            return f"{self.shown_url}: {reason}"
        if 200 <= answer.status_code < 300:
            return None
        return f"{self.shown_url} answered HTTP {answer.status_code}"
