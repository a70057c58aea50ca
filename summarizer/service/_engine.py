"""The service's one writer: a thread that owns the store and the model workers.

Every extraction of the service goes through one `Batch` over the store (the same
resumable runner as ``summarizer batch``), fed from a stream of requests: a waiting
``POST /v1/extract`` goes before the articles of jobs, and a job's articles go in their
order. The thread holds the store's lock, so ``batch`` cannot write to the folder while
the service runs; exports and the service's own reads open it read-only.

Jobs live in the store (``jobs``, ``job_articles``): an article's status is written in
the same thread right after its result, and a restarted service feeds each job's
``pending`` articles again. A result already stored is answered from the store, so
after ``kill -9`` every article is extracted exactly once.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from summarizer._batch.inputs import BadInput, Input, Reader
from summarizer._batch.runner import IDLE, Batch, Idle, Outcome, content_key
from summarizer._batch.store import Store, StoredArticle
from summarizer._errors import SummarizerError
from summarizer._llm.client import LLMClient
from summarizer._settings import Settings
from summarizer.schemas._base import Schema
from summarizer.service._webhooks import Deliveries, event

# How long the writer waits for a request before it records what finished meanwhile.
POLL_SECONDS = 0.2
# After a run stopped on an error (a refused key), a pause before the next one.
RESTART_SECONDS = 1.0


class Busy(SummarizerError):
    """The service has as many extractions waiting as it takes; try again later."""


@dataclass(frozen=True)
class _Extract:
    item: Input
    answer: Future[Outcome]


@dataclass(frozen=True)
class _Queue:
    """A job recorded in the store: its readable articles, by place, to feed."""

    job_id: str
    items: list[tuple[int, Input]]


@dataclass(frozen=True)
class _Cancel:
    job_id: str


_Command = _Extract | _Queue | _Cancel
# Who waits for an outcome: the article's id and its text's key (two texts may share an id).
_Waiter = tuple[str, str | None]


@dataclass
class _Queued:
    """What the writer has accepted and not yet fed to the batch."""

    urgent: collections.deque[_Extract] = field(default_factory=collections.deque)
    jobs: collections.deque[tuple[str, int, Input]] = field(default_factory=collections.deque)


class Engine:
    """Runs the service's extractions in one thread; `start` it, then `extract`,
    `submit` and `cancel` from any thread, and `stop` it."""

    def __init__(
        self, folder: Path, schema: Schema, settings: Settings, *, workers: int | None,
        waiting: int, llm: LLMClient | None = None, deliveries: Deliveries | None = None,
    ) -> None:  # fmt: skip
        self.folder = folder
        self.schema = schema
        self.reader = Reader(max_chars=settings.max_article_chars)
        self._settings = settings
        self._workers = workers
        self._llm = llm
        self._deliveries = deliveries
        self._commands: queue.Queue[_Command] = queue.Queue()
        self._waiting = threading.BoundedSemaphore(waiting)
        self._queued = _Queued()
        # Article id -> the requests and job places waiting for its outcome.
        self._answers: dict[_Waiter, list[Future[Outcome]]] = collections.defaultdict(list)
        self._places: dict[_Waiter, list[tuple[str, int]]] = collections.defaultdict(list)
        self._stopping = threading.Event()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="summarizer-writer", daemon=True)

    # --- From any thread -----------------------------------------------------------

    def start(self) -> None:
        """Start the writer; raises what stopped it from opening the store or the model."""
        self._thread.start()
        self._ready.result()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)
        if self._deliveries is not None:
            self._deliveries.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def extract(self, item: Input) -> Future[Outcome]:
        """The outcome of one article, extracted before any job's; `Busy` when full."""
        if not self._waiting.acquire(blocking=False):
            raise Busy("the service has as many extractions waiting as it takes; try again")
        answer: Future[Outcome] = Future()
        answer.add_done_callback(lambda _: self._waiting.release())
        self._commands.put(_Extract(item, answer))
        return answer

    def submit(self, items: list[Input]) -> str:
        """Record a job of `items` in the store, in the calling thread (so it never waits
        for a worker), and queue its readable articles; the job's id."""
        job_id = uuid.uuid4().hex
        rows: list[tuple[StoredArticle | None, str, str]] = []
        failures: dict[int, str] = {}
        readable: list[tuple[int, Input]] = []
        for position, item in enumerate(items):
            if isinstance(item, BadInput):
                failures[position] = str(item.error)
                rows.append((None, "", item.id))
            else:
                rows.append((item.stored(), content_key(item), item.id))
                readable.append((position, item))
        with Store.attach(self.folder) as store:
            store.add_job(job_id, self.schema.name, rows, failures)
            for position, reason in failures.items():
                self.emit(store, "article.failed", {
                    "article_id": rows[position][2], "job_id": job_id, "error": reason,
                })  # fmt: skip
        self._commands.put(_Queue(job_id, readable))
        return job_id

    def cancel(self, job_id: str) -> bool:
        """Cancel a job's articles not yet read (in the calling thread); False if it is not
        running. Articles in flight finish, are stored and count as read."""
        with Store.attach(self.folder) as store:
            job = store.job(job_id)
            if job is None or job.state != "running":
                return False
            store.cancel_job(job_id)
        self._commands.put(_Cancel(job_id))
        return True

    # --- In the writer thread ------------------------------------------------------

    def _run(self) -> None:
        try:
            batch = Batch.open(
                self.folder, self.schema, self._settings, workers=self._workers, llm=self._llm,
                # A request is a new try: a failure stored earlier (an endpoint that was
                # down) is read again, not answered from the store.
                ids_held="in_flight", retry_failed=True,
            )  # fmt: skip
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        with batch:
            self._batch = batch
            self._resume()
            self._ready.set_result(None)
            while not self._stopping.is_set():
                try:
                    for outcome in batch.run(self._feed()):
                        self._deliver(outcome)
                except Exception as exc:  # a refused key, a storage fault: the run stops
                    self._fail_waiting(exc)
                    time.sleep(RESTART_SECONDS)
            if self._deliveries is not None:
                self._deliveries.settle(batch.store)

    def _fail_waiting(self, error: Exception) -> None:
        """What a stopped run had in flight fails with its error, recorded; the service
        goes on with a new run."""
        for answers in self._answers.values():
            for answer in answers:
                if not answer.done():  # a request that timed out no longer waits
                    answer.set_exception(error)
        self._answers.clear()
        reason = " ".join(str(error).split()) or type(error).__name__
        for places in self._places.values():
            for job_id, position in places:
                self._batch.store.set_job_article(job_id, position, "failed", reason)
                self._finish_job_if_done(job_id)
        self._places.clear()

    def _resume(self) -> None:
        """Queue again the pending articles of the jobs a stopped service left running."""
        store = self._batch.store
        for job_id in store.running_jobs():
            for place in store.job_articles(job_id, "pending"):
                stored = store.article(place.article_id)
                if stored is not None:
                    self._queued.jobs.append((job_id, place.position, self.reader.stored(stored)))
            self._finish_job_if_done(job_id)

    def _feed(self) -> Iterator[Input | Idle]:
        """Requests, then jobs' articles, as the batch asks for them; `IDLE` when none."""
        while not self._stopping.is_set():
            if self._deliveries is not None:
                self._deliveries.turn(self._batch.store)
            idle = not (self._queued.urgent or self._queued.jobs)
            self._take_commands(wait=idle)
            if self._queued.urgent:
                request = self._queued.urgent.popleft()
                self._answers[_waiter(request.item)].append(request.answer)
                yield request.item
            elif self._queued.jobs:
                job_id, position, item = self._queued.jobs.popleft()
                self._places[_waiter(item)].append((job_id, position))
                yield item
            else:
                yield IDLE

    def _take_commands(self, wait: bool) -> None:
        try:
            command = self._commands.get(timeout=POLL_SECONDS) if wait else None
            while True:
                if command is not None:
                    self._obey(command)
                command = self._commands.get_nowait()
        except queue.Empty:
            return

    def _obey(self, command: _Command) -> None:
        if isinstance(command, _Extract):
            self._queued.urgent.append(command)
        elif isinstance(command, _Queue):
            self._queued.jobs.extend((command.job_id, p, item) for p, item in command.items)
            self._finish_job_if_done(command.job_id)
        else:
            jobs = self._queued.jobs
            self._queued.jobs = collections.deque(q for q in jobs if q[0] != command.job_id)

    def _deliver(self, outcome: Outcome) -> None:
        waiter = (outcome.article_id, outcome.content_key)
        for answer in self._answers.pop(waiter, []):
            if not answer.done():  # a request that timed out no longer waits
                answer.set_result(outcome)
        if outcome.status == "failed" and not outcome.earlier:
            self.emit(self._batch.store, "article.failed", {
                "article_id": outcome.article_id, "source": outcome.source,
                "kind": outcome.kind, "error": outcome.error,
            })  # fmt: skip
        for job_id, position in self._places.pop(waiter, []):
            # Also over `cancelled`: an article in flight when its job was cancelled is read.
            self._batch.store.set_job_article(
                job_id, position, outcome.status, outcome.error, read_after_cancel=True
            )
            self._finish_job_if_done(job_id)

    def _finish_job_if_done(self, job_id: str) -> None:
        job = self._batch.store.job(job_id)
        if job is not None and job.state == "running" and not job.counts["pending"]:
            self._batch.store.finish_job(job_id)
            self.emit(self._batch.store, "job.finished", {"job_id": job_id, "counts": job.counts})

    def emit(self, store: Store, kind: str, data: dict[str, object]) -> None:
        """Keep a webhook event in `store` for delivery, when the service sends webhooks
        (from any thread, with that thread's own connection)."""
        if self._deliveries is not None:
            message_id, body = event(kind, data)
            store.add_webhook(message_id, kind, body)


def _waiter(item: Input) -> _Waiter:
    return (item.id, None if isinstance(item, BadInput) else content_key(item))
