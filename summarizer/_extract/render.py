"""Every output format, in one place: a document as JSON or Markdown, and the exports of
many articles' results as JSONL, CSV or a Markdown digest.

- `to_json`, `to_markdown`: one article's `Document` (`summarizer extract`);
- ``jsonl``: one document per article (`Document.to_dict`), with the article's own id,
  source, URL and title;
- ``csv``: one row per incident, columns after ACLED's (`CSV_COLUMNS`), UTF-8 with a
  byte-order mark so spreadsheets read it as such, every cell on one line, and text
  cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) escaped
  with a leading apostrophe;
- ``md``: the incidents grouped by date, then place.

Every export names the model and prompt version that produced each result. Text meant
for people (Markdown, on a terminal or in a file) carries article and model strings,
which are untrusted: `printable` shows their control characters as escapes, so an
article cannot colour a terminal, retitle its window or ring its bell, and `link` makes
Markdown links of ``http(s)`` addresses only (no ``javascript:``).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TextIO
from urllib.parse import quote, urlsplit

from summarizer._extract.pipeline import Document

_KEPT_CONTROLS = "\n\t"
_LINK_SCHEMES = frozenset({"http", "https"})


def printable(text: str) -> str:
    """`text` with every control character but newline and tab written as an escape
    (ESC as ``\\x1b``), and so are the bidirectional overrides that reorder what is shown."""
    return "".join(_escaped(char) for char in text)


# Unicode's bidirectional embeddings, overrides and isolates.
_REORDERING = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def _escaped(char: str) -> str:
    if char in _KEPT_CONTROLS:
        return char
    if unicodedata.category(char) == "Cc" or unicodedata.bidirectional(char) in _REORDERING:
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    return char


# What a URL may hold unescaped in a Markdown link: no space, no parenthesis, no bracket.
_URL_SAFE = ":/?#@!$&'*+,;=%~"


def link(label: str, url: str | None) -> str:
    """A Markdown link to `url` when it is an ``http(s)`` address, else `label` alone."""
    shown = re.sub(r"([\\\[\]])", r"\\\1", label)
    if not url or urlsplit(url).scheme.lower() not in _LINK_SCHEMES:
        return shown
    return f"[{shown}]({quote(url, safe=_URL_SAFE)})"


def to_json(document: Document, *, indent: int | None = 2) -> str:
    return json.dumps(document.to_dict(), ensure_ascii=False, indent=indent)


def _cell(value: object) -> str:
    return "-" if value in (None, "", []) else str(value)


def _count(count: dict | None) -> str:
    if not count:
        return "-"
    claims = "; ".join(
        f"“{c['text']}” ({c['claimant'] or 'article'})" for c in count.get("claims", [])
    )
    return f"{_cell(count['best'])} [{claims}]" if claims else _cell(count["best"])


def to_markdown(document: Document) -> str:
    """A human summary; records of the built-in schema get a readable layout."""
    data = document.to_dict()
    lines = [
        f"# {data['source']}",
        "",
        f"{len(data['records'])} record(s) · schema `{data['schema']}` · model `{data['model']}` "
        f"· prompt `{data['prompt_version']}` · {data['usage']['llm_calls']} LLM call(s), "
        f"{data['usage']['seconds']} s"
        + (
            f" · {data['grounding']['grounded']}/{data['grounding']['values']} values found "
            "in the article"
            if data["grounding"]["values"]
            else ""
        ),
        "",
    ]
    for record in data["records"]:
        if "sub_event_type" in record:
            location = record["location"]
            lines += [
                f"## {record['id']}: {record['sub_event_type'].replace('_', ' ')}",
                "",
                record["summary"],
                "",
                f"- **When**: {_cell(record['date']['text'])} "
                f"({_cell(record['date']['start'])}, {record['date']['precision']})",
                f"- **Where**: {_cell(location['place'])}, {_cell(location['country'])}",
                f"- **Who**: {_cell(', '.join(p['text'] for p in record['perpetrators']))}",
                f"- **Against**: "
                f"{_cell(', '.join(t['text'] for t in record['targets'] + record['victims']))}",
                f"- **With**: {_cell(', '.join(w['text'] for w in record['weapons']))}",
                f"- **Killed**: {_count(record['killed'])}",
                f"- **Injured**: {_count(record['injured'])}",
                f"- **Evidence**: “{record['evidence']['text']}”",
                *(f"- **Also told**: “{e['text']}”" for e in record.get("more_evidence", [])),
                "",
            ]
        else:
            lines += ["```json", json.dumps(record, ensure_ascii=False, indent=2), "```", ""]
    if data["warnings"]:
        lines += ["### Warnings", ""] + [f"- {w}" for w in data["warnings"]] + [""]
    return printable("\n".join(lines))


# --- Exports: many articles' results, each with the article it came from ---------------


class Exported(Protocol):
    """An article's latest result as an export reads it (the store's `ExportedResult`)."""

    article_id: str
    source: str
    url: str | None
    title: str | None
    document: dict[str, Any]


CSV_COLUMNS = (
    "event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country",
    "admin1", "location", "fatalities_best", "fatalities_low", "fatalities_high",
    "injured_best", "source", "article_id", "notes", "time_precision", "model",
    "prompt_version", "review_state",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@")


def write_jsonl(results: Iterable[Exported], out: TextIO) -> int:
    """One JSON document per article; returns how many."""
    count = 0
    for result in results:
        document = {
            **result.document,
            "article_id": result.article_id,
            "source": result.source,
            "url": result.url,
            "title": result.title,
        }
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
        count += 1
    return count


def _spreadsheet_cell(value: object) -> object:
    """A value safe in a spreadsheet cell: one line, never read as a formula."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _texts(values: list[dict[str, Any]]) -> str:
    return "; ".join(v["text"] for v in values)


