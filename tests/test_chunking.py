"""Long articles in overlapping windows of whole sentences, offsets into the full text."""

from __future__ import annotations

import itertools

import pytest

from summarizer._text.chunking import split

from .conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


def long_article(chars: int = 30_000) -> str:
    """Numbered copies of the seed's paragraphs, so no two sentences are alike."""
    paragraphs = [p for p in SEED_TEXT.split("\n\n") if p.strip()]
    parts, size, n = [], 0, 0
    while size < chars:
        text = f"Report {n}: {paragraphs[n % len(paragraphs)]}"
        parts.append(text)
        size += len(text) + 2
        n += 1
    return "\n\n".join(parts)


def test_a_short_article_is_one_chunk() -> None:
    [chunk] = split(SEED_TEXT, 6_000, 600)
    assert (chunk.text, chunk.start) == (SEED_TEXT, 0)


def test_a_30000_character_article_is_cut_on_sentences_with_overlap() -> None:
    text = long_article()
    assert len(text) >= 30_000
    chunks = split(text, 6_000, 600)
    assert len(chunks) >= 5
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text  # offsets map back exactly
        assert len(chunk.text) <= 6_000
    for one, two in itertools.pairwise(chunks):
        assert two.start < one.end  # they overlap...
        assert one.end - two.start <= 600  # ...by at most `overlap` here
        assert two.start > one.start
        # ...and the next starts where a sentence starts: after end punctuation or a line
        assert text[two.start - 2 : two.start].rstrip(" ")[-1:] in {".", "\n", "!", "?", ""}


def test_non_ascii_offsets_are_string_indices() -> None:
    text = ("Обстрел Белгорода 🚀 убил 14 человек. " * 400).strip()
    chunks = split(text, 2_000, 200)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].end == len(text)


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces() -> None:
    text = "word " * 3_000
    chunks = split(text, 1_000, 100)
    assert all(len(c.text) <= 1_000 and text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].end == len(text)


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (100, 100), (100, -1)])
def test_impossible_sizes_are_refused(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="overlap"):
        split("text", size, overlap)
