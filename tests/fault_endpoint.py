"""A fake OpenAI-compatible endpoint on loopback that fails in the ways real ones do.

`FaultyEndpoint` serves ``POST /v1/chat/completions`` from a thread on 127.0.0.1 (a
free port); its `mode` says how to answer (`MODES`). Its first `recover_after` calls
fail, the later ones answer a valid completion, so a retried failure can be told from a
final one. Requests are counted; the Authorization header each one carried is kept.
"""

from __future__ import annotations

import email.utils
import http.server
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

# The answer of a healthy endpoint: the single strategy's list, with no incident.
EMPTY_ANSWER = json.dumps({"incidents": []})
SLOW_SECONDS = 3.0


def completion(content: str, choices: bool = True) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}] if choices else [],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }  # fmt: skip


def _http_date(seconds_from_now: float) -> str:
    return email.utils.format_datetime(
        datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True
    )


# mode -> (status, headers, body) of a failing answer; None: see `_Handler.do_POST`.
MODES: dict[str, tuple[int, dict[str, str], bytes] | None] = {
    "ok": None,
    "500": (500, {}, b'{"error": {"message": "internal error"}}'),
    "503": (503, {}, b'{"error": {"message": "overloaded"}}'),
    "429-seconds": (429, {"Retry-After": "0"}, b'{"error": {"message": "slow down"}}'),
    "429-date": None,  # Retry-After as an HTTP date, made at answer time
    "429-garbage": (429, {"Retry-After": "soon-ish"}, b'{"error": {"message": "slow down"}}'),
    "401": (401, {}, b'{"error": {"message": "invalid api key"}}'),
    "403": (403, {}, b'{"error": {"message": "forbidden"}}'),
    "slow": None,  # answers after SLOW_SECONDS
    "malformed": (200, {"Content-Type": "application/json"}, b'{"id": "x", "choices": [{'),
    "echo": None,  # a 400 whose body repeats the request's Authorization header
    "html": (200, {"Content-Type": "text/html"}, b"<html><body>Please log in</body></html>"),
    "empty-choices": None,  # a completion with an empty list of choices
    "huge": None,  # a completion whose content is 2 MB of text that is not JSON
    "not-json-answer": None,  # a completion whose content is prose
}


class FaultyEndpoint:
    """Serve until `close`; usable as a context manager."""

    def __init__(self, mode: str = "ok", recover_after: int | None = None) -> None:
        self.mode = mode
        self.recover_after = recover_after  # None: never recovers
        self.calls = 0
        self.authorizations: list[str | None] = []
        endpoint = self

        class Handler(_Handler):
            owner = endpoint

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def failing_now(self) -> bool:
        return self.recover_after is None or self.calls <= self.recover_after

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultyEndpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a slow answer closed its end: nothing to report


class _Handler(http.server.BaseHTTPRequestHandler):
    owner: FaultyEndpoint

    def log_message(self, *args: object) -> None:  # quiet: the test says what failed
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        owner = self.owner
        owner.calls += 1
        owner.authorizations.append(self.headers.get("Authorization"))
        mode = owner.mode if owner.failing_now() else "ok"
        status, headers, body = self._answer(mode)
        self.send_response(status)
        headers = {"Content-Type": "application/json", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, mode: str) -> tuple[int, dict[str, str], bytes]:
        fixed = MODES[mode]
        if fixed is not None:
            return fixed
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        if mode == "429-date":
            return 429, {"Retry-After": _http_date(-5)}, b'{"error": {"message": "slow down"}}'
        if mode == "echo":
            echoed = {"error": {"message": f"bad request, {self.headers.get('Authorization')}"}}
            return 400, {}, json.dumps(echoed).encode()
        contents = {"huge": "x" * 2_000_000, "not-json-answer": "I could not find any incident."}
        content = contents.get(mode, EMPTY_ANSWER)
        return 200, {}, json.dumps(completion(content, choices=mode != "empty-choices")).encode()
