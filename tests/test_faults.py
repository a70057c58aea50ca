"""Fault injection: a real endpoint on loopback failing in each way real ones do, through
the CLI, the Python API and a batch; and storage that fills up or turns read-only.

Every failure must end as one line with its exit code (or the error class that carries
it), never a traceback, never the key; a failure that retries can mend must be mended.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import Settings, summarize, summarize_many
from summarizer._errors import (
    AuthenticationError,
    EndpointError,
    ExtractionError,
    SetupError,
    SummarizerError,
)
from summarizer.cli import app

from .batch_fakes import FakeEndpoint, article
from .fault_endpoint import FaultyEndpoint

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

KEY = "sk-fault-test-0123456789abcdef"
TEXT = "A bomb exploded in Lima on Monday, killing three people."
# mode -> the error it ends in when it never mends, and words of its one line.
FAILURES = {
    "500": (EndpointError, "answered HTTP 500"),
    "503": (EndpointError, "answered HTTP 503"),
    "429-seconds": (EndpointError, "answered HTTP 429"),
    "429-date": (EndpointError, "answered HTTP 429"),
    "429-garbage": (EndpointError, "answered HTTP 429"),
    "slow": (EndpointError, "timed out"),
    "401": (AuthenticationError, "refused the API key (HTTP 401)"),
    "403": (AuthenticationError, "refused the API key (HTTP 403)"),
    "malformed": (EndpointError, "answered a body that is not JSON"),
    "echo": (EndpointError, "answered HTTP 400"),
    "html": (EndpointError, "answered no completion (an HTML page"),
    "empty-choices": (EndpointError, "answered no completion (an empty list of choices)"),
    "huge": (ExtractionError, "did not validate"),
    "not-json-answer": (ExtractionError, "did not validate"),
}
RETRYABLE = ["500", "503", "429-seconds", "429-date", "429-garbage", "slow"]


def settings_for(endpoint: FaultyEndpoint) -> Settings:
    return Settings(base_url=endpoint.base_url, model="m", api_key=KEY, strategy="single",
                    transport_retries=1, max_backoff=0, timeout=1, reasks=1)  # fmt: skip


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Point the CLI at an endpoint through the environment, as a user would."""

    def point_at(endpoint: FaultyEndpoint) -> None:
        chosen = settings_for(endpoint)
        for name in ("base_url", "model", "api_key", "strategy", "transport_retries",
                     "max_backoff", "timeout", "reasks"):  # fmt: skip
            monkeypatch.setenv(f"SUMMARIZER_{name.upper()}", str(getattr(chosen, name)))

    return point_at


def extract(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    return CliRunner().invoke(app, ["extract", str(path)])


@pytest.mark.parametrize("mode", list(FAILURES))
def test_the_cli_says_each_failure_in_one_line_without_the_key(environment, tmp_path, mode):
    error, fragment = FAILURES[mode]
    with FaultyEndpoint(mode) as endpoint:
        environment(endpoint)
        result = extract(tmp_path)
    assert result.exit_code == error.exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("summarizer: error: ") and fragment in lines[0]
    assert len(lines[0]) < 600 and KEY not in result.output and "Traceback" not in result.output
    assert all(sent == f"Bearer {KEY}" for sent in endpoint.authorizations)


@pytest.mark.parametrize("mode", RETRYABLE)
def test_a_failure_that_retries_mend_is_mended(environment, tmp_path, mode) -> None:
    with FaultyEndpoint(mode, recover_after=1) as endpoint:
        environment(endpoint)
        result = extract(tmp_path)
    assert result.exit_code == 0, result.output
    assert endpoint.calls == 2


@pytest.mark.parametrize("mode", ["401", "malformed", "html", "huge"])
def test_the_api_raises_the_error_class_of_each_failure(mode) -> None:
    error, fragment = FAILURES[mode]
    with (
        FaultyEndpoint(mode) as endpoint,
        pytest.raises(error, match=re.escape(fragment)) as caught,
    ):
        summarize(TEXT, settings=settings_for(endpoint))
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("mode", ["503", "echo", "empty-choices", "not-json-answer"])
def test_a_batch_records_each_failure_and_goes_on(tmp_path, mode) -> None:
    error, fragment = FAILURES[mode]
    with FaultyEndpoint(mode) as endpoint:
        outcomes = list(summarize_many([TEXT, TEXT + " Again."], store=tmp_path,
                                       settings=settings_for(endpoint), workers=1))  # fmt: skip
    assert [(o.status, o.exit_code) for o in outcomes] == [("failed", error.exit_code)] * 2
    with sqlite3.connect(tmp_path / "summarizer.db") as db:
        reasons = [row[0] for row in db.execute("SELECT reason FROM errors")]
    assert len(reasons) == 2 and all(fragment in r and KEY not in r for r in reasons)


def test_a_refused_key_stops_a_batch(tmp_path) -> None:
    with FaultyEndpoint("401") as endpoint, pytest.raises(AuthenticationError):
        list(summarize_many([TEXT, TEXT + " Again."], store=tmp_path,
                            settings=settings_for(endpoint), workers=1))  # fmt: skip
    assert endpoint.calls == 1


# --- Storage: a full disk, read-only media ------------------------------------------


@contextlib.contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path`, where the machine lets a test mount one."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def run_batch(out: Path, count: int, **options) -> list:
    articles = [article(n) + " " + "Filler words of a long report. " * 400 for n in range(count)]
    client = FakeEndpoint().client()
    remote = Settings(base_url="http://model.test/v1", model="fake-model")
    return list(summarize_many(articles, store=out, llm=client, settings=remote, **options))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a filesystem needs root")
def test_a_full_disk_is_one_error_and_what_was_stored_stays(tmp_path) -> None:
    with small_filesystem(tmp_path / "small", "400k") as small:
        with pytest.raises(SetupError, match="the disk is full; free some space"):
            run_batch(small, 60, workers=1)
        with sqlite3.connect(f"{(small / 'summarizer.db').as_uri()}?mode=ro", uri=True) as db:
            stored = db.execute("SELECT count(*) FROM results").fetchone()[0]
            intact = db.execute("PRAGMA integrity_check").fetchone()[0]
    assert stored > 0 and intact == "ok"


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a filesystem needs root")
def test_a_store_on_read_only_media_is_one_error(tmp_path) -> None:
    with small_filesystem(tmp_path / "media", "4m") as media:
        run_batch(media, 1, workers=1)
        subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
        with pytest.raises(SummarizerError, match=r"summarizer\.db: "):
            run_batch(media, 1, workers=1)
