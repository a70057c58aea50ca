"""Bad input and bad endpoints: one line on stderr, a distinct exit code, no traceback."""

from __future__ import annotations

import httpx2
import pytest
from typer.testing import CliRunner

from summarizer import cli
from summarizer._errors import (
    ArticleTooLongError,
    AuthenticationError,
    EndpointError,
    ExtractionError,
    InputError,
    SchemaError,
)
from summarizer._llm import LLMClient
from summarizer._settings import Settings

runner = CliRunner()


def run(*args: str, stdin: bytes | None = None):
    return runner.invoke(cli.app, list(args), input=stdin)


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("summarizer: error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """These inputs must fail before any model is needed."""

    def refuse(settings, **_):
        raise AssertionError("no model call expected")

    monkeypatch.setattr(cli, "connect", refuse)


def test_missing_path(tmp_path) -> None:
    assert_one_line_error(
        run("extract", str(tmp_path / "nope.txt")), InputError.exit_code, "no such file"
    )


def test_directory(tmp_path) -> None:
    assert_one_line_error(run("extract", str(tmp_path)), InputError.exit_code, "is a directory")


@pytest.mark.parametrize("content", [b"", b"   \n\t \n"])
def test_empty_or_blank(tmp_path, content: bytes) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(content)
    assert_one_line_error(run("extract", str(path)), InputError.exit_code, "empty")


def test_binary(tmp_path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_one_line_error(run("extract", str(path)), InputError.exit_code, "binary")


def test_not_utf8(tmp_path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Bogotá: una bomba explotó".encode("latin-1"))
    assert_one_line_error(run("extract", str(path)), InputError.exit_code, "not UTF-8", "offset 5")


def test_too_long_names_the_limit(tmp_path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("A bomb exploded. " * 100)
    assert_one_line_error(
        run("extract", str(path), "--max-chars", "1000"),
        ArticleTooLongError.exit_code,
        "1,700 characters",
        "1,000",
    )


def test_empty_stdin() -> None:
    assert_one_line_error(run("extract", "-", stdin=b""), InputError.exit_code, "<stdin>")


def test_bad_published_date(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    assert_one_line_error(
        run("extract", str(path), "--published", "30/12/2023"), InputError.exit_code, "YYYY-MM-DD"
    )


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("nosuch", "unknown schema"),
        ("missing_file.py:Model", "not found"),
        ("json:loads", "not a Pydantic model"),
        ("no_such_module_xyz:Model", "cannot import"),
    ],
)
def test_bad_schema(tmp_path, spec: str, fragment: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    assert_one_line_error(
        run("extract", str(path), "--schema", spec), SchemaError.exit_code, fragment
    )


def test_debug_shows_the_traceback(tmp_path) -> None:
    result = run("extract", str(tmp_path / "nope.txt"), "--debug")
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)


# --- Endpoint failures, through a mock transport under the real client ------------------


def _client_answering(status: int | None) -> LLMClient:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if status is None:
            raise httpx2.ConnectError("connection refused")
        if status == 200:
            return httpx2.Response(200, json={
                "id": "x", "object": "chat.completion", "created": 0, "model": "m",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "not json"}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })  # fmt: skip
        return httpx2.Response(status, json={"error": {"message": "nope"}})

    settings = Settings(
        base_url="http://model.test/v1", model="m", transport_retries=1, max_backoff=0, reasks=1
    )
    return LLMClient(
        base_url=settings.base_url,
        model="m",
        api_key="k",
        settings=settings,
        transport=httpx2.MockTransport(answer),
    )


@pytest.mark.parametrize(
    ("status", "error", "fragment"),
    [
        (None, EndpointError, "cannot reach"),
        (401, AuthenticationError, "refused the API key"),
        (503, EndpointError, "HTTP 503"),
        (200, ExtractionError, "did not validate"),
    ],
)
def test_endpoint_failures(monkeypatch, tmp_path, status, error, fragment) -> None:
    monkeypatch.setattr(cli, "connect", lambda settings, **_: _client_answering(status))
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded in Lima on Monday, killing three people.")
    assert_one_line_error(
        run("extract", str(path), "--base-url", "http://model.test/v1"), error.exit_code, fragment
    )


def test_one_bad_article_does_not_lose_the_others(monkeypatch, tmp_path) -> None:
    """Several paths: the bad one is reported, the good ones still come out."""
    from summarizer._llm import Usage
    from summarizer._pipeline import Document

    def fake_run(article, **kwargs):
        return Document(
            source=article.source,
            article_id=article.digest,
            schema="incident",
            model="m",
            prompt_version="p@1",
            published=None,
            records=[],
            usage=Usage(),
            seconds=0.0,
        )

    monkeypatch.setattr(cli, "connect", lambda settings, **_: object())
    monkeypatch.setattr(cli, "run", fake_run)
    good = tmp_path / "good.txt"
    good.write_text("A bomb exploded.")
    result = run("extract", str(tmp_path / "missing.txt"), str(good))
    assert result.exit_code == InputError.exit_code
    assert "missing.txt: no such file" in result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    assert '"source": "' + str(good) + '"' in result.stdout


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"SUMMARIZER_THREADS": "many"}, "SUMMARIZER_THREADS must be a number"),
        ({"SUMMARIZER_STRATEGY": "clever"}, "strategy must be one of staged, single"),
        ({"SUMMARIZER_MAX_ARTICLE_CHARS": "0"}, "max_article_chars must be a positive"),
        ({"SUMMARIZER_CHUNK_CHARS": "0"}, "chunk_chars must be a positive"),
        ({"SUMMARIZER_REQUIRE_GROUNDING": "maybe"}, "must be 1/0, true/false, not 'maybe'"),
    ],
)
def test_invalid_settings(monkeypatch, tmp_path, env, fragment) -> None:
    from summarizer._errors import SetupError

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    assert_one_line_error(run("extract", str(path)), SetupError.exit_code, fragment)
