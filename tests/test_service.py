"""`summarizer serve`: the API on a fake endpoint, its errors as problems, its security
defaults, jobs in the store, and a restart after ``kill -9`` that does only the rest."""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from summarizer import Settings, SetupError
from summarizer._batch.export import export_store
from summarizer._batch.store import Store
from summarizer.schemas._registry import resolve_schema
from summarizer.service import (
    Busy,
    Deliveries,
    Engine,
    ServiceConfig,
    create_app,
    service_token,
    webhook_secret,
)
from tests.batch_fakes import MODEL, FakeEndpoint, article, free_port, served

# Loopback only: the restart test's server and its fake endpoint are other processes.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
TOKEN = "test-token-of-the-service"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Port 9 (discard) on loopback refuses: the readiness probe finds no endpoint there.
SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL, strategy="single")


def service(
    folder: Path, endpoint: FakeEndpoint, settings: Settings = SETTINGS, **limits: object
) -> TestClient:
    engine = Engine(
        folder, resolve_schema("incident"), settings, workers=limits.pop("workers", 2),
        waiting=limits.pop("waiting", 16), llm=endpoint.client(),
    )  # fmt: skip
    config = ServiceConfig(folder=folder, settings=settings, token=TOKEN, **limits)  # type: ignore[arg-type]
    return TestClient(create_app(config, engine), raise_server_exceptions=False)


@pytest.fixture
def endpoint() -> FakeEndpoint:
    return FakeEndpoint()


@pytest.fixture
def client(tmp_path, endpoint) -> Iterator[TestClient]:
    with service(tmp_path, endpoint) as opened:
        yield opened


