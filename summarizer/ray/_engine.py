"""``summarizer batch --engine ray``: a batch's extractions on a Ray cluster.

The batch (`summarizer._batch.runner.Batch`) stays on the driver: it reads the inputs,
answers what the store already has, and writes every outcome, so the store has one
writer and a killed driver run again does only the rest. `RayWorkers` stands where the
local engine's threads stand: the articles the batch submits are sent to the cluster as
one dataset (`extract_dataset`) per window of `WINDOW` articles, and its rows come back
as they finish.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import ray
import ray.data

from summarizer._batch.runner import FailedElsewhere, Finished, Task
from summarizer._batch.store import Failure
from summarizer._errors import AuthenticationError, SetupError, exit_code_of
from summarizer._extract.pipeline import Document
from summarizer._settings import Settings
from summarizer.ray._dataset import (
    ACTORS,
    REQUESTS_PER_ACTOR,
    extract_dataset,
    require_endpoint,
)
from summarizer.schemas._base import Schema

# Articles per dataset the driver sends: a dataset runs to its end before the next one
# starts, so its last articles leave actors idle while they finish (one article's time
# per window); a thousand makes that a few per cent of a window on a busy cluster while
# the driver holds at most a thousand texts.
WINDOW = 1_000


class RayWorkers:
    """The `Workers` of a batch on Ray: tasks collected, then sent a window at a time."""

    def __init__(
        self, schema: Schema, settings: Settings, actors: int, requests_per_actor: int,
        *, owns_ray: bool = False,
    ) -> None:  # fmt: skip
        self._schema = schema
        self._settings = settings
        self._actors = actors
        self._requests = requests_per_actor
        self._owns_ray = owns_ray  # Ray was started for this batch: shut it down at `stop`
        self._waiting: dict[str, Task] = {}  # submitted, not yet sent
        self._sent: dict[str, Task] = {}  # in the running dataset
        self._rows: Iterator[dict[str, Any]] | None = None

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
        self._waiting[task.key] = task

    def next(self) -> Finished:
        """The next article the cluster finished, sending the waiting ones when the
        running dataset has given all its rows."""
        while True:
            if self._rows is not None:
                row = next(self._rows, None)
                if row is not None:
                    return self._finished(row)
                self._rows = None
            if not self._waiting:
                raise RuntimeError("no article in flight to wait for")
            self._send()

    def ready(self) -> Iterator[Finished]:
        """Nothing without waiting: rows are read by `next`, which the batch calls
        whenever it has its ``workers`` articles in flight."""
        return iter(())

    def stop(self) -> None:
        self._rows = None
        if self._owns_ray:
            ray.shutdown()

    def _send(self) -> None:
        rows = [
            {
                "id": key,  # the content key: unique in flight, as the batch keeps it
                "text": task.item.article.text,
                "published": task.item.published.isoformat() if task.item.published else None,
                "source": task.item.source,
            }
            for key, task in self._waiting.items()
        ]
        self._sent, self._waiting = self._waiting, {}
        blocks = -(-len(rows) // self._requests)  # one block per actor's batch
        dataset = ray.data.from_items(rows, override_num_blocks=blocks)
        extracted = extract_dataset(
            dataset, settings=self._settings, schema=self._schema, actors=self._actors,
            requests_per_actor=self._requests,
        )  # fmt: skip
        self._rows = iter(extracted.iter_rows())

    def _finished(self, row: dict[str, Any]) -> Finished:
        task = self._sent.pop(row["id"])
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
