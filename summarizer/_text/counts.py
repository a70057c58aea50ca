"""Conservative parsing of casualty phrases into numbers.

``parse_count(phrase)`` reads the first quantity in a short casualty phrase ("at least 14",
"over 12 people", "dozens of drones", "39 of them have been killed so far") and returns a
:class:`ParsedCount` with ``low``/``best``/``high`` (UCDP style) and a ``qualifier``. It is
pure, deterministic and uses the standard library only. It reads one quantity: it never adds
up "three soldiers and two civilians", and it does not know what is being counted (the
caller decides that "32 drones" is not a casualty figure).

Counting rule (the product's rule, after ACLED's conservative coding)
=====================================================================

We never output a number that is not in the text, except the fixed values of vague words
below; the qualifier carries the strictness ("over 12" is ``more_than`` 12, not 13).

==========================================  ===========  =====  =====  =====
phrase                                      qualifier    low    best   high
==========================================  ===========  =====  =====  =====
"14", "fourteen", "a dozen", "a couple of"   exact        N      N      N
"no one", "nobody", "none", "zero",          exact        0      0      0
"not one", "not a single", "no casualties"
(also "no deaths / injuries / victims ...")
"a child", "an officer", "another soldier"   exact        1      1      1
"at least N", "no fewer/less than N",        at_least     N      N      None
"N or more", "N+", "N-plus"
"more than / over / above / in excess of /   more_than    N      N      None
upwards of N"
"about / around / roughly / approximately /  about        None   N      None
nearly / almost / some / an estimated /
close to / circa / ~ N",
"N or so", "N-odd"
"up to / as many as / at most / no more      up_to        None   N      N
than / fewer than / less than / under /
below N",
"N or fewer"
"between N and M", "N to M", "N-M",          range        N      N      M
"N or M", "from N to M"  (only if M > N)
vague word (table below)                     vague        V      V      None
==========================================  ===========  =====  =====  =====

A range's best is its low end (conservative). A qualifier word before a range is dropped
("about 10 to 15" is the range 10..15), and so is one before a vague word ("at least dozens"
is vague 12). "a couple (of)" is read as the number 2 (exact), like "a dozen" is 12.
"no" makes 0 only before a word for casualties or people ("no casualties", "no deaths");
"no immediate reports of casualties" holds no quantity: unknown stays unknown (None), never 0.

Vague words. ACLED codes *tens* as 10, *dozens* as 12 and *hundreds* as 100: the unit of the
plural, below its plain meaning (dozens >= 24). The other values are ours, each the smallest
count the word plausibly denotes in news usage:

======================================================  ======
word                                                    value
======================================================  ======
"tens of"                                               10
"dozens (of)"                                           12
"scores of"                                             20
"hundreds (of)"                                         100
"thousands (of)"                                        1000
"millions (of)"                                         1000000
"tens / hundreds of thousands", "... of millions"       product (10000, 100000, ...)
"a few", "a handful (of)", "multiple", "a number of",   2 (the smallest plural)
"various", "some" (no number after it, see below)
"several"                                               3 ("more than two")
"many", "numerous", "a lot of", "lots of", "countless"  10
"several / a few / a couple (of) dozen|hundred|         multiplier x unit (several
thousand|million"                                       hundred = 300, a few dozen = 24)
"many dozens / hundreds / thousands"                    as the bare plural (100 for
                                                        "many hundreds")
======================================================  ======

"some" is a quantity only before "of" or before a plural word for people ("some people",
"some of them"); "some 20" is ``about`` 20 and "some reports say" holds no quantity.
"an unspecified / undetermined number of" and "how many" hold no quantity (None).

Number forms read: digits ("14", "1,200", "1 200" with a space or no-break space as the
thousands separator, "1.5 million", "2 dozen"), words ("fourteen", "twenty-one", "twenty one",
"a hundred", "one hundred and twenty", "two thousand five hundred", "a dozen", "two dozen",
"half a dozen", "a couple (of)", "a pair of"). "a"/"an"/"another" directly before a singular
word for a person (child, man, woman, soldier, civilian, policeman, ... up to two words such as
"a 12-year-old boy" in between) counts 1, exact.

What is not a count (skipped; the next quantity in the phrase is tried):
- dates (numbers in digits only): a number up to 31 next to a month name ("30 December",
  "Dec. 30", "on 12 and 13 February", "14 May 2023"; but "14 may have died" is a count), or
  right after a weekday ("Friday 29"; but "On Saturday, 30 people ..." is a count); a bare
  four-digit number from 1800 to 2100 is a year ("2023", "since 1980") unless a qualifier
  precedes it ("about 2000") or a word for people/casualties follows it ("2000 people",
  "2000 dead");
- times and measures: "3 pm", "3 p.m.", "15:30", "3 o'clock", "0300 GMT", "at 2215" (but
  "the toll stood at 1200" is a count), any digit string with a leading zero ("0815"), and a
  number before a unit (hours, days, weeks, months, years, km, miles, metres, kg, tonnes, mm,
  percent, %, times, degrees, money); "2 to 3 days" is skipped as a whole;
- ordinals and labels: "14th", "3d", "1980s", "m-16", "AK-47", "no. 4", "#4", "channel 7",
  "route 9", "flight 17"; a number glued to letters or to a currency sign ("$5");
- ages: "12-year-old", "12 years old", "aged 12", and an appositive age between commas
  ("palomino, 25, was injured");
- fractions ("one third", "1 1/2") and decimals without a scale word ("3.5").

The first quantity that is not skipped wins; when several start at the same place the
longest wins ("several hundred" over "several"). None when no quantity remains. A number with
more than 15 digits is not read as a count.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = ["CasualtyKind", "ParsedCount", "Qualifier", "casualty_kinds", "parse_count"]

Qualifier = Literal["exact", "at_least", "more_than", "about", "up_to", "range", "vague"]
CasualtyKind = Literal["killed", "injured"]


@dataclass(frozen=True)
class ParsedCount:
    """A quantity read from a casualty phrase (see the module docstring for the rule)."""

    low: int | None
    best: int | None
    high: int | None
    qualifier: Qualifier
    number_text: str  # the substring of the phrase the number was read from


# --------------------------------------------------------------------------- vocabulary

_UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = [*_UNITS, *_TENS, "hundred", *_SCALES, "dozen"]
_NUMWORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")\b"

_VAGUE_PLURALS: dict[str, int] = {
    "tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000,
    "millions": 1_000_000,
}  # fmt: skip
_VAGUE_MULTIPLIERS: dict[str, int] = {"several": 3, "few": 2, "couple": 2}
_VAGUE_SINGLE_UNITS: dict[str, int] = {
    "dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000,
}  # fmt: skip

# Values of the simple vague words, keyed by their first word (see the docstring table).
_VAGUE_WORDS: dict[str, int] = {
    "few": 2, "handful": 2, "multiple": 2, "number": 2, "various": 2, "some": 2,
    "several": 3,
    "many": 10, "numerous": 10, "lot": 10, "lots": 10, "countless": 10,
}  # fmt: skip

_PERSON_SINGULAR = (
    "person|man|woman|child|boy|girl|baby|infant|toddler|teenager|teen|youth|minor|adult|"
    "civilian|resident|passerby|passer-by|bystander|pedestrian|driver|passenger|worker|"
    "employee|farmer|peasant|student|pupil|teacher|doctor|nurse|medic|paramedic|journalist|"
    "reporter|photographer|cameraman|priest|nun|soldier|serviceman|servicewoman|officer|"
    "policeman|policewoman|guard|bodyguard|sergeant|corporal|lieutenant|captain|colonel|"
    "commander|militant|fighter|rebel|guerrilla|guerilla|insurgent|terrorist|extremist|"
    "subversive|gunman|attacker|assailant|suspect|bomber|member|leader|official|mayor|judge|"
    "magistrate|politician|councillor|councilor|legislator|deputy|senator|congressman|"
    "diplomat|ambassador|businessman|businesswoman|merchant|vendor|trader|shopkeeper|"
    "villager|tourist|foreigner|citizen|refugee|migrant|prisoner|detainee|hostage|victim|"
    "volunteer|firefighter|rescuer|pilot|sailor|marine|trooper|militiaman|agent|inmate|"
    "pensioner|activist|protester|protestor|demonstrator|worshipper|relative|neighbour|"
    "neighbor|husband|wife|mother|father|son|daughter|brother|sister|spouse|"
    "conscript|recruit|paratrooper|gendarme|ranger|watchman|security guard|contractor"
)
_PEOPLE_PLURAL = (
    "people|persons|civilians|residents|soldiers|troops|servicemen|police|policemen|"
    "officers|children|women|men|boys|girls|students|workers|passengers|villagers|peasants|"
    "guerrillas|guerillas|rebels|militants|fighters|insurgents|terrorists|victims|casualties|"
    "members|others|bystanders|passersby|pedestrians|journalists|demonstrators|protesters|"
    "protestors|prisoners|hostages|inmates|refugees|migrants|farmers|families|relatives|"
    "bodies|survivors|individuals|adults|minors|infants|babies|teenagers|youths|gunmen|"
    "attackers|subversives|extremists|citizens|nationals|foreigners|tourists|priests|nuns|"
    "doctors|nurses|teachers|employees|policewomen|agents|guards|bodyguards|leaders|"
    "officials|politicians|mayors|judges|deaths|fatalities"
)
_CASUALTY_WORDS = "dead|wounded|injured|killed|deaths|fatalities|casualties"
_PERSON_PLURAL = _PEOPLE_PLURAL + "|" + _CASUALTY_WORDS

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# Regex character-class bodies: hyphen-minus, hyphen, non-breaking hyphen (+ figure, en, em
# dash for ranges); straight and curly apostrophe.
_DASH = r"\-\u2010\u2011\u2012\u2013\u2014"
_HYPHEN = r"\-\u2010\u2011"
_APOS = r"'\u2019"

_I = re.IGNORECASE

# --------------------------------------------------------------------------- candidates

# Digits: "14", "1,200", "1 200" (space/no-break/thin space thousands separator), "1.5".
# Not glued to letters, "$", "#", "m-", nor inside "30/12", "15:30" or "1.200".
_DIGITS_CORE = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)"
    r"(?P<dec>\.\d+)?"
    r"(?!\w|[.,:/]\d)"
)
_DIGITS_RE = re.compile(
    r"(?<![\w$\u00a3\u20ac\u00a5#])(?<!\w[" + _DASH + r"])(?<!\d[.,:/])" + _DIGITS_CORE, _I
)
_DIGITS_AT_RE = re.compile(_DIGITS_CORE, _I)  # the second number of a range, read in place
_DIGIT_SCALE_RE = re.compile(
    r"[ \u00a0\u202f\u2009]*(hundred|thousand|million|billion|dozen)\b", _I
)

# A run of number words ("one hundred and twenty", "twenty-one", "a dozen"); parsed by
# _parse_word_run, which keeps its longest valid prefix.
_WORD_SEP = r"(?:\s*[" + _HYPHEN + r"]\s*|\s+(?:and\s+)?)"
_WORD_RUN_RE = re.compile(
    r"\b(?:an?\s+(?=(?:hundred|thousand|million|billion|dozen)\b))?"
    + _NUMWORD
    + r"(?:"
    + _WORD_SEP
    + _NUMWORD
    + r")*",
    _I,
)
_BARE_SCALE_RE = re.compile(r"(?:hundred|thousand|million|billion|dozen)\b", _I)
_WORD_TOKEN_RE = re.compile(r"[^\W\d_]+", _I)
_SPECIAL_WORDS_RE = re.compile(
    r"\b(?:(?P<couple>an?\s+couple|an?\s+pair(?=\s+of\b))|(?P<half>half\s+a\s+dozen))\b", _I
)

_ZERO_RE = re.compile(
    r"\b(?:no[\s" + _HYPHEN + r"]?one|nobody|none|zero|not\s+(?:a\s+single|one)"
    r"|no(?=\s+(?:(?:reported|known|other|further|serious)\s+)?"
    r"(?:casualt\w*|deaths?|dead|injur\w*|fatalit\w*|victims?|people|persons?|civilians?"
    r"|soldiers?|lives|life|wounded|one)\b))\b",
    _I,
)

_VAGUE_COMPOUND_RE = re.compile(
    r"\b(?P<mult>several|a\s+few|a\s+couple(?:\s+of)?|many)\s+"
    r"(?P<unit>dozens?|hundreds?|thousands?|millions?)\b",
    _I,
)
_VAGUE_PLURAL_RE = re.compile(
    r"\b(?P<p1>tens|dozens|scores|hundreds|thousands|millions)\b"
    r"(?:\s+of\s+(?P<p2>hundreds|thousands|millions)\b)?",
    _I,
)
_VAGUE_WORD_RE = re.compile(
    r"\b(?:several|a\s+few|a\s+handful|multiple|a\s+number(?=\s+of\b)|various|many|numerous"
    r"|a\s+lot(?=\s+of\b)|lots(?=\s+of\b)|countless"
    r"|some(?=\s+of\b|(?:\s+(?!"
    + _NUMWORD
    + r")[^\W\d_]+){0,2}?\s+(?:"
    + _PERSON_PLURAL
    + r")\b))\b",
    _I,
)

_ARTICLE_RE = re.compile(
    r"\b(?:an?|another)\s+"
    r"(?:(?!(?:a|an|the|another|and|or|of|in|on|at|by|with|was|were|is|are|has|had|have|"
    r"been|who|that|which)\b)[\w" + _HYPHEN + _APOS + r"]+\s+){0,2}?"
    r"(?:" + _PERSON_SINGULAR + r")(?![\w" + _HYPHEN + r"])",
    _I,
)

# --------------------------------------------------------------------------- context checks

# Qualifier words before a number, matched on whole words (longest phrase wins).
_PREFIX_PHRASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "at least", "no fewer than", "no less than", "not fewer than", "not less than",
            "a minimum of", "minimum of", "at a minimum",
        ),
        "at_least",
    ),
    **dict.fromkeys(
        (
            "up to", "as many as", "as much as", "at most", "at the most", "no more than",
            "not more than", "fewer than", "less than", "a maximum of", "maximum of", "under",
            "below",
        ),
        "up_to",
    ),
    **dict.fromkeys(
        (
            "more than", "over", "above", "in excess of", "upwards of", "upward of",
            "greater than", "exceeding", "well over", "just over",
        ),
        "more_than",
    ),
    **dict.fromkeys(
        (
            "about", "around", "roughly", "approximately", "approx", "nearly", "almost", "some",
            "an estimated", "estimated", "estimated at", "close to", "circa", "ca",
            "in the region of", "more or less", "~",
        ),
        "about",
    ),
    **dict.fromkeys(("between", "from"), "between"),
}  # fmt: skip
_PREFIX_MAX_WORDS = max(len(k.split()) for k in _PREFIX_PHRASES)
_MONTH_WORDS = frozenset((
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
    "november", "dec", "december"
))  # fmt: skip
_WEEKDAY_WORDS = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"
))  # fmt: skip
# Words that make the number after them a label or an age ("no. 4", "channel 7", "aged 12").
_LABEL_WORDS = frozenset((
    "no", "nos", "nr", "number", "page", "p", "pp", "article", "art", "chapter", "section",
    "route", "highway", "road", "flight", "km", "kilometer", "kilometre", "channel", "unit",
    "block", "building", "room", "apartment", "apt", "level", "phase", "paragraph", "resolution",
    "line", "gate", "platform", "precinct", "district", "zone", "sector", "battalion", "brigade",
    "regiment", "division", "detachment", "company", "category", "model", "version", "vol",
    "volume", "item", "code", "bus", "train", "street", "avenue", "ward", "terminal", "hangar",
    "pier", "cell", "exit", "age", "aged", "ages"
))  # fmt: skip
_YEAR_PREFIX_WORDS = frozenset((
    "in", "since", "from", "by", "until", "till", "during", "year", "early", "late", "mid",
    "before", "after"
))  # fmt: skip
# Punctuation and invisible format characters (zero-width space/joiners, direction marks, BOM)
# stripped from the words before a number.
# Words before "at" that make "at 1200" a figure, not a clock time.
_TOLL_VERBS = frozenset((
    "stood", "stands", "stand", "standing", "put", "puts", "placed", "estimated", "toll",
    "total", "totaled", "totalled", "figure", "count", "number", "remains", "remained"
))  # fmt: skip
_STRIP_CHARS = "\"'()[]{}<>,;:!?.\u201c\u201d\u2018\u2019\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"

_SUFFIX_RE = re.compile(
    r"(?:(?P<at_least>\s*(?:or\s+more|or\s+above|at\s+least)\b|\+|[" + _HYPHEN + r"]plus\b)"
    r"|(?P<up_to>\s*(?:or\s+(?:fewer|less)|at\s+(?:the\s+)?most)\b)"
    r"|(?P<about>\s*(?:or\s+so|or\s+thereabouts)\b|[" + _HYPHEN + r"]odd\b))",
    _I,
)
_RANGE_SEP_RE = re.compile(r"\s*(?:(?P<dash>[" + _DASH + r"])|(?P<word>to|or|and)\b)\s*", _I)

_UNIT_WORDS = (
    r"years?|yrs?|months?|weeks?|days?|nights?|hours?|hrs?|minutes?|mins?|seconds?|secs?"
    r"|decades?|centur(?:y|ies)|year[" + _HYPHEN + r"]old|years[" + _HYPHEN + r"]old"
    r"|[ap]\.?\s?m\b\.?|o[" + _APOS + r"]clock|gmt|utc|local\s+time"
    r"|km|kms|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|feet|ft|kg|kilos?|kilograms?"
    r"|grams?|lbs?|pounds?|tons?|tonnes?|mm|cm|calib(?:er|re)s?|percent|per\s+cent|pct"
    r"|dollars?|euros?|pesos?|colones|colons?|soles|intis|rubles?|roubles?|hryvnias?|yuan"
    r"|yen|rupees?|usd|eur|times|degrees?"
)
_AFTER_UNIT_RE = re.compile(
    r"\s*(?:[" + _HYPHEN + r"]\s*)?(?:of\s+)?(?:(?:" + _UNIT_WORDS + r")(?![^\W\d_])|%|\u00b0)",
    _I,
)
_AFTER_MONTH_RE = re.compile(r"\s*(?:of\s+)?(?:" + _MONTHS + r")\b\.?", _I)
_AFTER_MAY_RE = re.compile(r"\s*(?:of\s+)?may\b", _I)
_AFTER_MAY_DATE_RE = re.compile(
    r"\s*may\b(?=\s*,?\s*\d{4}\b|\s*[.,;:)\]]|\s*$|\s+(?:in|at|on|and|when|while|during)\b)",
    _I,
)
_AFTER_FRACTION_RE = re.compile(
    r"\s*(?:[" + _HYPHEN + r"]\s*)?(?:half|halves|thirds?|quarters?|fourths?|fifths?|tenths?)\b"
    r"|\s+\d+/\d+",
    _I,
)
_AFTER_GLUED_WORD_RE = re.compile(r"[" + _HYPHEN + r"]\s*(?P<word>[^\W\d_]+)", _I)
_AFTER_COUNT_NOUN_RE = re.compile(
    r"\s+(?:(?:[^\W\d_]+\s+)?(?:" + _PEOPLE_PLURAL + r")|(?:" + _CASUALTY_WORDS + r"|of))\b",
    _I,
)
_AFTER_DAY_LIST_RE = re.compile(
    r"(?:\s*(?:,|and|or|to|["
    + _DASH
    + r"])\s*\d{1,2}(?:st|nd|rd|th)?)+\s*(?:of\s+)?(?:"
    + _MONTHS
    + r")\b",
    _I,
)
_APPOSITIVE_AFTER_RE = re.compile(r"\s*,")
_OF_RE = re.compile(r"\s+of\b", _I)

_WINDOW = 64  # characters of context looked at on either side of a number
_MAX_DIGITS = 15
_HEAD = 4096  # first slice of a long phrase that is read
_MARGIN = 4 * _WINDOW  # context a candidate may need after its end (range, unit, suffix)
_MAX_WORD_TOKENS = 40


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: str  # "zero", "number", "vague", "article"
    value: int


# --------------------------------------------------------------------------- number readers


def _read_digits(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """Value and end of a digit match (with an optional scale word after it), or None."""
    digits = re.sub(r"[,\s]", "", m.group("num"))
    if len(digits) > _MAX_DIGITS:
        return None
    value = Fraction(int(digits))
    end = m.end()
    if m.group("dec"):
        value += Fraction(int(m.group("dec")[1:]), 10 ** (len(m.group("dec")) - 1))
    scale = _DIGIT_SCALE_RE.match(text, end, min(len(text), end + _WINDOW))
    if scale:
        word = scale.group(1).lower()
        value *= 12 if word == "dozen" else (100 if word == "hundred" else _SCALES[word])
        end = scale.end()
    elif m.group("dec"):
        return None  # "3.5" with no scale word is not a head count
    return int(value), end


def _parse_word_run(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Longest valid number at the head of a run of number words: (value, end) or None."""
    # A run is only read as far as it stays a valid number (at most a few dozen words).
    tokens = [
        (t.group(0).lower(), t.end())
        for t in itertools.islice(_WORD_TOKEN_RE.finditer(text, start, end), _MAX_WORD_TOKENS)
    ]
    total = 0
    current = 0
    last = ""  # kind of the last token read
    big = 10**12  # the last thousand/million/billion used; later ones must be smaller
    best: tuple[int, int] | None = None
    i = 0
    if tokens and tokens[0][0] in ("a", "an"):
        current, last, i = 1, "a", 1
    while i < len(tokens):
        word, tok_end = tokens[i]
        if word == "and":
            nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
            if last not in ("hundred", "scale") or (nxt not in _UNITS and nxt not in _TENS):
                break
            last = "and"
            i += 1
            continue
        if word in _UNITS:
            if last in ("unit", "a", "dozen") or (last == "tens" and not 1 <= _UNITS[word] <= 9):
                break
            current += _UNITS[word]
            last = "unit"
        elif word in _TENS:
            if last in ("unit", "tens", "a", "dozen"):
                break
            current += _TENS[word]
            last = "tens"
        elif word == "hundred":
            if last not in ("", "a", "unit", "tens") or current >= 100:
                break
            current = (current or 1) * 100
            last = "hundred"
        elif word in _SCALES:
            scale = _SCALES[word]
            if last not in ("", "a", "unit", "tens", "hundred") or scale >= big:
                break
            total += (current or 1) * scale
            current = 0
            big = scale
            last = "scale"
        elif word == "dozen":
            if last not in ("a", "unit", "tens") or total or current >= 100:
                break
            current *= 12
            last = "dozen"
        else:  # pragma: no cover - the run regex only admits number words
            break
        best = (total + current, tok_end)
        i += 1
    return best


