"""Batches: reuse from the store, failures recorded, resuming after a crash, the CLI."""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest
import typer
from typer.testing import CliRunner

from summarizer import AuthenticationError, Settings, SetupError, summarize_many
from summarizer._batch import runner as batch_module
from summarizer._batch.runner import Batch, Models
from summarizer._batch.store import STORE_FILE
from summarizer._errors import ExtractionError, InputError
from summarizer._llm.weights import MODEL_NAME
from summarizer.cli.batch import batch, export
from summarizer.schemas._registry import resolve_schema
from tests.batch_fakes import MODEL, FakeEndpoint, article

ROOT = Path(__file__).resolve().parents[1]
REMOTE = Settings(base_url="http://model.test/v1", model=MODEL, strategy="single")
ENDPOINT_OPTIONS = ["--base-url", "http://model.test/v1", "--model", MODEL, "--strategy", "single"]

app = typer.Typer()
app.command("batch")(batch)
app.command("export")(export)
runner = CliRunner()


def rows(out: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(out / STORE_FILE) as db:
        return db.execute(sql).fetchall()


def many(endpoint: FakeEndpoint, texts, out: Path, **options) -> list:
    options = {"settings": REMOTE, "workers": 2, **options}
    return list(summarize_many(texts, store=out, llm=endpoint.client(), **options))


# --- summarize_many and the runner ------------------------------------------------------


def test_every_article_is_extracted_and_recorded(tmp_path) -> None:
    endpoint = FakeEndpoint()
    outcomes = many(endpoint, [article(n) for n in range(5)], tmp_path)
    assert sorted(o.status for o in outcomes) == ["done"] * 5
    assert endpoint.calls == 5  # strategy single: one call an article
    document = outcomes[0].document
    assert document.model == MODEL and document.prompt_version.startswith("incidents@")
    assert document.records[0].killed.best == 14
    assert rows(tmp_path, "SELECT count(*) FROM results") == [(5,)]
    assert rows(tmp_path, "SELECT status, done, cached, failed FROM runs") == [
        ("finished", 5, 0, 0)
    ]


def test_a_finished_batch_run_again_calls_no_model(tmp_path) -> None:
    texts = [article(n) for n in range(4)]
    many(FakeEndpoint(), texts, tmp_path)
    again = FakeEndpoint()
    outcomes = many(again, texts, tmp_path)
    assert again.calls == 0
    assert [o.status for o in outcomes] == ["cached"] * 4
    assert outcomes[0].document.records[0].location.place == "Belgorod"


def test_a_document_from_the_store_is_the_document_that_was_stored(tmp_path) -> None:
    (done,) = many(FakeEndpoint(), [{"text": article(1), "published": "2024-01-02"}], tmp_path)
    (cached,) = many(FakeEndpoint(), [{"text": article(1), "published": "2024-01-02"}], tmp_path)
    assert cached.status == "cached"
    assert cached.document.to_dict() == done.document.to_dict()
    assert cached.document.records == done.document.records


def test_a_new_model_or_date_is_a_new_extraction(tmp_path) -> None:
    texts = [article(1)]
    many(FakeEndpoint(), texts, tmp_path)
    other_model = Settings(base_url="http://model.test/v1", model="other", strategy="single")
    endpoint = FakeEndpoint()
    client = endpoint.client()
    client.model = "other"
    assert [
        o.status for o in summarize_many(texts, store=tmp_path, llm=client, settings=other_model)
    ] == ["done"]
    dated = many(endpoint, [{"text": article(1), "published": "2024-01-02"}], tmp_path)
    assert [o.status for o in dated] == ["done"]
    assert rows(tmp_path, "SELECT count(*) FROM results") == [(3,)]


def test_the_same_content_twice_is_extracted_once(tmp_path) -> None:
    endpoint = FakeEndpoint(delay=0.05)
    texts = [{"id": "a", "text": article(1)}, {"id": "b", "text": article(1)}, article(2)]
    outcomes = {o.article_id: o for o in many(endpoint, texts, tmp_path, workers=3)}
    assert endpoint.calls == 2
    assert sorted(o.status for o in outcomes.values()) == ["cached", "done", "done"]
    assert outcomes["b"].document.source == "<articles>:2"
    assert rows(tmp_path, "SELECT id FROM articles ORDER BY rowid")[:2] == [("a",), ("b",)]


def test_a_failing_article_is_recorded_and_the_batch_goes_on(tmp_path) -> None:
    texts = [article(n) for n in range(4)]
    outcomes = many(FakeEndpoint(fail_marker="number 2."), texts, tmp_path)
    failed = [o for o in outcomes if o.status == "failed"]
    assert len(failed) == 1 and sum(o.status == "done" for o in outcomes) == 3
    assert failed[0].kind == "ExtractionError"
    assert failed[0].exit_code == ExtractionError.exit_code
    assert "did not validate" in failed[0].error and "\n" not in failed[0].error
    assert rows(tmp_path, "SELECT kind, exit_code FROM errors") == [("ExtractionError", 9)]

    # Run again: the failure is remembered, not retried...
    again = FakeEndpoint()
    outcomes = many(again, texts, tmp_path)
    assert again.calls == 0
    assert [o.earlier for o in outcomes if o.status == "failed"] == [True]
    # ...unless asked, and then only that article is extracted.
    outcomes = many(again, texts, tmp_path, retry_failed=True)
    assert again.calls == 1
    assert sorted(o.status for o in outcomes) == ["cached"] * 3 + ["done"]


def test_bad_inputs_are_failures_not_exceptions(tmp_path) -> None:
    texts = ["", {"id": 7, "text": article(1)}, {"text": 3}, "x" * 100_001]
    outcomes = many(FakeEndpoint(), texts, tmp_path)
    assert [o.article_id for o in outcomes if o.status == "done"] == ["7"]
    reasons = [o.error for o in outcomes if o.status == "failed"]  # in input order
    assert len(reasons) == 3
    assert "empty" in reasons[0] and "must be a string" in reasons[1]
    assert "100,001 characters" in reasons[2]


def test_a_refused_key_stops_the_batch(tmp_path) -> None:
    endpoint = FakeEndpoint()
    client = endpoint.client()

    def refuse(*args, **kwargs):
        raise AuthenticationError("http://model.test/v1 refused the API key (HTTP 401)")

    client.extract = refuse
    with pytest.raises(AuthenticationError):
        list(summarize_many([article(1), article(2)], store=tmp_path, llm=client, settings=REMOTE))
    assert rows(tmp_path, "SELECT status FROM runs") == [("failed",)]
    assert rows(tmp_path, "SELECT count(*) FROM errors") == [(0,)]


def test_inputs_are_read_as_the_work_goes(tmp_path) -> None:
    """Memory stays bounded: the runner pulls an input only when a worker can take it."""
    pulled = 0

    def endless():
        nonlocal pulled
        for number in itertools.count():
            pulled += 1
            yield article(number)

    outcomes = summarize_many(
        endless(), store=tmp_path, llm=FakeEndpoint().client(), settings=REMOTE, workers=2
    )
    first = list(itertools.islice(outcomes, 5))
    outcomes.close()
    assert len(first) == 5
    assert pulled <= 5 + 2
    assert rows(tmp_path, "SELECT status FROM runs") == [("interrupted",)]


def test_work_in_flight_is_recorded_when_the_inputs_fail(tmp_path) -> None:
    """A generator that raises mid-batch: what was sent to the model is still stored."""

    def failing():
        yield article(1)
        yield article(2)
        raise OSError("the feed went away")

    client = FakeEndpoint(delay=0.2).client()
    outcomes = []
    with pytest.raises(OSError, match="the feed went away"):
        for outcome in summarize_many(
            failing(), store=tmp_path, llm=client, settings=REMOTE, workers=4
        ):
            outcomes.append(outcome)
    assert [o.status for o in outcomes] == ["done", "done"]
    assert rows(tmp_path, "SELECT count(*) FROM results") == [(2,)]
    assert rows(tmp_path, "SELECT status, done FROM runs") == [("failed", 2)]


def test_an_id_given_to_two_texts_in_one_run_fails_the_second_and_keeps_the_first(
    tmp_path,
) -> None:
    feeds = [{"id": "1", "text": article(1)}, {"id": "1", "text": article(2)}]
    outcomes = many(FakeEndpoint(), feeds, tmp_path)
    assert [(o.article_id, o.source, o.status) for o in outcomes] == [
        ("1", "<articles>:2", "failed"), ("1", "<articles>:1", "done")
    ]  # fmt: skip
    assert "id '1' is already that of <articles>:1, whose text differs" in outcomes[0].error
    assert rows(tmp_path, "SELECT text FROM articles") == [(article(1),)]
    assert rows(tmp_path, "SELECT count(*) FROM results") == [(1,)]


def test_the_default_store_is_temporary() -> None:
    outcomes = list(
        summarize_many([article(1)], llm=FakeEndpoint().client(), settings=REMOTE, workers=1)
    )
    assert [o.status for o in outcomes] == ["done"]


def test_bad_settings_raise_before_iterating() -> None:
    from summarizer import SchemaError

    with pytest.raises(SchemaError):
        summarize_many([article(1)], schema="nosuch")


# --- The embedded model: N servers, started only when needed ---------------------------


class FakeServer:
    """Stands in for LocalServer: records its threads and whether it runs."""

    instances: ClassVar[list[FakeServer]] = []

    def __init__(
        self, model_file, *, threads: int, context_size: int, log_probabilities: bool = False
    ) -> None:
        self.threads = threads
        self.log_probabilities = log_probabilities
        self.model_alias = MODEL_NAME
        self.base_url = f"http://127.0.0.1:{8000 + len(self.instances)}/v1"
        self.api_key = "key"
        self.running = False
        self.instances.append(self)

    def start(self) -> FakeServer:
        self.running = True
        return self

    def stop(self) -> None:
        self.running = False


@pytest.fixture
def fake_servers(monkeypatch) -> list[FakeServer]:
    FakeServer.instances = []
    monkeypatch.setattr(batch_module, "LocalServer", FakeServer)
    return FakeServer.instances


def test_embedded_workers_are_servers_sharing_the_cores(fake_servers) -> None:
    models = Models(Settings(threads=4), workers=2)
    assert models.model == MODEL_NAME
    assert [s.threads for s in fake_servers] == [2, 2]
    assert not any(s.running for s in fake_servers)  # not before an article needs them
    clients = models.clients()
    assert [c.base_url for c in clients] == [s.base_url for s in fake_servers]
    assert all(s.running for s in fake_servers)
    models.close()
    assert not any(s.running for s in fake_servers)


def test_a_batch_answered_by_the_store_starts_no_server(tmp_path, fake_servers) -> None:
    endpoint = FakeEndpoint()
    client = endpoint.client()
    client.model = MODEL_NAME  # as if the embedded model had done it
    embedded = Settings(strategy="single")
    list(summarize_many([article(1)], store=tmp_path, llm=client, settings=embedded))
    outcomes = list(summarize_many([article(1)], store=tmp_path, settings=embedded, workers=2))
    assert [o.status for o in outcomes] == ["cached"]
    assert len(fake_servers) == 2 and not any(s.running for s in fake_servers)


@pytest.mark.parametrize(
    ("schema", "abstain_above", "kept"),
    [("muc4", 0.1, True), ("muc4", None, False), ("incident", 0.1, False)],
)
def test_servers_keep_logits_only_to_abstain(
    tmp_path, fake_servers, schema: str, abstain_above: float | None, kept: bool
) -> None:
    settings = Settings(abstain_above=abstain_above)
    with Batch.open(tmp_path, resolve_schema(schema), settings, workers=2):
        assert [s.log_probabilities for s in fake_servers] == [kept, kept]


def test_one_batch_at_a_time_per_store(tmp_path) -> None:
    schema = resolve_schema("incident")
    llm = FakeEndpoint().client()
    with Batch.open(tmp_path, schema, REMOTE, llm=llm), pytest.raises(SetupError, match="another"):
        Batch.open(tmp_path, schema, REMOTE, llm=llm)
    Batch.open(tmp_path, schema, REMOTE, llm=llm).store.close()  # free again


# --- The command line ----------------------------------------------------------------


@pytest.fixture
def endpoint(monkeypatch) -> FakeEndpoint:
    fake = FakeEndpoint()
    monkeypatch.setattr(batch_module, "connect", lambda settings, **_: fake.client())
    return fake


def run_batch(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["batch", *args, *ENDPOINT_OPTIONS], input=stdin)


def write_folder(folder: Path) -> None:
    """Good articles in every format, and bad files of every kind among them."""
    folder.mkdir()
    (folder / "a.txt").write_text(article(1))
    (folder / "b.md").write_text(article(2))
    (folder / "c.json").write_text(json.dumps({"id": "c", "text": article(3), "url": "u"}))
    (folder / "d.jsonl").write_text(
        json.dumps({"id": "d1", "text": article(4)}) + "\n{broken\n"
        + json.dumps({"id": "d2", "text": article(5), "published": "2023-12-30"}) + "\n"
    )  # fmt: skip
    (folder / "e.html").write_text(
        f"<html><head><title>Strike</title></head><body><article><p>{article(6)}</p>"
        "</article></body></html>"
    )
    (folder / "sub").mkdir()
    (folder / "sub" / "f.txt").write_text(article(7))
    (folder / ".hidden.txt").write_text(article(8))
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Bogotá: una bomba explotó".encode("latin-1"))
    (folder / "photo.png").write_bytes(b"\x89PNG")


def test_a_folder_with_bad_files_among_good_ones(tmp_path, endpoint) -> None:
    write_folder(tmp_path / "in")
    out = tmp_path / "out"
    result = run_batch(str(tmp_path / "in"), "--out", str(out))
    assert result.exit_code == InputError.exit_code, result.output
    assert endpoint.calls == 7
    assert rows(out, "SELECT count(*) FROM results") == [(7,)]
    assert rows(out, "SELECT id FROM articles WHERE id IN ('c', 'd1', 'd2')") == [
        ("c",), ("d1",), ("d2",)
    ]  # fmt: skip
    reasons = dict(rows(out, "SELECT source, reason FROM errors"))
    folder = tmp_path / "in"
    assert "binary file" in reasons[str(folder / "binary.txt")]
    assert "empty" in reasons[str(folder / "empty.txt")]
    assert "not UTF-8" in reasons[str(folder / "latin1.txt")]
    assert "unsupported file type '.png'" in reasons[str(folder / "photo.png")]
    assert "not valid JSON" in reasons[f"{folder / 'd.jsonl'}:2"]
    assert len(reasons) == 5
    # Each failure is one line on stderr, then a summary.
    lines = result.stderr.strip().splitlines()
    assert sum(line.startswith("summarizer: failed: ") for line in lines) == 5
    assert "12 article(s)" in lines[-1] and "7 done, 0 cached, 5 failed" in lines[-1]
    assert "Traceback" not in result.output and result.stdout == ""


def test_the_same_command_again_does_nothing_new(tmp_path, endpoint) -> None:
    (tmp_path / "a.txt").write_text(article(1))
    out = str(tmp_path / "out")
    assert run_batch(str(tmp_path / "a.txt"), "--out", out).exit_code == 0
    result = run_batch(str(tmp_path / "a.txt"), "--out", out, "--quiet")
    assert result.exit_code == 0
    assert endpoint.calls == 1
    assert "0 done, 1 cached, 0 failed" in result.stderr


def test_without_a_terminal_progress_is_plain_lines(tmp_path, endpoint, monkeypatch) -> None:
    from summarizer.cli import batch as batch_command

    monkeypatch.setattr(batch_command, "LOG_INTERVAL", 0.0)
    (tmp_path / "in").mkdir()
    for n in range(3):
        (tmp_path / "in" / f"{n}.txt").write_text(article(n))
    result = run_batch(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "1")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("summarizer: 1/3 article(s), about ")
    assert lines[0].endswith(" min left: 1 done, 0 cached, 0 failed")
    assert len(lines) == 4 and lines[-1].startswith("summarizer: 3 article(s) in ")


def test_retry_failed_without_inputs_uses_the_store(tmp_path, endpoint) -> None:
    (tmp_path / "a.jsonl").write_text(
        "\n".join(json.dumps({"id": n, "text": article(n)}) for n in range(3))
    )
    out = str(tmp_path / "out")
    endpoint.fail_marker = "number 1."
    first = run_batch(str(tmp_path / "a.jsonl"), "--out", out)
    assert first.exit_code == ExtractionError.exit_code
    assert "a.jsonl:2: the model's answer did not validate" in first.stderr
    endpoint.fail_marker = None
    calls = endpoint.calls
    retried = run_batch("--out", out, "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert endpoint.calls == calls + 1
    assert "1 article(s)" in retried.stderr and "1 done" in retried.stderr


def test_jsonl_on_stdin(tmp_path, endpoint) -> None:
    lines = [json.dumps({"id": f"s{n}", "text": article(n)}) for n in range(2)]
    result = run_batch("-", "--out", str(tmp_path), stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert rows(tmp_path, "SELECT id, source FROM articles") == [
        ("s0", "<stdin>:1"), ("s1", "<stdin>:2")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "give article files"),
        (["IN", "--out", "IN/run"], "inside the input folder"),
    ],
)
def test_refused_commands(tmp_path, endpoint, args, fragment) -> None:
    (tmp_path / "IN").mkdir()
    args = [a.replace("IN", str(tmp_path / "IN")) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    result = run_batch(*args)
    assert result.exit_code == InputError.exit_code
    assert result.stderr.strip().startswith("summarizer: error: ")
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- Crashes and Ctrl-C, in a real process ------------------------------------------------

DRIVER = """
import signal
import sys
sys.path.insert(0, {root!r})
# A shell starts background jobs with SIGINT ignored, and Python keeps that: stand for a
# terminal's Ctrl-C whatever started the tests.
signal.signal(signal.SIGINT, signal.default_int_handler)
import typer
from summarizer._batch import runner as _batch
from summarizer.cli.batch import batch, export
from tests.batch_fakes import FakeEndpoint
endpoint = FakeEndpoint(delay=0.1)
_batch.connect = lambda settings, **_: endpoint.client()
app = typer.Typer()
app.command("batch")(batch)
app.command("export")(export)
app()
"""
ARTICLES = 60


def wait_for_results(out: Path, at_least: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if rows(out, "SELECT count(*) FROM results")[0][0] >= at_least:
                return
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} results after {timeout} s")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_stopped_batch_run_again_does_each_article_exactly_once(tmp_path, endpoint, stop):
    inputs, out = tmp_path / "articles.jsonl", tmp_path / "out"
    inputs.write_text("".join(json.dumps({"text": article(n)}) + "\n" for n in range(ARTICLES)))
    args = [str(inputs), "--out", str(out), "--workers", "2"]
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(root=str(ROOT)))
    process = subprocess.Popen(
        [sys.executable, str(driver), "batch", *args, *ENDPOINT_OPTIONS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_results(out, 4)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=30)
    if stop == signal.SIGINT:
        assert process.returncode == 130, stderr
        assert stderr.strip().endswith("summarizer: interrupted")
        assert "run the same command to finish" in stderr
        assert rows(out, "SELECT status FROM runs") == [("interrupted",)]
    else:
        assert process.returncode == -signal.SIGKILL
    kept = rows(out, "SELECT count(*) FROM results")[0][0]
    assert 4 <= kept < ARTICLES

    rerun = run_batch(*args)
    assert rerun.exit_code == 0, rerun.output
    assert endpoint.calls == ARTICLES - kept  # what the first run had not recorded, no more
    assert rows(out, "PRAGMA integrity_check") == [("ok",)]
    assert rows(out, "SELECT count(*), count(DISTINCT content_key) FROM results") == [
        (ARTICLES, ARTICLES)
    ]
    assert rows(out, "SELECT count(*) FROM errors") == [(0,)]
    first, second = rows(out, "SELECT status, done, cached, failed FROM runs ORDER BY id")
    assert first[0] == ("crashed" if stop == signal.SIGKILL else "interrupted")
    assert second == ("finished", ARTICLES - kept, kept, 0)


def test_retry_failed_where_there_is_no_store_creates_none(tmp_path, endpoint) -> None:
    result = run_batch("--retry-failed", "--out", str(tmp_path / "typo"))
    assert result.exit_code == InputError.exit_code
    assert "typo: no summarizer store here, so no failure to retry" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_a_damaged_store_is_one_line_and_nothing_is_written(tmp_path, endpoint) -> None:
    (tmp_path / "summarizer.db").write_bytes(b"this is not a database, just text " * 200)
    before = (tmp_path / "summarizer.db").read_bytes()
    source = tmp_path / "in" / "a.txt"
    source.parent.mkdir()
    source.write_text(article(1))
    for result in (
        run_batch(str(source), "--out", str(tmp_path)),
        runner.invoke(app, ["export", str(tmp_path), "--format", "csv"]),
    ):
        assert result.exit_code == SetupError.exit_code, result.output
        assert result.stdout == "" and result.stderr.count("\n") == 1
        assert "summarizer.db: damaged, or not a summarizer store" in result.stderr
    assert (tmp_path / "summarizer.db").read_bytes() == before
