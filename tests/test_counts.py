"""Tests for summarizer._text.counts: the conservative counting rule (docs/design.md, Counting)."""

from __future__ import annotations

import dataclasses
import json
import time
import typing
from pathlib import Path

import pytest

from summarizer._text.counts import (
    ParsedCount,
    Qualifier,
    casualty_kinds,
    one_person,
    parse_count,
)

REPO = Path(__file__).resolve().parents[1]
SEED_PATH = REPO / "seeds" / "belgorod_strike.txt"
if not SEED_PATH.exists():  # pragma: no cover - fallback to the shared copy
    SEED_PATH = Path("/work/shared/seeds/belgorod_strike.txt")
MUC4_TRAIN = Path("/work/shared/data/muc4/train.jsonl")


def exact(n: int, text: str) -> ParsedCount:
    return ParsedCount(n, n, n, "exact", text)


def at_least(n: int, text: str) -> ParsedCount:
    return ParsedCount(n, n, None, "at_least", text)


def more_than(n: int, text: str) -> ParsedCount:
    return ParsedCount(n, n, None, "more_than", text)


def about(n: int, text: str) -> ParsedCount:
    return ParsedCount(None, n, None, "about", text)


def up_to(n: int, text: str) -> ParsedCount:
    return ParsedCount(None, n, n, "up_to", text)


def span(low: int, high: int, text: str) -> ParsedCount:
    return ParsedCount(low, low, high, "range", text)


def vague(n: int, text: str) -> ParsedCount:
    return ParsedCount(n, n, None, "vague", text)


# Phrases taken verbatim from the seed article (checked by test_seed_phrases_are_verbatim).
SEED_CASES: list[tuple[str, ParsedCount]] = [
    ("missile hits Russia\u2019s Belgorod killing at least 14", at_least(14, "14")),
    ("Ukrainian death toll rose to 39 in Friday\u2019s strikes", exact(39, "39")),
    ("that killed over 12 people on Saturday", more_than(12, "12")),
    ("the strike had injured more than 100 people", more_than(100, "100")),
    ("shooting down 32 Ukrainian drones", exact(32, "32")),
    ("cross-border shelling had killed two other people in Russia", exact(2, "two")),
    ("Moscow had launched 122 missiles", exact(122, "122")),
    ("dozens of drones against Ukraine on Friday", vague(12, "dozens")),
    ("killing over 35 people and injuring around 160", more_than(35, "35")),
    ("injuring around 160", about(160, "160")),
    ("In total, 159 people were injured in this terrorist attack", exact(159, "159")),
    ("Unfortunately, 39 of them have been killed so far", exact(39, "39")),
    ("on Saturday, firefighters extinguish burning cars", None),
    ("that this crime \u201cwill not go unpunished\u201d", None),
]

# Phrases taken verbatim from MUC-4 train articles (checked by test_muc4_phrases_are_verbatim).
MUC4_CASES: list[tuple[str, ParsedCount | None]] = [
    ("three subversives were killed and seven others were wounded", exact(3, "three")),
    ("one extremist was killed and five others were wounded", exact(1, "one")),
    ("a soldier was wounded and taken to the military hospital", exact(1, "a")),
    ("military detachment no.4 reported that a terrorist was killed", exact(1, "a")),
    ("reported 5 soldiers killed, several wounded", exact(5, "5")),
    ("several were killed and wounded", vague(3, "several")),
    ("the spokesman added that no one was injured", exact(0, "no one")),
    ("shattered windows, but nobody was injured", exact(0, "nobody")),
    ("44 peasants have been killed", exact(44, "44")),
    ("about 13,000 people have been killed in peru since 1980", about(13000, "13,000")),
    ("nearly 1,500 people were killed", about(1500, "1,500")),
    ("has left at least 12 dead and some 20 injured", at_least(12, "12")),
    ("some 20 injured", about(20, "20")),
    ("the army sustained 9 dead and 12 wounded", exact(9, "9")),
    ("393 guerrillas were killed and 310 wounded", exact(393, "393")),
    ("it would have killed at least 5,000", at_least(5000, "5,000")),
    ("which has left more than 600 dead and 1,000 wounded", more_than(600, "600")),
    ("the fmln sustained 2,132 killed in action", exact(2132, "2,132")),
    ("approximately 130 passengers who were killed", about(130, "130")),
    ("about 50 peasants of various ages have been kidnapped", about(50, "50")),
    ("resulted in one dead, three or four wounded", exact(1, "one")),
    ("three or four wounded", span(3, 4, "three or four")),
    ("has left over 70,000 dead in 9 years", more_than(70000, "70,000")),
    ("many people were killed", vague(10, "many")),
    ("scores of people are dead or missing", vague(20, "scores")),
    ("we have been told that hundreds have been killed", vague(100, "hundreds")),
    ("dozens of lieutenants have been wounded or killed in the last 10 days", vague(12, "dozens")),
    ("some people have reportedly been injured in the area", vague(2, "some")),
    ("during which 10 persons were killed and many injured", exact(10, "10")),
    ("a 2d corporal of the carabineros was also killed", exact(1, "a")),
    ("a 12- year-old girl was injured in soyapango", exact(1, "a")),
    ("on 11 february, one adult and four minors were killed", exact(1, "one")),
    ("that began on 29 july, one of the guerrillas was killed", exact(1, "one")),
    ("another soldier was wounded", exact(1, "another")),
    # no quantity: names, ages, dates, times, labels, "unspecified number"
    ("saturnino palomino tunqui, 25, was injured", None),
    ("rodriguez porth, 65, was killed at 0815 (1415 gmt)", None),
    ("he is the third journalist killed in el salvador in the last 12 hours", None),
    ("the mass kidnapping took place on 30 december in san luis de la reina", None),
    ("citizens were kidnapped on 12 and 13 february", None),
    ("who was killed 1 week ago", None),
    ("an unspecified number of subversives were also wounded", None),
    ("causing an undetermined number of dead and wounded", None),
    ("we do not exactly know how many people were killed", None),
    ("meanwhile, the 3d infantry brigade reported", None),
    ("an m-16 rifle, cartridge clips, and ammunition were seized there", None),
]

