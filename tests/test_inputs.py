"""Batch inputs: every format, stable ids, and each bad input as a reason, never a crash."""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest

from summarizer._batch.inputs import ArticleInput, BadInput, Reader, count_inputs
from summarizer._errors import SetupError
from summarizer._text.article import Article

TEXT = "A car bomb exploded in Lima on Monday, killing three people."
reader = Reader(max_chars=1000)


def read(*paths: Path | str) -> list:
    return list(reader.read([str(p) for p in paths]))


def reason(item) -> str:
    assert isinstance(item, BadInput), item
    return str(item.error)


def test_a_text_file_gets_its_content_hash_as_id(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())  # no suffix, with a BOM
    first, second = read(tmp_path / "a.txt", tmp_path / "b")
    assert first.id == Article(TEXT, "x").digest == second.id
    assert first.source == str(tmp_path / "a.txt") and first.article.text == TEXT


def test_json_records_carry_id_date_url_and_title(tmp_path) -> None:
    record = {"id": 42, "text": TEXT, "published": "2024-03-04", "url": "https://n.example/1",
              "title": "Bomb in Lima"}  # fmt: skip
    (tmp_path / "one.json").write_text(json.dumps(record))
    (tmp_path / "many.json").write_text(json.dumps([record, {"text": TEXT + " Again."}]))
    one, first, second = read(tmp_path / "one.json", tmp_path / "many.json")
    assert one == ArticleInput(
        "42", Article(TEXT, str(tmp_path / "one.json")), date(2024, 3, 4),
        "https://n.example/1", "Bomb in Lima",
    )  # fmt: skip
    assert first.source.endswith("many.json[0]") and second.source.endswith("many.json[1]")
    assert second.id == second.article.digest and second.published is None


def test_the_default_date_is_for_articles_without_one(tmp_path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": TEXT, "published": "2024-03-04"}) + "\n" + json.dumps({"text": TEXT})
    )
    dated = Reader(1000, published=date(2020, 1, 1)).read([str(tmp_path / "a.jsonl")])
    assert [item.published for item in dated] == [date(2024, 3, 4), date(2020, 1, 1)]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"id": "x"}', "has no text"),
        (b'{"text": ["a"]}', "text must be a string"),
        (b'{"text": "a", "id": [1]}', "id must be a string or a number"),
        (b'{"text": "a", "published": "4 March"}', "YYYY-MM-DD"),
        (b'{"text": "a", "published": ["2024-03-04"]}', "YYYY-MM-DD"),
        (b'{"text": "   "}', "empty"),
        ('{"text": "Bogotá"}'.encode("latin-1"), "not UTF-8"),
        (json.dumps({"text": "x" * 1001}).encode(), "1,001 characters"),
    ],
)
def test_each_bad_jsonl_line_is_one_bad_input(tmp_path, line: bytes, fragment: str) -> None:
    good = json.dumps({"text": TEXT}).encode()
    (tmp_path / "a.jsonl").write_bytes(good + b"\n\n" + line + b"\n" + good + b"\n")
    items = read(tmp_path / "a.jsonl")
    assert [type(i) for i in items] == [ArticleInput, BadInput, ArticleInput]
    assert reason(items[1]).startswith(f"{tmp_path / 'a.jsonl'}:3: ")
    assert fragment in reason(items[1])


def test_a_bad_input_keeps_its_given_id(tmp_path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "k7", "text": ""}))
    assert read(tmp_path / "a.jsonl")[0].id == "k7"