def _number_at(text: str, pos: int) -> tuple[int, int, int] | None:
    """A number starting at ``pos`` (after a range separator): (value, start, end)."""
    m = _DIGITS_AT_RE.match(text, pos)
    if m:
        read = _read_digits(text, m)
        return (read[0], pos, read[1]) if read else None
    m = _WORD_RUN_RE.match(text, pos)
    if m:
        read = _parse_word_run(text, m.start(), m.end())
        return (read[0], pos, read[1]) if read else None
    return None


# --------------------------------------------------------------------------- candidate streams


def _digit_candidates(text: str) -> Iterator[_Candidate]:
    for m in _DIGITS_RE.finditer(text):
        read = _read_digits(text, m)
        if read is not None:
            yield _Candidate(m.start(), read[1], "number", read[0])


def _word_candidates(text: str) -> Iterator[_Candidate]:
    for m in _WORD_RUN_RE.finditer(text):
        if _BARE_SCALE_RE.match(text, m.start()):
            continue  # "million" in "$5 million": a scale needs a number or "a" before it
        read = _parse_word_run(text, m.start(), m.end())
        if read is not None:
            yield _Candidate(m.start(), read[1], "number", read[0])


def _special_word_candidates(text: str) -> Iterator[_Candidate]:
    for m in _SPECIAL_WORDS_RE.finditer(text):
        yield _Candidate(m.start(), m.end(), "number", 6 if m.group("half") else 2)