# Made-up phrases covering each rule of the module docstring.
RULE_CASES: list[tuple[str, ParsedCount | None]] = [
    # numbers in digits
    ("14", exact(14, "14")),
    ("1,200 people", exact(1200, "1,200")),
    ("1 200 people", exact(1200, "1 200")),
    ("1\u00a0200 people", exact(1200, "1\u00a0200")),
    ("2 million", exact(2_000_000, "2 million")),
    ("1.5 million people displaced", exact(1_500_000, "1.5 million")),
    ("2 dozen", exact(24, "2 dozen")),
    # numbers in words
    ("fourteen", exact(14, "fourteen")),
    ("twenty-one", exact(21, "twenty-one")),
    ("TWENTY-ONE", exact(21, "TWENTY-ONE")),
    ("twenty one", exact(21, "twenty one")),
    ("ninety-nine", exact(99, "ninety-nine")),
    ("a hundred", exact(100, "a hundred")),
    ("one hundred and twenty", exact(120, "one hundred and twenty")),
    ("three thousand five hundred", exact(3500, "three thousand five hundred")),
    ("a dozen", exact(12, "a dozen")),
    ("two dozen", exact(24, "two dozen")),
    ("half a dozen", exact(6, "half a dozen")),
    ("a couple of people", exact(2, "a couple")),
    ("one person", exact(1, "one")),
    ("killing two", exact(2, "two")),
    ("five soldiers and two civilians", exact(5, "five")),
    # zero
    ("no one was hurt", exact(0, "no one")),
    ("nobody", exact(0, "nobody")),
    ("none of the passengers", exact(0, "none")),
    ("not a single person was injured", exact(0, "not a single")),
    ("not one", exact(0, "not one")),
    ("there were no casualties", exact(0, "no")),
    ("zero", exact(0, "zero")),
    # "a"/"an"/"another" + a person
    ("a child", exact(1, "a")),
    ("an officer was killed", exact(1, "an")),
    ("a 12-year-old boy", exact(1, "a")),
    ("a bomb killed two", exact(2, "two")),
    # at least / more than / about / up to
    ("at least one", at_least(1, "one")),
    ("no fewer than 20", at_least(20, "20")),
    ("100 or more", at_least(100, "100")),
    ("100+", at_least(100, "100")),
    ("at least a dozen", at_least(12, "a dozen")),
    ("more than a dozen", more_than(12, "a dozen")),
    ("in excess of 200", more_than(200, "200")),
    ("above 50", more_than(50, "50")),
    ("upwards of 300", more_than(300, "300")),
    ("about a dozen", about(12, "a dozen")),
    ("roughly 30", about(30, "30")),
    ("approximately 40", about(40, "40")),
    ("almost 60", about(60, "60")),
    ("an estimated 20 people", about(20, "20")),
    ("14 or so", about(14, "14")),
    ("40-odd", about(40, "40")),
    ("~14", about(14, "14")),
    ("up to 30", up_to(30, "30")),
    ("as many as 25", up_to(25, "25")),
    ("at most 8", up_to(8, "8")),
    ("no more than 5", up_to(5, "5")),
    ("fewer than 10", up_to(10, "10")),
    ("less than 5", up_to(5, "5")),
    # ranges
    ("between 10 and 15", span(10, 15, "10 and 15")),
    ("10 to 15", span(10, 15, "10 to 15")),
    ("10-15", span(10, 15, "10-15")),
    ("10\u201315", span(10, 15, "10\u201315")),
    ("10 or 15", span(10, 15, "10 or 15")),
    ("from 20 to 39", span(20, 39, "20 to 39")),
    ("two or three people", span(2, 3, "two or three")),
    ("ten to fifteen", span(10, 15, "ten to fifteen")),
    ("2 to 3 million", span(2_000_000, 3_000_000, "2 to 3 million")),
    ("about 10 to 15", span(10, 15, "10 to 15")),
    ("15 or 10", exact(15, "15")),  # not a range: the second number is smaller
    ("killed 10 and wounded 15", exact(10, "10")),  # "and" only joins after "between"
    # vague words
    ("tens of people", vague(10, "tens")),
    ("hundreds", vague(100, "hundreds")),
    ("thousands of people", vague(1000, "thousands")),
    ("tens of thousands", vague(10_000, "tens of thousands")),
    ("hundreds of thousands", vague(100_000, "hundreds of thousands")),
    ("several", vague(3, "several")),
    ("a few", vague(2, "a few")),
    ("a handful of", vague(2, "a handful")),
    ("multiple", vague(2, "multiple")),
    ("a number of soldiers", vague(2, "a number")),
    ("numerous", vague(10, "numerous")),
    ("several dozen", vague(36, "several dozen")),
    ("several hundred", vague(300, "several hundred")),
    ("a few hundred", vague(200, "a few hundred")),
    ("many hundreds", vague(100, "many hundreds")),
    ("at least dozens", vague(12, "dozens")),
    ("some of them", vague(2, "some")),
    ("some reports say 14 were killed", exact(14, "14")),
    # dates, years, times, units, labels, ages are skipped
    ("On Saturday, 30 December, a missile killed 14", exact(14, "14")),
    ("On Saturday, 30 people were killed", exact(30, "30")),
    ("in 2023, 12 people were killed", exact(12, "12")),
    ("since 1980 has killed more than 15,000", more_than(15000, "15,000")),
    ("2000 people", exact(2000, "2000")),
    ("about 2000", about(2000, "2000")),
    ("at 3 pm, 5 people were killed", exact(5, "5")),
    ("killed at 2215 by 3 gunmen", exact(3, "3")),
    ("the death toll stood at 1200", exact(1200, "1200")),
    ("estimated at 1500", about(1500, "1500")),
    ("the 14th victim", None),
    ("14 may have died", exact(14, "14")),
    ("on 14 May, 2023", None),
    ("May 14", None),
    ("Friday 29", None),
    ("2023", None),
    ("the 1990s", None),
    ("15:30", None),
    ("at 3 o\u2019clock", None),
    ("10 years", None),
    ("2 to 3 days", None),
    ("10 km away", None),
    ("50 percent", None),
    ("50%", None),
    ("$5 million", None),
    ("5 million pesos", None),
    ("aged 12", None),
    ("12 years old", None),
    ("a five-member commando", None),
    ("one third of the victims", None),
    ("channel 7", None),
    ("an AK-47", None),
    ("3.5", None),
    ("several days later", None),
    # no quantity at all
    ("", None),
    ("   ", None),
    ("killed", None),
    ("the attack", None),
    ("it is not known how many were killed", None),
    ("there were no immediate reports of casualties", None),
]

