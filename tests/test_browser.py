"""The review workbench in a real browser: Debian's Chromium driven by Playwright, against
the service on loopback. Skipped where Chromium is not installed (``.ci/run`` installs
it: ``apt-get install chromium``)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
import vcr

from summarizer import Settings, summarize_many
from summarizer._llm.weights import MODEL_NAME
from summarizer.schemas._registry import resolve_schema
from summarizer.service import Engine, ServiceConfig, create_app
from summarizer.service._highlights import grounded_values
from tests.batch_fakes import MODEL, QUOTE, FakeEndpoint, article, free_port

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
TOKEN = "browser-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL, strategy="single")
# An emoji and a non-Latin script before the passage the editor selects.
EMOJI_ARTICLE = f"💥 Взрыв в 北京. In Russia on 30 December 2023 {QUOTE}. Report 77."
# Chromium as root in a sandbox, with nothing that phones home (the machine's closed network).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def site(tmp_path) -> Iterator[str]:
    """The service on a loopback port, holding two extracted articles."""
    engine = Engine(tmp_path, resolve_schema("incident"), SETTINGS, workers=1, waiting=4,
                    llm=FakeEndpoint().client())  # fmt: skip
    app = create_app(ServiceConfig(folder=tmp_path, settings=SETTINGS, token=TOKEN), engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    for article_id, text in [("a1", article(1)), ("emoji", EMOJI_ARTICLE)]:
        body = {"id": article_id, "text": text, "title": f"Title {article_id}"}
        assert httpx2.post(f"{base}/v1/extract", json=body, headers=AUTH, timeout=30).is_success
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(site) -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.errors = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))  # type: ignore[attr-defined]
        page.goto(f"{site}/login")
        page.fill("input[name=token]", TOKEN)
        page.click("text=Log in")
        page.fill("#reviewer", "Ana")
        page.dispatch_event("#reviewer", "change")
        page.evaluate("document.activeElement.blur()")  # keys go to the page, not the field
        yield page
        assert page.errors == []  # type: ignore[attr-defined]  # no CSP refusal, no script error
        browser.close()


def decisions(site_folder: Path) -> list[tuple]:
    with sqlite3.connect(site_folder / "summarizer.db") as db:
        return db.execute("SELECT reviewer, decision, reason FROM reviews ORDER BY id").fetchall()


def test_an_editor_opens_an_article_from_the_queue_with_the_keyboard(page) -> None:
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/a1")
    assert page.locator("article.card").count() == 1
    assert page.locator("#text").inner_text() == article(1)


def test_focusing_a_value_lights_up_its_span_in_the_article(page, site) -> None:
    page.goto(f"{site}/review/a1")
    page.locator("button.value", has_text="at least 14 people").first.focus()
    active = page.locator("mark.active")  # the span, in pieces where other values overlap it
    assert "".join(active.all_inner_texts()) == "at least 14 people"
    assert "killed 0" in (active.first.get_attribute("title") or "")


def test_accept_and_reject_from_the_keyboard_are_recorded(page, site, tmp_path) -> None:
    page.goto(f"{site}/review/a1")
    page.locator("article.card").first.focus()
    page.keyboard.press("a")
    page.wait_for_selector("article.card.card-accepted")
    page.once("dialog", lambda dialog: dialog.accept("the toll is wrong"))
    page.locator("article.card").first.focus()
    page.keyboard.press("r")
    page.wait_for_selector("article.card.card-rejected")
    assert decisions(tmp_path) == [("Ana", "accept", None), ("Ana", "reject", "the toll is wrong")]
    assert "History (2)" in page.locator("article.card").first.inner_text()


def test_a_passage_selected_after_an_emoji_becomes_an_incident_with_its_offsets(
    page, site, tmp_path
) -> None:
    page.goto(f"{site}/review/emoji")
    page.evaluate(
        """(quote) => {
            const node = document.getElementById('text');
            const text = node.textContent, start = text.indexOf(quote);
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            let seen = 0, range = document.createRange(), at;
            while ((at = walker.nextNode())) {
                const length = at.textContent.length;
                if (seen <= start && start < seen + length) range.setStart(at, start - seen);
                if (seen < start + quote.length && start + quote.length <= seen + length)
                    range.setEnd(at, start + quote.length - seen);
                seen += length;
            }
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        QUOTE,
    )
    page.keyboard.press("n")
    page.wait_for_selector('article.card[data-record="e1"]')
    with sqlite3.connect(tmp_path / "summarizer.db") as db:
        [(after,)] = db.execute("SELECT after FROM reviews WHERE decision = 'add'").fetchall()
    start = EMOJI_ARTICLE.index(QUOTE)
    assert f'"start": {start}, "end": {start + len(QUOTE)}' in after