def _zero_candidates(text: str) -> Iterator[_Candidate]:
    for m in _ZERO_RE.finditer(text):
        yield _Candidate(m.start(), m.end(), "zero", 0)


def _vague_compound_candidates(text: str) -> Iterator[_Candidate]:
    for m in _VAGUE_COMPOUND_RE.finditer(text):
        mult_word = m.group("mult").lower().split()
        unit = m.group("unit").lower()
        if mult_word[0] == "many":
            if not unit.endswith("s"):
                continue  # "many hundred" is not English; leave it to the other readers
            value = _VAGUE_PLURALS[unit]
        else:
            key = "several" if mult_word[0] == "several" else mult_word[1]
            value = _VAGUE_MULTIPLIERS[key] * _VAGUE_SINGLE_UNITS[unit.rstrip("s")]
        yield _Candidate(m.start(), m.end(), "vague", value)


def _vague_plural_candidates(text: str) -> Iterator[_Candidate]:
    for m in _VAGUE_PLURAL_RE.finditer(text):
        p1 = m.group("p1").lower()
        p2 = m.group("p2")
        if p1 in ("tens", "scores") and not p2 and not _OF_RE.match(text, m.end()):
            continue  # "tens" and "scores" only count in "tens of", "scores of"
        value = _VAGUE_PLURALS[p1] * (_VAGUE_PLURALS[p2.lower()] if p2 else 1)
        yield _Candidate(m.start(), m.end(), "vague", value)