ALL_CASES = SEED_CASES + MUC4_CASES + RULE_CASES


@pytest.mark.parametrize(("phrase", "expected"), ALL_CASES, ids=[c[0][:60] for c in ALL_CASES])
def test_parse_count(phrase: str, expected: ParsedCount | None) -> None:
    assert parse_count(phrase) == expected


@pytest.mark.parametrize(("phrase", "expected"), ALL_CASES, ids=[c[0][:60] for c in ALL_CASES])
def test_result_is_consistent(phrase: str, expected: ParsedCount | None) -> None:
    result = parse_count(phrase)
    if result is None:
        return
    assert result.number_text, "a quantity always has its text"
    assert result.number_text in phrase
    assert result.best is not None
    if result.low is not None:
        assert result.low <= result.best
    if result.high is not None:
        assert result.best <= result.high
    if result.qualifier in ("exact", "at_least", "more_than", "range", "vague"):
        assert result.low == result.best
    if result.qualifier in ("about", "up_to"):
        assert result.low is None


def test_enough_cases() -> None:
    assert len(ALL_CASES) >= 60
    assert len({phrase for phrase, _ in ALL_CASES}) == len(ALL_CASES), "duplicate phrase"


def test_every_qualifier_is_covered() -> None:
    covered = {expected.qualifier for _, expected in ALL_CASES if expected is not None}
    assert covered == set(typing.get_args(Qualifier))


