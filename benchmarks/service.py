"""The service and the review workbench, measured in one run on a fake instant model.

    python benchmarks/service.py [--calls 200] [--clients 50] [--articles 500]
                                 [--stored 1000] [--screenshots docs/images]

Prints:
1. overhead: `POST /v1/extract` through uvicorn on loopback against the same one-article
   path in process (what `summarize` runs), both on the same fake model answering at
   once, new articles each time:
   p50 and p99 in ms and their ratio;
2. load: `--clients` threads sending `--articles` articles to `/v1/extract` against a
   fake model with 200 ms latency: articles/s, answers lost, results stored twice,
   model calls per article, the process's peak memory (server and clients share it);
3. workbench: with `--stored` articles in the store, server time per page at p50 (the
   queue, an article page), and in Debian's Chromium (when installed) the seed's page
   from navigation to its last highlight, and its weight in KB; screenshots of the
   queue and of the seed's page go to `--screenshots`.
The fake model is `tests/batch_fakes.py`'s (one strike per article), run from the
repository's folder.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import uvicorn
import vcr
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Settings, summarize_many  # noqa: E402
from summarizer._extract.pipeline import extract  # noqa: E402
from summarizer._llm.weights import MODEL_NAME  # noqa: E402
from summarizer._text.article import check_text  # noqa: E402
from summarizer.schemas._registry import resolve_schema  # noqa: E402
from summarizer.service import Engine, ServiceConfig, create_app  # noqa: E402
from tests.batch_fakes import MODEL, FakeEndpoint, article, free_port  # noqa: E402

TOKEN = "benchmark"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL, strategy="single")
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def serving(folder: Path, fake: FakeEndpoint, workers: int, waiting: int) -> Iterator[str]:
    engine = Engine(folder, resolve_schema("incident"), SETTINGS, workers=workers,
                    waiting=waiting, llm=fake.client())  # fmt: skip
    app = create_app(ServiceConfig(folder=folder, settings=SETTINGS, token=TOKEN), engine)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]


def overhead(calls: int) -> None:
    fake = FakeEndpoint()
    llm = fake.client()
    in_process, schema = [], resolve_schema("incident")
    for n in range(calls):
        started = time.perf_counter()
        text = check_text(article(10_000 + n), "benchmark", SETTINGS.max_article_chars)
        extract(text, schema, llm, published=None, settings=SETTINGS)
        in_process.append(time.perf_counter() - started)
    over_http = []
    with (
        tempfile.TemporaryDirectory() as folder,
        serving(Path(folder), fake, 1, 4) as base,
        httpx2.Client(timeout=60) as client,
    ):
        for n in range(calls):
            started = time.perf_counter()
            answer = client.post(f"{base}/v1/extract", json={"text": article(20_000 + n)},
                                 headers=AUTH)  # fmt: skip
            over_http.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
    (p50, p99), (s50, s99) = percentiles(in_process), percentiles(over_http)
    print(f"overhead ({calls} calls): in process p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"POST /v1/extract p50 {s50:.1f} ms, p99 {s99:.1f} ms; ratio p50 {s50 / p50:.2f}, "
          f"p99 {s99 / p99:.2f}")  # fmt: skip


def load(clients: int, articles: int) -> None:
    fake = FakeEndpoint(delay=0.2)
    texts = [article(30_000 + n) for n in range(articles)]
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder), fake, 8, clients) as base:

        def send(batch: list[str]) -> list[str]:
            ids = []
            with httpx2.Client(timeout=600) as client:
                for text in batch:
                    answer = client.post(f"{base}/v1/extract", json={"text": text}, headers=AUTH)
                    if answer.status_code == 200:
                        ids.append(answer.json()["article_id"])
            return ids

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            batches = [texts[k::clients] for k in range(clients)]
            answered = [i for ids in pool.map(send, batches) for i in ids]
        seconds = time.perf_counter() - started
        stored = len(httpx2.get(f"{base}/v1/export", headers=AUTH, timeout=60).text.splitlines())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load ({clients} clients, {articles} articles, model 200 ms, 8 workers): "
          f"{articles / seconds:.1f} articles/s; lost {articles - len(answered)}; "
          f"stored {stored} (twice: {len(answered) - len(set(answered))}); model calls per "
          f"article {fake.calls / articles:.2f}; peak memory {peak:.0f} MiB")  # fmt: skip


def workbench(stored: int, screenshots: Path | None) -> None:
    fake = FakeEndpoint()
    with tempfile.TemporaryDirectory() as folder:
        seeded(Path(folder))
        with serving(Path(folder), fake, 4, 64) as base, httpx2.Client(timeout=60) as client:
            body = [{"id": f"a{n}", "text": article(40_000 + n), "title": f"Report {n}"}
                    for n in range(stored - 1)]  # fmt: skip
            job = client.post(f"{base}/v1/jobs", json=body, headers=AUTH).json()["id"]
            while client.get(f"{base}/v1/jobs/{job}", headers=AUTH).json()["state"] == "running":
                time.sleep(0.5)
            client.post(f"{base}/login", data={"token": TOKEN})
            for name, path in [("queue", "/"), ("article page", f"/review/a{stored // 2}")]:
                times = []
                for _ in range(20):
                    started = time.perf_counter()
                    assert client.get(f"{base}{path}").status_code == 200
                    times.append(time.perf_counter() - started)
                print(f"workbench ({stored} articles): {name} p50 "
                      f"{statistics.median(times) * 1000:.0f} ms")  # fmt: skip
            if CHROMIUM:
                browse(base, screenshots)


def seeded(folder: Path) -> None:
    """The seed in the store, from its cassette (the embedded model's recorded answers)."""
    replay = Settings(base_url="http://127.0.0.1:8080/v1", model=MODEL_NAME, api_key="replay",
                      response_format="json_object", transport_retries=0, reasks=2)  # fmt: skip
    cassette = ROOT / "cassettes" / "test_extract" / "seed.yaml"
    seed = {"id": "seed", "text": (ROOT / "seeds" / "belgorod_strike.txt").read_text(),
            "published": "2023-12-30", "title": "Belgorod strike"}  # fmt: skip
    with vcr.use_cassette(str(cassette), record_mode="none", allow_playback_repeats=True,
                          match_on=["method", "uri", "body"]):  # fmt: skip
        list(summarize_many([seed], store=folder, settings=replay, workers=1))


def browse(base: str, screenshots: Path | None) -> None:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/login")
        page.fill("input[name=token]", TOKEN)
        page.click("text=Log in")
        weights: list[int] = []
        page.on("response", lambda r: weights.append(len(r.body())))
        started = time.perf_counter()
        page.goto(f"{base}/review/seed")
        page.wait_for_selector("#text mark.hl >> nth=-1")
        usable = time.perf_counter() - started
        page.wait_for_load_state("load")
        print(
            f"workbench: the seed's page usable in {usable * 1000:.0f} ms (navigation to "
            f"its last highlight), {sum(weights) / 1024:.1f} KB in {len(weights)} responses"
        )
        if screenshots:
            screenshots.mkdir(parents=True, exist_ok=True)
            page.locator("button.value").first.focus()
            page.screenshot(path=str(screenshots / "article.png"))
            page.goto(f"{base}/?q=Report%2012")
            page.screenshot(path=str(screenshots / "queue.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--stored", type=int, default=1000)
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    overhead(args.calls)
    load(args.clients, args.articles)
    workbench(args.stored, args.screenshots)


if __name__ == "__main__":
    main()