def _vague_word_candidates(text: str) -> Iterator[_Candidate]:
    for m in _VAGUE_WORD_RE.finditer(text):
        words = m.group(0).lower().split()
        key = words[1] if words[0] == "a" else words[0]
        yield _Candidate(m.start(), m.end(), "vague", _VAGUE_WORDS[key])


def _article_candidates(text: str) -> Iterator[_Candidate]:
    for m in _ARTICLE_RE.finditer(text):
        article = m.group(0).split(maxsplit=1)[0]
        yield _Candidate(m.start(), m.start() + len(article), "article", 1)


_STREAMS = (
    (0, _zero_candidates),
    (1, _vague_compound_candidates),
    (2, _digit_candidates),
    (2, _word_candidates),
    (2, _special_word_candidates),
    (3, _vague_plural_candidates),
    (3, _vague_word_candidates),
    (4, _article_candidates),
)


def _candidates(text: str) -> Iterator[tuple[int, int, int, _Candidate]]:
    """All candidates, earliest first; at one start the longest, then by kind priority."""
    streams = [((c.start, -(c.end - c.start), prio, c) for c in fn(text)) for prio, fn in _STREAMS]
    return heapq.merge(*streams, key=lambda item: item[:3])


# --------------------------------------------------------------------------- validation


def _before(text: str, pos: int) -> str:
    return text[max(0, pos - _WINDOW) : pos]


