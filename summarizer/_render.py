"""Output formats for documents: JSON (the full record) and a readable Markdown summary.

Text meant for people (Markdown, on a terminal or in a file) carries article and model
strings, which are untrusted: `printable` shows their control characters as escapes, so
an article cannot colour a terminal, retitle its window or ring its bell, and `link`
makes Markdown links of ``http(s)`` addresses only (no ``javascript:``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote, urlsplit

from summarizer._pipeline import Document

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
                "",
            ]
        else:
            lines += ["```json", json.dumps(record, ensure_ascii=False, indent=2), "```", ""]
    if data["warnings"]:
        lines += ["### Warnings", ""] + [f"- {w}" for w in data["warnings"]] + [""]
    return printable("\n".join(lines))
