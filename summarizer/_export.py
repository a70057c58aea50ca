"""Exports of a batch store: JSONL documents, a CSV of incidents, a Markdown digest.

Each export takes every article's newest result of one schema, in the order the
articles were first seen:

- ``jsonl``: one document per article (`Document.to_dict`), with the article's own id,
  source, URL and title;
- ``csv``: one row per incident, columns after ACLED's (`CSV_COLUMNS`), UTF-8 with a
  byte-order mark so spreadsheets read it as such, every cell on one line, and text
  cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) escaped
  with a leading apostrophe;
- ``md``: the incidents grouped by date, then place.

Every output names the model and prompt version that produced each result. A file is
written to a temporary file beside it, then renamed over it: never seen half-written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from summarizer._errors import InputError, SchemaError
from summarizer._render import link, printable
from summarizer._store import LOCK_FILE, STORE_FILE, ExportedResult, Store

# The store's database, its write-ahead log and shared memory, and its lock.
STORE_FILES = (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", LOCK_FILE)
CSV_COLUMNS = (
    "event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country",
    "admin1", "location", "fatalities_best", "fatalities_low", "fatalities_high",
    "injured_best", "source", "article_id", "notes", "time_precision", "model",
    "prompt_version",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@")
INCIDENT_SCHEMA = "incident"


def write_jsonl(results: Iterable[ExportedResult], out: TextIO) -> int:
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


def _cell(value: object) -> object:
    """A value safe in a spreadsheet cell: one line, never read as a formula."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _texts(values: list[dict[str, Any]]) -> str:
    return "; ".join(v["text"] for v in values)


def _csv_row(result: ExportedResult, record: dict[str, Any]) -> dict[str, object]:
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
    }


def write_csv(results: Iterable[ExportedResult], out: TextIO) -> int:
    """One row per incident (`CSV_COLUMNS`); returns how many rows."""
    out.write("\ufeff")  # the byte-order mark: spreadsheets then read UTF-8, not Latin-1
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for result in results:
        for record in result.document["records"]:
            writer.writerow({k: _cell(v) for k, v in _csv_row(result, record).items()})
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


def _count(count: dict[str, Any] | None, what: str) -> str | None:
    if not count or count["best"] is None:
        return None
    return f"{what} {count['best']}" + (f" (“{count['text']}”)" if count["text"] else "")


def _digest_line(result: ExportedResult, record: dict[str, Any]) -> str:
    kind = record["sub_event_type"].replace("_", " ").capitalize()
    counts = [_count(record["killed"], "killed"), _count(record["injured"], "injured")]
    figures = ", ".join(c for c in counts if c)
    source = link(result.title or result.source, result.url)
    return (
        f"- **{kind}**: {record['summary']}"
        + (f" — {figures}." if figures else "")
        + f" Source: {source} (`{record['id']}`)"
    )


def write_md(results: Iterable[ExportedResult], out: TextIO) -> int:
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


Writer = Callable[[Iterable[ExportedResult], TextIO], int]
FORMATS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv, "md": write_md}


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` only once complete (written, then renamed)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("x", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 with the format's own line endings, whatever the locale."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


@contextlib.contextmanager
def _writing(output: Path) -> Iterator[None]:
    """The system's refusals to write `output` (a read-only folder, a full disk, a name
    too long) as one line."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"{output}: cannot write it ({exc.strerror or exc})") from None


def _check_output(output: Path, folder: Path, force: bool) -> None:
    """Refuse an output that would replace the store's own files (never), a file that is
    already there (unless `force`), a folder, or a place that cannot hold a file."""
    own = {(folder / name).resolve() for name in STORE_FILES}
    if output.resolve() in own:
        raise InputError(f"{output}: is one of the store's own files; export to another file")
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give the file to write")
    if output.exists() and not force:
        raise InputError(f"{output}: exists; give --force to replace it")
    if not output.parent.is_dir():
        raise InputError(f"{output.parent}: no such folder")


def export_store(
    folder: Path,
    fmt: str,
    output: Path | None = None,
    schema: str = INCIDENT_SCHEMA,
    *,
    force: bool = False,
) -> int:
    """Write the store's results in `fmt` to `output` (atomically) or stdout; an existing
    `output` is replaced only with `force`, the store's own files never.

    Returns how many items were written: documents for jsonl, incidents for csv and md.
    """
    if fmt != "jsonl" and schema != INCIDENT_SCHEMA:
        raise SchemaError(f"the {fmt} export lays out {INCIDENT_SCHEMA} records; use jsonl")
    if output is not None:
        with _writing(output):
            _check_output(output, folder, force)
    with Store.read(folder) as store:
        held = store.schemas()
        if held and schema not in held:
            raise InputError(
                f"{folder} holds no results of schema {schema!r}; it holds: "
                f"{', '.join(sorted(held))} (give one with --schema)"
            )
        if output is None:
            with _stdout() as out:
                return FORMATS[fmt](store.latest_results(schema), out)
        with _writing(output), atomic_file(output) as out:
            return FORMATS[fmt](store.latest_results(schema), out)
