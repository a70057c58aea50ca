"""What keeps the service to its callers: a bearer token and a bound on request bodies.

The token comes from ``SUMMARIZER_TOKEN`` or from ``DIR/service.token``, which the
first start writes (mode 0600) with 256 random bits; it is compared in constant time.
Bodies are counted as they arrive, so a client that sends more than the limit (with or
without a ``Content-Length``) is answered 413 without the rest being read.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer._errors import SetupError
from summarizer.service._problems import Problem, response

LOG = logging.getLogger("summarizer.service")
# The header an answer names its article by, for the request log.
ARTICLE_HEADER = "x-article-id"
TOKEN_FILE = "service.token"
TOKEN_VARIABLE = "SUMMARIZER_TOKEN"
# 32 random bytes: as hard to guess as an HMAC-SHA256 key.
TOKEN_BYTES = 32
# Shorter than this, a given token or secret is refused: 16 characters of a password
# generator are about 95 bits.
MIN_SECRET_CHARS = 16


def service_token(folder: Path) -> tuple[str, bool]:
    """The token callers must send, and whether it was made just now (to print once)."""
    return kept_secret(
        folder, TOKEN_FILE, TOKEN_VARIABLE, lambda: secrets.token_urlsafe(TOKEN_BYTES)
    )


def kept_secret(
    folder: Path, name: str, variable: str, make: Callable[[], str]
) -> tuple[str, bool]:
    """A secret from the environment `variable`, else from the file `name` in `folder`,
    which is made (mode 0600) with `make` the first time; and whether it was made now."""
    given = os.environ.get(variable, "").strip()
    if given:
        return _long_enough(given, variable), False
    path = folder / name
    try:
        if path.is_file():
            return _long_enough(path.read_text(encoding="utf-8").strip(), str(path)), False
        folder.mkdir(parents=True, exist_ok=True)
        secret = make()
        # Written beside, then renamed: a failed write never leaves an empty secret.
        temporary = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        os.replace(temporary, path)
    except OSError as exc:
        raise SetupError(f"{path}: cannot keep the secret ({exc.strerror or exc})") from None
    return secret, True


def _long_enough(secret: str, where: str) -> str:
    """A secret guessable in a few tries (an empty file, "secret") is refused."""
    if len(secret) < MIN_SECRET_CHARS:
        raise SetupError(
            f"{where}: the secret is shorter than {MIN_SECRET_CHARS} characters; give a "
            "longer one (or remove the file to have one made)"
        )
    return secret


def token_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries the token, in constant time."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 413, unread."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                # An HTTPException, which FastAPI lets through as it reads the body, and
                # the app's handler answers as a problem.
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> str:
        return f"the request body is over {self.limit:,} bytes; send less at a time"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await response(Problem(413, self._detail(), "body-too-large"))(scope, receive, send)


class RequestLog:
    """ASGI middleware: one log line per request (method, path, status, milliseconds, and
    the article's id when the answer names one). Never a body, a query or a header: no
    article text and no token reaches the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "article": None}

        async def noted(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["article"] = dict(message.get("headers", [])).get(ARTICLE_HEADER.encode())
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            # The header is percent-encoded ASCII; the path is quoted again so that a
            # decoded "%0A" in it cannot start a forged log line.
            article = f" article={seen['article'].decode('ascii')}" if seen["article"] else ""
            path = quote(scope["path"], safe="/")
            LOG.info("%s %s %s %.0f ms%s", scope["method"], path, seen["status"],
                     milliseconds, article)  # fmt: skip
