"""`extract_dataset`: a Ray dataset of articles in, a dataset of extraction rows out.

Each actor of the ``map_batches`` stage builds its own `LLMClient` in its constructor
(inside the actor: a client holds connections and locks, so it is never pickled) and
reads ``requests_per_actor`` articles at once in its threads, each taking the next
article of its batch as it finishes, and yielding each row as it is done, through the
same one-article path as `summarize_many` (`summarizer._extract.pipeline.extract`):
same prompts, grounding and merging, so a row's ``document`` is the JSON that
``summarizer extract`` prints. Whatever one article does becomes its row's ``error``;
the dataset goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow
import ray.data
from pydantic import BaseModel

from summarizer._batch.inputs import BadInput, Reader
from summarizer._batch.runner import failure_of
from summarizer._errors import InputError, SetupError
from summarizer._extract import arguments
from summarizer._extract.pipeline import extract, needs_log_probabilities, prompt_version
from summarizer._llm.connect import connect
from summarizer._settings import Settings
from summarizer._text.dates import parse_published
from summarizer.schemas._base import Schema
from summarizer.schemas._registry import resolve_schema

# What an article cost, as `Document.to_dict` has it under ``usage``.
USAGE = pyarrow.struct(
    [
        ("prompt_tokens", pyarrow.int64()),
        ("completion_tokens", pyarrow.int64()),
        ("llm_calls", pyarrow.int64()),
        ("seconds", pyarrow.float64()),
    ]
)
# The columns of every output row, typed, so that a batch of failures alone still writes
# the same Parquet schema as one of successes.
ROWS = pyarrow.schema(
    [
        ("id", pyarrow.string()),
        ("status", pyarrow.string()),  # "done" or "failed"
        ("document", pyarrow.string()),  # the `extract` JSON; null when failed
        ("error", pyarrow.string()),  # one line; null when done
        ("error_kind", pyarrow.string()),  # the error's class (docs/errors.md); null when done
        ("prompt_version", pyarrow.string()),
        ("model", pyarrow.string()),
        ("usage", USAGE),  # null when failed
    ]
)
# Two actors, so that losing one slows a batch rather than stopping it while Ray starts
# another; eight requests each: 16 in flight keep one vLLM server's batch full without
# long queues (docs/scale.md sizes them to an endpoint).
ACTORS = 2
REQUESTS_PER_ACTOR = 8
# Rounds of an actor's requests in one batch it is given: the threads take the next
# article as each finishes, and only a batch's last round leaves some idle.
BATCH_ROUNDS = 4
# CPUs Ray reserves per actor: an actor mostly waits on the endpoint; the program's own
# work per article (grounding, merging) is tens of milliseconds of one core.
CPUS_PER_ACTOR = 0.25


def require_endpoint(settings: Settings) -> None:
    """Refuse the embedded model before any work: its server lives on one machine."""
    if settings.embedded:
        raise SetupError(
            "the Ray engine needs a model endpoint every node can reach (set "
            "SUMMARIZER_BASE_URL and SUMMARIZER_MODEL, e.g. a vLLM server); the embedded "
            "model serves one machine: use the local engine there (docs/scale.md)"
        )


@dataclass(frozen=True)
class Columns:
    """Which input columns hold an article's text and id (``published`` and ``source``
    are read when present)."""

    text: str = "text"
    id: str = "id"


class Extractor:
    """One actor of `extract_dataset`: a client of its own, shared by `requests` threads
    (as the local engine's threads share one), so that many articles are in flight
    however Ray has cut the dataset into blocks."""

    def __init__(
        self, schema: Schema, settings: Settings, published: date | None, columns: Columns,
        requests: int,
    ) -> None:  # fmt: skip
        self._schema = schema
        self._settings = settings
        self._columns = columns
        self._reader = Reader(settings.max_article_chars, published)
        log_probabilities = needs_log_probabilities(schema, settings)
        self._llm = connect(settings, log_probabilities=log_probabilities)
        self._version = prompt_version(schema, settings)
        self._threads = ThreadPoolExecutor(requests, thread_name_prefix="summarizer-ray")

    def __call__(self, batch: pyarrow.Table) -> Iterator[pyarrow.Table]:
        """The batch's rows, each as soon as its article is done: the actor's threads
        take the next article as each finishes, so none waits for a slower one."""
        running = [self._threads.submit(self._row, given) for given in batch.to_pylist()]
        for finished in as_completed(running):
            yield pyarrow.Table.from_pylist([finished.result()], schema=ROWS)

    def _row(self, given: dict[str, Any]) -> dict[str, Any]:
        """One article's output row; never raises."""
        row: dict[str, Any] = {"id": _text(given.get(self._columns.id))}
        row |= {"prompt_version": self._version, "model": self._llm.model}
        try:
            document = self._extract(given)
        except Exception as exc:  # whatever one article does, its row records it
            failure = failure_of(exc)
            return row | {"status": "failed", "error": failure.reason, "error_kind": failure.kind}
        usage = document.usage
        return row | {
            "status": "done",
            "document": json.dumps(document.to_dict(), ensure_ascii=False),
            "usage": {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "llm_calls": usage.llm_calls,
                "seconds": round(document.seconds, 2),
            },
        }

    def _extract(self, given: dict[str, Any]) -> Any:
        if self._columns.text not in given:
            columns = ", ".join(sorted(given)) or "none"
            raise InputError(f"no column {self._columns.text!r} (columns: {columns})")
        given_id = _text(given.get(self._columns.id))
        source = _text(given.get("source")) or given_id or "<dataset>"
        item = self._reader.record(
            {
                "id": given_id,
                "text": given[self._columns.text],
                "published": _day(given.get("published")),
            },
            source,
            json.dumps(given, default=str).encode(),
        )
        if isinstance(item, BadInput):
            raise item.error
        return extract(
            item.article, self._schema, self._llm, published=item.published,
            settings=self._settings,
        )  # fmt: skip


def _day(value: object) -> object:
    """A ``published`` value as ``YYYY-MM-DD`` text: Arrow reads such a column of JSON or
    Parquet as dates or timestamps."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else value


def _text(value: object) -> str | None:
    """An id or label as text (a number id reads as its digits, as in JSONL)."""
    return None if value is None else str(value)


def extract_dataset(
    ds: ray.data.Dataset,
    *,
    settings: Settings | None = None,
    schema: str | Schema | type[BaseModel] = "incident",
    prompt: str | None = None,
    published: date | str | None = None,
    text_column: str = "text",
    id_column: str = "id",
    actors: int = ACTORS,
    requests_per_actor: int = REQUESTS_PER_ACTOR,
    cpus_per_actor: float = CPUS_PER_ACTOR,
) -> ray.data.Dataset:
    """Extract every article of `ds`, lazily, as Ray Data does: one output row per input row.

    Args:
        ds: rows with the article's text in `text_column` and its id in `id_column`; an
            optional ``published`` column (``YYYY-MM-DD``) resolves relative dates, an
            optional ``source`` column labels the article in its document.
        settings: the endpoint (default `Settings.load()`); it must be one every node can
            reach: the embedded model is refused with a `SetupError`.
        schema, prompt, published: as for `summarizer.summarize_many`.
        actors: how many actors extract at once.
        requests_per_actor: articles each actor reads at once (its requests in flight).
        cpus_per_actor: CPUs Ray reserves for each actor.

    Returns:
        A dataset of rows ``id``, ``status`` (``done`` or ``failed``), ``document`` (the
        `extract` JSON), ``error``, ``error_kind``, ``prompt_version``, ``model`` and
        ``usage`` (``prompt_tokens``, ``completion_tokens``, ``llm_calls``, ``seconds``).
        Nothing runs until it is consumed (``write_parquet``, ``iter_rows``, ...).
    """
    arguments.require_schema(schema)
    arguments.require_published(published)
    arguments.require_count("actors", actors)
    arguments.require_count("requests_per_actor", requests_per_actor)
    for name, column in (("text_column", text_column), ("id_column", id_column)):
        if not isinstance(column, str) or not column:
            raise TypeError(f"{name} must be a column's name, not {column!r}")
    if isinstance(cpus_per_actor, bool) or not isinstance(cpus_per_actor, int | float):
        raise TypeError(f"cpus_per_actor must be a number, not {type(cpus_per_actor).__name__}")
    if not cpus_per_actor > 0:
        raise ValueError(f"cpus_per_actor must be more than 0, not {cpus_per_actor}")
    settings = settings or Settings.load()
    require_endpoint(settings)
    chosen = resolve_schema(schema, prompt)
    return ds.map_batches(
        Extractor,
        fn_constructor_kwargs={
            "schema": chosen,
            "settings": settings,
            "published": parse_published(published),
            "columns": Columns(text_column, id_column),
            "requests": requests_per_actor,
        },
        batch_size=BATCH_ROUNDS * requests_per_actor,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=cpus_per_actor,
    )
