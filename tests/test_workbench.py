"""The review workbench over HTTP: log in, the strict headers, the article escaped and
highlighted, every decision appended, exports with the editors' values."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from summarizer import Settings
from summarizer._batch.export import export_store
from summarizer._text.offsets import to_utf16
from summarizer.schemas._registry import resolve_schema
from summarizer.service import Engine, ServiceConfig, create_app
from summarizer.service._highlights import grounded_values
from tests.batch_fakes import MODEL, QUOTE, FakeEndpoint, article
from tests.test_service import Receiver, wait_until, webhook_service

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL, strategy="single")
# An emoji (two UTF-16 units) and a non-Latin script before the strike's sentence, and
# markup that must show as text.
HOSTILE = f"💥 Взрыв в 北京 <script>alert('x')</script>. In Russia on 30 December 2023 {QUOTE}."


def opened(folder: Path) -> TestClient:
    engine = Engine(folder, resolve_schema("incident"), SETTINGS, workers=1, waiting=4,
                    llm=FakeEndpoint().client())  # fmt: skip
    config = ServiceConfig(folder=folder, settings=SETTINGS, token=TOKEN)
    return TestClient(create_app(config, engine), raise_server_exceptions=False)


@pytest.fixture
def bench(tmp_path) -> Iterator[TestClient]:
    with opened(tmp_path) as client:
        for article_id, text in [("a1", article(1)), ("hostile", HOSTILE)]:
            answer = client.post("/v1/extract", json={"id": article_id, "text": text,
                                                       "title": f"Title {article_id}"},
                                 headers=AUTH)  # fmt: skip
            assert answer.status_code == 200, answer.text
        yield client


def log_in(client: TestClient) -> str:
    answer = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def first_record(client: TestClient, article_id: str = "a1") -> dict:
    return client.get(f"/v1/articles/{article_id}", headers=AUTH).json()["document"]["records"][0]


def decide(client: TestClient, csrf: str, article_id: str = "a1", **body):
    record_id = first_record(client, article_id)["id"]
    params = {"article": article_id, "record": record_id}
    return client.post("/review/decide", params=params, json={"reviewer": "Ana", **body},
                       headers={"X-CSRF-Token": csrf})  # fmt: skip


def reviews(folder: Path) -> list[tuple]:
    with sqlite3.connect(folder / "summarizer.db") as db:
        return db.execute("SELECT record_id, reviewer, decision, reason FROM reviews").fetchall()


def test_pages_need_a_login_with_the_service_token(bench) -> None:
    assert bench.get("/", follow_redirects=False).headers["location"] == "/login"
    wrong = bench.post("/login", data={"token": "nope"})
    assert wrong.status_code == 401 and "not this service" in wrong.text
    log_in(bench)
    assert "Title a1" in bench.get("/").text


def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(bench) -> None:
    log_in(bench)
    page = bench.get("/review/hostile")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts == [(' src="/static/review.js" defer', "")]


def test_the_article_is_text_even_when_it_holds_markup(bench) -> None:
    log_in(bench)
    page = bench.get("/review/hostile").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_the_highlighted_text_is_the_article_and_marks_the_evidence(bench) -> None:
    log_in(bench)
    record_id = first_record(bench)["id"]
    page = bench.get("/review/a1").text
    shown = re.search(r'<div id="text"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", shown) == article(1)
    assert f'<mark class="hl role-evidence" data-keys="{record_id}:evidence"' in shown
    assert re.search(f'<mark class="hl role-figures" data-keys="[^"]*{record_id}:killed.0', shown)


def test_the_evidence_of_records_merged_into_one_is_marked_as_evidence_too() -> None:
    sentence = {"text": "Shots rang out.", "start": 0, "end": 15, "alignment": "exact"}
    merged = {"evidence": sentence, "more_evidence": [sentence | {"start": 20, "end": 35}]}
    marked = [(field, key, value["start"]) for field, key, value in grounded_values(merged)]
    assert marked == [("evidence", "evidence", 0), ("more_evidence", "more_evidence.0", 20)]


def test_a_decision_without_the_csrf_token_is_refused(bench, tmp_path) -> None:
    log_in(bench)
    answer = decide(bench, "forged", decision="accept")
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
    assert reviews(tmp_path) == []


def test_decisions_are_appended_never_overwritten_nor_deleted(bench, tmp_path) -> None:
    csrf = log_in(bench)
    assert decide(bench, csrf, decision="accept").status_code == 200
    refused = decide(bench, csrf, decision="reject")
    assert refused.status_code == 422 and "reason" in refused.json()["detail"]
    assert decide(bench, csrf, decision="reject", reason="not an incident").status_code == 200
    record_id = first_record(bench)["id"]
    assert reviews(tmp_path) == [
        (record_id, "Ana", "accept", None),
        (record_id, "Ana", "reject", "not an incident"),
    ]
    with sqlite3.connect(tmp_path / "summarizer.db") as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM reviews")
    page = bench.get("/review/a1").text
    assert "History (2)" in page and "not an incident" in page


def test_an_edit_is_validated_against_the_record_model_field_by_field(bench) -> None:
    csrf = log_in(bench)
    record = first_record(bench)
    wrong = {**record, "sub_event_type": "picnic", "killed": {"best": "many"}}
    answer = decide(bench, csrf, decision="edit", record=wrong)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "sub_event_type:" in detail and "killed.best:" in detail


def test_exports_use_edited_values_and_can_keep_reviewed_records_only(bench, tmp_path) -> None:
    csrf = log_in(bench)
    record = first_record(bench)
    edited = {**record, "summary": "Corrected by the desk."}
    assert decide(bench, csrf, decision="edit", record=edited).status_code == 200
    lines = [json.loads(line) for line in bench.get("/v1/export", headers=AUTH).text.splitlines()]
    records = {d["article_id"]: d["records"] for d in lines}
    assert records["a1"][0]["summary"] == "Corrected by the desk."
    assert records["a1"][0]["review"]["state"] == "edited"
    assert records["hostile"][0]["review"]["state"] == "unreviewed"
    only = bench.get("/v1/export", params={"reviewed_only": True, "format": "csv"}, headers=AUTH)
    rows = only.text.splitlines()
    assert len(rows) == 2 and rows[1].endswith(",edited")
    export_store(tmp_path, "csv", tmp_path / "out.csv", reviewed_only=True)
    assert (tmp_path / "out.csv").read_bytes() == only.content


def test_a_selection_after_an_emoji_becomes_a_grounded_incident(bench, tmp_path) -> None:
    csrf = log_in(bench)
    start = HOSTILE.index(QUOTE)
    selection = {"reviewer": "Ana", "start": to_utf16(HOSTILE, start),
                 "end": to_utf16(HOSTILE, start + len(QUOTE))}  # fmt: skip
    answer = bench.post(
        "/review/add", params={"article": "hostile"}, json=selection, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["record_id"] == "e1"
    document = bench.get("/v1/export", headers=AUTH).text.splitlines()
    added = next(json.loads(d) for d in document if '"hostile"' in d)["records"][-1]
    assert added["evidence"] == {"text": QUOTE, "start": start, "end": start + len(QUOTE),
                                 "alignment": "exact"}  # fmt: skip
    assert added["review"]["state"] == "added"
    half_emoji = bench.post(
        "/review/selection",
        params={"article": "hostile"},
        json={**selection, "start": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert half_emoji.status_code == 422 and "inside a character" in half_emoji.json()["detail"]


def test_the_queue_filters_by_review_state_and_title(bench) -> None:
    csrf = log_in(bench)
    decide(bench, csrf, decision="accept")
    done = bench.get("/", params={"state": "done"}).text
    assert "Title a1" in done and "Title hostile" not in done
    assert "Title hostile" in bench.get("/", params={"q": "HOSTILE"}).text
    assert "Title a1" not in bench.get("/", params={"country": "Peru"}).text


def test_records_of_the_api_filter_by_review_state(bench) -> None:
    csrf = log_in(bench)
    decide(bench, csrf, decision="accept")
    accepted = bench.get("/v1/records", params={"review": "accepted"}, headers=AUTH).json()
    assert [row["article_id"] for row in accepted["records"]] == ["a1"]
    assert accepted["records"][0]["record"]["review"]["reviewer"] == "Ana"
    waiting = bench.get("/v1/records", params={"review": "unreviewed"}, headers=AUTH).json()
    assert [row["article_id"] for row in waiting["records"]] == ["hostile"]


def test_a_decision_sends_record_reviewed_to_the_webhook(tmp_path) -> None:
    receiver = Receiver()
    try:
        with webhook_service(tmp_path, FakeEndpoint(), receiver, TOKEN) as client:
            client.post("/v1/extract", json={"id": "a1", "text": article(1)}, headers=AUTH)
            csrf = log_in(client)
            assert decide(client, csrf, decision="accept").status_code == 200
            wait_until(lambda: len(receiver.received) >= 1)
        secret = (tmp_path / "webhook.secret").read_text().strip()
        [reviewed] = receiver.events(secret)
    finally:
        receiver.close()
    assert reviewed["type"] == "record.reviewed"
    assert reviewed["data"]["decision"] == "accept" and reviewed["data"]["reviewer"] == "Ana"
    assert reviewed["data"]["record"]["summary"]


def test_a_selection_in_an_article_with_windows_line_endings_grounds_its_words(tmp_path):
    text = "Kyiv, Dec. 30\r\n\r\nIn Russia on 30 December 2023 " + QUOTE + ".\r\nMore.\r\n"
    with opened(tmp_path) as client:
        client.post("/v1/extract", json={"id": "crlf", "text": text}, headers=AUTH)
        csrf = log_in(client)
        shown = text.replace("\r\n", "\n")  # what the page's DOM holds
        start = shown.index(QUOTE)
        selection = {"reviewer": "Ana", "start": start, "end": start + len(QUOTE)}
        answer = client.post("/review/selection", params={"article": "crlf"}, json=selection,
                             headers={"X-CSRF-Token": csrf})  # fmt: skip
    value = answer.json()["value"]
    assert value["text"] == QUOTE and text[value["start"] : value["end"]] == QUOTE


def test_the_login_page_shows_no_text_a_link_brings(bench) -> None:
    page = bench.get("/login", params={"error": "Call 555-0100 to verify"}).text
    assert "555-0100" not in page
