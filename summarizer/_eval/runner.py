"""``eval run``: extract labelled documents and score them.

Two gold formats, each scored for the schema made for it (`Grader`):

- MUC-4 (``templates``), with the ``muc4`` schema: the GTT template-filling metric;
- GVA (``events``: one shooting per article), with the ``incident`` schema: the checks
  of `summarizer._scoring.gva` (figures, date, place, type, one record, honesty counts).

What a run leaves in its folder:

- ``predictions.jsonl``: one line per document, ``{"id", "templates"}`` (MUC-4, the
  gold's shape) or ``{"id", "records"}`` (the ``incident`` records);
- ``runs.jsonl``: one line per extraction: seconds, tokens, LLM calls, values looked up
  in the article and found there, model, prompt version, the pipeline's warnings (why a
  document got no template: the model's doubt, a filler not in the article...), and the
  error when it failed;
- ``metrics.json``: written (atomically) when every document of the slice is done: the
  GTT score, cost per document and medians, and what went wrong.

Each document's lines are appended and flushed as soon as it is done, its ``runs`` line
first; an interrupted run is resumed by running it again: documents with a prediction
are not extracted again, a half-written last line is cut off, and a document whose
prediction line is missing is extracted again (its newest ``runs`` line counts).

A document that fails (the model never answers validly, the text is refused) gets an
empty prediction and an error entry; an endpoint that cannot be reached stops the run
instead, since every later document would fail the same way.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, Protocol

from summarizer._errors import (
    EndpointError,
    InputError,
    SchemaError,
    SetupError,
    SummarizerError,
)
from summarizer._eval.muc4_mapping import muc4_templates
from summarizer._extract.pipeline import (
    abstention_for,
    extract,
    prompt_version,
    relevance_required,
    strategy_for,
)
from summarizer._llm.client import LLMClient
from summarizer._scoring import gva
from summarizer._scoring.muc4 import score
from summarizer._settings import Settings
from summarizer._text.article import check_text
from summarizer._text.dates import parse_published
from summarizer._text.jsonl import BadLine, read_objects
from summarizer.schemas._base import Schema
from summarizer.schemas._incident import Incident
from summarizer.schemas._muc4 import Template

PREDICTIONS = "predictions.jsonl"
RUNS = "runs.jsonl"
METRICS = "metrics.json"
COSTS = ("seconds", "prompt_tokens", "completion_tokens", "llm_calls")

Documents = list[dict[str, Any]]
Predicted = dict[str, list[dict[str, Any]]]


def _muc4_score(docs: Documents, predicted: Predicted, failed: set[str]) -> dict[str, Any]:
    """The GTT score, and the documents where the model saw nothing or too much."""
    gold = {str(d["id"]): d["templates"] for d in docs}
    return {
        "score": score(gold, {i: predicted.get(i, []) for i in gold}),
        # Documents with gold templates where the model saw nothing (failed ones aside),
        # and documents without any where it saw something.
        "failures_to_see": sum(
            bool(t) and not predicted.get(i) and i not in failed for i, t in gold.items()
        ),
        "false_alarms": sum(not t and bool(predicted.get(i)) for i, t in gold.items()),
    }


def _incident_on_muc4_score(
    docs: Documents, predicted: Predicted, failed: set[str]
) -> dict[str, Any]:
    """The GTT score of `incident` records read as MUC-4 templates (`muc4_mapping`)."""
    templates = {doc_id: muc4_templates(records) for doc_id, records in predicted.items()}
    return {
        **_muc4_score(docs, templates, failed),
        "mapping": "incident records as MUC-4 templates",
    }


def _gva_score(docs: Documents, predicted: Predicted, failed: set[str]) -> dict[str, Any]:
    """`summarizer._scoring.gva`'s checks of each article's records against its one event."""
    golds = {str(d["id"]): d["events"][0] for d in docs}
    texts = {str(d["id"]): str(d["text"]) for d in docs}
    return {"score": gva.score(golds, predicted, texts)}


@dataclass(frozen=True)
class Grader:
    """A gold format: its key, the records it scores, the key they are written under."""

    gold_key: str
    record_model: type
    prediction_key: str
    score: Callable[[Documents, Predicted, set[str]], dict[str, Any]]


GRADERS = (
    Grader("templates", Template, "templates", _muc4_score),
    Grader("events", Incident, "records", _gva_score),
    Grader("templates", Incident, "records", _incident_on_muc4_score),
)


def grader_for(schema: Schema, gold_key: str | None = None) -> Grader:
    """How `schema`'s records are scored against gold of `gold_key` (``templates``:
    MUC-4, ``events``: GVA; None: the schema's own gold)."""
    for grader in GRADERS:
        if issubclass(schema.record_model, grader.record_model) and gold_key in (
            None,
            grader.gold_key,
        ):
            return grader
    raise SchemaError(
        f"eval run scores MUC-4 templates (schema muc4 or incident) or GVA events (schema "
        f"incident); schema {schema.name!r} gives neither for this data"
    )


