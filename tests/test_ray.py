"""Extraction on a real local Ray cluster (2 CPUs) against a fake endpoint on loopback.

Deselected by default (marker ``ray``); ``.ci/run`` installs the ``ray`` extra and runs
``pytest -m ray``. Actors are other processes, so the fake is a real HTTP server.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from summarizer import Settings, SetupError, SummarizerError, summarize_many
from summarizer._batch.inputs import Reader
from summarizer._batch.runner import Task
from summarizer._batch.store import STORE_FILE
from summarizer.cli.batch import batch, export
from summarizer.schemas._registry import resolve_schema
from summarizer.service import Engine, ServiceConfig, create_app
from tests.batch_fakes import MODEL, FakeEndpoint, article, free_port, served

ray = pytest.importorskip("ray")
ray_data = pytest.importorskip("ray.data")
pyarrow = pytest.importorskip("pyarrow")
pyarrow_parquet = pytest.importorskip("pyarrow.parquet")

import summarizer.ray  # noqa: E402  (after the skip)
from summarizer.ray import ROWS, extract_dataset  # noqa: E402
from summarizer.ray import _engine as ray_engine  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.block_network(allowed_hosts=["127.0.0.1"])]

app = typer.Typer()
app.command("batch")(batch)
app.command("export")(export)
runner = CliRunner()
ARTICLES = 40
# The fake's article reports one incident: the adaptive path's one call reads it.
CALLS_PER_ARTICLE = 1


@pytest.fixture(scope="module", autouse=True)
def cluster() -> Iterator[str]:
    """One local cluster for the module; yields its address for other drivers to join."""
    context = ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_data.DataContext.get_current().enable_progress_bars = False
    try:
        yield context.address_info["address"]
    finally:
        ray.shutdown()


@pytest.fixture
def endpoint() -> Iterator[tuple[FakeEndpoint, Settings]]:
    fake = FakeEndpoint(delay=0.05)
    with served(fake) as base_url:
        yield fake, settings_for(base_url)


def settings_for(base_url: str) -> Settings:
    return Settings(
        base_url=base_url, model=MODEL, api_key="sk-ray-test-secret", transport_retries=0,
        max_backoff=0, reasks=0,
    )  # fmt: skip


def comparable(document: dict) -> dict:
    """A document without what differs between two runs of it: its label and timing."""
    usage = {k: v for k, v in document["usage"].items() if k != "seconds"}
    return {**document, "source": None, "usage": usage}


def dataset(count: int = ARTICLES):
    return ray_data.from_items([{"id": f"r{n}", "text": article(n)} for n in range(count)])


# --- extract_dataset -------------------------------------------------------------------


def test_the_ray_module_exports_exactly_its_public_names() -> None:
    assert summarizer.ray.__all__ == ["ROWS", "extract_dataset"]
    assert all(hasattr(summarizer.ray, name) for name in summarizer.ray.__all__)


def test_forty_articles_give_the_documents_summarize_many_gives(endpoint) -> None:
    fake, settings = endpoint
    rows = extract_dataset(dataset(), settings=settings, actors=2, requests_per_actor=4)
    by_id = {row["id"]: row for row in rows.take_all()}
    texts = [{"id": f"r{n}", "text": article(n)} for n in range(ARTICLES)]
    outcomes = summarize_many(texts, llm=fake.client(), settings=settings)
    local = {outcome.article_id: outcome.document for outcome in outcomes}
    assert sorted(by_id) == sorted(local)
    for article_id, row in by_id.items():
        assert row["status"] == "done" and row["error"] is None
        document = json.loads(row["document"])
        assert comparable(document) == comparable(local[article_id].to_dict())
        assert row["model"] == MODEL and row["prompt_version"] == document["prompt_version"]
        assert row["usage"]["llm_calls"] == document["usage"]["llm_calls"] == CALLS_PER_ARTICLE
    assert document["records"][0]["killed"]["best"] == 14


def test_actors_times_requests_articles_are_in_flight_at_once(endpoint) -> None:
    fake, settings = endpoint
    fake.delay = 0.2
    rows = extract_dataset(dataset(), settings=settings, actors=2, requests_per_actor=4)
    assert len(rows.take_all()) == ARTICLES
    assert fake.most_in_flight == 2 * 4


def test_a_poisoned_article_is_a_failed_row_and_the_others_are_done(endpoint) -> None:
    fake, settings = endpoint
    fake.fail_marker = "report number 7."
    rows = extract_dataset(dataset(12), settings=settings, actors=2, requests_per_actor=2)
    by_id = {row["id"]: row for row in rows.take_all()}
    failed = by_id.pop("r7")
    assert failed["status"] == "failed" and failed["document"] is None
    assert failed["error_kind"] == "ExtractionError" and "\n" not in failed["error"]
    assert failed["model"] == MODEL and failed["usage"] is None
    assert {row["status"] for row in by_id.values()} == {"done"} and len(by_id) == 11


def test_a_row_without_text_fails_alone_naming_the_columns(endpoint) -> None:
    _, settings = endpoint
    ds = ray_data.from_items([{"id": "a", "body": "no text column here"}])
    (row,) = extract_dataset(ds, settings=settings, actors=1, requests_per_actor=1).take_all()
    assert row["status"] == "failed" and row["error_kind"] == "InputError"
    assert row["error"] == "no column 'text' (columns: body, id)"


def test_json_lines_in_and_parquet_out_keep_the_typed_columns(endpoint, tmp_path) -> None:
    _, settings = endpoint
    source = tmp_path / "wire.jsonl"
    lines = [{"story": article(n), "slug": f"s{n}", "published": "2024-01-02"} for n in range(3)]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ds = ray_data.read_json(str(source))
    extracted = extract_dataset(
        ds, settings=settings, text_column="story", id_column="slug", actors=1,
        requests_per_actor=2,
    )  # fmt: skip
    extracted.write_parquet(str(tmp_path / "records"))
    table = pyarrow_parquet.read_table(tmp_path / "records")
    assert table.schema.equals(ROWS)
    assert sorted(table.column("id").to_pylist()) == ["s0", "s1", "s2"]
    documents = [json.loads(text) for text in table.column("document").to_pylist()]
    assert {d["published"] for d in documents} == {"2024-01-02"}


def test_parquet_in_and_json_lines_out_give_a_row_per_article(endpoint, tmp_path) -> None:
    _, settings = endpoint
    table = pyarrow.table({"id": [1, 2], "text": [article(1), article(2)]})  # number ids
    pyarrow_parquet.write_table(table, tmp_path / "wire.parquet")
    ds = ray_data.read_parquet(str(tmp_path / "wire.parquet"))
    extract_dataset(ds, settings=settings, actors=1, requests_per_actor=2).write_json(
        str(tmp_path / "records")
    )
    lines = [json.loads(line) for f in (tmp_path / "records").iterdir() for line in f.open()]
    assert sorted(line["id"] for line in lines) == ["1", "2"]
    assert {line["status"] for line in lines} == {"done"}
    assert all(json.loads(line["document"])["records"] for line in lines)


def test_the_embedded_model_is_refused_before_any_work() -> None:
    with pytest.raises(SetupError, match="endpoint every node can reach"):
        extract_dataset(dataset(2), settings=Settings())


def test_bad_counts_are_refused_before_any_work(endpoint) -> None:
    _, settings = endpoint
    with pytest.raises(ValueError, match="actors must be 1 or more"):
        extract_dataset(dataset(2), settings=settings, actors=0)
    with pytest.raises(TypeError, match="requests_per_actor must be a whole number"):
        extract_dataset(dataset(2), settings=settings, requests_per_actor=2.5)


# --- summarizer batch --engine ray -----------------------------------------------------


def endpoint_options(base_url: str) -> list[str]:
    return ["--base-url", base_url, "--model", MODEL]


def write_articles(folder: Path) -> Path:
    """Forty articles, a file each."""
    folder.mkdir()
    for n in range(ARTICLES):
        (folder / f"a{n:02}.txt").write_text(article(n))
    return folder


def write_inputs(folder: Path) -> Path:
    """Forty articles, one given twice under another id, and an id given to two texts."""
    write_articles(folder)
    lines = [
        {"id": "again", "text": article(3)},  # a text seen before: no second call
        {"id": "twice", "text": article(100)},
        {"id": "twice", "text": article(101)},  # the id of another text: refused
    ]
    (folder / "more.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return folder


def exported(store: Path) -> list[dict]:
    result = runner.invoke(app, ["export", str(store)])
    assert result.exit_code == 0, result.output
    return [comparable(json.loads(line)) for line in result.stdout.splitlines()]


def test_batch_on_ray_stores_what_the_local_engine_stores(endpoint, tmp_path) -> None:
    fake, settings = endpoint
    inputs = write_inputs(tmp_path / "in")
    on_ray = runner.invoke(app, [
        "batch", str(inputs), "--out", str(tmp_path / "ray"), "--engine", "ray",
        "--actors", "2", "--requests-per-actor", "4", "--quiet",
        *endpoint_options(settings.base_url),
    ])  # fmt: skip
    calls_on_ray = fake.calls
    local = runner.invoke(app, [
        "batch", str(inputs), "--out", str(tmp_path / "local"), "--workers", "8", "--quiet",
        *endpoint_options(settings.base_url),
    ])  # fmt: skip
    assert on_ray.exit_code == local.exit_code == 3  # the refused id
    summary = on_ray.stderr.splitlines()[-1]
    assert "43 article(s)" in summary and "41 done, 1 cached, 1 failed" in summary
    assert "id 'twice' is already that of" in on_ray.stderr
    assert calls_on_ray == fake.calls - calls_on_ray == CALLS_PER_ARTICLE * 41
    assert exported(tmp_path / "ray") == exported(tmp_path / "local")
    assert (
        served_export(tmp_path / "ray", fake)
        == runner.invoke(app, ["export", str(tmp_path / "ray")]).stdout
    )


def served_export(store: Path, fake: FakeEndpoint) -> str:
    """The store's JSON Lines export as `summarizer serve` answers it."""
    settings = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL)
    schema = resolve_schema("incident")
    engine = Engine(store, schema, settings, workers=1, waiting=1, llm=fake.client())
    config = ServiceConfig(folder=store, settings=settings, token="t" * 24)
    with TestClient(create_app(config, engine)) as client:
        answer = client.get("/v1/export", headers={"Authorization": "Bearer " + "t" * 24})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_batch_on_ray_refuses_the_embedded_model_and_local_options(tmp_path) -> None:
    inputs = write_inputs(tmp_path / "in")
    embedded = runner.invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "o"),
                                   "--engine", "ray"])  # fmt: skip
    assert embedded.exit_code == 6
    assert "endpoint every node can reach" in embedded.stderr
    mixed = runner.invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "o"),
                                "--engine", "ray", "--workers", "4"])  # fmt: skip
    assert mixed.exit_code == 3 and "--actors" in mixed.stderr
    assert not (tmp_path / "o").exists()


