"""Scoring ``incident`` records against the Gun Violence Archive's record of each article.

Each GVA article (``../shared/data/gva/``) reports one shooting; its gold is GVA's record
of that incident: killed, injured, date, city, state and a type. An article is scored
on its *main record*, the first one (listings follow the article, and news leads with
its incident), and on what the records of the whole article do:

- ``one_record``: the article gave exactly one record;
- ``killed``, ``injured``: the main record's best figure equals GVA's; no figure counts
  as 0 (an article seldom says "nobody was killed": unknown, not 0, is what the record
  holds);
- ``date``: the main record's date resolved to GVA's day;
- ``city``: the place, compared after `normalise`, is GVA's city or ends with it
  ("north Franklin"), or GVA's city ends with it ("Dallas (county)" is "dallas");
- ``state``: ``admin1``, a postal or AP abbreviation read as the state's name, is GVA's;
  ``state_where_written`` is the same share among the articles that write the state
  (`writes_state`: 114 of the 300 dev articles), since a record never guesses one;
- ``type``: the sub-event type is one a shooting of GVA's kind may take (`ACCEPTABLE`);
- ``evidence_not_in_article``: records whose evidence quote the program did not find;
- ``values_from_prompt``: values not in the article that stand in a prompt template (an
  example leaking into the answer), among them a summary's capitalised words;
- ``figures_outside_passage``: casualty claims that lie outside every paragraph where
  the record's other values stand (its evidence, place, actors, victims...), and
  outside the headline and lede when its evidence is one of them.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from summarizer._llm.prompting import prompt_words
from summarizer._text.grounding import normalise, opening_at, paragraph
from summarizer._text.places import state_name, writes_state

# GVA's types of shooting -> the sub-event types a record of it may have. Our taxonomy
# follows ACLED, which has no accident: an accidental shooting is `other`, or an attack
# where the article tells it as one.
_SHOOTING = frozenset({"attack_on_civilians", "armed_clash"})
ACCEPTABLE: dict[str, frozenset[str]] = {
    "shooting": _SHOOTING,
    "shooting (mass shooting, 4+ shot)": _SHOOTING,
    "shooting (officer involved)": _SHOOTING,
    "shooting (accidental/unintentional)": frozenset({"other", "attack_on_civilians"}),
}
CHECKS = ("one_record", "killed", "injured", "date", "city", "state", "type")
# A run of capitalised words of four letters or more: a name a summary may have invented.
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def _best(count: Mapping[str, Any] | None) -> int:
    return 0 if not count or count.get("best") is None else count["best"]


def _same_place(place: str | None, city: str | None) -> bool:
    if not place or not city:
        return False
    ours, theirs = normalise(place), normalise(re.sub(r"\(.*?\)", "", city))
    return ours == theirs or ours.endswith(f" {theirs}") or theirs.endswith(f" {ours}")


def _main_checks(main: Mapping[str, Any], gold: Mapping[str, Any]) -> dict[str, bool]:
    """What the main record has right, check by check."""
    date, location = main["date"], main["location"]
    return {
        "killed": _best(main.get("killed")) == gold["killed"],
        "injured": _best(main.get("injured")) == gold["injured"],
        "date": date.get("precision") == "day" and date.get("start") == gold["date"],
        "city": _same_place(location.get("place"), gold["place"].get("city")),
        "state": state_name(location.get("admin1") or "") == gold["place"].get("admin1"),
        "type": main["sub_event_type"] in ACCEPTABLE.get(gold["type"], _SHOOTING),
    }


def _claims(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The record's casualty claims, killed then injured."""
    return [c for kind in ("killed", "injured") for c in (record.get(kind) or {}).get("claims", [])]


def _other_values(record: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The record's values looked up in the article, but its claims (its evidence, and
    the evidence of the records merged into it, among them)."""
    yield record["evidence"]
    yield from record.get("more_evidence", [])
    if record["location"].get("text"):
        yield record["location"]["text"]
    for role in ("perpetrators", "targets", "victims", "weapons"):
        yield from record[role]


def _grounded_values(record: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Every value of the record that the program looked up in the article."""
    yield from _other_values(record)
    yield from _claims(record)


def _from_prompt(record: Mapping[str, Any], article: str, prompts: str) -> list[str]:
    """The record's values that the article does not hold and a prompt does."""
    unfound = [v["text"] for v in _grounded_values(record) if v.get("start") is None]
    unfound += [
        name for name in _CAPITALISED.findall(record.get("summary") or "")
        if len(name) > 3 and normalise(name) not in article
    ]  # fmt: skip
    return [value for value in unfound if normalise(value) and normalise(value) in prompts]


def _outside_passage(record: Mapping[str, Any], text: str) -> int:
    """How many of the record's claims lie outside the paragraphs where its other values
    stand (its evidence, place, actors, victims, targets, weapons: a merged record's
    include those of the record merged into it), and outside the headline and lede when
    its evidence is one of them (news opens with its main incident: "6 shot at Easter
    party", then "the person who shot six people")."""
    starts = (v["start"] for v in _other_values(record) if v.get("start") is not None)
    passages = {paragraph(text, start) for start in starts}
    if (start := record["evidence"].get("start")) is not None:
        passages |= set(opening_at(text, start))
    return sum(
        not any(first <= c["start"] and c["end"] <= last for first, last in passages)
        for c in _claims(record)
    )


def score_article(
    gold: Mapping[str, Any], records: list[Mapping[str, Any]], text: str, prompts: str
) -> dict[str, Any]:
    """One article's checks (`CHECKS`, each True or False) and honesty counts."""
    checks = dict.fromkeys(CHECKS, False)
    checks["one_record"] = len(records) == 1
    if records:
        checks |= _main_checks(records[0], gold)
    article = normalise(text)
    leaks = [value for r in records for value in _from_prompt(r, article, prompts)]
    return {
        "records": len(records),
        **checks,
        "state_written": writes_state(gold["place"].get("admin1") or "", text),
        "evidence_not_in_article": sum(r["evidence"].get("start") is None for r in records),
        "values_from_prompt": leaks,
        "figures_outside_passage": sum(_outside_passage(r, text) for r in records),
    }


def score(
    golds: Mapping[str, Mapping[str, Any]],
    predicted: Mapping[str, list[Mapping[str, Any]]],
    texts: Mapping[str, str],
) -> dict[str, Any]:
    """The share of articles right on each check, the honesty totals, and each article's
    checks; `golds` maps an article id to its one GVA event."""
    prompts = prompt_words()
    articles = {
        doc_id: score_article(gold, predicted.get(doc_id, []), texts[doc_id], prompts)
        for doc_id, gold in golds.items()
    }
    scored = list(articles.values())
    count = len(scored) or 1
    written = [a for a in scored if a["state_written"]]
    return {
        **{check: round(sum(a[check] for a in scored) / count, 3) for check in CHECKS},
        "state_where_written": round(sum(a["state"] for a in written) / (len(written) or 1), 3),
        "state_written": len(written),
        "records_per_article": round(sum(a["records"] for a in scored) / count, 2),
        "no_record": sum(a["records"] == 0 for a in scored),
        "several_records": sum(a["records"] > 1 for a in scored),
        "evidence_not_in_article": sum(a["evidence_not_in_article"] for a in scored),
        "values_from_prompt": sum(len(a["values_from_prompt"]) for a in scored),
        "figures_outside_passage": sum(a["figures_outside_passage"] for a in scored),
        "median_records": statistics.median(a["records"] for a in scored) if scored else None,
        "per_article": articles,
    }