def test_the_page_reads_at_800_pixels_wide(page, site, tmp_path) -> None:
    page.set_viewport_size({"width": 800, "height": 800})
    page.goto(f"{site}/review/a1")
    text, card = page.locator("#text").bounding_box(), page.locator("article.card").bounding_box()
    assert card["y"] >= text["y"] + text["height"]  # one column: the records below the text
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.screenshot(path=str(tmp_path / "narrow.png"), full_page=True)


# --- The seed, from its recorded answers, reviewed end to end ---------------------------

SEED = Path(__file__).resolve().parents[1] / "seeds" / "belgorod_strike.txt"
SEED_CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "test_extract" / "seed.yaml"
HOSTILE = "<script>alert('x')</script> In Russia on 30 December 2023 " + QUOTE + "."


@pytest.fixture
def seed_store(tmp_path) -> Path:
    """The seed extracted from its cassette (the embedded model's recorded answers) into
    the store, before the service opens it."""
    replay = Settings(base_url="http://127.0.0.1:8080/v1", model=MODEL_NAME, api_key="replay",
                      response_format="json_object", transport_retries=0, reasks=2)  # fmt: skip
    with vcr.use_cassette(str(SEED_CASSETTE), record_mode="none", allow_playback_repeats=True,
                          match_on=["method", "uri", "body"]):  # fmt: skip
        [outcome] = summarize_many(
            [{"id": "seed", "text": SEED.read_text(), "published": "2023-12-30",
              "title": "Belgorod strike"}], store=tmp_path, settings=replay, workers=1,
        )  # fmt: skip
    assert outcome.status == "done" and len(outcome.document.records) == 5
    return tmp_path


@pytest.fixture
def seeded(seed_store, site) -> str:
    """The service over the seed's store, with an article that holds a script added."""
    body = {"id": "hostile", "text": HOSTILE, "title": "Hostile"}
    assert httpx2.post(f"{site}/v1/extract", json=body, headers=AUTH, timeout=30).is_success
    return site


def stored(site: str, article_id: str) -> dict:
    return httpx2.get(f"{site}/v1/articles/{article_id}", headers=AUTH).json()


