"""Long articles in pieces: overlapping windows of whole sentences, each with its offset.

An article longer than ``chunk_chars`` is cut into windows of at most that many
characters that start and end on sentence boundaries (pysbd, rule-based, English
rules), and each window repeats the last ``overlap`` characters' worth of sentences of
the one before (at least its last sentence), so an incident told across a boundary is
whole in at least one window.
A sentence longer than a window is cut at whitespace. Each chunk knows where it starts
in the article, so spans found in it map back to the full text; the pipeline grounds
every value against the full article anyway, and the schema's ``combine`` merges an
incident found in two overlapping windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pysbd


@dataclass(frozen=True)
class Chunk:
    """A window of the article: ``article[start:start + len(text)] == text``."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, covering the whole text without gaps."""
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    bounds: list[tuple[int, int]] = []
    position = 0
    for span in segmenter.segment(text):
        # pysbd's offsets are found by searching; take each sentence where it truly is,
        # at or after the previous one, so repeated sentences cannot reorder spans.
        start = text.find(span.sent, position)
        if start == -1:
            continue
        end = start + len(span.sent)
        bounds.append((position, end))  # the gap before a sentence belongs to it
        position = end
    if position < len(text):
        bounds.append((position, len(text)))
    return bounds


def _pieces(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """`start:end` cut at whitespace into pieces of at most `size` characters."""
    pieces = []
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        cut = cut if cut > start else start + size
        pieces.append((start, cut))
        start = cut
    return [*pieces, (start, end)]


def split(text: str, size: int, overlap: int) -> list[Chunk]:
    """`text` as overlapping chunks of at most `size` characters (one chunk if it fits)."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError(f"need 0 <= overlap < size, got size={size}, overlap={overlap}")
    if len(text) <= size:
        return [Chunk(text, 0)]
    units = [p for s, e in _sentences(text) for p in _pieces(text, s, e, size)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= size:
            last += 1
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(text[start:end], start))
        if last == len(units) - 1:
            break
        # The next window starts at the first sentence within `overlap` of this end (or,
        # when the last sentence is longer than that, at the last sentence), but always
        # after this window's first, so the loop moves on.
        first = next(
            (i for i in range(first + 1, last + 1) if end - units[i][0] <= overlap),
            max(last, first + 1),
        )
    return chunks
