"""Tests for summarizer._text.grounding: aligning model quotes to article offsets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from summarizer._text.grounding import (
    FUZZY_THRESHOLD,
    Span,
    align,
    headline,
    normalise,
    opening,
)

SEED_PATH = Path(__file__).resolve().parents[1] / "seeds" / "belgorod_strike.txt"
if not SEED_PATH.exists():  # pragma: no cover - fallback to the shared copy
    SEED_PATH = Path("/work/shared/seeds/belgorod_strike.txt")
SEED = SEED_PATH.read_text(encoding="utf-8")

ZELENSKIY_SPAN = (
    "Work is still underway to eliminate the consequences of yesterday\u2019s Russian attack..."
)
ZELENSKIY_MODEL_QUOTE = (
    '"Work is still underway to eliminate the consequences of yesterday\'s Russian attack..."'
)

# (id, quote, text, near, expected alignment, expected text[start:end])
CASES: list[tuple[str, str, str, int | None, str, str | None]] = [
    # --- the seed article -------------------------------------------------------------
    (
        "seed-exact",
        "killed over 12 people on Saturday",
        SEED,
        None,
        "exact",
        "killed over 12 people on Saturday",
    ),
    (
        "seed-curly-apostrophe",
        "Russia's Belgorod killing at least 14",
        SEED,
        None,
        "normalised",
        "Russia\u2019s Belgorod killing at least 14",
    ),
    ("seed-zelenskiy-wrapped", ZELENSKIY_MODEL_QUOTE, SEED, None, "normalised", ZELENSKIY_SPAN),
    (
        "seed-zelenskiy-bare",
        ZELENSKIY_MODEL_QUOTE.strip('"'),
        SEED,
        None,
        "normalised",
        ZELENSKIY_SPAN,
    ),
    (
        "seed-curly-double-quotes",
        '"will not go unpunished"',
        SEED,
        None,
        "normalised",
        "\u201cwill not go unpunished\u201d",
    ),
    ("seed-case", "BELGOROD, RUSSIA", SEED, None, "normalised", "Belgorod, Russia"),
    (
        "seed-fuzzy-word-changed",
        "killing over 35 people and injuring about 160",
        SEED,
        None,
        "fuzzy",
        "killing over 35 people and injuring around 160",
    ),
    (
        "seed-fuzzy-word-dropped",
        "Moscow launched 122 missiles and dozens of drones against Ukraine on Friday",
        SEED,
        None,
        "fuzzy",
        "Moscow had launched 122 missiles and dozens of drones against Ukraine on Friday",
    ),
    ("seed-fuzzy-spelling", "Zelensky wrote on X", SEED, None, "fuzzy", "Zelenskiy, wrote on X"),
    (
        "seed-fuzzy-extra-word",
        "cross-border shelling killed two other people in Russia",
        SEED,
        None,
        "fuzzy",
        "cross-border shelling had killed two other people in Russia",
    ),
    ("seed-none-wrong-number", "killed 14 people", SEED, None, "none", None),
    (
        "seed-none-unrelated",
        "an unrelated sentence about cats and dogs playing",
        SEED,
        None,
        "none",
        None,
    ),
    (
        "seed-none-paraphrase",
        "Poland said an unknown object entered its airspace",
        SEED,
        None,
        "none",
        None,
    ),
    # --- punctuation and whitespace ---------------------------------------------------
    (
        "ellipsis-in-text",
        "attack... In total",
        "the attack\u2026 In total, 5 died",
        None,
        "normalised",
        "attack\u2026 In total",
    ),
    (
        "ellipsis-in-quote",
        "attack\u2026",
        "the attack... In total",
        None,
        "normalised",
        "attack...",
    ),
    (
        "en-dash",
        "cross-border shelling",
        "cross\u2013border shelling",
        None,
        "normalised",
        "cross\u2013border shelling",
    ),
    (
        "em-dash-minus",
        "Kyiv - -5",
        "Kyiv \u2014 \u22125 C",
        None,
        "normalised",
        "Kyiv \u2014 \u22125",
    ),
    (
        "newline-in-text",
        "in Belgorod, Russia",
        "in Belgorod,\n   Russia today",
        None,
        "normalised",
        "in Belgorod,\n   Russia",
    ),
    (
        "spaces-in-quote",
        "in  Belgorod,\tRussia",
        "in Belgorod, Russia today",
        None,
        "normalised",
        "in Belgorod, Russia",
    ),
    (
        "nbsp",
        "at least 14",
        "killing at\u00a0least\u00a014 people",
        None,
        "normalised",
        "at\u00a0least\u00a014",
    ),
    (
        "soft-hyphen",
        "Belgorod region",
        "the Bel\u00adgorod region",
        None,
        "normalised",
        "Bel\u00adgorod region",
    ),
    ("quote-padded", "  Belgorod  ", "in Belgorod today", None, "exact", "Belgorod"),
    # --- non-ASCII ----------------------------------------------------------------------
    (
        "cyrillic-exact",
        "\u0432 \u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0435",
        "\u0423\u0434\u0430\u0440 \u0432 \u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0435 "
        "\u2014 14 \u043f\u043e\u0433\u0438\u0431\u0448\u0438\u0445",
        None,
        "exact",
        "\u0432 \u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0435",
    ),
    (
        "cyrillic-case-dash",
        "\u0411\u0415\u041b\u0413\u041e\u0420\u041e\u0414\u0415 - 14",
        "\u0423\u0434\u0430\u0440 \u0432 \u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0435 "
        "\u2014 14 \u043f\u043e\u0433\u0438\u0431\u0448\u0438\u0445",
        None,
        "normalised",
        "\u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0435 \u2014 14",
    ),
    (
        "emoji-before-exact",
        "Belgorod hit",
        "\U0001f525\U0001f525 Belgorod hit",
        None,
        "exact",
        "Belgorod hit",
    ),
    (
        "emoji-before-normalised",
        "Russia's strike",
        "\U0001f4a5 Russia\u2019s strike",
        None,
        "normalised",
        "Russia\u2019s strike",
    ),
    (
        "emoji-inside-fuzzy",
        "Russia's massive strike on Kyiv",
        "\U0001f4a5\U0001f4a5 Russia\u2019s massive \U0001f4a5 strike on Kyiv today",
        None,
        "fuzzy",
        "Russia\u2019s massive \U0001f4a5 strike on Kyiv",
    ),
    (
        "combining-in-text",
        "Caf\u00e9 Zo\u00eb",
        "at Cafe\u0301 Zoe\u0308, two died",
        None,
        "normalised",
        "Cafe\u0301 Zoe\u0308",
    ),
    (
        "combining-in-quote",
        "Cafe\u0301 Zoe\u0308",
        "at Caf\u00e9 Zo\u00eb, two died",
        None,
        "normalised",
        "Caf\u00e9 Zo\u00eb",
    ),
    ("combining-not-split", "Cafe", "Cafe\u0301 and Cafe", None, "exact", "Cafe"),
    ("ligature", "fire spread", "The \ufb01re spread fast", None, "normalised", "\ufb01re spread"),
    (
        "ligature-not-split",
        "ire spread",
        "The \ufb01re spread fast",
        None,
        "fuzzy",
        "\ufb01re spread",
    ),
    (
        "fullwidth",
        "Total 123 killed",
        "\uff34\uff4f\uff54\uff41\uff4c\u3000\uff11\uff12\uff13 killed here",
        None,
        "normalised",
        "\uff34\uff4f\uff54\uff41\uff4c\u3000\uff11\uff12\uff13 killed",
    ),
    ("sharp-s", "STRASSE", "die Stra\u00dfe brannte", None, "normalised", "Stra\u00dfe"),
    # --- short quotes and empty input ---------------------------------------------------
    ("short-no-fuzzy", "Kyv", "in Kyiv today", None, "none", None),
    ("empty-quote", "", "in Kyiv today", None, "none", None),
    ("blank-quote", " \n\t ", "in Kyiv today", None, "none", None),
    ("empty-text", "Kyiv", "", None, "none", None),
    ("quote-longer-than-text", "Kyiv was attacked overnight", "Kyiv", None, "none", None),
    (
        "fuzzy-typo-whole-text",
        "Kyiv was attacked",
        "Kyiv was attackd",
        None,
        "fuzzy",
        "Kyiv was attackd",
    ),
]


@pytest.mark.parametrize(
    ("quote", "text", "near", "alignment", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_align(
    quote: str, text: str, near: int | None, alignment: str, expected: str | None
) -> None:
    span = align(quote, text, near=near)
    assert span.alignment == alignment
    if expected is None:
        assert span == Span(None, None, "none")
    else:
        assert span.start is not None and span.end is not None
        assert text[span.start : span.end] == expected


@pytest.mark.parametrize(
    ("quote", "text"),
    [pytest.param(c[1], c[2], id=c[0]) for c in CASES if c[4] in ("exact", "normalised")],
)
def test_exact_and_normalised_property(quote: str, text: str) -> None:
    span = align(quote, text)
    assert span.start is not None and span.end is not None
    got = normalise(text[span.start : span.end])
    # Quotation marks wrapped around the whole quote may be dropped (see module docstring).
    assert got in (normalise(quote), normalise(quote).strip("\"' "))
    if span.alignment == "exact":
        assert text[span.start : span.end] == quote.strip()


@pytest.mark.parametrize(
    ("quote", "text"),
    [pytest.param(c[1], c[2], id=c[0]) for c in CASES if c[4] != "none"],
)
def test_span_has_no_edge_whitespace(quote: str, text: str) -> None:
    span = align(quote, text)
    assert span.start is not None and span.end is not None
    assert 0 <= span.start < span.end <= len(text)
    covered = text[span.start : span.end]
    assert covered == covered.strip()


def _occurrences(needle: str, haystack: str) -> list[int]:
    out, pos = [], haystack.find(needle)
    while pos != -1:
        out.append(pos)
        pos = haystack.find(needle, pos + 1)
    return out


@pytest.mark.parametrize("near", [0, 300, 600, 1500, 5000])
def test_near_picks_closest_exact(near: int) -> None:
    starts = _occurrences("Belgorod", SEED)
    assert len(starts) >= 3
    span = align("Belgorod", SEED, near=near)
    assert span.alignment == "exact"
    assert span.start == min(starts, key=lambda s: abs(s - near))


def test_no_near_picks_first() -> None:
    assert align("Belgorod", SEED).start == SEED.find("Belgorod")


def test_near_picks_closest_normalised() -> None:
    starts = sorted(_occurrences("Russia\u2019s", SEED) + _occurrences("Russia's", SEED))
    assert len(starts) >= 3
    first = align("russia's", SEED)
    last = align("russia's", SEED, near=len(SEED))
    assert (first.alignment, last.alignment) == ("normalised", "normalised")
    assert first.start == starts[0]
    assert last.start == starts[-1]
    assert normalise(SEED[last.start : last.end]) == "russia's"


def test_threshold_parameter() -> None:
    assert align("Belgrod", SEED).alignment == "fuzzy"
    assert align("Belgrod", SEED, threshold=0.99).alignment == "none"
    # Short quotes never go fuzzy, whatever the threshold.
    assert align("Kyv", "in Kyiv today", threshold=0.0).alignment == "none"


def test_default_threshold_value() -> None:
    assert 0.8 <= FUZZY_THRESHOLD <= 0.95


def test_span_is_frozen() -> None:
    span = align("Belgorod", SEED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hello\n\tWORLD  ", "hello world"),
        ("Russia\u2019s \u201cstrike\u201d", 'russia\'s "strike"'),
        ("\u201eLow\u201c \u201aquote\u2018", "\"low\" 'quote'"),
        ("a\u2013b\u2014c\u2012d\u2212e", "a-b-c-d-e"),
        ("wait\u2026", "wait..."),
        ("\ufb01re", "fire"),
        ("\uff11\uff12\uff13", "123"),
        ("Cafe\u0301", "caf\u00e9"),
        ("Stra\u00dfe", "strasse"),
        ("Bel\u00adgo\u200brod", "belgorod"),
        (
            "\u0411\u0415\u041b\u0413\u041e\u0420\u041e\u0414",
            "\u0431\u0435\u043b\u0433\u043e\u0440\u043e\u0434",
        ),
        ("\U0001f525 Fire", "\U0001f525 fire"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalised_length_differs_but_offsets_are_original() -> None:
    text = "\ufb01\ufb01 \uff11\uff12 \u2026 Belgorod\u2019s \U0001f525 strike"
    assert len(normalise(text)) != len(text)
    span = align("belgorod's \U0001f525 strike", text)
    assert span.alignment == "normalised"
    assert text[span.start : span.end] == "Belgorod\u2019s \U0001f525 strike"
    assert span.start == text.index("Belgorod")


MIXED = (
    SEED[:600] + "\n\u0423\u0434\u0430\u0440 \u043f\u043e "
    "\u0411\u0435\u043b\u0433\u043e\u0440\u043e\u0434\u0443"
    " \U0001f525\U0001f4a5 \u2014 the \ufb01re at Cafe\u0301 Zoe\u0308\u2026 Stra\u00dfe"
    " \uff11\uff12\uff13\u00a0killed,  \u201cquoted\u201d \u2018words\u2019\t\ttab\n"
)


def _model_like(s: str) -> str:
    """What a model does to a quote: straight quotes, three dots, ASCII dashes, one space."""
    table = str.maketrans(
        {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2026": "..."}
    )
    return " ".join(s.translate(table).split())


def test_normalised_property_on_random_substrings() -> None:
    import random
    import unicodedata

    rng = random.Random(1234)
    checked = 0
    kinds: dict[str, int] = {}
    while checked < 300:
        a, b = sorted(rng.sample(range(len(MIXED) + 1), 2))
        piece = MIXED[a:b]
        if (
            b - a < 2
            or piece != piece.strip()
            or unicodedata.combining(MIXED[a])
            or (b < len(MIXED) and unicodedata.combining(MIXED[b]))
        ):
            continue
        quote = _model_like(piece)
        if checked % 2:
            quote = quote.upper()
        span = align(quote, MIXED)
        assert span.alignment in ("exact", "normalised"), (a, b, quote)
        assert span.start is not None and span.end is not None
        assert normalise(MIXED[span.start : span.end]) == normalise(quote), (a, b, quote)
        kinds[span.alignment] = kinds.get(span.alignment, 0) + 1
        checked += 1
    assert kinds.get("normalised", 0) >= 100  # the test must exercise the normalised path


def test_the_opening_is_the_headline_and_the_first_paragraph_that_ends_a_sentence() -> None:
    text = (
        "Share\n\n6 shot at Easter party in Montgomery\n\nPhoto: the scene of the shooting\n\n"
        "Police are looking for the person who shot six people.\n\nMore later."
    )
    told = [text[first:last] for first, last in opening(text)]
    assert told == [
        "6 shot at Easter party in Montgomery",
        "Police are looking for the person who shot six people.",
    ]
    assert text[slice(*headline(text))] == told[0]
    assert opening("One line headline only") == ((0, 22),)
    # No headline: the first line is a sentence, the lede, and the next is no part of it.
    lede = "Police said two men were shot on Monday.\n\nLast year, three were shot there."
    assert opening(lede) == ((0, 40),)