def _after(text: str, pos: int) -> str:
    return text[pos : pos + _WINDOW]


def _words_before(text: str, pos: int) -> list[str]:
    """The last few words before ``pos``, lower-cased, without surrounding punctuation."""
    words = (w.strip(_STRIP_CHARS).lower() for w in text[max(0, pos - 40) : pos].split()[-6:])
    return [w for w in words if w][-_PREFIX_MAX_WORDS:]


def _ends_with_word(text: str, pos: int) -> bool:
    """Whether a word (not a comma or other punctuation) stands just before ``pos``."""
    before = _before(text, pos).rstrip()
    return bool(before) and (before[-1].isalpha() or before[-1] == ".")


def _prefix_kind(words: list[str]) -> str | None:
    """The qualifier named by the words just before a number ("at least" -> "at_least")."""
    for n in range(min(len(words), _PREFIX_MAX_WORDS), 0, -1):
        kind = _PREFIX_PHRASES.get(" ".join(words[-n:]))
        if kind is not None:
            return kind
    return None


def _is_year(text: str, cand: _Candidate, words: list[str]) -> bool:
    raw = text[cand.start : cand.end]
    if not (raw.isdigit() and len(raw) == 4 and 1800 <= cand.value <= 2100):
        return False
    if _prefix_kind(words) not in (None, "between"):
        return False  # "about 2000", "more than 1900"
    if words and words[-1] in _YEAR_PREFIX_WORDS:
        return True  # "in 2023", "since 1980"
    return not _AFTER_COUNT_NOUN_RE.match(_after(text, cand.end))


