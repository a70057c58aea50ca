"""Ground a quote written by the model in the article it was taken from.

The model copies quotes imperfectly: it straightens curly quotes, writes ``...`` for ``…``,
changes case, collapses line breaks, or drops a word.  `align` finds where a quote sits in
the original article and returns character offsets that index the *original* string (Python
``str`` indices, i.e. code points), together with how the match was found:

``exact``
    ``quote`` (stripped of surrounding whitespace) occurs verbatim: ``text[start:end] == quote``
    (an occurrence that would split a letter from its combining marks does not count).
``normalised``
    the quote occurs once both strings are put through `normalise`;
    ``normalise(text[start:end]) == normalise(quote)`` holds, except that quotation marks
    wrapped around the whole quote are dropped when the article does not have them there
    (``"attack..."`` matches ``attack...In total``; the span then excludes the marks).
``fuzzy``
    the best approximate match of the normalised quote in the normalised article scores at least
    ``threshold`` (see `FUZZY_THRESHOLD`); the span is widened to whole words.
``none``
    no acceptable match; ``start`` and ``end`` are ``None``.

Normalisation is done per *cluster* (a character plus any combining marks that follow it) and
keeps, for every normalised character, the original cluster it came from.  A normalised match
is only accepted when it starts and ends on cluster boundaries, so a match can never cut a
ligature (``ﬁ`` -> ``fi``), a ``ß`` (casefolded to ``ss``) or a base letter from its accent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

__all__ = [
    "FUZZY_THRESHOLD",
    "Alignment",
    "Span",
    "align",
    "headline",
    "normalise",
    "opening",
    "opening_at",
    "paragraph",
]

Alignment = Literal["exact", "normalised", "fuzzy", "none"]

FUZZY_THRESHOLD: float = 0.85
"""Minimum ``fuzz.partial_ratio`` score (as a fraction) to accept a fuzzy match.

