"""Resolve the date expressions of news articles against a publication date.

Articles say "on Saturday", "yesterday" or "last week"; a record needs dates.  The rules here are
deliberately small, explicit and deterministic (no clock, no locale, no time zones):

* The text is always kept as written; ``start``/``end`` are inclusive ``datetime.date`` bounds
  and ``precision`` says how fine they are.  Whatever cannot be resolved gets
  ``start = end = None`` and precision ``"unknown"``: a date is never guessed.
* A date that carries its own year is taken as written, with or without a publication date:
  "30 December 2023", "December 30, 2023", "Dec. 30 2023", "2023-12-30", "30.12.2023" (day
  precision), "December 2023" (month), "in 2022" (year).  Numeric slash dates are day-first
  or month-first only when one part is above 12; "01/02/2023" is ambiguous and not resolved,
  nor is a date that does not exist ("31 February 2023").
* Every other expression needs the publication date ``published`` (``P`` below) and resolves
  to the past, never after ``P``.  Ranges that would run past ``P`` end at ``P``.

Rules (``P`` = publication date; precision in brackets):

- today, tonight, this morning/afternoon/evening, N hours/minutes ago -> P [day]
- yesterday (also "yesterday's", "yesterday morning"), last night, overnight -> P - 1 [day]
- the day before yesterday -> P - 2 [day]; N days ago ("two days ago", "3 days ago") -> P - N
- Friday, on Friday, Friday's, on Friday night -> the latest Friday on or before P (P itself
  when P is a Friday) [day]; last Friday -> the latest Friday strictly before P [day];
  several weekdays ("from Friday to Saturday") -> earliest .. latest of them [day];
  next Friday -> unknown
- December 28, 28 December, Dec. 28th -> that day in P's year, or in the year before when it
  would fall after P [day]
- this week -> Monday of P's week .. P; earlier this week -> Monday .. P - 1 (Monday .. Monday
  when P is a Monday) [week]; last week -> Monday .. Sunday of the week before [week];
  N weeks ago -> Monday .. Sunday of the week holding P - 7N [week]
- this month, earlier this month -> 1st of P's month .. P [month]; last month -> the previous
  calendar month [month]; N months ago -> the calendar month N months back [month]
- in December, December, early/mid/late December -> the latest December that began on or
  before P, clipped at P [month]; last December -> the latest December before P's month
- this year, earlier this year -> 1 January .. P [year]; last year, N years ago -> that
  calendar year [year]

"Last night" and "overnight" resolve to the day *before* publication: the night that ended on
the morning of ``P`` began on ``P - 1``, and the evening of ``P - 1`` is when such attacks are
usually dated.  ``end`` is not extended to ``P``.

Anything else is handed to ``dateparser`` (English, ``RELATIVE_BASE = P``, dates from the past),
e.g. "on the 28th" or "a fortnight ago"; its answer is kept only when it is not after ``P``, and
its period (day/week/month/year) gives the precision and the range.  Vague expressions ("recently",
"in recent days", "several days ago", "earlier", "next Friday", weekends, holidays) stay
unknown.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from summarizer._errors import InputError

__all__ = [
    "PUBLISHED_YEARS", "Precision", "ResolvedDate", "find_date_phrase", "find_dateline",
    "parse_published", "plausible_publication", "resolve_date",
]  # fmt: skip

Precision = Literal["day", "week", "month", "year", "unknown"]

DATELINE_WINDOW = 300
"""`find_dateline` looks at this many leading characters of the article only."""


@dataclass(frozen=True)
class ResolvedDate:
    """A date expression as written and what it resolves to (inclusive bounds)."""

    text: str | None
    start: datetime.date | None
    end: datetime.date | None
    precision: Precision


_MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_FULL_MONTHS = [calendar.month_name[i].lower() for i in range(1, 13)]
_WEEKDAYS: dict[str, int] = {calendar.day_name[i].lower(): i for i in range(7)}
_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_FULL_MON = r"(?P<mon>" + "|".join(_FULL_MONTHS) + r")\b"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_NUM = r"(?P<num>\d{1,2}|" + "|".join(_NUMBERS) + r")"
_WD = r"(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"

# Dates with a day, a month and a year, in any order this module understands.
_FULL_DATE_RES: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?<![\d.])(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
                       r"(?!\d)")),
    ("dmy.", re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"
                        r"(?![\d])")),
    ("slash", re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})(?!\d)")),
    ("d-mon-y", re.compile(r"(?<!\d)" + _DAY + r"(?:\s+of)?[\s-]+" + _MON + r",?[\s-]+" + _YEAR)),
    ("mon-d-y", re.compile(r"\b" + _MON + r"\s*" + _DAY + r"\b,?\s+" + _YEAR)),
]  # fmt: skip
_MONTH_YEAR_RE = re.compile(r"\b" + _MON + r",?\s+" + _YEAR)
# A bare year counts when it is the whole text or follows a preposition ("in 2022"), so that
# "2000 people" is not a year.
_YEAR_RE = re.compile(
    r"^(?P<year>(?:1[89]|20)\d\d)[.,;]?$|"
    r"\b(?:in|during|since|throughout|early|mid|late|of|year|until|by)[\s-]+"
    r"(?P<year2>(?:1[89]|20)\d\d)\b"
)
_DAY_MONTH_RES = [
    re.compile(r"(?<![\d.])" + _DAY + r"(?:\s+of)?[\s-]+" + _MON),
    re.compile(r"\b" + _MON + r"\s*" + _DAY + r"\b"),
]
# A month name alone counts after a preposition ("in December", "late December") or as the
# whole text ("December", "December's"), so that "May" the verb or "march" the noun do not.
_MONTH_ALONE_RE = re.compile(
    r"\b(?P<prep>in|during|since|throughout|early|mid|late|last|this|of)[\s-]+"
    r"(?:(?:early|mid|late)[\s-]+)?"
    + _FULL_MON
    + "|^"
    + _FULL_MON.replace("mon", "mon2")
    + r"(?:'s)?[.,;]?$"
)
_WEEKDAY_RE = re.compile(r"\b(?:(?P<mod>last|next|this coming|coming)\s+)?" + _WD)
_AGO_RE = re.compile(r"\b" + _NUM + r"\s+(?P<unit>day|week|month|year)s?\s+ago\b")

_TODAY_RE = re.compile(
    r"\b(?:today|tonight|this (?:morning|afternoon|evening)|earlier today)\b|"
    r"\b(?:\d+|an?|one|two|three|four|five|six|a few|several|few) (?:hours?|minutes?) ago\b"
)
_YESTERDAY_RE = re.compile(r"\b(?:yesterday|last night|last evening|overnight)\b")
_DAY_BEFORE_YESTERDAY_RE = re.compile(r"\bday before yesterday\b")


def _clean(text: str) -> str:
    """NFKC, casefold, straight apostrophes, single spaces."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    return re.sub(r"\s+", " ", s).strip()