def _after_is_not_count(text: str, cand_start: int, end: int, value: int) -> bool:
    """Whether what follows a number at [cand_start, end) makes it a date, unit or label."""
    after = _after(text, end)
    if _AFTER_UNIT_RE.match(after) or _AFTER_FRACTION_RE.match(after):
        return True
    if value <= 31 and text[cand_start : cand_start + 1].isdigit():
        if _AFTER_DAY_LIST_RE.match(after):
            return True  # "on 12 and 13 February"
        month = _AFTER_MONTH_RE.match(after)
        if month and (not _AFTER_MAY_RE.match(after) or _AFTER_MAY_DATE_RE.match(after)):
            return True
    glued = _AFTER_GLUED_WORD_RE.match(after)
    if glued:
        word = glued.group("word").lower()
        if word not in _UNITS and word not in _TENS and word not in ("plus", "odd"):
            return True  # "12-year-old", "five-member", "one-third", "24-hour"
    # An appositive age: "palomino, 25, was injured".
    before = _before(text, cand_start).rstrip()
    return (
        len(before) > 1
        and before[-1] == ","
        and before[-2].isalpha()
        and bool(_APPOSITIVE_AFTER_RE.match(after))
    )


def _before_is_not_count(text: str, cand: _Candidate, words: list[str]) -> bool:
    """Whether what precedes a number makes it a date, clock time, label or age."""
    last = words[-1] if words else ""
    raw = text[cand.start : cand.end]
    if len(raw) > 1 and raw[0] == "0":
        return True  # "0815", "03": clock times and codes, never a head count
    if (
        len(raw) == 4
        and raw.isdigit()
        and int(raw[:2]) <= 23
        and int(raw[2:]) <= 59
        and last == "at"
        and (len(words) < 2 or words[-2] not in _TOLL_VERBS)
    ):
        return True  # "at 2215" (military time), but not "the toll stood at 1200"
    if cand.value <= 31 and raw.isdigit() and _ends_with_word(text, cand.start):
        # "December 30", "Friday 29", "Friday the 13"; not "On Saturday, 30 people ..."
        if last in _MONTH_WORDS or last in _WEEKDAY_WORDS:
            return True
        if last == "the" and len(words) > 1 and words[-2] in _WEEKDAY_WORDS:
            return True
    return last in _LABEL_WORDS or last == "#"