def gold_key_of(data: Path) -> str | None:
    """Which gold the JSONL `data` holds: the key of its first object's ``templates``
    (MUC-4) or ``events`` (GVA); None when its first object has neither."""
    for item in read_objects(data, ("id",)):
        if isinstance(item, BadLine):
            continue
        return next((key for key in ("templates", "events") if key in item), None)
    return None


@dataclass(frozen=True)
class Step:
    """One document done, as progress displays see it."""

    position: int  # 1-based, within the slice
    total: int
    doc_id: str
    seconds: float
    records: int  # what the document gave: its templates (MUC-4) or records
    error: str | None


class Reporter(Protocol):
    """What a run reports while it goes."""

    def started(self, total: int, done: int) -> None:
        """`total` documents in the slice, `done` of them by an earlier run."""

    def skipped(self, line: BadLine) -> None:
        """A line of the data (or of an earlier run's files) that cannot be used."""

    def finished(self, step: Step) -> None:
        """One document extracted."""


class _Quiet:
    def started(self, total: int, done: int) -> None:
        pass

    def skipped(self, line: BadLine) -> None:
        pass

    def finished(self, step: Step) -> None:
        pass


def run_eval(
    data: Path,
    out: Path,
    *,
    schema: Schema,
    llm: LLMClient | Callable[[], LLMClient],
    settings: Settings,
    limit: int | None = None,
    offset: int = 0,
    progress: Reporter | None = None,
) -> dict[str, Any]:
    """Extract and score documents ``offset`` to ``offset + limit`` of the JSONL `data`.

    Args:
        data: gold JSONL, one ``{"id", "text", "templates"}`` object per line (MUC-4), or
            ``{"id", "text", "published", "events"}`` (GVA).
        out: the run's folder (created); an earlier run's files in it are resumed.
        schema: a schema whose records are `Template` (``muc4``, maybe with another
            prompt) or `Incident` (``incident``).
        llm: the client, or a function making it (called only if a document needs it).
        settings: the extraction settings (strategy, article length limit).
        limit: how many documents at most; None: to the end.
        offset: how many valid documents to skip first.
        progress: told of each document and each unusable line.

    Returns:
        The metrics, as written to ``out/metrics.json``.
    """
    grader = grader_for(schema, gold_key_of(data))
    report = progress or _Quiet()
    bad: list[BadLine] = []
    documents = _documents(data, grader.gold_key, bad, report)
    docs = list(islice(documents, offset, None if limit is None else offset + limit))
    out.mkdir(parents=True, exist_ok=True)
    key = grader.prediction_key
    predicted = {str(p["id"]): p[key] for p in _resume(out / PREDICTIONS, ("id", key), report)}
    runs = {str(r["id"]): r for r in _resume(out / RUNS, ("id",), report)}
    version = prompt_version(schema, settings)
    _check_same_setup(runs.values(), "prompt_version", version, out)
    report.started(len(docs), sum(str(d["id"]) in predicted for d in docs))
    client: LLMClient | None = None
    with (
        (out / RUNS).open("a", encoding="utf-8") as log,
        (out / PREDICTIONS).open("a", encoding="utf-8") as predictions,
    ):
        for position, doc in enumerate(docs, start=1):
            doc_id = str(doc["id"])
            if doc_id in predicted:
                continue
            if client is None:
                client = llm if isinstance(llm, LLMClient) else llm()
                _check_same_setup(runs.values(), "model", client.model, out)
            entry, records = _extract(doc, schema, client, settings)
            entry.update(model=client.model, prompt_version=version)
            _append(log, entry)
            _append(predictions, {"id": doc_id, key: records})
            runs[doc_id], predicted[doc_id] = entry, records
            report.finished(
                Step(position, len(docs), doc_id, entry["seconds"], len(records), entry["error"])
            )
    metrics = _metrics(data, docs, predicted, runs, bad, schema, settings, version, grader)
    _write_atomically(out / METRICS, metrics)
    return metrics


def _documents(
    data: Path, gold_key: str, bad: list[BadLine], report: Reporter
) -> Iterator[dict[str, Any]]:
    """The usable documents of `data`; each unusable line is reported and kept in `bad`."""
    for item in read_objects(data, ("id", "text", gold_key)):
        if isinstance(item, BadLine):
            bad.append(item)
            report.skipped(item)
        else:
            yield item