``partial_ratio`` is an Indel similarity between the quote and the best article window of the
same length: 0.85 tolerates roughly one changed character in seven, e.g. a word or two changed
or dropped in a sentence-long quote, which is the usual way the model misquotes.  Below about
0.8, unrelated clauses of news prose that share function words ("the", "of the", "people") start
to pass; for quotes of under ~7 characters 0.85 in effect demands an exact normalised match,
which is what we want for short strings that could match anywhere.
"""

MIN_FUZZY_LENGTH = 4
"""Quotes shorter than this (after normalisation) are never matched fuzzily."""

_CHAR_MAP: dict[str, str] = {
    # single quotes and apostrophes
    "\u2018": "'",  # LEFT SINGLE QUOTATION MARK
    "\u2019": "'",  # RIGHT SINGLE QUOTATION MARK
    "\u201a": "'",  # SINGLE LOW-9 QUOTATION MARK
    "\u201b": "'",  # SINGLE HIGH-REVERSED-9 QUOTATION MARK
    "\u2032": "'",  # PRIME
    "\u02bc": "'",  # MODIFIER LETTER APOSTROPHE
    "\u2039": "'",  # SINGLE LEFT-POINTING ANGLE QUOTATION MARK
    "\u203a": "'",  # SINGLE RIGHT-POINTING ANGLE QUOTATION MARK
    # double quotes
    "\u201c": '"',  # LEFT DOUBLE QUOTATION MARK
    "\u201d": '"',  # RIGHT DOUBLE QUOTATION MARK
    "\u201e": '"',  # DOUBLE LOW-9 QUOTATION MARK
    "\u201f": '"',  # DOUBLE HIGH-REVERSED-9 QUOTATION MARK
    "\u2033": '"',  # DOUBLE PRIME
    "\u00ab": '"',  # LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
    "\u00bb": '"',  # RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
    # dashes and minus signs
    "\u2010": "-",  # HYPHEN
    "\u2011": "-",  # NON-BREAKING HYPHEN
    "\u2012": "-",  # FIGURE DASH
    "\u2013": "-",  # EN DASH
    "\u2014": "-",  # EM DASH
    "\u2015": "-",  # HORIZONTAL BAR
    "\u2043": "-",  # HYPHEN BULLET
    "\u2212": "-",  # MINUS SIGN
    "\u2e3a": "-",  # TWO-EM DASH
    "\u2e3b": "-",  # THREE-EM DASH
    "\ufe58": "-",  # SMALL EM DASH
    # ellipsis (NFKC already expands it; kept explicit for clarity)
    "\u2026": "...",
    # invisible characters dropped altogether
    "\u00ad": "",  # SOFT HYPHEN
    "\u200b": "",  # ZERO WIDTH SPACE
    "\u2060": "",  # WORD JOINER
    "\ufeff": "",  # ZERO WIDTH NO-BREAK SPACE / BOM
}


@dataclass(frozen=True)
class Span:
    """Where a quote sits in the article.

    ``start``/``end`` index the original article (``text[start:end]``); both are ``None`` when
    ``alignment`` is ``"none"``.
    """

    start: int | None
    end: int | None
    alignment: Alignment


_NONE = Span(None, None, "none")


def _is_extender(ch: str) -> bool:
    """True if ``ch`` attaches to the previous character for normalisation purposes."""
    if unicodedata.combining(ch):
        return True
    # Hangul medial vowels and final consonants compose with a preceding leading consonant.
    return "\u1160" <= ch <= "\u11ff"


def _normalise_map(s: str) -> tuple[str, list[int], list[int]]:
    """Normalise ``s`` and return ``(norm, starts, ends)``.

    ``norm[j]`` came from the original cluster ``s[starts[j]:ends[j]]``.  Whitespace runs
    collapse into one space whose origin covers the whole run.  Leading and trailing
    whitespace is kept (as one space) so that positions stay meaningful; `normalise`
    strips it.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(s)
    i = 0
    while i < n:
        j = i + 1
        while j < n and _is_extender(s[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", s[i:j]).casefold()
        for ch in piece:
            for rep in _CHAR_MAP.get(ch, ch):
                if rep.isspace():
                    if out and out[-1] == " " and ends[-1] == i:
                        ends[-1] = j  # extend the current whitespace run
                        continue
                    if out and out[-1] == " " and starts[-1] == i:
                        continue  # several spaces from one cluster
                    rep = " "
                out.append(rep)
                starts.append(i)
                ends.append(j)
        i = j
    return "".join(out), starts, ends


def normalise(s: str) -> str:
    """Normalise a string for matching.

    Unicode NFKC, casefold, curly/angle quotes to ``'``/``"``, dashes and minus signs to ``-``,
    ``…`` to ``...``, soft hyphens and zero-width spaces removed, runs of whitespace to one
    space, leading and trailing whitespace removed.
    """
    return _normalise_map(s)[0].strip(" ")


def _occurrences(needle: str, haystack: str) -> list[int]:
    """Start positions of every (possibly overlapping) occurrence of ``needle``."""
    found: list[int] = []
    pos = haystack.find(needle)
    while pos != -1:
        found.append(pos)
        pos = haystack.find(needle, pos + 1)
    return found


def _pick(candidates: list[int], near: int | None) -> int:
    """The first candidate, or the one closest to ``near`` (ties go to the earlier one)."""
    if near is None:
        return candidates[0]
    return min(candidates, key=lambda c: (abs(c - near), c))


def _on_boundary(k: int, starts: list[int]) -> bool:
    """True if normalised position ``k`` falls between two original clusters."""
    return k in (0, len(starts)) or starts[k] != starts[k - 1]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def align(
    quote: str,
    text: str,
    *,
    near: int | None = None,
    threshold: float = FUZZY_THRESHOLD,
) -> Span:
    """Find ``quote`` in ``text`` and return its span in the original ``text``.

    Tries, in order: an exact match of the stripped quote; a match after `normalise`
    (first as is, then without quotation marks wrapped around the whole quote); a fuzzy match
    (``rapidfuzz.fuzz.partial_ratio_alignment`` on the normalised strings, accepted when
    ``score / 100 >= threshold`` and the span finally chosen also has
    ``fuzz.ratio >= threshold`` against the quote; never for quotes shorter than
    `MIN_FUZZY_LENGTH` normalised characters).  When an exact or normalised quote occurs
    several times, the occurrence whose start is closest to ``near`` (an offset in ``text``)
    wins, else the first one; the fuzzy step ignores ``near`` and takes the best-scoring
    window.  An empty or all-whitespace quote gives ``Span(None, None, "none")``.
    """
    stripped = quote.strip()
    if not stripped or not text:
        return _NONE

    exact = [
        k
        for k in _occurrences(stripped, text)
        if not _is_extender(text[k])
        and not (k + len(stripped) < len(text) and _is_extender(text[k + len(stripped)]))
    ]
    if exact:
        start = _pick(exact, near)
        return Span(start, start + len(stripped), "exact")

    nquote = normalise(quote)
    if not nquote:
        return _NONE
    ntext, starts, ends = _normalise_map(text)

    span = _normalised(nquote, ntext, starts, ends, near)
    if span is None:
        # The model often wraps a quote in quotation marks the article does not have there.
        unwrapped = nquote.strip("\"' ")
        if unwrapped and unwrapped != nquote:
            nquote = unwrapped
            span = _normalised(nquote, ntext, starts, ends, near)
    if span is not None:
        return span

    if len(nquote) < MIN_FUZZY_LENGTH:
        return _NONE
    return _fuzzy(nquote, text, ntext, starts, ends, threshold)


def _normalised(
    nquote: str,
    ntext: str,
    starts: list[int],
    ends: list[int],
    near: int | None,
) -> Span | None:
    """Match of the normalised quote on cluster boundaries, mapped back; ``None`` if absent."""
    matches = [
        k
        for k in _occurrences(nquote, ntext)
        if _on_boundary(k, starts) and _on_boundary(k + len(nquote), starts)
    ]
    if not matches:
        return None
    # ``near`` is an original offset: compare it with each match's original start.
    by_orig = {starts[k]: k for k in reversed(matches)}
    k = by_orig[_pick(sorted(by_orig), near)]
    return Span(starts[k], ends[k + len(nquote) - 1], "normalised")


def _fuzzy(
    nquote: str,
    text: str,
    ntext: str,
    starts: list[int],
    ends: list[int],
    threshold: float,
) -> Span:
    """Approximate match of the normalised quote, mapped back to original offsets.

    ``partial_ratio_alignment`` scores windows of the quote's own length, so its window can cut
    a word or miss one when the model dropped or added words.  The window's edges are then moved
    to the nearby word boundaries (within a quarter of the quote's length) that give the best
    ``fuzz.ratio`` against the whole quote, and that ratio must pass the threshold as well.
    """
    result = fuzz.partial_ratio_alignment(nquote, ntext, score_cutoff=threshold * 100)
    if result is None or result.score < threshold * 100:
        return _NONE
    # ``dest_*`` always index the second argument (the article), whichever string is longer.
    lo, hi = max(result.dest_start, 0), min(result.dest_end, len(ntext))
    if lo >= hi:
        return _NONE

    slack = max(3, len(nquote) // 4)
    n = len(ntext)

    def cut_ok(p: int) -> bool:
        inside_word = 0 < p < n and _is_word_char(ntext[p - 1]) and _is_word_char(ntext[p])
        return not inside_word and _on_boundary(p, starts)

    los = [
        p
        for p in range(max(0, lo - slack), min(n, lo + slack) + 1)
        if p < n and ntext[p] != " " and cut_ok(p)
    ]
    his = [
        q
        for q in range(max(1, hi - slack), min(n, hi + slack) + 1)
        if ntext[q - 1] != " " and cut_ok(q)
    ]
    best: tuple[float, int, int, int] | None = None
    for p in los:
        for q in his:
            if q <= p:
                continue
            key = (fuzz.ratio(nquote, ntext[p:q]), -abs(p - lo) - abs(q - hi), p, q)
            if best is None or key[:2] > best[:2]:
                best = key
    # A window can score well on its own yet the best whole-word span still differ too much
    # (e.g. a quote longer than the article, which partial_ratio matches against a part).
    if best is None or best[0] < threshold * 100:
        return _NONE
    start, end = starts[best[2]], ends[best[3] - 1]
    return Span(start, end, "fuzzy")


def paragraph(text: str, position: int) -> tuple[int, int]:
    """Start and end of the line of `text` (a paragraph, in news copy) holding `position`."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


# Fewer words make a line of page furniture (a close button, "Share this"), not a headline.
HEADLINE_WORDS = 4
_LINE = re.compile(r"[^\n]+")


def headline(text: str) -> tuple[int, int]:
    """The article's first line of `HEADLINE_WORDS` words or more: its headline (or its
    lede, when it has none)."""
    for match in _LINE.finditer(text):
        if len(match.group().split()) >= HEADLINE_WORDS:
            return match.span()
    return (0, 0)


def opening(text: str) -> tuple[tuple[int, int], ...]:
    """The headline and the lede: the first paragraph after the headline that ends a
    sentence (a caption or a dateline's line may come between). An article whose first
    line ends a sentence has no headline: that line is its lede, and the opening."""
    first = headline(text)
    if _ends_a_sentence(text[slice(*first)]):
        return (first,)
    for match in _LINE.finditer(text, first[1]):
        if len(match.group().split()) >= HEADLINE_WORDS and _ends_a_sentence(match.group()):
            return (first, match.span())
    return (first,)


def opening_at(text: str, position: int) -> tuple[tuple[int, int], ...]:
    """The `opening` when `position` lies in it, else none: a record told in the headline
    or the lede is the article's main incident, and both tell of it ("6 shot at Easter
    party", then "the person who shot six people")."""
    told = opening(text)
    return told if any(first <= position < last for first, last in told) else ()


def _ends_a_sentence(line: str) -> bool:
    return line.rstrip().endswith((".", "!", "?", '"', "\u201d", "\u2019"))
