"""Property tests of the readers: whatever a user or an article hands them, they answer
with a value or one of summarizer's own errors, never another exception."""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer._batch.inputs import ArticleInput, BadInput, Reader
from summarizer._errors import InputError, SummarizerError
from summarizer._text.article import decode
from summarizer._text.counts import casualty_kinds, parse_count
from summarizer._text.dates import find_dateline, parse_published, resolve_date
from summarizer._text.jsonl import BadLine, read_objects

SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl", "", ".pdf"]
# Bytes that look like what users feed: JSON-ish, HTML-ish, text, and noise.
FED_BYTES = st.one_of(
    st.binary(max_size=2_000),
    st.text(max_size=2_000).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ).map(lambda value: repr(value).replace("'", '"').encode()),
    st.text(max_size=300).map(lambda t: f"<html><body><p>{t}</p></body></html>".encode()),
)
QUICK = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@QUICK
@given(data=FED_BYTES, suffix=st.sampled_from(SUFFIXES))
def test_any_file_is_read_as_articles_or_bad_inputs(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        items = list(Reader(max_chars=5_000).read([str(path)]))
    assert all(isinstance(item, ArticleInput | BadInput) for item in items)
    assert all(
        isinstance(item.error, SummarizerError) for item in items if isinstance(item, BadInput)
    )


@QUICK
@given(data=FED_BYTES)
def test_any_jsonl_file_gives_objects_bad_lines_or_an_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gold.jsonl"
        path.write_bytes(data)
        try:
            items = list(read_objects(path, ("id",)))
        except InputError:
            return
    assert all(isinstance(item, dict | BadLine) for item in items)


@QUICK
@given(data=st.binary(max_size=500))
def test_any_bytes_decode_or_are_refused(data: bytes) -> None:
    with contextlib.suppress(InputError):
        assert isinstance(decode(data, "x"), str)


@QUICK
@given(text=st.text(max_size=80), published=st.none() | st.dates())
def test_any_date_phrase_resolves_or_stays_unknown(text: str, published) -> None:
    resolved = resolve_date(text, published)
    assert resolved.precision == "unknown" or resolved.start is not None


@QUICK
@given(text=st.text(max_size=400))
def test_any_article_start_gives_a_dateline_or_none(text: str) -> None:
    found = find_dateline(text)
    assert found is None or isinstance(found, datetime.date)


@QUICK
@given(phrase=st.text(max_size=80))
def test_any_phrase_gives_a_count_or_none(phrase: str) -> None:
    count = parse_count(phrase)
    assert count is None or count.best is None or count.best >= 0
    assert casualty_kinds(phrase) <= {"killed", "injured"}


@QUICK
@given(value=st.text(max_size=20) | st.dates().map(datetime.date.isoformat))
def test_any_publication_date_parses_or_is_an_input_error(value: str) -> None:
    with contextlib.suppress(InputError):
        assert isinstance(parse_published(value), datetime.date)
