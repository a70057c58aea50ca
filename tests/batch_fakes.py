"""A fake OpenAI-compatible endpoint for batch tests: every article reports one strike.

Articles are `article(n)`: each holds the same strike sentence and its own number, so
each has its own content hash and the fake's answer grounds in every one of them.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx2

from summarizer import LLMClient, Settings
from tests.test_llm import completion

QUOTE = "a missile strike on Belgorod killed at least 14 people"
DRAFT = {
    "quote": QUOTE,
    "sub_event_type": "missile_or_artillery_attack",
    "summary": "A missile strike on Belgorod killed 14 people.",
    "date_text": "30 December 2023",
    "place": "Belgorod",
    "region": None,
    "country": "Russia",
    "perpetrators": [],
    "targets": [],
    "victims": ["people"],
    "weapons": ["missile"],
    "killed": [{"phrase": "at least 14 people", "said_by": "officials"}],
    "injured": [{"phrase": "108 others", "said_by": None}],
    "modality": "asserted",
}
# Which answer each response model gets (staged: list, then fill; single: one list).
ANSWERS = {
    "IncidentList": {"incidents": [{"quote": QUOTE, "what": "missile strike"}]},
    "IncidentDraft": DRAFT,
    "IncidentDraftList": {"incidents": [DRAFT]},
}
MODEL = "fake-model"
REPORT = re.compile(r"report number (\d+)")


def article(number: int) -> str:
    return (
        f"In Russia on 30 December 2023 {QUOTE} and injured 108 others, officials said. "
        f"This is report number {number}."
    )


class FakeEndpoint:
    """Answers chat completions; an article containing `fail_marker` gets invalid JSON."""

    def __init__(self, delay: float = 0.0, fail_marker: str | None = None) -> None:
        self.delay = delay
        self.fail_marker = fail_marker
        self.calls = 0
        self.calls_by_report: Counter[str] = Counter()  # "report number N" -> calls
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests it was answering at once
        self._lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        with self._lock:
            self.calls += 1
            for number in REPORT.findall(json.dumps(body["messages"])):
                self.calls_by_report[number] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self._lock:
            self.in_flight -= 1
        if self.fail_marker and self.fail_marker in json.dumps(body["messages"]):
            return httpx2.Response(200, json=completion("not json", 10, 2))
        name = body["response_format"]["json_schema"]["name"]
        return httpx2.Response(200, json=completion(json.dumps(ANSWERS[name]), 100, 20))

    def client(self) -> LLMClient:
        settings = Settings(
            base_url="http://model.test/v1", model=MODEL, transport_retries=0, max_backoff=0,
            reasks=0,
        )  # fmt: skip
        return LLMClient(
            base_url=settings.base_url,
            model=MODEL,
            api_key="k",
            settings=settings,
            transport=httpx2.MockTransport(self),
        )


def free_port() -> int:
    """A loopback port free now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(endpoint: FakeEndpoint) -> Iterator[str]:
    """`endpoint` over HTTP on loopback, for another process; yields its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            answer = endpoint(httpx2.Request("POST", self.path, content=body))
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