_SCALE_WORD_RE = re.compile(r"\b(hundred|thousand|million|billion)\b", _I)


def _read_range(text: str, cand: _Candidate, between: bool) -> tuple[int, int, int] | None:
    """(low, high, end) when ``cand`` starts a range "N to M", "N-M", "N or M",
    "between N and M"; "2 to 3 million" scales its low end too."""
    sep = _RANGE_SEP_RE.match(text, cand.end, min(len(text), cand.end + _WINDOW))
    if not sep:
        return None
    if (sep.group("word") or "").lower() == "and" and not between:
        return None
    second = _number_at(text, sep.end())
    if second is None:
        return None
    high, second_start, end = second
    low = cand.value
    scale = _SCALE_WORD_RE.search(text, second_start, end)
    if scale and not _SCALE_WORD_RE.search(text, cand.start, cand.end):
        word = scale.group(1).lower()
        low *= 100 if word == "hundred" else _SCALES[word]
    if high <= low:
        return None
    return low, high, end


def _evaluate(text: str, cand: _Candidate) -> ParsedCount | None:
    """The count ``cand`` stands for, or None when it is not a count (date, unit, ...)."""
    number_text = text[cand.start : cand.end]
    if cand.kind == "zero":
        return ParsedCount(0, 0, 0, "exact", number_text)
    if cand.kind == "article":
        return ParsedCount(1, 1, 1, "exact", number_text)
    if cand.kind == "vague":
        words = _words_before(text, cand.start)
        if number_text.lower() == "many" and words and words[-1] in ("how", "as"):
            return None  # "how many", "as many as"
        if _AFTER_UNIT_RE.match(_after(text, cand.end)):
            return None  # "several days", "hundreds of metres"
        return ParsedCount(cand.value, cand.value, None, "vague", number_text)

    # A number in digits or words.
    words = _words_before(text, cand.start)
    if _before_is_not_count(text, cand, words) or _is_year(text, cand, words):
        return None
    n = cand.value
    suffix = _SUFFIX_RE.match(text, cand.end, min(len(text), cand.end + _WINDOW))
    if suffix:
        if _after_is_not_count(text, cand.start, suffix.end(), n):
            return None  # "10 or so days"
        if suffix.lastgroup == "at_least":
            return ParsedCount(n, n, None, "at_least", number_text)
        if suffix.lastgroup == "up_to":
            return ParsedCount(None, n, n, "up_to", number_text)
        return ParsedCount(None, n, None, "about", number_text)

    kind = _prefix_kind(words)
    rng = _read_range(text, cand, between=kind == "between")
    if rng is not None:
        low, high, end = rng
        if _after_is_not_count(text, cand.start, end, high):
            return None  # "2 to 3 days", "10-15 December"
        return ParsedCount(low, low, high, "range", text[cand.start : end])

    if _after_is_not_count(text, cand.start, cand.end, n):
        return None
    if kind == "at_least":
        return ParsedCount(n, n, None, "at_least", number_text)
    if kind == "more_than":
        return ParsedCount(n, n, None, "more_than", number_text)
    if kind == "about":
        return ParsedCount(None, n, None, "about", number_text)
    if kind == "up_to":
        return ParsedCount(None, n, n, "up_to", number_text)
    return ParsedCount(n, n, n, "exact", number_text)