def stored(store: Path) -> int:
    if not (store / STORE_FILE).exists():
        return 0
    try:
        with sqlite3.connect(store / STORE_FILE) as db:
            return db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # the file is there, its tables not yet
        return 0


def run_batch(inputs: Path, store: Path, base_url: str, address: str) -> subprocess.Popen:
    command = [
        sys.executable, "-c", "from summarizer.cli import main; main()", "batch", str(inputs),
        "--out", str(store), "--engine", "ray", "--ray-address", address, "--actors", "2",
        "--requests-per-actor", "2", "--quiet", *endpoint_options(base_url),
    ]  # fmt: skip
    environment = {**os.environ, "SUMMARIZER_API_KEY": "sk-ray-test-secret"}
    return subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)


def quiet(fake: FakeEndpoint, seconds: float = 3.0) -> None:
    """Wait until the fake has had no call for `seconds`: the killed driver's actors are gone."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = fake.calls
        time.sleep(seconds)
        if fake.calls == before:
            return
    raise AssertionError("the killed driver's actors kept calling the endpoint")


def test_a_killed_driver_run_again_makes_only_the_missing_calls(cluster, tmp_path) -> None:
    fake = FakeEndpoint(delay=0.3)
    inputs = write_articles(tmp_path / "in")
    store = tmp_path / "store"
    with served(fake) as base_url:
        first = run_batch(inputs, store, base_url, cluster)
        deadline = time.monotonic() + 120
        while stored(store) < 8:
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait()
        quiet(fake)
        kept = stored(store)
        calls_before = dict(fake.calls_by_report)
        second = run_batch(inputs, store, base_url, cluster)
        _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors
    assert 8 <= kept < ARTICLES and stored(store) == ARTICLES
    assert f"{ARTICLES} article(s)" in errors and f"{kept} cached" in errors
    made = {n: fake.calls_by_report[n] - calls_before.get(n, 0) for n in fake.calls_by_report}
    assert sum(made.values()) == CALLS_PER_ARTICLE * (ARTICLES - kept)  # none made again
    assert "sk-ray-test-secret" not in errors
    logs = [f for f in Path("/tmp/ray/session_latest/logs").rglob("*") if f.is_file()]
    assert len(logs) > 10  # the module's cluster is the latest session, and it logs
    assert [f.name for f in logs if b"sk-ray-test" in f.read_bytes()] == []


def test_an_interrupted_driver_exits_130_in_one_line(cluster, tmp_path) -> None:
    fake = FakeEndpoint(delay=0.3)
    inputs = write_articles(tmp_path / "in")
    with served(fake) as base_url:
        driver = run_batch(inputs, tmp_path / "store", base_url, cluster)
        deadline = time.monotonic() + 120
        while stored(tmp_path / "store") < 4:
            assert driver.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        started = time.monotonic()
        driver.send_signal(signal.SIGINT)
        _, errors = driver.communicate(timeout=60)
        quiet(fake)
    assert driver.returncode == 130 and time.monotonic() - started < 15
    assert "summarizer: interrupted" in errors and "Traceback" not in errors, errors


def test_an_address_nothing_answers_at_is_one_line_at_once(tmp_path) -> None:
    inputs = write_inputs(tmp_path / "in")
    command = [
        sys.executable, "-c", "from summarizer.cli import main; main()", "batch", str(inputs),
        "--out", str(tmp_path / "store"), "--engine", "ray", "--ray-address",
        f"127.0.0.1:{free_port()}", *endpoint_options("http://127.0.0.1:9/v1"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 6
    assert result.stderr.splitlines()[-1].startswith("summarizer: error: cannot reach the Ray")


def test_the_api_key_is_refused_on_the_command_line_with_ray(tmp_path) -> None:
    inputs = write_inputs(tmp_path / "in")
    result = runner.invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "o"),
                                 "--engine", "ray", "--api-key", "sk-on-the-command-line",
                                 *endpoint_options("http://127.0.0.1:9/v1")])  # fmt: skip
    assert result.exit_code == 3 and "SUMMARIZER_API_KEY" in result.stderr
    assert "sk-on-the-command-line" not in result.stderr


def test_many_windows_store_every_article_once(endpoint, tmp_path, monkeypatch) -> None:
    fake, settings = endpoint
    monkeypatch.setattr(ray_engine, "WINDOW", 7)
    inputs = write_inputs(tmp_path / "in")
    result = runner.invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "store"),
                                 "--engine", "ray", "--quiet",
                                 *endpoint_options(settings.base_url)])  # fmt: skip
    assert result.exit_code == 3, result.output  # the refused id, as above
    assert stored(tmp_path / "store") == 41 and fake.calls == CALLS_PER_ARTICLE * 41


def test_rows_of_another_release_are_refused_not_stored(endpoint) -> None:
    _, settings = endpoint
    workers = ray_engine.RayWorkers(resolve_schema("incident"), settings, 1, 1)
    try:
        item = Reader(settings.max_article_chars).checked(article(1), "a.txt")
        row = {"prompt_version": "list_incidents@1+incident@1", "model": MODEL,
               "status": "done", "document": "{}", "error": None, "error_kind": None}  # fmt: skip
        _, result = workers._outcome(Task("key", item), row)
    finally:
        workers.stop()
    assert isinstance(result, SummarizerError) and "install the same summarizer" in str(result)