def _day(text: str, day: datetime.date) -> ResolvedDate:
    return ResolvedDate(text, day, day, "day")


def _unknown(text: str | None) -> ResolvedDate:
    return ResolvedDate(text, None, None, "unknown")


def _month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def _week_range(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _ranged(
    text: str,
    start: datetime.date,
    end: datetime.date,
    precision: Precision,
    published: datetime.date | None,
) -> ResolvedDate:
    """A range, clipped so that it does not run past ``published`` when it contains it."""
    if published is not None and start <= published < end:
        end = published
    return ResolvedDate(text, start, end, precision)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _full_dates(cleaned: str) -> list[tuple[int, datetime.date | None]]:
    """Every day-month-year date in ``cleaned`` with its position, in text order.

    A date that does not exist ("31 February 2023") is listed as ``None``.
    """
    found: list[tuple[int, datetime.date | None]] = []
    for kind, pattern in _FULL_DATE_RES:
        for m in pattern.finditer(cleaned):
            year = int(m["year"])
            if kind == "slash":
                a, b = int(m["a"]), int(m["b"])
                if a > 12 >= b:
                    day, month = a, b
                elif b > 12 >= a or a == b:
                    day, month = b, a
                else:
                    continue  # 01/02/2023: day-first or month-first? Do not guess.
            elif kind in ("d-mon-y", "mon-d-y"):
                day, month = int(m["day"]), _MONTHS[m["mon"]]
            else:
                day, month = int(m["day"]), int(m["month"])
            found.append((m.start(), _safe_date(year, month, day)))
    found.sort(key=lambda item: item[0])
    return found


def _explicit(text: str, cleaned: str, published: datetime.date | None) -> ResolvedDate | None:
    """Dates that carry their own year: day, then month, then year precision."""
    full = _full_dates(cleaned)
    if full:
        date = full[0][1]
        # A date that does not exist is a typo: which part is wrong is unknown.
        return _day(text, date) if date is not None else _unknown(text)
    m = _MONTH_YEAR_RE.search(cleaned)
    if m:
        start, end = _month_range(int(m["year"]), _MONTHS[m["mon"]])
        return _ranged(text, start, end, "month", published)
    m = _YEAR_RE.search(cleaned)
    if m:
        year = int(m["year"] or m["year2"])
        return _ranged(
            text, datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year", published
        )
    return None


def _latest_day_month(month: int, day: int, published: datetime.date) -> datetime.date | None:
    """``day`` of ``month`` in ``published``'s year, or an earlier year if it would be later."""
    for year in range(published.year, published.year - 9, -1):
        date = _safe_date(year, month, day)
        if date is not None and date <= published:
            return date
    return None


def _latest_weekday(weekday: int, published: datetime.date, *, strict: bool) -> datetime.date:
    back = (published.weekday() - weekday) % 7
    if strict and back == 0:
        back = 7
    return published - datetime.timedelta(days=back)


def _relative(text: str, s: str, p: datetime.date) -> ResolvedDate | None:
    """Expressions that need the publication date ``p``; ``None`` when none applies."""
    one = datetime.timedelta(days=1)
    if _DAY_BEFORE_YESTERDAY_RE.search(s):
        return _day(text, p - 2 * one)
    if _YESTERDAY_RE.search(s):
        return _day(text, p - one)
    if _TODAY_RE.search(s):
        return _day(text, p)

    m = _AGO_RE.search(s)
    if m:
        n = int(m["num"]) if m["num"].isdigit() else _NUMBERS[m["num"]]
        unit = m["unit"]
        if unit == "day":
            return _day(text, p - n * one)
        if unit == "week":
            start, end = _week_range(p - 7 * n * one)
            return _ranged(text, start, end, "week", p)
        if unit == "month":
            start, end = _month_range(*_shift_month(p.year, p.month, -n))
            return _ranged(text, start, end, "month", p)
        year = p.year - n
        return _ranged(text, datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year", p)

    monday = _week_range(p)[0]
    if re.search(r"\bearlier this week\b", s):
        return ResolvedDate(text, monday, max(monday, p - one), "week")
    if re.search(r"\bthis week\b", s):
        return ResolvedDate(text, monday, p, "week")
    if re.search(r"\b(?:last|previous) week\b", s):
        start, end = _week_range(p - 7 * one)
        return ResolvedDate(text, start, end, "week")
    if re.search(r"\b(?:earlier )?this month\b", s):
        return ResolvedDate(text, p.replace(day=1), p, "month")
    if re.search(r"\b(?:last|previous) month\b", s):
        start, end = _month_range(*_shift_month(p.year, p.month, -1))
        return ResolvedDate(text, start, end, "month")
    if re.search(r"\b(?:earlier )?this year\b", s):
        return ResolvedDate(text, datetime.date(p.year, 1, 1), p, "year")
    if re.search(r"\b(?:last|previous) year\b", s):
        year = p.year - 1
        return ResolvedDate(text, datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")

    for pattern in _DAY_MONTH_RES:
        m = pattern.search(s)
        if m:
            date = _latest_day_month(_MONTHS[m["mon"]], int(m["day"]), p)
            if date is not None:
                return _day(text, date)

    days = [
        _latest_weekday(_WEEKDAYS[m["wd"]], p, strict=m["mod"] == "last")
        for m in _WEEKDAY_RE.finditer(s)
        if m["mod"] in (None, "last")
    ]
    if days:
        return ResolvedDate(text, min(days), max(days), "day")

    m = _MONTH_ALONE_RE.search(s)
    if m:
        month = _FULL_MONTHS.index(m["mon"] or m["mon2"]) + 1
        year = p.year if month <= p.month else p.year - 1
        if m["prep"] == "last" and month == p.month:
            year -= 1
        start, end = _month_range(year, month)
        return _ranged(text, start, end, "month", p)
    return None


def _dateparser(text: str, s: str, p: datetime.date) -> ResolvedDate | None:
    """Last resort: ``dateparser`` in English relative to ``p``; nothing after ``p``."""
    if not re.search(r"[a-z]{2,}", s):
        return None  # a bare number such as "14" is not a date
    from dateparser.date import DateDataParser  # slow import: only when needed

    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime.datetime(p.year, p.month, p.day),
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    data = parser.get_date_data(s)
    if data is None or data.date_obj is None:
        return None
    day = data.date_obj.date()
    if day > p:
        return None
    period = data.period or "day"
    if period == "week":
        return _ranged(text, *_week_range(day), "week", p)
    if period == "month":
        return _ranged(text, *_month_range(day.year, day.month), "month", p)
    if period == "year":
        return _ranged(
            text, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), "year", p
        )
    return _day(text, day)


def resolve_date(text: str | None, published: datetime.date | None) -> ResolvedDate:
    """Resolve a date expression against the publication date (see the module docstring).

    ``text`` is returned unchanged in the result.  Without ``published`` only expressions that
    carry their own year resolve; everything else is ``precision="unknown"`` with no dates.
    A ``datetime.datetime`` given as ``published`` counts as its date.
    """
    if text is None or not text.strip():
        return _unknown(text)
    if isinstance(published, datetime.datetime):
        published = published.date()  # a datetime does not compare with a date
    cleaned = _clean(text)
    explicit = _explicit(text, cleaned, published)
    if explicit is not None:
        return explicit
    if published is None:
        return _unknown(text)
    try:
        resolved = _relative(text, cleaned, published) or _dateparser(text, cleaned, published)
    except (OverflowError, ValueError):  # a day before year 1 or after 9999: none to give
        return _unknown(text)
    return resolved or _unknown(text)


# Years a publication date may have: the first newspapers on, and nothing near the end of
# the calendar (relative dates are computed from it: "next week" of 9999-12-31 is none).
PUBLISHED_YEARS = (1600, 2999)


def find_dateline(article: str) -> datetime.date | None:
    """The publication date from a dateline in the first `DATELINE_WINDOW` characters.

    Only dates written with a day, a month and a year count ("KYIV, Dec 30, 2023 (Reuters) -",
    "December 30, 2023", "30 December 2023", "30.12.2023", "2023-12-30", "2023-12-30T08:15Z");
    the earliest one wins.  A dateline without a year ("KYIV, Dec 30 (Reuters) -") gives
    ``None``: the year is never guessed, not even from the current date.
    """
    found = [
        date
        for _, date in _full_dates(_clean(article[:DATELINE_WINDOW]))
        if date and plausible_publication(date)
    ]
    return found[0] if found else None


def plausible_publication(day: datetime.date) -> bool:
    """True for a day news can have been published on (`PUBLISHED_YEARS`)."""
    return PUBLISHED_YEARS[0] <= day.year <= PUBLISHED_YEARS[1]


_DATE_PHRASE_RE = re.compile(
    r"\b(?:(?:on|last|this)\s+)?(?:"
    + "|".join(name.capitalize() for name in _WEEKDAYS)
    + r")(?:'s)?(?:\s+(?:morning|afternoon|evening|night))?\b"
    + r"|\b(?:yesterday|today|last night|overnight|this morning)\b"
    + r"|\b(?:on\s+)?(?:"
    + "|".join(m.capitalize() for m in _FULL_MONTHS)
    + r")\s+\d{1,2}(?:,\s+\d{4})?\b",
    re.IGNORECASE,
)


def find_date_phrase(sentence: str) -> str | None:
    """The first date expression in `sentence` ("on Friday", "yesterday", "on December 28").

    For when the model left the date empty although its evidence sentence names one:
    finding a phrase in a sentence is a job the program does exactly.
    """
    match = _DATE_PHRASE_RE.search(sentence)
    return match.group(0) if match else None


def the_one_day(article: str, published: datetime.date | None) -> str | None:
    """The article's first date phrase when every date phrase of the article resolves to
    that same day, else None: news about one incident names its day, and at most other
    words for it ("Monday night", "Monday"). Read on the GVA dev set's first 40
    articles, where 20 name one day only: 19 of those days are GVA's."""
    phrases = [match.group(0) for match in _DATE_PHRASE_RE.finditer(article)]
    resolved = [resolve_date(phrase, published) for phrase in phrases]
    days = {r.start for r in resolved if r.precision == "day"}
    if len(days) != 1 or any(r.precision != "day" for r in resolved):
        return None
    return phrases[0]


def parse_published(value: datetime.date | str | None) -> datetime.date | None:
    """A publication date from ``YYYY-MM-DD`` (or a `datetime.date`) in `PUBLISHED_YEARS`;
    InputError otherwise."""
    if value is None:
        return None
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"publication date {value!r} is not YYYY-MM-DD") from None
    if not plausible_publication(day):
        first, last = PUBLISHED_YEARS
        raise InputError(f"publication date {value!s} is not between the years {first} and {last}")
    return day