def select(page, phrase: str, occurrence: int = 0) -> None:
    """Select `phrase` (its `occurrence`-th time) in the article, as a mouse would."""
    page.evaluate(
        """([phrase, occurrence]) => {
            const node = document.getElementById('text');
            let start = -1;
            for (let n = 0; n <= occurrence; n++) {
                start = node.textContent.indexOf(phrase, start + 1);
            }
            const end = start + phrase.length;
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            let seen = 0, at;
            const range = document.createRange();
            while ((at = walker.nextNode())) {
                const length = at.textContent.length;
                if (seen <= start && start < seen + length) range.setStart(at, start - seen);
                if (seen < end && end <= seen + length) range.setEnd(at, end - seen);
                seen += length;
            }
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [phrase, occurrence],
    )


def test_every_highlight_covers_exactly_the_characters_its_offsets_name(seeded, page) -> None:
    page.goto(f"{seeded}/review/seed")
    article = stored(seeded, "seed")
    text, checked = article["text"], 0
    for record in article["document"]["records"]:
        for field, suffix, value in grounded_values(record):
            if value.get("start") is None:
                continue
            key = f"{record['id']}:{suffix}"
            shown = page.evaluate(
                """(key) => [...document.querySelectorAll('mark[data-keys]')]
                    .filter((m) => m.dataset.keys.split(' ').includes(key))
                    .map((m) => m.textContent).join('')""",
                key,
            )
            assert shown == text[value["start"] : value["end"]], (key, field)
            checked += 1
    assert checked >= 20


def test_an_editor_reviews_the_seed_and_every_decision_is_kept(seeded, page, tmp_path) -> None:
    page.goto(f"{seeded}/review/seed")
    cards = page.locator("article.card")
    first, second = (
        cards.nth(0).get_attribute("data-record"),
        cards.nth(1).get_attribute("data-record"),
    )
    # Accept the first record with the keyboard.
    cards.nth(0).focus()
    page.keyboard.press("a")
    page.wait_for_selector(f'article.card-accepted[data-record="{first}"]')
    # Edit the second record's toll by selecting Zelenskiy's figure in the article.
    card = page.locator(f'article.card[data-record="{second}"]')
    card.focus()
    page.keyboard.press("e")
    card.locator("select.field").select_option("killed")
    select(page, "39 of them have been killed")
    card.locator(".use-selection").click()
    editor = f"article.card[data-record='{second}'] textarea"
    page.wait_for_function(
        "(editor) => document.querySelector(editor).value.includes('39 of them')", arg=editor
    )
    card.locator(".save").click()
    page.wait_for_selector(f'article.card-edited[data-record="{second}"]')
    # Reject the third with a reason, from the keyboard.
    third = cards.nth(2).get_attribute("data-record")
    page.once("dialog", lambda dialog: dialog.accept("an interception, not an attack"))
    page.locator(f'article.card[data-record="{third}"]').focus()
    page.keyboard.press("r")
    page.wait_for_selector(f'article.card-rejected[data-record="{third}"]')
    # Add an incident the model missed, from its passage.
    select(page, "159 people were injured")
    page.keyboard.press("n")
    page.wait_for_selector('article.card[data-record="e1"]')
    # A second reviewer accepts the first record too: appended, not replacing.
    page.fill("#reviewer", "Bo")
    page.dispatch_event("#reviewer", "change")
    page.locator(f'article.card[data-record="{first}"]').focus()
    page.keyboard.press("a")
    # The page reloads itself once the decision is kept; reload again only after that,
    # or the two navigations race (net::ERR_ABORTED).
    first_card = page.locator(f'article.card[data-record="{first}"]')
    first_card.locator("details.history summary", has_text="History (2)").wait_for()
    page.reload()
    assert page.locator(f'article.card-accepted[data-record="{first}"]').count() == 1
    assert page.locator(f'article.card-edited[data-record="{second}"]').count() == 1
    assert page.locator(f'article.card-rejected[data-record="{third}"]').count() == 1
    assert page.locator('article.card-added[data-record="e1"]').count() == 1
    with sqlite3.connect(tmp_path / "summarizer.db") as db:
        kept = db.execute(
            "SELECT record_id, reviewer, decision FROM reviews ORDER BY id"
        ).fetchall()
    assert kept == [(first, "Ana", "accept"), (second, "Ana", "edit"), (third, "Ana", "reject"),
                    ("e1", "Ana", "add"), (first, "Bo", "accept")]  # fmt: skip
    lines = httpx2.get(f"{seeded}/v1/export", headers=AUTH).text.splitlines()
    seed = next(json.loads(line) for line in lines if '"seed"' in line)
    states = {r["id"]: r["review"]["state"] for r in seed["records"]}
    assert states[first] == "accepted" and states[third] == "rejected" and states["e1"] == "added"
    edited = next(r for r in seed["records"] if r["id"] == second)
    assert states[second] == "edited" and edited["killed"]["best"] == 39
    assert edited["killed"]["claims"][0]["text"] == "39 of them have been killed"


def test_an_article_holding_a_script_runs_nothing(seeded, page) -> None:
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', () => window.violations = "
        "(window.violations || 0) + 1)"
    )
    page.goto(f"{seeded}/review/hostile")
    page.wait_for_timeout(300)
    assert dialogs == [] and page.evaluate("window.violations || 0") == 0
    assert "<script>alert('x')</script>" in page.locator("#text").inner_text()
