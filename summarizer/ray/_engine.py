"""``summarizer batch --engine ray``: a batch's extractions on a Ray cluster.

The batch (`summarizer._batch.runner.Batch`) stays on the driver: it reads the inputs,
answers what the store already has, and writes every outcome, so the store has one
writer and a killed driver run again does only the rest. `RayWorkers` stands where the
local engine's threads stand: a thread of its own sends the articles the batch submits
to the cluster, one dataset (`extract_dataset`) at a time, and queues its rows as they
finish. A dataset holds up to `WINDOW` articles, and goes once that many wait, once the
batch waits for a result, or `PATIENCE` seconds after the first waited.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import ray
import ray.data
from pydantic import ValidationError

from summarizer._batch.runner import FailedElsewhere, Finished, Task
from summarizer._batch.store import Failure
from summarizer._errors import (
    AuthenticationError,
    ExtractionError,
    SetupError,
    SummarizerError,
    exit_code_of,
)
from summarizer._extract.pipeline import Document, prompt_version
from summarizer._llm.connect import connect
from summarizer._settings import Settings
from summarizer.ray._dataset import (
    ACTORS,
    REQUESTS_PER_ACTOR,
    extract_dataset,
    require_endpoint,
)
from summarizer.schemas._base import Schema

# The most articles in one dataset the driver sends. Each dataset starts its own actors
# (seconds: each imports summarizer) and runs to its end before the next starts, leaving
# actors idle while its last articles finish; ten thousand make both a fraction of a
# per cent of a dataset, while the driver holds ten thousand texts (about 50 MB).
WINDOW = 10_000
# How long `stop` waits for the sending thread to leave its dataset before Ray stops: a
# row arrives within an article's time, and an interrupted batch should exit promptly.
STOP_SECONDS = 2.0
# How long a cluster's address may take to accept a connection before it is refused.
PROBE_SECONDS = 5.0
# The terminal colours in Ray's error messages.
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Seconds the sending thread waits for a dataset to fill once the cluster is idle and an
# article waits: about what starting a dataset's actors takes, so a fuller dataset never
# costs more than another start would. Inputs read fast make one dataset; slow ones
# (web pages) start the model after this long.
PATIENCE = 2.0


class RayWorkers:
    """The `Workers` of a batch on Ray: tasks collected, then sent a dataset at a time."""

    def __init__(
        self, schema: Schema, settings: Settings, actors: int, requests_per_actor: int,
        *, owns_ray: bool = False,
    ) -> None:  # fmt: skip
        self._schema = schema
        self._settings = settings
        self._actors = actors
        self._requests = requests_per_actor
        self._owns_ray = owns_ray  # Ray was started for this batch: shut it down at `stop`
        self._waiting: list[Task] = []  # submitted, not yet sent
        self._wanted = False  # the batch waits in `next`: send what waits, however few
        self._stopped = False
        self._changed = threading.Condition()
        self._finished: queue.Queue[Finished | SummarizerError] = queue.Queue()
        # What every row must have been made with: a node running another release of
        # summarizer would store its results under this batch's version.
        self._made_with = (prompt_version(schema, settings), connect(settings).model)
        self._thread = threading.Thread(target=self._send, name="summarizer-ray", daemon=True)
        self._thread.start()

    @classmethod
    def start(
        cls, address: str | None, actors: int, requests_per_actor: int, schema: Schema,
        settings: Settings, window: int,
    ) -> RayWorkers:  # fmt: skip
        """Join Ray (unless this process already has), when a batch first needs the model:
        the cluster at `address` (``auto``: the one this machine belongs to), or a new one
        on this machine. `window`, the batch's count of articles in flight, is not used:
        datasets of up to `WINDOW` articles are sent whatever the batch keeps out."""
        owns_ray = not ray.is_initialized()
        if owns_ray:
            _join(address)
        return cls(schema, settings, actors, requests_per_actor, owns_ray=owns_ray)

    def submit(self, task: Task) -> None:
        with self._changed:
            self._waiting.append(task)
            self._changed.notify()

    def next(self) -> Finished:
        """The next article the cluster finished, waiting for one."""
        with self._changed:
            self._wanted = True
            self._changed.notify()
        return self._result(self._finished.get())

    def ready(self) -> Iterator[Finished]:
        """The articles finished by now, without waiting."""
        while True:
            try:
                yield self._result(self._finished.get_nowait())
            except queue.Empty:
                return

    def stop(self) -> None:
        """Send nothing more and leave the running dataset (its sending thread stops at
        its next row); then stop Ray if this batch started it, quietly: what Ray's own
        threads say of a dataset cut short is no news to an interrupted batch."""
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join(timeout=STOP_SECONDS)
        if self._owns_ray:
            for name in ("ray", "ray.data"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            ray.shutdown()

    @staticmethod
    def _result(item: Finished | SummarizerError) -> Finished:
        if isinstance(item, SummarizerError):
            raise item
        return item

    def _send(self) -> None:
        """The sending thread: one dataset at a time."""
        while (window := self._next_window()) is not None:
            try:
                self._extract(window)
            except Exception as exc:  # Ray's own failure, not an article's: stop the batch
                self._finished.put(SetupError(f"the Ray job failed: {_first_line(exc)}"))
                return

    def _next_window(self) -> list[Task] | None:
        """The next tasks to send: once `WINDOW` wait, the batch waits for a result, or
        `PATIENCE` seconds passed since the first waited; None at stop."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopped or bool(self._waiting))
            self._changed.wait_for(
                lambda: self._stopped or self._wanted or len(self._waiting) >= WINDOW,
                timeout=PATIENCE,
            )
            if self._stopped:
                return None
            window, self._waiting = self._waiting[:WINDOW], self._waiting[WINDOW:]
            self._wanted = False
            return window

    def _extract(self, window: list[Task]) -> None:
        sent = {task.key: task for task in window}
        rows = [
            {
                "id": key,  # the content key: unique in flight, as the batch keeps it
                "text": task.item.article.text,
                "published": task.item.published.isoformat() if task.item.published else None,
                "source": task.item.source,
            }
            for key, task in sent.items()
        ]
        dataset = ray.data.from_items(rows)
        extracted = extract_dataset(
            dataset, settings=self._settings, schema=self._schema,
            # A few articles need no more actors to start than they keep busy.
            actors=min(self._actors, -(-len(rows) // self._requests)),
            requests_per_actor=self._requests,
        )  # fmt: skip
        for row in extracted.iter_rows():
            if self._stopped:
                return
            self._finished.put(self._outcome(sent.pop(row["id"]), row))

    def _outcome(self, task: Task, row: dict[str, Any]) -> Finished:
        """The article's document, or its failure as the actor reported it."""
        if (row["prompt_version"], row["model"]) != self._made_with:
            reason = (
                f"extracted with prompts {row['prompt_version']} and model {row['model']}, "
                f"not this batch's {self._made_with[0]} and {self._made_with[1]}: install "
                "the same summarizer on every node (docs/scale.md)"
            )
            return task, FailedElsewhere(Failure(SetupError.__name__, SetupError.exit_code, reason))
        if row["status"] == "done":
            return task, self._document(task, row["document"])
        if row["error_kind"] == AuthenticationError.__name__:
            return task, AuthenticationError(row["error"])  # stops the batch, as locally
        code = exit_code_of(row["error_kind"])
        return task, FailedElsewhere(Failure(row["error_kind"], code, row["error"]))

    def _document(self, task: Task, document: str) -> Document | Exception:
        """A row's document, or why it cannot be this batch's (a record that no longer
        fits this schema's model)."""
        data = json.loads(document)
        try:
            return Document.from_dict(data, self._schema.record_model, task.item.source)
        except ValidationError as exc:
            reason = f"the actor's records do not fit the {self._schema.name} schema: {exc}"
            return FailedElsewhere(
                Failure(ExtractionError.__name__, ExtractionError.exit_code, _first_line(reason))
            )


def _join(address: str | None) -> None:
    """Join the cluster at `address`, or start one here (``local``: never a cluster that
    happens to run on this machine), with Ray's own lines (a dataset's start and end, its
    plan) off the batch's stderr, where the batch shows its progress."""
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # ... but for the warning that the progress bars this function turns off are off.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    if address not in (None, "auto", "local"):
        _require_reachable(address)
    try:
        ray.init(
            address=address or "local", include_dashboard=False,
            logging_level=logging.WARNING, log_to_driver=False,
        )  # fmt: skip
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"join the Ray cluster at {address}" if address else "start Ray on this machine"
        raise SetupError(f"cannot {where}: {_first_line(exc)}") from exc
    ray.data.DataContext.get_current().enable_progress_bars = False  # the batch shows its own


def _require_reachable(address: str) -> None:
    """Refuse at once a cluster address nothing answers at: Ray itself would retry for
    about 14 minutes, printing a warning every 5 seconds."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_SECONDS):
            pass
    except (OSError, ValueError) as exc:
        raise SetupError(f"cannot reach the Ray cluster at {address}: {_first_line(exc)}") from exc


def _first_line(error: object) -> str:
    """An error's first line, without the terminal colours Ray's messages carry; for an
    exception, that of its root cause (Ray wraps an actor's error in its own)."""
    while isinstance(error, BaseException) and (cause := _cause(error)) is not None:
        error = cause
    text = ANSI.sub("", str(error)).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {line}" if isinstance(error, BaseException) else line


def _cause(error: BaseException) -> BaseException | None:
    """What `error` wraps: Ray's task errors keep it as ``cause``, Python as ``__cause__``."""
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, BaseException) else error.__cause__


__all__ = ["ACTORS", "REQUESTS_PER_ACTOR", "WINDOW", "RayWorkers", "require_endpoint"]