def wait_for_job(client: TestClient, job_id: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running: {job}")


# --- One article ------------------------------------------------------------------------


def test_extract_returns_the_document_that_summarizer_extract_prints(client, endpoint) -> None:
    answer = client.post("/v1/extract", json={"text": article(1), "id": "a1"}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["article_id"] == "a1" and document["model"] == MODEL
    [record] = document["records"]
    assert record["killed"]["best"] == 14 and record["location"]["place"] == "Belgorod"
    assert endpoint.calls == 1


def test_a_repeated_article_is_answered_from_the_store_with_no_model_call(client, endpoint):
    first = client.post("/v1/extract", json={"text": article(2)}, headers=AUTH).json()
    again = client.post("/v1/extract", json={"text": article(2)}, headers=AUTH).json()
    assert endpoint.calls == 1
    assert again["records"] == first["records"]


def test_an_extracted_article_is_in_the_store_that_batch_and_export_read(tmp_path, client):
    client.post("/v1/extract", json={"text": article(3), "id": "a3", "url": "https://x.test/3"},
                headers=AUTH)  # fmt: skip
    stored = client.get("/v1/articles/a3", headers=AUTH).json()
    assert stored["status"] == "extracted" and stored["url"] == "https://x.test/3"
    assert stored["text"] == article(3)
    assert stored["document"]["records"][0]["evidence"]["text"]


def test_a_web_page_is_read_for_its_main_text(client) -> None:
    paragraphs = "".join(f"<p>{article(n)} More words about the strike follow.</p>" for n in (4, 5))
    head = "<html><head><title>Strike</title></head>"
    page = f"{head}<body><article>{paragraphs}</article></body></html>"
    answer = client.post("/v1/extract", json={"html": page, "id": "page"}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    stored = client.get("/v1/articles/page", headers=AUTH).json()
    assert "<p>" not in stored["text"] and "report number 4" in stored["text"]


# --- Errors as problems -----------------------------------------------------------------


def assert_problem(answer: httpx2.Response, status: int, words: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status and words in problem["detail"], problem
    assert "Traceback" not in answer.text
    return problem


def test_an_article_with_neither_text_nor_html_is_a_422_naming_the_fields(client) -> None:
    answer = client.post("/v1/extract", json={"id": "x"}, headers=AUTH)
    assert_problem(answer, 422, "give the article as `text` or as `html`")


def test_an_empty_article_is_the_clis_input_error(client) -> None:
    answer = client.post("/v1/extract", json={"text": "   "}, headers=AUTH)
    problem = assert_problem(answer, 422, "empty")
    assert problem["type"].endswith("/InputError")


def test_an_article_over_the_limit_is_a_413(tmp_path, endpoint) -> None:
    settings = Settings(base_url="http://model.test/v1", model=MODEL, max_article_chars=200)
    with service(tmp_path, endpoint, settings) as client:
        answer = client.post("/v1/extract", json={"text": "word " * 100}, headers=AUTH)
    assert_problem(answer, 413, "200")


def test_a_body_over_the_limit_is_a_413_before_it_is_read(tmp_path, endpoint) -> None:
    with service(tmp_path, endpoint, max_body_bytes=1_000) as client:
        answer = client.post("/v1/extract", json={"text": "word " * 400}, headers=AUTH)
    assert_problem(answer, 413, "over 1,000 bytes")
    assert endpoint.calls == 0


def test_a_model_that_never_answers_valid_json_is_a_502(tmp_path) -> None:
    failing = FakeEndpoint(fail_marker="report number 9")
    with service(tmp_path, failing) as client:
        answer = client.post("/v1/extract", json={"text": article(9)}, headers=AUTH)
    assert_problem(answer, 502, "")


def test_another_schema_than_the_services_is_refused_with_the_way_to_get_it(client) -> None:
    answer = client.post("/v1/extract", json={"text": article(1), "schema": "muc4"}, headers=AUTH)
    assert_problem(answer, 422, "summarizer serve --schema muc4")


def test_a_full_service_answers_503_with_retry_after(tmp_path) -> None:
    slow = FakeEndpoint(delay=1.0)
    engine = Engine(tmp_path, resolve_schema("incident"), SETTINGS, workers=1, waiting=1,
                    llm=slow.client())  # fmt: skip
    engine.start()
    try:
        first = engine.extract(FakeInput.of(engine, 1))
        with pytest.raises(Busy):
            engine.extract(FakeInput.of(engine, 2))
        assert first.result(timeout=30).status == "done"
        assert engine.extract(FakeInput.of(engine, 3)).result(timeout=30).status == "done"
    finally:
        engine.stop()


class FakeInput:
    @staticmethod
    def of(engine: Engine, number: int):
        return engine.reader.checked(article(number), f"test {number}")


# --- Security defaults ------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}]
)
def test_every_v1_route_needs_the_token(client, headers) -> None:
    routes = [("POST", "/v1/extract"), ("POST", "/v1/jobs"), ("GET", "/v1/records"),
              ("GET", "/v1/export"), ("GET", "/v1/articles/x"), ("GET", "/v1/jobs/x")]  # fmt: skip
    for method, path in routes:
        answer = client.request(method, path, headers=headers, json={"text": "x"})
        assert_problem(answer, 401, "Authorization: Bearer")
        assert answer.headers["www-authenticate"] == "Bearer"


def test_health_needs_no_token_and_tells_nothing_else(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readiness_fails_when_the_model_endpoint_does_not_answer(client) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["store"] == "ok" and "cannot reach the model endpoint" in checks["model"]


def test_the_token_is_made_once_readable_by_its_owner_only(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SUMMARIZER_TOKEN", raising=False)
    token, made = service_token(tmp_path)
    again, made_again = service_token(tmp_path)
    assert made and not made_again and token == again and len(token) >= 40
    assert stat.S_IMODE((tmp_path / "service.token").stat().st_mode) == 0o600
    monkeypatch.setenv("SUMMARIZER_TOKEN", "from-the-environment")
    assert service_token(tmp_path) == ("from-the-environment", False)


def test_an_empty_or_short_token_is_refused_not_served(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SUMMARIZER_TOKEN", raising=False)
    (tmp_path / "service.token").write_text("\n")
    with pytest.raises(SetupError, match="shorter than 16"):
        service_token(tmp_path)
    monkeypatch.setenv("SUMMARIZER_TOKEN", "secret")
    with pytest.raises(SetupError, match="SUMMARIZER_TOKEN"):
        service_token(tmp_path)


def test_the_api_description_describes_every_field(client) -> None:
    spec = client.get("/openapi.json").json()
    undescribed = [
        f"{name}.{field}"
        for name, schema in spec["components"]["schemas"].items()
        if name not in {"HTTPValidationError", "ValidationError"}
        for field, prop in schema.get("properties", {}).items()
        if "description" not in prop
    ]
    assert undescribed == []
    assert {"/v1/extract", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/records", "/v1/export"} <= set(
        spec["paths"]
    )


# --- Jobs, records, export ------------------------------------------------------------


def test_a_job_runs_in_the_background_and_counts_each_article(client, endpoint) -> None:
    body = [{"text": article(n), "id": f"j{n}"} for n in range(5)] + [{"id": "bad"}]
    answer = client.post("/v1/jobs", json=body, headers=AUTH)
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, answer.json()["id"])
    assert job["state"] == "finished" and job["total"] == 6
    assert job["counts"] == {"pending": 0, "done": 5, "cached": 0, "failed": 1, "cancelled": 0}
    [failure] = job["failures"]
    assert failure["position"] == 5 and "text" in failure["error"]
    assert endpoint.calls == 5


def test_a_job_takes_json_lines_too(client) -> None:
    lines = "\n".join(json.dumps({"text": article(n)}) for n in range(2)) + "\n"
    headers = {**AUTH, "Content-Type": "application/x-ndjson"}
    answer = client.post("/v1/jobs", content=lines, headers=headers)
    assert wait_for_job(client, answer.json()["id"])["counts"]["done"] == 2


def test_a_job_body_that_is_not_json_is_a_400_naming_the_line(client) -> None:
    headers = {**AUTH, "Content-Type": "application/x-ndjson"}
    answer = client.post("/v1/jobs", content='{"text": "a"}\n{oops\n', headers=headers)
    assert_problem(answer, 400, "line 2")


def test_cancelling_a_job_leaves_its_unstarted_articles_unread(tmp_path) -> None:
    slow = FakeEndpoint(delay=0.3)
    with service(tmp_path, slow, workers=1) as client:
        body = [{"text": article(n)} for n in range(20)]
        job_id = client.post("/v1/jobs", json=body, headers=AUTH).json()["id"]
        cancelled = client.delete(f"/v1/jobs/{job_id}", headers=AUTH).json()
        assert cancelled["state"] == "cancelled" and cancelled["counts"]["cancelled"] >= 15
        time.sleep(1.0)  # what was in flight finishes and counts as read; nothing else starts
        after = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        assert slow.calls == after["counts"]["done"] <= 2
        assert after["counts"]["cancelled"] == 20 - slow.calls
        assert_problem(client.delete(f"/v1/jobs/{job_id}", headers=AUTH), 409, "cancelled")


def test_records_are_filtered_and_paged_with_a_cursor(client) -> None:
    body = [{"text": article(n), "id": f"r{n}"} for n in range(5)]
    job_id = client.post("/v1/jobs", json=body, headers=AUTH).json()["id"]
    wait_for_job(client, job_id)
    seen, cursor = [], None
    while True:
        params = {
            "limit": 2,
            "job": job_id,
            "country": "russia",
            **({"cursor": cursor} if cursor else {}),
        }
        page = client.get("/v1/records", params=params, headers=AUTH).json()
        seen += [row["article_id"] for row in page["records"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [f"r{n}" for n in range(5)]
    none = client.get("/v1/records", params={"event_type": "riots"}, headers=AUTH).json()
    assert none["records"] == []
    later = client.get("/v1/records", params={"date_from": "2024-01-01"}, headers=AUTH).json()
    assert later["records"] == []
    assert_problem(client.get("/v1/records", params={"cursor": "x!"}, headers=AUTH), 400, "cursor")


def test_the_export_is_what_summarizer_export_writes(tmp_path, client, capsys) -> None:
    job_id = client.post("/v1/jobs", json=[{"text": article(7)}], headers=AUTH).json()["id"]
    wait_for_job(client, job_id)
    for fmt in ("csv", "jsonl", "md"):
        answer = client.get("/v1/export", params={"format": fmt}, headers=AUTH)
        export_store(tmp_path, fmt, tmp_path / f"out.{fmt}")
        assert answer.content == (tmp_path / f"out.{fmt}").read_bytes()


# --- The command and a crash --------------------------------------------------------


def start_server(folder: Path, base_url: str, port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-c", "from summarizer.cli import main; main()", "serve", str(folder),
        "--port", str(port), "--workers", "1", "--base-url", base_url, "--model", MODEL,
        "--strategy", "single",
    ]  # fmt: skip
    environment = {**os.environ, "SUMMARIZER_TOKEN": TOKEN}
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx2.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(process.stderr.read() if process.stderr else "no server")


def test_a_killed_service_restarted_finishes_its_job_reading_each_article_once(tmp_path):
    fake = FakeEndpoint(delay=0.4)
    with served(fake) as base_url:
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        server = start_server(tmp_path, base_url, port)
        try:
            body = [{"text": article(n), "id": f"k{n}"} for n in range(8)]
            job_id = httpx2.post(f"{api}/v1/jobs", json=body, headers=AUTH).json()["id"]
            while httpx2.get(f"{api}/v1/jobs/{job_id}", headers=AUTH).json()["counts"]["done"] < 2:
                time.sleep(0.1)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait()
        server = start_server(tmp_path, base_url, port)
        try:
            deadline = time.monotonic() + 60
            while (job := httpx2.get(f"{api}/v1/jobs/{job_id}", headers=AUTH).json())[
                "state"
            ] == "running":
                assert time.monotonic() < deadline, job
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait()
    assert job["counts"]["done"] + job["counts"]["cached"] == 8, job
    # Each article read by the model once, but the one in flight at the kill (its answer
    # was lost with the process), which may have been read twice.
    assert sorted(fake.calls_by_report) == [str(n) for n in range(8)]
    assert sum(fake.calls_by_report.values()) <= 9, fake.calls_by_report


def test_serve_refuses_a_store_another_process_writes(tmp_path) -> None:
    with Store.open(tmp_path):
        result = subprocess.run(
            [sys.executable, "-c", "from summarizer.cli import main; main()", "serve",
             str(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 6
    assert result.stderr.startswith("summarizer: error:") and "another summarizer" in result.stderr
    assert "Traceback" not in result.stderr


# --- Webhooks -----------------------------------------------------------------------


class Receiver:
    """A webhook receiver on loopback: refuses its first `refuse` messages (HTTP 500)."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers), body))
                status = 500 if len(receiver.received) <= receiver.refuse else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def events(self, secret: str) -> list[dict]:
        """Every message received, verified against `secret` (raises if one is not)."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def webhook_service(
    folder: Path, endpoint: FakeEndpoint, receiver: Receiver, token: str = TOKEN
) -> TestClient:
    secret, _ = webhook_secret(folder)
    deliveries = Deliveries(receiver.url, secret, backoff=0.05)
    engine = Engine(folder, resolve_schema("incident"), SETTINGS, workers=2, waiting=4,
                    llm=endpoint.client(), deliveries=deliveries)  # fmt: skip
    config = ServiceConfig(folder=folder, settings=SETTINGS, token=token)
    return TestClient(create_app(config, engine), raise_server_exceptions=False)


def wait_until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def test_webhooks_tell_of_a_finished_job_and_a_failed_article_signed(tmp_path) -> None:
    receiver = Receiver()
    failing = FakeEndpoint(fail_marker="report number 3")
    try:
        with webhook_service(tmp_path, failing, receiver) as client:
            body = [{"text": article(n), "id": f"w{n}"} for n in range(4)]
            job_id = client.post("/v1/jobs", json=body, headers=AUTH).json()["id"]
            wait_for_job(client, job_id)
            wait_until(lambda: len(receiver.received) >= 2)
        secret = (tmp_path / "webhook.secret").read_text().strip()
        events = {e["type"]: e["data"] for e in receiver.events(secret)}
    finally:
        receiver.close()
    assert events["article.failed"]["article_id"] == "w3"
    assert events["article.failed"]["kind"] == "ExtractionError"
    assert events["job.finished"] == {
        "job_id": job_id,
        "counts": {"pending": 0, "done": 3, "cached": 0, "failed": 1, "cancelled": 0},
    }
    assert stat.S_IMODE((tmp_path / "webhook.secret").stat().st_mode) == 0o600


def test_a_refused_webhook_is_sent_again_with_the_same_id_until_taken(tmp_path) -> None:
    receiver = Receiver(refuse=2)
    try:
        with webhook_service(tmp_path, FakeEndpoint(), receiver) as client:
            job_id = client.post("/v1/jobs", json=[{"text": article(1)}], headers=AUTH).json()["id"]
            wait_for_job(client, job_id)
            wait_until(lambda: len(receiver.received) >= 3)
    finally:
        receiver.close()
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1
    with sqlite3.connect(tmp_path / "summarizer.db") as db:
        [(attempts, delivered)] = db.execute(
            "SELECT attempts, delivered_at FROM webhooks"
        ).fetchall()
    assert attempts == 3 and delivered


def test_an_undelivered_webhook_waits_in_the_store_for_the_next_start(tmp_path) -> None:
    down = Receiver(refuse=10**6)
    with webhook_service(tmp_path, FakeEndpoint(), down) as client:
        job_id = client.post("/v1/jobs", json=[{"text": article(1)}], headers=AUTH).json()["id"]
        wait_for_job(client, job_id)
        wait_until(lambda: len(down.received) >= 1)
    down.close()
    up = Receiver()
    try:
        with webhook_service(tmp_path, FakeEndpoint(), up):
            wait_until(lambda: len(up.received) >= 1)
        secret = (tmp_path / "webhook.secret").read_text().strip()
        [finished] = up.events(secret)
    finally:
        up.close()
    assert finished["type"] == "job.finished" and finished["data"]["job_id"] == job_id


# --- Progress, the request log, bad bodies --------------------------------------------


def test_a_running_job_tells_what_remains_and_when_it_should_end(tmp_path) -> None:
    slow = FakeEndpoint(delay=0.2)
    with service(tmp_path, slow, workers=1) as client:
        body = [{"text": article(n)} for n in range(6)]
        job_id = client.post("/v1/jobs", json=body, headers=AUTH).json()["id"]
        wait_until(lambda: client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()["counts"]["done"])
        running = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        finished = wait_for_job(client, job_id)
    if running["remaining"]:
        assert running["eta_seconds"] is not None and running["eta_seconds"] > 0
    assert (finished["remaining"], finished["eta_seconds"]) == (0, 0.0)


def test_the_log_has_a_line_per_request_without_text_or_token(tmp_path, caplog) -> None:
    caplog.set_level("INFO", logger="summarizer.service")
    secret_words = "Zyzzyva quartermaster"
    with service(tmp_path, FakeEndpoint()) as client:
        body = {"id": "logged", "text": f"{article(5)} {secret_words}."}
        client.post("/v1/extract", json=body, headers=AUTH)
        client.get("/v1/articles/logged", headers=AUTH)
    lines = [r.getMessage() for r in caplog.records if r.name == "summarizer.service"]
    assert any(re.fullmatch(r"POST /v1/extract 200 \d+ ms article=logged", line) for line in lines)
    assert any(line.startswith("GET /v1/articles/logged 200 ") for line in lines)
    assert not [line for line in lines if secret_words in line or TOKEN in line]


@pytest.mark.parametrize(
    ("content", "content_type", "status", "words"),
    [
        (b"\xff\xfe\x00binary", "application/json", 400, "parsing the body"),
        (b"not json at all", "application/json", 422, ""),
        (b"text=hello", "application/x-www-form-urlencoded", 422, ""),
        (b'{"text": "a"}', "text/plain", 422, ""),
        (b"x" * 10_000_000, "application/json", 413, "over 2,000,000 bytes"),
    ],
)
def test_bad_bodies_are_problems_and_store_nothing(
    tmp_path, content, content_type, status, words
) -> None:
    with service(tmp_path, FakeEndpoint()) as client:
        answer = client.post(
            "/v1/extract", content=content, headers={**AUTH, "Content-Type": content_type}
        )
        assert_problem(answer, status, words)
        jobs = client.post(
            "/v1/jobs", content=content, headers={**AUTH, "Content-Type": content_type}
        )
        assert jobs.status_code in (400, 413), jobs.text
    with sqlite3.connect(tmp_path / "summarizer.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)


# --- What a review of the service found -------------------------------------------------


def test_requests_that_time_out_leave_the_writer_working_and_the_result_stored(tmp_path):
    slow = FakeEndpoint(delay=1.0)
    with service(tmp_path, slow, workers=2, request_timeout=0.2) as client:
        for n in (1, 2):
            late = client.post(
                "/v1/extract", json={"id": f"t{n}", "text": article(n)}, headers=AUTH
            )
            assert_problem(late, 504, "goes on and is stored")
        wait_until(
            lambda: client.get("/v1/articles/t2", headers=AUTH).json()["status"] == "extracted"
        )
        assert client.get("/readyz").json()["checks"]["store"] == "ok"
        assert client.get("/v1/articles/t1", headers=AUTH).json()["status"] == "extracted"


def test_two_texts_under_one_id_each_get_their_own_answer(tmp_path) -> None:
    slow = FakeEndpoint(delay=0.5)
    engine = Engine(tmp_path, resolve_schema("incident"), SETTINGS, workers=2, waiting=4,
                    llm=slow.client())  # fmt: skip
    engine.start()
    try:
        first = engine.extract(engine.reader.checked(article(1), "one", "same"))
        second = engine.extract(engine.reader.checked(article(2), "two", "same"))
        assert first.result(timeout=30).status == "done"
        clash = second.result(timeout=30)
        assert clash.status == "failed" and "already that of one" in clash.error
    finally:
        engine.stop()


def test_a_failure_is_tried_again_by_the_next_request(tmp_path) -> None:
    flaky = FakeEndpoint(fail_marker="report number 6")
    with service(tmp_path, flaky) as client:
        body = {"id": "f", "text": article(6)}
        assert client.post("/v1/extract", json=body, headers=AUTH).status_code == 502
        flaky.fail_marker = None  # the model answers again
        assert client.post("/v1/extract", json=body, headers=AUTH).status_code == 200


def test_ids_with_a_slash_or_another_script_are_served(client) -> None:
    for article_id in ("feeds/rss/1", "Київ-1"):
        answer = client.post("/v1/extract", json={"id": article_id, "text": article(8)},
                             headers=AUTH)  # fmt: skip
        assert answer.status_code == 200, answer.text
        stored = client.get(f"/v1/articles/{article_id}", headers=AUTH).json()
        assert stored["id"] == article_id and stored["status"] == "extracted"