# --------------------------------------------------------------------------- API


def parse_count(phrase: str) -> ParsedCount | None:
    """Parse a casualty phrase ("at least 14", "over 12", "more than 100", "around 160",
    "dozens of drones", "two other people", "39 of them have been killed so far") into numbers.
    None when the phrase holds no quantity at all.

    The first quantity that is not a date, time, measure, label or age wins; see the module
    docstring for the full counting rule. Raises TypeError when ``phrase`` is not a str.
    """
    if not isinstance(phrase, str):
        raise TypeError(f"parse_count expects a str, not {type(phrase).__name__}")
    # Read a growing head of the phrase, so that a long text with an early count is cheap. A
    # candidate is only judged once all the context it can look at lies inside the head.
    limit = _HEAD
    while True:
        whole = limit >= len(phrase)
        text = phrase if whole else phrase[:limit]
        for _start, _neg_len, _prio, cand in _candidates(text):
            if not whole and cand.end + _MARGIN > limit:
                break
            parsed = _evaluate(text, cand)
            if parsed is not None:
                return parsed
        if whole:
            return None
        limit *= 4


# A person named alone: "the victim", "his wife", "an 18-year-old", "the 38-year-old man",
# "16-year-old". The determiner (or the age) makes it one person, not a kind ("victims",
# "children" stay uncounted).
_ONE_PERSON_RE = re.compile(
    r"^(?:(?:the|a|an|another|his|her|their|its|our|this|that)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:person|man|woman|boy|girl|child|kid|baby|infant|toddler|teen|teenager|youth|"
    r"victim|suspect|gunman|shooter|officer|deputy|trooper|driver|passenger|student|"
    r"father|mother|son|daughter|brother|sister|husband|wife|boyfriend|girlfriend|"
    r"friend|neighbou?r|cousin|uncle|aunt|grandfather|grandmother|nephew|niece|resident|"
    r"customer|employee|clerk|owner|guard|soldier|civilian|journalist|\d+-year-old)"
    r"|(?:an?\s+)?\d+-year-old(?:\s+(?:man|woman|boy|girl|child|kid|teen|teenager))?)$",
    _I,
)


def one_person(phrase: str) -> ParsedCount | None:
    """The count of a phrase that names one person without a number ("the victim", "his
    wife": exactly 1), else None. Small models give a death as who died; the article's
    "the victim" is as exact a figure as "one person"."""
    text = phrase.strip().rstrip(".,;")
    return ParsedCount(1, 1, 1, "exact", text) if _ONE_PERSON_RE.match(text) else None


# Words telling that people died or were hurt ("casualties" tells neither apart).
_KIND_RE: dict[CasualtyKind, re.Pattern[str]] = {
    "killed": re.compile(
        r"\b(?:kill\w*|dead|deaths?|died|dies?|dying|toll|fatally|fatalit\w*|lives|bod(?:y|ies)|"
        r"(?<!non-)(?<!not )fatal|"
        r"murder\w*|slain|massacr\w*|executed)\b",
        _I,
    ),
    "injured": re.compile(r"\b(?:injur\w*|wound\w*|hurt|hospitali[sz]\w*)\b", _I),
}


def casualty_kinds(text: str) -> frozenset[CasualtyKind]:
    """Which kinds of casualties `text` speaks of: people killed, injured, both or neither."""
    return frozenset(kind for kind, words in _KIND_RE.items() if words.search(text))
