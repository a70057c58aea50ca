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
import threading
from collections.abc import Iterator
from typing import Any

import ray
import ray.data

from summarizer._batch.runner import FailedElsewhere, Finished, Task
from summarizer._batch.store import Failure
from summarizer._errors import AuthenticationError, SetupError, SummarizerError, exit_code_of
from summarizer._extract.pipeline import Document
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
        threading.Thread(target=self._send, name="summarizer-ray", daemon=True).start()

    @classmethod
    def start(
        cls, address: str | None, actors: int, requests_per_actor: int, schema: Schema,
        settings: Settings, window: int,
    ) -> RayWorkers:  # fmt: skip
        """Join Ray (unless this process already has), when a batch first needs the model:
        the cluster at `address` (``auto``: the one this machine belongs to), or a new one
        on this machine. `window` is the batch's own count of articles in flight."""
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
        """Send nothing more; a dataset still running is abandoned with Ray, if owned."""
        with self._changed:
            self._stopped = True
            self._changed.notify()
        if self._owns_ray:
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
                reason = " ".join(str(exc).split())[:500]
                self._finished.put(SetupError(f"the Ray job failed: {reason}"))
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
        blocks = -(-len(rows) // self._requests)  # a block per `requests` articles
        dataset = ray.data.from_items(rows, override_num_blocks=blocks)
        extracted = extract_dataset(
            dataset, settings=self._settings, schema=self._schema,
            actors=min(self._actors, blocks),  # a few articles need no more actors to start
            requests_per_actor=self._requests,
        )  # fmt: skip
        for row in extracted.iter_rows():
            self._finished.put(self._outcome(sent.pop(row["id"]), row))

    def _outcome(self, task: Task, row: dict[str, Any]) -> Finished:
        if row["status"] == "done":
            data = json.loads(row["document"])
            document = Document.from_dict(data, self._schema.record_model, task.item.source)
            return task, document
        if row["error_kind"] == AuthenticationError.__name__:
            return task, AuthenticationError(row["error"])  # stops the batch, as locally
        code = exit_code_of(row["error_kind"])
        return task, FailedElsewhere(Failure(row["error_kind"], code, row["error"]))


def _join(address: str | None) -> None:
    """Join or start Ray with its own lines (a dataset's start and end, its plan) off the
    batch's stderr, where the batch shows its progress; warnings and errors stay."""
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # ... but for the warning that the progress bars this function turns off are off.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    try:
        ray.init(
            address=address, include_dashboard=False, logging_level=logging.WARNING,
            log_to_driver=False,
        )  # fmt: skip
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise SetupError(f"cannot join the Ray cluster at {address}: {exc}") from exc
    ray.data.DataContext.get_current().enable_progress_bars = False  # the batch shows its own


__all__ = ["ACTORS", "REQUESTS_PER_ACTOR", "WINDOW", "RayWorkers", "require_endpoint"]