def _csv_row(result: Exported, record: dict[str, Any]) -> dict[str, object]:
    location = record["location"]
    killed = record["killed"] or {}
    modality = record["modality"]
    return {
        "event_id": record["id"],
        "event_date": record["date"]["start"],
        "event_type": record["event_type"],
        "sub_event_type": record["sub_event_type"],
        "actor1": _texts(record["perpetrators"]),
        # ACLED's actor2 is the side acted upon: the victims, else what was hit.
        "actor2": _texts(record["victims"] or record["targets"]),
        "country": location["country"],
        "admin1": location["admin1"],
        "location": location["place"],
        "fatalities_best": killed.get("best"),
        "fatalities_low": killed.get("low"),
        "fatalities_high": killed.get("high"),
        "injured_best": (record["injured"] or {}).get("best"),
        "source": result.url or result.source,
        "article_id": result.article_id,
        "notes": record["summary"]
        if modality == "asserted"
        else f"{record['summary']} ({modality})",
        "time_precision": record["date"]["precision"],
        "model": result.document["model"],
        "prompt_version": result.document["prompt_version"],
        # An editor's decision (`summarizer._batch.reviews`), when the export applied them.
        "review_state": (record.get("review") or {}).get("state"),
    }


def write_csv(results: Iterable[Exported], out: TextIO) -> int:
    """One row per incident (`CSV_COLUMNS`); returns how many rows."""
    out.write("\ufeff")  # the byte-order mark: spreadsheets then read UTF-8, not Latin-1
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for result in results:
        for record in result.document["records"]:
            writer.writerow({k: _spreadsheet_cell(v) for k, v in _csv_row(result, record).items()})
            count += 1
    return count


def _date_heading(date: dict[str, Any]) -> tuple[str, str]:
    """(sort key, heading) of an incident's date; undated incidents sort last."""
    start, precision = date["start"], date["precision"]
    if not start or precision == "unknown":
        return ("9999", "Date unknown")
    headings = {"day": start, "week": f"Week of {start}", "month": start[:7], "year": start[:4]}
    return (start, headings[precision])


def _place_heading(location: dict[str, Any]) -> str:
    parts = [location["place"], location["admin1"], location["country"]]
    return ", ".join(dict.fromkeys(p for p in parts if p)) or "Place unknown"


def _figure(count: dict[str, Any] | None, what: str) -> str | None:
    if not count or count["best"] is None:
        return None
    return f"{what} {count['best']}" + (f" (“{count['text']}”)" if count["text"] else "")


def _digest_line(result: Exported, record: dict[str, Any]) -> str:
    kind = record["sub_event_type"].replace("_", " ").capitalize()
    counts = [_figure(record["killed"], "killed"), _figure(record["injured"], "injured")]
    figures = ", ".join(c for c in counts if c)
    source = link(result.title or result.source, result.url)
    return (
        f"- **{kind}**: {record['summary']}"
        + (f" — {figures}." if figures else "")
        + f" Source: {source} (`{record['id']}`)"
        + (f" · review: {state}" if (state := (record.get("review") or {}).get("state")) else "")
    )


def write_md(results: Iterable[Exported], out: TextIO) -> int:
    """A digest of the incidents by date, then place; returns how many incidents."""
    # Grouping needs every incident first; only the digest lines are kept.
    groups: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    articles, producers = 0, set()
    for result in results:
        articles += 1
        producers.add((result.document["model"], result.document["prompt_version"]))
        for record in result.document["records"]:
            places = groups[_date_heading(record["date"])]
            line = printable(_digest_line(result, record))
            places[printable(_place_heading(record["location"]))].append(line)
    incidents = sum(len(lines) for places in groups.values() for lines in places.values())
    made_by = ", ".join(f"model `{m}`, prompt `{p}`" for m, p in sorted(producers))
    out.write(f"# Incident digest\n\n{incidents} incident(s) from {articles} article(s)")
    out.write(f" · {made_by}\n" if made_by else "\n")
    for (_, date_heading), places in sorted(groups.items()):
        out.write(f"\n## {date_heading}\n")
        for place in sorted(places, key=lambda p: (p == "Place unknown", p)):
            out.write(f"\n### {place}\n\n" + "\n".join(places[place]) + "\n")
    return incidents


Writer = Callable[[Iterable[Exported], TextIO], int]
FORMATS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv, "md": write_md}
