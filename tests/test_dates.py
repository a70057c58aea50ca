"""Tests for summarizer._text.dates: resolving date expressions and finding datelines."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from summarizer._text.dates import ResolvedDate, find_dateline, resolve_date, the_one_day

D = datetime.date
SEED_PUBLISHED = D(2023, 12, 30)  # a Saturday: the Belgorod seed article
assert SEED_PUBLISHED.weekday() == 5

SEED_PATH = Path(__file__).resolve().parents[1] / "seeds" / "belgorod_strike.txt"
if not SEED_PATH.exists():  # pragma: no cover - fallback to the shared copy
    SEED_PATH = Path("/work/shared/seeds/belgorod_strike.txt")

# (text, published, start, end, precision)
CASES: list[tuple[str, D | None, D | None, D | None, str]] = [
    # --- the seed article, published Saturday 2023-12-30 ---------------------------------
    ("on Saturday", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("Friday", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("in Friday\u2019s strikes", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("Friday's strikes", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("on Friday night", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("yesterday\u2019s Russian attack", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("yesterday", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("last Friday", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("last Saturday", SEED_PUBLISHED, D(2023, 12, 23), D(2023, 12, 23), "day"),
    ("on Monday", SEED_PUBLISHED, D(2023, 12, 25), D(2023, 12, 25), "day"),
    ("between Friday and Saturday", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 30), "day"),
    # --- days relative to publication ----------------------------------------------------
    ("today", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("this morning", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("three hours ago", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("last night", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("overnight", D(2024, 1, 1), D(2023, 12, 31), D(2023, 12, 31), "day"),
    ("two days ago", SEED_PUBLISHED, D(2023, 12, 28), D(2023, 12, 28), "day"),
    ("3 days ago", D(2024, 1, 2), D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("the day before yesterday", D(2024, 3, 1), D(2024, 2, 28), D(2024, 2, 28), "day"),
    ("yesterday", D(2024, 3, 1), D(2024, 2, 29), D(2024, 2, 29), "day"),
    # --- day and month without a year ----------------------------------------------------
    ("December 28", SEED_PUBLISHED, D(2023, 12, 28), D(2023, 12, 28), "day"),
    ("December 28", D(2024, 1, 2), D(2023, 12, 28), D(2023, 12, 28), "day"),
    ("on 28 December", D(2024, 1, 2), D(2023, 12, 28), D(2023, 12, 28), "day"),
    ("Dec. 28th", D(2024, 1, 2), D(2023, 12, 28), D(2023, 12, 28), "day"),
    ("January 1", D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 1), "day"),
    ("on Friday, December 29", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("February 29", D(2023, 3, 1), D(2020, 2, 29), D(2020, 2, 29), "day"),
    ("on the 28th", SEED_PUBLISHED, D(2023, 12, 28), D(2023, 12, 28), "day"),
    # --- weeks -------------------------------------------------------------------------
    ("last week", SEED_PUBLISHED, D(2023, 12, 18), D(2023, 12, 24), "week"),
    ("last week", D(2024, 1, 2), D(2023, 12, 25), D(2023, 12, 31), "week"),
    ("earlier this week", SEED_PUBLISHED, D(2023, 12, 25), D(2023, 12, 29), "week"),
    ("this week", SEED_PUBLISHED, D(2023, 12, 25), D(2023, 12, 30), "week"),
    ("two weeks ago", SEED_PUBLISHED, D(2023, 12, 11), D(2023, 12, 17), "week"),
    # --- months ------------------------------------------------------------------------
    ("last month", SEED_PUBLISHED, D(2023, 11, 1), D(2023, 11, 30), "month"),
    ("last month", D(2024, 1, 2), D(2023, 12, 1), D(2023, 12, 31), "month"),
    ("in December", D(2024, 1, 2), D(2023, 12, 1), D(2023, 12, 31), "month"),
    ("in December", SEED_PUBLISHED, D(2023, 12, 1), D(2023, 12, 30), "month"),
    ("in March", SEED_PUBLISHED, D(2023, 3, 1), D(2023, 3, 31), "month"),
    ("late November", SEED_PUBLISHED, D(2023, 11, 1), D(2023, 11, 30), "month"),
    ("last December", SEED_PUBLISHED, D(2022, 12, 1), D(2022, 12, 31), "month"),
    ("earlier this month", SEED_PUBLISHED, D(2023, 12, 1), D(2023, 12, 30), "month"),
    # --- years -------------------------------------------------------------------------
    ("in 2022", SEED_PUBLISHED, D(2022, 1, 1), D(2022, 12, 31), "year"),
    ("in 2023", SEED_PUBLISHED, D(2023, 1, 1), D(2023, 12, 30), "year"),
    ("last year", D(2024, 1, 2), D(2023, 1, 1), D(2023, 12, 31), "year"),
    ("earlier this year", SEED_PUBLISHED, D(2023, 1, 1), D(2023, 12, 30), "year"),
    # --- explicit dates with a year (published ignored) ---------------------------------
    ("30 December 2023", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("on December 28, 2022", SEED_PUBLISHED, D(2022, 12, 28), D(2022, 12, 28), "day"),
    ("Saturday, Dec. 30, 2023", SEED_PUBLISHED, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("2023-12-29", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("29.12.2023", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("12/29/2023", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("29/12/2023", SEED_PUBLISHED, D(2023, 12, 29), D(2023, 12, 29), "day"),
    ("in December 2022", SEED_PUBLISHED, D(2022, 12, 1), D(2022, 12, 31), "month"),
    # --- no publication date: only dates that carry their own year ----------------------
    ("on Saturday", None, None, None, "unknown"),
    ("Friday", None, None, None, "unknown"),
    ("yesterday\u2019s Russian attack", None, None, None, "unknown"),
    ("December 28", None, None, None, "unknown"),
    ("last week", None, None, None, "unknown"),
    ("in December", None, None, None, "unknown"),
    ("30 December 2023", None, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("2023-12-30", None, D(2023, 12, 30), D(2023, 12, 30), "day"),
    ("December 2023", None, D(2023, 12, 1), D(2023, 12, 31), "month"),
    ("in 2022", None, D(2022, 1, 1), D(2022, 12, 31), "year"),
    # --- vague or not a date: unknown ----------------------------------------------------
    ("recently", SEED_PUBLISHED, None, None, "unknown"),
    ("in recent days", SEED_PUBLISHED, None, None, "unknown"),
    ("several days ago", SEED_PUBLISHED, None, None, "unknown"),
    ("next Friday", SEED_PUBLISHED, None, None, "unknown"),
    ("01/02/2023", SEED_PUBLISHED, None, None, "unknown"),
    ("31 February 2023", None, None, None, "unknown"),
    ("14", SEED_PUBLISHED, None, None, "unknown"),
    ("2000 people", SEED_PUBLISHED, None, None, "unknown"),
    ("it may have been", SEED_PUBLISHED, None, None, "unknown"),
    ("in the strikes", SEED_PUBLISHED, None, None, "unknown"),
    ("", SEED_PUBLISHED, None, None, "unknown"),
]


@pytest.mark.parametrize(
    ("text", "published", "start", "end", "precision"),
    [pytest.param(*c, id=f"{c[0] or 'empty'}@{c[1]}") for c in CASES],
)
def test_resolve_date(
    text: str, published: D | None, start: D | None, end: D | None, precision: str
) -> None:
    got = resolve_date(text, published)
    assert got == ResolvedDate(text, start, end, precision)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "published"),
    [pytest.param(c[0], c[1], id=f"{c[0] or 'empty'}@{c[1]}") for c in CASES if c[1]],
)
def test_never_after_publication(text: str, published: D) -> None:
    got = resolve_date(text, published)
    if got.start is not None and got.end is not None:
        assert got.start <= got.end
        # Explicit dates are taken as written; everything else stays in the past.
        if not any(ch.isdigit() for ch in text) or "ago" in text:
            assert got.end <= published


def test_none_text() -> None:
    assert resolve_date(None, SEED_PUBLISHED) == ResolvedDate(None, None, None, "unknown")


def test_text_kept_verbatim() -> None:
    text = "  in Friday\u2019s STRIKES  "
    assert resolve_date(text, SEED_PUBLISHED).text == text


def test_datetime_published_counts_as_date() -> None:
    got = resolve_date("yesterday", datetime.datetime(2023, 12, 30, 23, 59))
    assert (got.start, got.end, got.precision) == (D(2023, 12, 29), D(2023, 12, 29), "day")


@pytest.mark.parametrize("weekday", range(7))
def test_weekday_is_latest_on_or_before(weekday: int) -> None:
    name = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    got = resolve_date(f"on {name[weekday]}", SEED_PUBLISHED)
    assert got.start is not None and got.start == got.end
    assert got.start.weekday() == weekday
    assert SEED_PUBLISHED - datetime.timedelta(days=6) <= got.start <= SEED_PUBLISHED


def test_result_is_frozen() -> None:
    got = resolve_date("Friday", SEED_PUBLISHED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.precision = "week"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ("KYIV, Dec 30, 2023 (Reuters) - Russia launched", D(2023, 12, 30)),
        ("KYIV, Dec. 30, 2023 (Reuters) -", D(2023, 12, 30)),
        ("December 30, 2023\n\nMissile hits Belgorod", D(2023, 12, 30)),
        ("Saturday 30 December 2023 09.12 GMT\nBelgorod", D(2023, 12, 30)),
        ("Published: 30.12.2023, 10:15\nBelgorod", D(2023, 12, 30)),
        ("2023-12-30T08:15:00Z | Belgorod", D(2023, 12, 30)),
        ("Updated 2023-12-31, first published 2023-12-30", D(2023, 12, 31)),
        ("KYIV, Dec 30 (Reuters) - Russia launched", None),
        ("On Saturday a missile hit Belgorod.", None),
        ("x" * 300 + " December 30, 2023", None),
        ("", None),
        ("Posted 01/02/2023", None),
    ],
)
def test_find_dateline(article: str, expected: D | None) -> None:
    assert find_dateline(article) == expected


def test_seed_has_no_dateline() -> None:
    assert find_dateline(SEED_PATH.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("text", ["yesterday", "last week", "on Monday", "last month",
                                  "next year", "tomorrow", "last year", "3 days ago"])  # fmt: skip
@pytest.mark.parametrize("published", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
def test_a_date_the_calendar_cannot_hold_is_unknown_never_a_crash(text, published) -> None:
    resolved = resolve_date(text, published)
    assert resolved.precision == "unknown" or resolved.start is not None


def test_a_dateline_of_an_implausible_year_is_no_publication_date() -> None:
    assert find_dateline("KYIV, 1 January 0001 - Shelling went on.") is None
    assert find_dateline("KYIV, 1 January 2024 - Shelling went on.") == datetime.date(2024, 1, 1)


TUESDAY = datetime.date(2014, 2, 4)


@pytest.mark.parametrize(
    ("article", "phrase"),
    [
        (
            "Police said he was shot Monday night. On Monday, neighbours heard shots.",
            "Monday night",
        ),
        ("He was shot Monday night and charged on Tuesday.", None),  # two days
        ("Shots were fired last week, police said.", None),  # no day: not a date phrase here
        ("He was shot on Monday in February.", "on Monday"),
        ("No day is named in this article.", None),
    ],
)
def test_the_one_day_is_the_articles_only_day(article: str, phrase: str | None) -> None:
    assert the_one_day(article, TUESDAY) == phrase


def test_without_a_publication_date_a_weekday_gives_no_day() -> None:
    assert the_one_day("He was shot Monday night.", None) is None