def _resume(path: Path, required: tuple[str, ...], report: Reporter) -> list[dict[str, Any]]:
    """The objects an earlier run wrote to `path`, after cutting off a half-written line."""
    if not path.exists():
        return []
    with path.open("rb+") as handle:
        content = handle.read()
        if content and not content.endswith(b"\n"):
            # Killed in the middle of a line: that document is extracted again.
            handle.truncate(content.rfind(b"\n") + 1)
    found = []
    for item in read_objects(path, required):
        if isinstance(item, BadLine):
            report.skipped(item)
        else:
            found.append(item)
    return found


def _check_same_setup(runs: Iterable[dict[str, Any]], key: str, value: str, out: Path) -> None:
    """Refuse to mix two models or prompts in one folder: its score would mean neither."""
    earlier = {r[key] for r in runs if key in r} - {value}
    if earlier:
        raise InputError(
            f"{out} holds predictions made with {key} {sorted(map(str, earlier))[0]!r}, not "
            f"{value!r}; use another --out folder (or delete it to start again)"
        )


def _extract(
    doc: dict[str, Any], schema: Schema, llm: LLMClient, settings: Settings
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One document's ``runs`` entry and predicted records (none when it failed). The
    document's ``published`` date, where it has one, resolves its relative dates."""
    started, doc_id = time.perf_counter(), str(doc["id"])
    try:
        article = check_text(str(doc["text"]), doc_id, settings.max_article_chars)
        published = parse_published(doc.get("published"))
        document = extract(article, schema, llm, published=published, settings=settings)
    except (EndpointError, SetupError):
        raise
    except SummarizerError as exc:
        entry = dict.fromkeys(COSTS[1:]) | {"warnings": [], "error": str(exc)}
        return {"id": doc_id, "seconds": round(time.perf_counter() - started, 2), **entry}, []
    usage = document.usage
    return {
        "id": doc_id,
        "seconds": round(document.seconds, 2),
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "llm_calls": usage.llm_calls,
        "looked_up": document.looked_up,
        "grounded": document.grounded,
        "warnings": document.warnings,
        "error": None,
    }, [record.model_dump(mode="json") for record in document.records]


def _append(handle: IO[str], item: dict[str, Any]) -> None:
    """One whole line, flushed: a killed run loses at most the document in flight."""
    handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    handle.flush()


def _metrics(
    data: Path,
    docs: list[dict[str, Any]],
    predicted: dict[str, list[dict[str, Any]]],
    runs: dict[str, dict[str, Any]],
    bad: list[BadLine],
    schema: Schema,
    settings: Settings,
    version: str,
    grader: Grader,
) -> dict[str, Any]:
    """Score and cost of the slice's documents."""
    gold = {str(d["id"]): d[grader.gold_key] for d in docs}
    entries = [runs.get(doc_id, {"id": doc_id}) for doc_id in gold]
    errors = [{"id": e["id"], "error": e["error"]} for e in entries if e.get("error")]
    failed = {e["id"] for e in errors}
    models = sorted({str(e["model"]) for e in entries if e.get("model")})
    return {
        "data": str(data),
        "documents": len(gold),
        "schema": schema.name,
        "model": models[0] if models else None,
        "prompt_version": version,
        "strategy": strategy_for(schema, settings),
        "abstain_above": abstention_for(schema, settings),
        "min_relevance": relevance_required(schema, settings),
        **grader.score(docs, predicted, failed),
        "errors": errors,
        "bad_lines": [str(b) for b in bad],
        # The share of the model's fillers the program found in the article.
        "grounding": _grounding(entries),
        "median": {k: _median([e.get(k) for e in entries]) for k in COSTS},
        "total": {k: sum(e.get(k) or 0 for e in entries) for k in COSTS},
        "per_document": [
            {
                "id": e["id"],
                f"gold_{grader.prediction_key}": len(gold[e["id"]]),
                f"predicted_{grader.prediction_key}": len(predicted.get(e["id"], [])),
                **{k: e.get(k) for k in COSTS},
            }
            for e in entries
        ],
    }


def _grounding(entries: list[dict[str, Any]]) -> dict[str, Any]:
    looked_up = sum(e.get("looked_up") or 0 for e in entries)
    grounded = sum(e.get("grounded") or 0 for e in entries)
    return {
        "values": looked_up,
        "grounded": grounded,
        "rate": round(grounded / looked_up, 3) if looked_up else None,
    }


def _median(values: list[Any]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _write_atomically(path: Path, content: dict[str, Any]) -> None:
    """Write JSON to `path` through a temporary file, so no reader sees half of it."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, path)
