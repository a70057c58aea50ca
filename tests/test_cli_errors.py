"""Bad input and bad endpoints: one line on stderr, a distinct exit code, no traceback."""

from __future__ import annotations

import json
import sys

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
    SetupError,
)
from summarizer._llm.client import LLMClient
from summarizer._settings import Settings
from summarizer.cli import extract as extract_command

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

    monkeypatch.setattr(extract_command, "connect", refuse)


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


@pytest.mark.parametrize(
    ("published", "fragment"),
    [
        ("30/12/2023", "YYYY-MM-DD"),
        ("0001-01-01", "not between the years 1600 and 2999"),
        ("9999-12-31", "not between the years 1600 and 2999"),
    ],
)
def test_bad_published_date(tmp_path, published: str, fragment: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    assert_one_line_error(
        run("extract", str(path), "--published", published), InputError.exit_code, fragment
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


USER_MODULES = {
    "json.py": "from pydantic import BaseModel\n\nclass Event(BaseModel):\n    place: str\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "odd.py": (
        "from pydantic import BaseModel, ConfigDict\n\nclass Thing:\n    pass\n\n"
        "class Odd(BaseModel):\n    model_config = ConfigDict(arbitrary_types_allowed=True)\n"
        "    thing: Thing\n"
    ),
}


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("exits.py:Event", "schema module {folder}/exits.py exited while imported (3)"),
        ("odd.py:Odd", "Odd cannot be described as JSON Schema"),
        ("pydantic:BaseModel", "BaseModel has no fields to fill"),
    ],
)
def test_a_schema_the_model_cannot_fill_is_one_line(tmp_path, spec, fragment) -> None:
    for name, source in USER_MODULES.items():
        (tmp_path / name).write_text(source)
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    spec = spec if spec.startswith("pydantic") else f"{tmp_path}/{spec}"
    assert_one_line_error(
        run("extract", str(path), "--schema", spec),
        SchemaError.exit_code, fragment.format(folder=tmp_path),
    )  # fmt: skip


def test_a_schema_file_named_like_a_standard_module_does_not_replace_it(tmp_path) -> None:
    import json as standard_json

    from summarizer.schemas._registry import resolve_schema

    (tmp_path / "json.py").write_text(USER_MODULES["json.py"])
    schema = resolve_schema(f"{tmp_path}/json.py:Event")
    assert schema.name == "Event"
    assert sys.modules["json"] is standard_json


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
    monkeypatch.setattr(extract_command, "connect", lambda settings, **_: _client_answering(status))
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded in Lima on Monday, killing three people.")
    assert_one_line_error(
        run("extract", str(path), "--base-url", "http://model.test/v1"), error.exit_code, fragment
    )


def _document_of(article, *args, **kwargs):
    """What `extract` would return, without a model: the article and no records."""
    from summarizer._extract.pipeline import Document
    from summarizer._llm.client import Usage

    return Document(
        source=article.source,
        article_id=article.digest,
        schema="incident",
        model="m",
        prompt_version="p@1",
        published=kwargs["published"],
        records=[],
        usage=Usage(),
        seconds=0.0,
        warnings=[article.text],  # shows the test which text the model would have read
    )


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_command, "connect", lambda settings, **_: object())
    monkeypatch.setattr(extract_command, "extract", _document_of)


def test_one_bad_article_does_not_lose_the_others(fake_run, tmp_path) -> None:
    """Several paths: the bad one is reported, the good ones still come out."""
    good = tmp_path / "good.txt"
    good.write_text("A bomb exploded.")
    result = run("extract", str(tmp_path / "missing.txt"), str(good))
    assert result.exit_code == InputError.exit_code
    assert "missing.txt: no such file" in result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    assert '"source": "' + str(good) + '"' in result.stdout


def test_extract_reads_a_web_page_as_batch_does(fake_run, tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Bomb in Lima</title></head><body><nav>Home | World</nav>"
        "<article><p>A bomb exploded outside the police station in Lima on Monday, "
        "killing three officers, the police said.</p></article></body></html>"
    )
    document = json.loads(run("extract", str(page)).stdout)
    (text,) = document["warnings"]
    assert "A bomb exploded outside the police station in Lima" in text
    assert "<p>" not in text and "Home | World" not in text