def test_seed_phrases_are_verbatim() -> None:
    article = SEED_PATH.read_text(encoding="utf-8")
    missing = [phrase for phrase, _ in SEED_CASES if phrase not in article]
    assert missing == []


def test_muc4_phrases_are_verbatim() -> None:
    if not MUC4_TRAIN.exists():
        pytest.skip("MUC-4 data not available")
    with MUC4_TRAIN.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    missing = [phrase for phrase, _ in MUC4_CASES if not any(phrase in t for t in texts)]
    assert missing == []


def test_parsed_count_is_frozen() -> None:
    result = parse_count("at least 14")
    assert result is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.best = 15  # type: ignore[misc]


def test_deterministic() -> None:
    phrases = [phrase for phrase, _ in ALL_CASES]
    assert [parse_count(p) for p in phrases] == [parse_count(p) for p in phrases]


@pytest.mark.parametrize("bad", [None, 14, b"at least 14"])
def test_rejects_non_str(bad: object) -> None:
    with pytest.raises(TypeError):
        parse_count(bad)  # type: ignore[arg-type]


# --- robustness on odd input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("\uff11\uff14 people killed", exact(14, "\uff11\uff14")),  # full-width digits
        ("\u0661\u0664 killed", exact(14, "\u0661\u0664")),  # Arabic-Indic digits
        ("\U0001f4a5 14 killed \U0001f4a5", exact(14, "14")),
        ("caf\u00e9 owner and 14 others", exact(14, "14")),
        ("twenty\u2011one", exact(21, "twenty\u2011one")),  # non-breaking hyphen
        ("1\u202f200", exact(1200, "1\u202f200")),  # narrow no-break space
        ("\u200fat least 14", at_least(14, "14")),  # right-to-left mark
        ("\x00 at least 14 \x00", at_least(14, "14")),
        ("\ud800 at least 14", at_least(14, "14")),  # lone surrogate
        ("\u00fcber 14", exact(14, "14")),  # "\u00fcber" is not "over"
        ("\u0434\u0432\u0430 14", exact(14, "14")),  # Cyrillic word
        ("\u00c5\u00e5\u00df\u2603", None),
    ],
)
def test_unicode(phrase: str, expected: ParsedCount | None) -> None:
    assert parse_count(phrase) == expected


def test_huge_number_is_not_a_count() -> None:
    assert parse_count("1" * 5000 + " people") is None
    assert parse_count("killed " + "9" * 16) is None
    assert parse_count("killed " + "9" * 15) == exact(10**15 - 1, "9" * 15)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("killed " * 20_000 + "at least 14", at_least(14, "14")),
        ("x" * 200_000, None),
        (" " * 100_000 + "14", exact(14, "14")),
        ("3 days " * 10_000 + "two people", exact(2, "two")),
        ("in 2023 " * 10_000, None),
        ("at least 14 " + "y" * 200_000, at_least(14, "14")),
    ],
    ids=["late-count", "no-count", "whitespace", "many-skipped", "many-years", "early-count"],
)
def test_long_strings(phrase: str, expected: ParsedCount | None) -> None:
    started = time.perf_counter()
    assert parse_count(phrase) == expected
    assert time.perf_counter() - started < 30  # generous: the machine may be busy


@pytest.mark.parametrize("pad", range(4096 - 40, 4096 + 8, 3))
def test_count_across_the_first_read_slice(pad: int) -> None:
    # parse_count reads a long phrase slice by slice; a number cut by a slice edge must be
    # read whole.
    phrase = "." * pad + " one hundred and twenty people, 1,500 others"
    assert parse_count(phrase) == exact(120, "one hundred and twenty")
    phrase = "." * pad + " 1,500 others"
    assert parse_count(phrase) == exact(1500, "1,500")


@pytest.mark.parametrize(
    ("phrase", "best"),
    [("the victim", 1), ("his wife", 1), ("the 9-year-old boy", 1), ("the 17-year-old.", 1),
     ("an 18-year-old", 1), ("16-year-old", 1), ("another boy", 1), ("the 38-year-old man", 1),
     ("victims", None), ("the children", None), ("Chazz Jenkins", None), ("the man who", None)],
)  # fmt: skip
def test_one_person_named_alone_counts_one(phrase: str, best: int | None) -> None:
    counted = one_person(phrase)
    assert (counted.best if counted else None) == best


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [("A man was fatally shot on Monday.", {"killed"}), ("Two were hurt.", {"injured"}),
     ("Four teens shot, one fatally, two wounded", {"killed", "injured"}),
     ("Six people were shot at a party.", set()),
     ("Two men were hurt in a non-fatal shooting.", {"injured"}),
     ("His wound was not fatal.", {"injured"})],
)  # fmt: skip
def test_a_sentence_tells_which_kinds_of_casualties_it_speaks_of(sentence: str, kinds) -> None:
    assert casualty_kinds(sentence) == kinds
