"""Many articles: a resumable, concurrent batch over a store, and `summarize_many`.

The calling thread reads the inputs one at a time and answers each from the store when
it can: a result for the same content, schema, prompt version and model, or a failure
recorded earlier (tried again only with ``retry_failed``). The rest go to N worker
threads, which only call the model; the calling thread writes each outcome in its own
transaction. So a crash, ``kill -9`` or Ctrl-C leaves every article recorded whole or
not at all, and the same batch run again does only what is missing. At most N articles
are in flight, so memory stays bounded whatever the size of the input.

Workers: against a remote endpoint, N threads share one client (N requests in flight).
For the embedded model, N llama.cpp servers split the free cores (one thread each on
two cores: llama.cpp serves one request at a time, and two one-thread servers gave
1.10x the throughput of one two-thread server on 20 MUC-4 articles, docs/benchmarks.md).
Servers start only when an article needs the model, so a batch answered from the store
starts none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from summarizer._batch.inputs import ArticleInput, BadInput, Input, Reader
from summarizer._batch.store import Failure, Store, Version
from summarizer._errors import AuthenticationError, InputError, SummarizerError
from summarizer._extract.pipeline import Document, extract, needs_log_probabilities, prompt_version
from summarizer._llm.client import LLMClient
from summarizer._llm.connect import client_for_server, connect
from summarizer._llm.local_server import LocalServer
from summarizer._settings import Settings
from summarizer.schemas._base import Schema

Status = Literal["done", "cached", "failed"]
IdsHeld = Literal["run", "in_flight"]


class Idle:
    """An input stream's "nothing yet": `Batch.run` records what finished meanwhile and
    asks again (a service's stream of requests yields it while none is waiting)."""


IDLE = Idle()
REMOTE_WORKERS = 4


@dataclass(frozen=True)
class Outcome:
    """What became of one article of a batch.

    ``done``: extracted now; ``cached``: the store had the result; ``failed``: see
    ``error`` (one line), ``kind`` (the error's class) and ``exit_code``. ``earlier``
    marks a failure recorded by an earlier run and not tried again.
    """

    article_id: str
    source: str
    status: Status
    document: Document | None = None
    error: str | None = None
    kind: str | None = None
    exit_code: int = 0
    earlier: bool = False
    # The text's key (`content_key`): tells apart two texts given one id; None when the
    # input could not be read.
    content_key: str | None = None


@dataclass
class Tally:
    """Counts of outcomes; ``exit_code`` is the first failure's (0 when none failed)."""

    done: int = 0
    cached: int = 0
    failed: int = 0
    earlier: int = 0
    exit_code: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "failed":
            self.failed += 1
            self.earlier += outcome.earlier
            self.exit_code = self.exit_code or outcome.exit_code
        elif outcome.status == "cached":
            self.cached += 1
        else:
            self.done += 1

    @property
    def total(self) -> int:
        return self.done + self.cached + self.failed


def content_key(item: ArticleInput) -> str:
    """The article half of the cache key: its text and the date relative dates resolve on."""
    published = item.published.isoformat() if item.published else ""
    return hashlib.sha256(f"{item.article.text}\0{published}".encode()).hexdigest()


class FailedElsewhere(SummarizerError):
    """An article's failure as another process reported it (a Ray actor's row): recorded
    with the kind and exit code it had there."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


def failure_of(error: Exception) -> Failure:
    """An error as the store records it: class name, exit code, one-line reason."""
    if isinstance(error, FailedElsewhere):
        return error.failure
    reason = " ".join(str(error).split()) or type(error).__name__
    exit_code = error.exit_code if isinstance(error, SummarizerError) else SummarizerError.exit_code
    return Failure(kind=type(error).__name__, exit_code=exit_code, reason=reason)


def _document(data: dict[str, Any], schema: Schema, source: str) -> Document | None:
    """A stored document as a `Document` again; None if it no longer fits the schema."""
    try:
        return Document.from_dict(data, schema.record_model, source)
    except ValidationError:
        return None


class Models:
    """The LLM clients of a batch: one shared remote client, or one per embedded server."""

    def __init__(
        self,
        settings: Settings,
        workers: int,
        llm: LLMClient | None = None,
        *,
        log_probabilities: bool = False,
    ) -> None:
        self._settings = settings
        self._servers: list[LocalServer] = []
        self._clients: list[LLMClient] = []
        if llm is not None:
            self._clients = [llm]
        elif settings.embedded:
            threads = max(1, settings.embedded_threads // workers)
            size = settings.context_size
            self._servers = [
                LocalServer(
                    settings.model_file,
                    threads=threads,
                    context_size=size,
                    log_probabilities=log_probabilities,
                )
                for _ in range(workers)
            ]
        else:
            self._clients = [connect(settings, log_probabilities=log_probabilities)]
        self.model = self._servers[0].model_alias if self._servers else self._clients[0].model

    def clients(self) -> list[LLMClient]:
        """The clients, starting the embedded servers on first call."""
        if not self._clients:
            for server in self._servers:
                server.start()  # `close` stops the ones started if a later one fails
                self._clients.append(client_for_server(server, self._settings))
        return self._clients

    def close(self) -> None:
        for server in self._servers:
            server.stop()


@dataclass(frozen=True)
class Task:
    """One article to extract; `key` is its `content_key`."""

    key: str
    item: ArticleInput


Finished = tuple[Task, Document | Exception]


class Workers(Protocol):
    """Where a batch's extractions run: threads of this process (`Threads`), or a Ray
    cluster (`summarizer.ray`). The batch submits at most its ``workers`` tasks ahead of
    the results it has read, and writes every result itself."""

    def submit(self, task: Task) -> None: ...

    def next(self) -> Finished:
        """The next finished task, waiting for one."""
        ...

    def ready(self) -> Iterator[Finished]:
        """The tasks finished by now, without waiting."""
        ...

    def stop(self) -> None: ...


# Builds the `Workers` of a batch when its first article needs the model: from the
# schema, the settings and how many tasks the batch keeps in flight.
WorkersFactory = Callable[[Schema, Settings, int], Workers]


class Threads:
    """Daemon threads extracting articles. On stop they are abandoned, not waited for: an
    interrupted batch exits at once, and what they were doing is simply not recorded."""

    def __init__(self, clients: list[LLMClient], count: int, schema: Schema, settings: Settings):
        self._schema = schema
        self._settings = settings
        self._tasks: queue.Queue[Task | None] = queue.Queue()
        self._finished: queue.Queue[Finished] = queue.Queue()
        self._count = count
        for number in range(count):
            threading.Thread(
                target=self._work,
                args=(clients[number % len(clients)],),
                name=f"summarizer-worker-{number}",
                daemon=True,
            ).start()

    def _work(self, llm: LLMClient) -> None:
        while (task := self._tasks.get()) is not None:
            try:
                result: Document | Exception = extract(
                    task.item.article, self._schema, llm,
                    published=task.item.published, settings=self._settings,
                )  # fmt: skip
            except Exception as exc:  # whatever one article does, the batch records it
                result = exc
            self._finished.put((task, result))

    def submit(self, task: Task) -> None:
        self._tasks.put(task)

    def next(self) -> Finished:
        """The next finished task, waiting for one."""
        return self._finished.get()

    def ready(self) -> Iterator[Finished]:
        """The tasks finished by now, without waiting."""
        while True:
            try:
                yield self._finished.get_nowait()
            except queue.Empty:
                return

    def stop(self) -> None:
        for _ in range(self._count):
            self._tasks.put(None)


class Batch:
    """One batch over the store in a folder: `run` it over inputs; a context manager."""

    def __init__(
        self, store: Store, models: Models, schema: Schema, settings: Settings, workers: int,
        retry_failed: bool, ids_held: IdsHeld = "run", spread: WorkersFactory | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self.workers = workers
        self.version = Version(schema.name, prompt_version(schema, settings), models.model)
        self._models = models
        self._schema = schema
        self._settings = settings
        self._retry_failed = retry_failed
        # How long an id stays its text's: for the whole run (a batch: two texts under one
        # id are two feeds numbering alike), or while in flight (a service: a later request
        # with the same id is a corrected text, as a later batch run is).
        self._ids_held = ids_held
        # Where extractions run: None for this process's threads on `models`' clients.
        self._spread = spread

    @classmethod
    def open(
        cls,
        folder: Path,
        schema: Schema,
        settings: Settings,
        *,
        workers: int | None = None,
        llm: LLMClient | None = None,
        retry_failed: bool = False,
        ids_held: IdsHeld = "run",
        spread: WorkersFactory | None = None,
    ) -> Batch:
        """Open the store in `folder` (holding its lock) and set up the model clients;
        `spread` builds the workers elsewhere than in threads here (`summarizer.ray`)."""
        if not workers:
            # One embedded server per free core; a few requests in flight for an endpoint.
            embedded = llm is None and settings.embedded
            workers = settings.embedded_threads if embedded else REMOTE_WORKERS
        store = Store.open(folder)
        try:
            models = Models(
                settings, workers, llm, log_probabilities=needs_log_probabilities(schema, settings)
            )
        except BaseException:
            store.close()
            raise
        return cls(store, models, schema, settings, workers, retry_failed, ids_held, spread)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._models.close()
        self.store.close()

    def failed_inputs(self, reader: Reader) -> Iterator[Input]:
        """The stored articles that failed with this version, to try again."""
        for stored in self.store.failed_articles(self.version):
            yield reader.stored(stored)

    def run(self, inputs: Iterable[Input | Idle]) -> Iterator[Outcome]:
        """Extract every input not already answered by the store, yielding each outcome."""
        run_id = self.store.start_run(self.version, self.workers)
        tally = Tally()
        status = "interrupted"
        try:
            for outcome in self._outcomes(inputs, run_id):
                tally.add(outcome)
                yield outcome
            status = "finished"
        except Exception:
            status = "failed"
            raise
        finally:
            self.store.finish_run(run_id, status, tally.done, tally.cached, tally.failed)

    def _outcomes(self, inputs: Iterable[Input | Idle], run_id: int) -> Iterator[Outcome]:
        # Content key -> the articles waiting for its extraction (duplicates share one).
        waiting: dict[str, list[ArticleInput]] = {}
        # The id -> the content key and source it was first given to in this run.
        given: dict[str, tuple[str, str]] = {}
        workers: Workers | None = None
        items = iter(inputs)
        try:
            while True:
                try:
                    item = next(items)
                except StopIteration:
                    break
                except Exception:
                    # The inputs failed (a bad stream, a generator that raised): what is in
                    # flight is paid for, so it is recorded before the batch stops.
                    yield from self._drain(workers, waiting, run_id, given)
                    raise
                # Record what finished meanwhile, even while the inputs are all in the store.
                for finished in workers.ready() if workers else ():
                    yield from self._finish(finished, waiting, run_id, given)
                if isinstance(item, Idle):
                    continue
                if isinstance(item, BadInput):
                    yield self._failed(run_id, item.id, item.source, None, item.error)
                    continue
                key = content_key(item)
                if (clash := _clash(given, item, key)) is not None:
                    yield self._failed(run_id, item.id, item.source, None, clash, text_key=key)
                    continue
                self.store.add_article(item.stored(), key)
                if key in waiting:
                    waiting[key].append(item)
                    continue
                known = self._known(item, key)
                if known is not None:
                    if self._ids_held == "in_flight":
                        given.pop(item.id, None)
                    yield known
                    continue
                waiting[key] = [item]
                if workers is None:
                    workers = self._start_workers()
                workers.submit(Task(key, item))
                while len(waiting) >= self.workers:
                    yield from self._finish(workers.next(), waiting, run_id, given)
            yield from self._drain(workers, waiting, run_id, given)
        finally:
            if workers is not None:
                workers.stop()

    def _start_workers(self) -> Workers:
        if self._spread is not None:
            return self._spread(self._schema, self._settings, self.workers)
        return Threads(self._models.clients(), self.workers, self._schema, self._settings)

    def _drain(
        self, workers: Workers | None, waiting: dict[str, list[ArticleInput]], run_id: int,
        given: dict[str, tuple[str, str]],
    ) -> Iterator[Outcome]:  # fmt: skip
        """Every extraction in flight, finished and recorded."""
        while waiting:
            assert workers is not None
            yield from self._finish(workers.next(), waiting, run_id, given)

    def _known(self, item: ArticleInput, key: str) -> Outcome | None:
        """The outcome the store already has for this article, if any."""
        stored = self.store.result(key, self.version)
        document = _document(stored, self._schema, item.source) if stored else None
        if document is not None:
            return Outcome(item.id, item.source, "cached", document, content_key=key)
        failure = None if self._retry_failed else self.store.failure(key, self.version)
        if failure is None:
            return None
        return Outcome(
            item.id, item.source, "failed", error=failure.reason, kind=failure.kind,
            exit_code=failure.exit_code, earlier=True, content_key=key,
        )  # fmt: skip

    def _finish(
        self, finished: Finished, waiting: dict[str, list[ArticleInput]],
        run_id: int, given: dict[str, tuple[str, str]],
    ) -> Iterator[Outcome]:  # fmt: skip
        task, result = finished
        items = waiting.pop(task.key)
        if self._ids_held == "in_flight":
            for item in items:
                given.pop(item.id, None)
        if isinstance(result, AuthenticationError):
            raise result  # a refused key fails every article alike: stop the batch
        if isinstance(result, Exception):
            for item in items:
                yield self._failed(run_id, item.id, item.source, task.key, result)
            return
        self.store.save_result(task.key, self.version, task.item.id, result.to_dict(), run_id)
        yield Outcome(task.item.id, task.item.source, "done", result, content_key=task.key)
        for item in items[1:]:
            copy = dataclasses.replace(result, source=item.source)
            yield Outcome(item.id, item.source, "cached", copy, content_key=task.key)

    def _failed(
        self, run_id: int, article_id: str, source: str, key: str | None, error: Exception,
        *, text_key: str | None = None,
    ) -> Outcome:  # fmt: skip
        """Record a failure; `key` is the text it is stored against (None: not against its
        text, as for an id clash), `text_key` the text's key when that differs."""
        failure = failure_of(error)
        self.store.save_failure(run_id, self.version, article_id, source, key, failure)
        return Outcome(
            article_id, source, "failed", error=failure.reason, kind=failure.kind,
            exit_code=failure.exit_code, content_key=text_key or key,
        )  # fmt: skip


def _clash(given: dict[str, tuple[str, str]], item: ArticleInput, key: str) -> InputError | None:
    """The error of an id given earlier in the run to another text (two feeds both
    numbering from 1), else None. Storing it would replace the first article's text:
    its result would vanish from exports and a retry would read the wrong text."""
    first_key, first_source = given.setdefault(item.id, (key, item.source))
    if first_key == key:
        return None
    return InputError(
        f"{item.source}: id {item.id!r} is already that of {first_source}, whose text "
        "differs; give each article its own id (this one was not read)"
    )


def batch_outcomes(
    inputs: Iterator[Input], store: str | Path | None, schema: Schema, settings: Settings,
    workers: int | None, llm: LLMClient | None, retry_failed: bool,
) -> Iterator[Outcome]:  # fmt: skip
    """Each input's `Outcome`, as `summarizer.summarize_many` documents; the store is
    `store`, or a temporary one removed when the iteration ends."""
    with contextlib.ExitStack() as stack:
        folder = Path(store) if store else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        batch = stack.enter_context(
            Batch.open(
                folder, schema, settings, workers=workers, llm=llm, retry_failed=retry_failed
            )
        )
        yield from batch.run(inputs)