def test_extract_reads_jsonl_one_article_a_line_with_its_date(fake_run, tmp_path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "a1", "text": "A bomb exploded.", "published": "2024-03-05"}) + "\n"
        + json.dumps({"id": "a2", "text": "Shots were fired."}) + "\n"
    )  # fmt: skip
    result = run("extract", str(feed), "--published", "2024-01-01")
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["warnings"], d["published"]) for d in documents] == [
        (["A bomb exploded."], "2024-03-05"), (["Shots were fired."], "2024-01-01")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("failure", "error", "fragments"),
    [
        # lxml 6 without lxml_html_clean: a set-up error naming the package, not exit 1.
        (ImportError("lxml.html.clean module is now a separate project lxml_html_clean"),
         SetupError, ("page.html: reading HTML needs", "pip install lxml_html_clean")),
        (AssertionError("an unexpected failure deep in a parser"),
         InputError, ("page.html: cannot read the page (AssertionError: an unexpected",)),
    ],
)  # fmt: skip
def test_a_failure_inside_the_html_reader_is_one_line(
    monkeypatch, tmp_path, failure: Exception, error: type, fragments: tuple[str, ...]
) -> None:
    import trafilatura

    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(trafilatura, "bare_extraction", failing)
    (tmp_path / "page.html").write_text("<html><body><p>A bomb exploded.</p></body></html>")
    assert_one_line_error(run("extract", str(tmp_path / "page.html")), error.exit_code, *fragments)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"SUMMARIZER_THREADS": "many"}, "SUMMARIZER_THREADS must be a number"),
        ({"SUMMARIZER_STRATEGY": "clever"}, "strategy must be one of staged, single"),
        ({"SUMMARIZER_MAX_ARTICLE_CHARS": "0"}, "max_article_chars must be a positive"),
        ({"SUMMARIZER_CHUNK_CHARS": "0"}, "chunk_chars must be a positive"),
        ({"SUMMARIZER_REQUIRE_GROUNDING": "maybe"}, "must be 1/0, true/false, not 'maybe'"),
        ({"SUMMARIZER_CHUNK_CHARS": "1000"}, "chunk_chars must be at least 2,400"),
        ({"SUMMARIZER_TIMEOUT": "-1"}, "timeout must be a positive number of seconds"),
        ({"SUMMARIZER_TEMPERATURE": "nan"}, "temperature must be from 0 to 2, not nan"),
        ({"SUMMARIZER_MAX_BACKOFF": "-1"}, "max_backoff must be 0 or more"),
        ({"SUMMARIZER_TRANSPORT_RETRIES": "-1"}, "transport_retries must be 0 or more"),
        ({"SUMMARIZER_REASKS": "-2"}, "reasks must be 0 or more"),
        ({"SUMMARIZER_BASE_URL": "ftp://x"}, "base URL 'ftp://x' is not an http(s) URL"),
        ({"SUMMARIZER_BASE_URL": "notaurl"}, "base URL 'notaurl' is not an http(s) URL"),
        ({"SUMMARIZER_BASE_URL": "http://"}, "base URL 'http://' is not an http(s) URL"),
        ({"SUMMARIZER_BASE_URL": "ftp://bob:S3CRET@x/v1"}, "'ftp://bob:***@x/v1'"),
    ],
)
def test_invalid_settings(monkeypatch, tmp_path, env, fragment) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded.")
    assert_one_line_error(run("extract", str(path)), SetupError.exit_code, fragment)


def test_a_device_without_end_is_refused_at_the_length_limit() -> None:
    assert_one_line_error(
        run("extract", "/dev/zero", "--max-chars", "1000"),
        ArticleTooLongError.exit_code, "/dev/zero: more than 4,000 bytes",
    )  # fmt: skip


def test_endless_stdin_is_refused_at_the_length_limit() -> None:
    assert_one_line_error(
        run("extract", "-", "--max-chars", "1000", stdin=b"y\n" * 10_000),
        ArticleTooLongError.exit_code, "<stdin>: more than 4,000 bytes",
    )  # fmt: skip


def test_a_nul_byte_anywhere_makes_a_binary_file(tmp_path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(b"A bomb exploded. " * 1000 + b"\x00")
    assert_one_line_error(run("extract", str(path)), InputError.exit_code, "binary")


def test_utf16_text_with_its_byte_order_mark_is_read(fake_run, tmp_path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("A bomb exploded in Bogotá.".encode("utf-16"))
    result = run("extract", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == ["A bomb exploded in Bogotá."]


def _answering(response: httpx2.Response) -> LLMClient:
    settings = Settings(base_url="http://model.test/v1", model="m", transport_retries=0,
                        max_backoff=0, reasks=1)  # fmt: skip
    return LLMClient(base_url=settings.base_url, model="m", api_key="k", settings=settings,
                     transport=httpx2.MockTransport(lambda request: response))  # fmt: skip


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (httpx2.Response(200, json={
            "id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}}),
         "answered no completion (an empty list of choices)"),
        (httpx2.Response(200, text="<html><body>Please log in</body></html>",
                         headers={"content-type": "text/html"}),
         "answered no completion (an HTML page: <html><body>Please log in"),
    ],
    ids=["empty-choices", "login-page"],
)  # fmt: skip
def test_an_endpoint_that_sends_no_completion_is_an_endpoint_error(
    monkeypatch, tmp_path, response, fragment
) -> None:
    monkeypatch.setattr(extract_command, "connect", lambda settings, **_: _answering(response))
    path = tmp_path / "a.txt"
    path.write_text("A bomb exploded in Lima on Monday, killing three people.")
    assert_one_line_error(run("extract", str(path)), EndpointError.exit_code, fragment)