def test_html_gives_the_main_text_and_the_page_metadata(tmp_path) -> None:
    (tmp_path / "page.html").write_text(
        '<html><head><title>Bomb in Lima</title><link rel="canonical" href="https://n.example/2">'
        '<meta property="article:published_time" content="2024-03-05T08:00:00Z"></head>'
        f"<body><nav>Home | World | Sport</nav><article><p>{TEXT}</p>"
        "<p>The police said the blast damaged a market.</p></article>"
        "<footer>Copyright</footer></body></html>"
    )
    (item,) = read(tmp_path / "page.html")
    assert TEXT in item.article.text and "Copyright" not in item.article.text
    assert (item.title, item.url, item.published) == (
        "Bomb in Lima", "https://n.example/2", date(2024, 3, 5)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.html", b"", "empty"),
        ("binary.htm", b"\x00\x01\x02", "binary"),
        ("empty.txt", b"  \n", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("latin1.md", "Bogotá".encode("latin-1"), "not UTF-8"),
        ("broken.json", b'{"text": ', "not valid JSON"),
        ("photo.png", b"\x89PNG", "unsupported file type '.png'"),
    ],
)
def test_bad_files(tmp_path, name: str, content: bytes, fragment: str) -> None:
    (tmp_path / name).write_bytes(content)
    (item,) = read(tmp_path / name)
    assert reason(item).startswith(f"{tmp_path / name}: ") and fragment in reason(item)


def test_missing_paths_are_bad_inputs(tmp_path) -> None:
    (item,) = read(tmp_path / "nope.txt")
    assert "no such file" in reason(item)


def test_folders_are_walked_in_order_without_hidden_files(tmp_path) -> None:
    for path in ["b.txt", "a.txt", "sub/c.txt", ".hidden.txt", ".git/d.txt"]:
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(f"{TEXT} {path}")
    sources = [Path(item.source).relative_to(tmp_path).as_posix() for item in read(tmp_path)]
    assert sources == ["a.txt", "b.txt", "sub/c.txt"]


def test_stdin_is_jsonl(monkeypatch) -> None:
    lines = json.dumps({"id": "s", "text": TEXT}) + "\n{bad\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    good, bad = reader.read(["-"])
    assert (good.id, good.source) == ("s", "<stdin>:1")
    assert reason(bad).startswith("<stdin>:2: not valid JSON")


def test_python_objects() -> None:
    text, record = reader.objects([TEXT, {"id": "r", "text": TEXT, "title": " "}])
    assert (text.id, text.source) == (Article(TEXT, "").digest, "<articles>:1")
    assert (record.id, record.title) == ("r", None)


def test_count_inputs(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.jsonl").write_text('{"text": "a"}\n\n{"text": "b"}\n')
    (tmp_path / "c.json").write_text('[{"text": "a"}, {"text": "b"}, {"text": "c"}]')
    (tmp_path / "d.json").write_text("{broken")
    assert count_inputs([str(tmp_path)]) == 1 + 2 + 3 + 1
    assert count_inputs([str(tmp_path), "-"]) is None


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (
            ImportError("lxml.html.clean module is now a separate project lxml_html_clean"),
            "module 'lxml.html.clean', which is not installed; run: pip install lxml_html_clean",
        ),
        (
            ModuleNotFoundError("No module named 'justext.core'", name="justext.core"),
            "module 'justext.core', which is not installed; run: pip install justext",
        ),
        (
            ImportError("cannot import name 'x' from partially initialized module"),
            "a module that does not import (cannot import name 'x'",
        ),
    ],
)
def test_a_failed_import_in_html_reading_says_what_to_install(
    monkeypatch, tmp_path, error: ImportError, fragment: str
) -> None:
    import trafilatura

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(trafilatura, "bare_extraction", failing)
    (tmp_path / "page.html").write_text("<html><body><p>A bomb exploded.</p></body></html>")
    (item,) = read(tmp_path / "page.html")
    assert isinstance(item.error, SetupError) and fragment in str(item.error)


def test_a_pipe_in_a_folder_is_refused_not_waited_on(tmp_path) -> None:
    os.mkfifo(tmp_path / "feed.txt")
    (tmp_path / "real.txt").write_text(TEXT)
    pipe, real = read(tmp_path)
    assert isinstance(pipe, BadInput) and "not a regular file" in reason(pipe)
    assert isinstance(real, ArticleInput)


def test_json_nested_too_deeply_is_one_bad_line_not_a_crash(tmp_path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "feed.jsonl").write_text(deep + "\n" + json.dumps({"text": TEXT}) + "\n")
    (tmp_path / "one.json").write_text(deep)
    assert count_inputs([str(tmp_path)]) == 3
    bad_line, good, bad_file = read(tmp_path)
    assert "nested too deeply" in reason(bad_line) and "nested too deeply" in reason(bad_file)
    assert isinstance(good, ArticleInput)
