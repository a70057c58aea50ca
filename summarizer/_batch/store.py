"""The batch store: one SQLite database (WAL mode) in a batch's output folder.

Tables (the full DDL is `TABLES`):

- ``articles``: each article seen, by id: its content key, source, URL, title,
  publication date and text (so failures can be retried without the inputs);
- ``runs``: each batch run: schema, prompt version and model, workers, status
  (``running``, ``finished``, ``interrupted``, ``failed``, or ``crashed`` when a run
  died without saying so) and its counts;
- ``results``: one extraction per content key, schema, prompt version and model, with
  the document as JSON: the cache that makes a finished batch free to run again;
- ``errors``: a log of every failure, with the error class, exit code and reason;
- ``jobs`` and ``job_articles``: the service's jobs (`summarizer serve`), each article's
  place and status in its job, so a restarted service finishes what a killed one began;
- ``webhooks``: the service's events, kept until a receiver takes them;
- ``reviews``: every editor's decision on a record (accept, reject, edit, add), append
  only (triggers refuse updates and deletes): the model's output is never overwritten.

A batch writes from one thread, each outcome in its own transaction, so a crash leaves
every article recorded whole or not at all. One batch at a time may write to a store
(a lock file says so); exports read it, even while a batch runs.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

from summarizer._errors import InputError, SetupError

STORE_FILE = "summarizer.db"
LOCK_FILE = "summarizer.lock"
STORE_VERSION = 1

TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_key TEXT NOT NULL,  -- sha256 of the text and the publication date
    source TEXT NOT NULL,
    url TEXT,
    title TEXT,
    published TEXT,             -- YYYY-MM-DD
    text TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_content ON articles (content_key);

CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'finished', 'interrupted', 'failed', 'crashed')),
    schema TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    workers INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS results (
    content_key TEXT NOT NULL,
    schema TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    article_id TEXT NOT NULL,   -- the article it was extracted for
    run_id INTEGER NOT NULL REFERENCES runs (id),
    created_at TEXT NOT NULL,
    records INTEGER NOT NULL,
    document TEXT NOT NULL,     -- Document.to_dict() as JSON
    PRIMARY KEY (content_key, schema, prompt_version, model)
);

CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    content_key TEXT,           -- null: the input could not be read or checked
    schema TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,         -- the error's class, e.g. ExtractionError
    exit_code INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS errors_by_content
    ON errors (content_key, schema, prompt_version, model);

CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'cancelled')),
    schema TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS job_articles (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    position INTEGER NOT NULL,  -- the article's place in the job, from 0
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'done', 'cached', 'failed', 'cancelled')),
    error TEXT,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX IF NOT EXISTS job_articles_by_status ON job_articles (job_id, status);

CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,        -- the webhook-id header, the same on every attempt
    kind TEXT NOT NULL,         -- job.finished, article.failed
    body TEXT NOT NULL,         -- the JSON sent, as signed
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks (delivered_at, next_attempt_at);

CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    content_key TEXT NOT NULL,  -- the result reviewed: its text, schema, prompt and model
    schema TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'edit', 'add')),
    reason TEXT,
    before TEXT,                -- the record as it stood (JSON); null for an added one
    after TEXT                  -- the record as decided (JSON); null for a rejection
);
CREATE INDEX IF NOT EXISTS reviews_by_result
    ON reviews (article_id, content_key, schema, prompt_version, model);
-- Reviews are never changed or removed: each decision is a new row.
CREATE TRIGGER IF NOT EXISTS reviews_append_only_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_append_only_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
"""


@dataclass(frozen=True)
class Version:
    """What a result depends on besides the article: the cache key's other half."""

    schema: str
    prompt_version: str
    model: str


@dataclass(frozen=True)
class Failure:
    """A failure as recorded."""

    kind: str
    exit_code: int
    reason: str


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it."""

    id: str
    source: str
    url: str | None
    title: str | None
    published: str | None
    text: str


@dataclass(frozen=True)
class ExportedResult:
    """An article and its latest result, for exports."""

    article_id: str
    source: str
    url: str | None
    title: str | None
    document: dict[str, Any]
    content_key: str = ""


@dataclass(frozen=True)
class ArticleRow:
    """An article as the review queue lists it, with its newest result if any."""

    id: str
    source: str
    url: str | None
    title: str | None
    published: str | None
    first_seen: str
    content_key: str
    document: dict[str, Any] | None


@dataclass(frozen=True)
class Review:
    """One decision on one record of one result."""

    article_id: str
    content_key: str
    schema: str
    prompt_version: str
    model: str
    record_id: str
    reviewer: str
    decision: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: str = ""


@dataclass(frozen=True)
class JobArticle:
    """One article of a job: where it stands."""

    position: int
    article_id: str
    source: str
    status: str
    error: str | None


@dataclass(frozen=True)
class Job:
    """A job and its counts by status."""

    id: str
    created_at: str
    finished_at: str | None
    state: str
    schema: str
    counts: dict[str, int]


@dataclass(frozen=True)
class WebhookMessage:
    """A webhook message due to be sent."""

    id: str
    body: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _lock(folder: Path) -> IO[str]:
    """Hold the store's lock until the returned file is closed (or the process dies)."""
    import fcntl

    handle = (folder / LOCK_FILE).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SetupError(
            f"{folder}: another summarizer batch is writing to this store; wait for it to "
            "finish or give another --out"
        ) from None
    return handle


# Runs a dead process left running: what they stored is counted from the store itself.
_CRASHED = (
    "UPDATE runs SET status = 'crashed', "
    "done = (SELECT count(*) FROM results WHERE results.run_id = runs.id), "
    "failed = (SELECT count(*) FROM errors WHERE errors.run_id = runs.id) "
    "WHERE status = 'running'"
)


@contextlib.contextmanager
def storage_faults(path: Path) -> Iterator[None]:
    """Storage faults as one line and exit 6 (`SetupError`): a damaged store, a full
    disk, read-only media, a folder that cannot be made. A transaction a fault cut off
    is rolled back whole by SQLite: what was stored before it stays."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise SetupError(f"{path}: {_meaning(exc)}") from None
    except OSError as exc:
        raise SetupError(f"{path}: cannot use it ({exc.strerror or exc})") from None


def _meaning(exc: sqlite3.DatabaseError) -> str:
    """What SQLite's message means for the user, and what to do."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return "damaged, or not a summarizer store; move it away or give another --out"
    if "full" in text:
        return "the disk is full; free some space and run the same command again"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "cannot be written or opened here (read-only?); give another --out"
    return f"the store failed ({text})"


P = ParamSpec("P")
T = TypeVar("T")


def _guarded(method: Callable[P, T]) -> Callable[P, T]:
    """`method` of `Store` with its storage faults translated (`storage_faults`), also
    while a generator method's results are iterated."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            with storage_faults(self.path):
                yield from method(self, *args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def function(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with storage_faults(self.path):
            return method(self, *args, **kwargs)

    return function  # type: ignore[return-value]


class Store:
    """The SQLite store of one batch folder. Open with `Store.open` or `Store.read`."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, lock: IO[str] | None = None
    ) -> None:
        self._db = connection
        self._db.row_factory = sqlite3.Row
        self.path = path  # the database file, named in every storage error
        self._lock = lock

    @classmethod
    def open(cls, folder: Path) -> Store:
        """Open (creating if needed) the store in `folder` for writing, holding its lock.

        Runs left ``running`` by a process that died are marked ``crashed``.
        """
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{folder}: is not a folder; --out takes a folder for the store")
        with storage_faults(folder / STORE_FILE):
            return cls._opened(folder)

    @classmethod
    def _opened(cls, folder: Path) -> Store:
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder)
        try:
            db = sqlite3.connect(folder / STORE_FILE)
            db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed; only a power cut
            # may lose the last few, which the next run then does again.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, STORE_VERSION):
                raise SetupError(
                    f"{folder / STORE_FILE} is a store of version {version}; this summarizer "
                    f"reads version {STORE_VERSION}"
                )
            with db:
                db.executescript(TABLES)
                db.execute(f"PRAGMA user_version={STORE_VERSION}")
                db.execute(_CRASHED)
        except BaseException:
            lock.close()
            raise
        return cls(db, folder / STORE_FILE, lock)

    @classmethod
    def attach(cls, folder: Path) -> Store:
        """Open the store in `folder` for writing beside the process's own writer, which
        holds the lock (the service's reviews: each decision is one short transaction)."""
        path = folder / STORE_FILE
        with storage_faults(path):
            db = sqlite3.connect(path, check_same_thread=False)
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("PRAGMA foreign_keys=ON")
        return cls(db, path)

    @classmethod
    def read(cls, folder: Path) -> Store:
        """Open the store in `folder` read-only; InputError when there is none."""
        path = folder / STORE_FILE
        if not path.is_file():
            raise InputError(
                f"{folder}: no summarizer store here; run summarizer batch ... --out {folder}"
            )
        with storage_faults(path):
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            db.execute("SELECT count(*) FROM runs").fetchone()  # a damaged file fails here
        return cls(db, path)

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Runs ---------------------------------------------------------------------------

    @_guarded
    def start_run(self, version: Version, workers: int) -> int:
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, status, schema, prompt_version, model, workers) "
                "VALUES (?, 'running', ?, ?, ?, ?)",
                (_now(), version.schema, version.prompt_version, version.model, workers),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @_guarded
    def finish_run(self, run_id: int, status: str, done: int, cached: int, failed: int) -> None:
        with self._db:
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, done = ?, cached = ?, failed = ? "
                "WHERE id = ?",
                (_now(), status, done, cached, failed, run_id),
            )

    # --- Articles, results, failures -------------------------------------------------

    @_guarded
    def add_article(self, article: StoredArticle, content_key: str) -> None:
        """Record an article; an id seen before takes the new content and metadata."""
        with self._db:
            self._insert_article(article, content_key)

    def _insert_article(self, article: StoredArticle, content_key: str) -> None:
        self._db.execute(
                "INSERT INTO articles "
                "(id, content_key, source, url, title, published, text, first_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET content_key = excluded.content_key, "
                "source = excluded.source, url = excluded.url, title = excluded.title, "
                "published = excluded.published, text = excluded.text",
                (
                    article.id, content_key, article.source, article.url, article.title,
                    article.published, article.text, _now(),
                ),
            )  # fmt: skip

    @_guarded
    def result(self, content_key: str, version: Version) -> dict[str, Any] | None:
        """The stored document for this content and version, if any."""
        row = self._db.execute(
            "SELECT document FROM results WHERE content_key = ? AND schema = ? "
            "AND prompt_version = ? AND model = ?",
            (content_key, version.schema, version.prompt_version, version.model),
        ).fetchone()
        return json.loads(row["document"]) if row else None

    @_guarded
    def save_result(
        self, content_key: str, version: Version, article_id: str, document: dict[str, Any],
        run_id: int,
    ) -> None:  # fmt: skip
        """Store a document (replacing one that no longer fits the schema)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results (content_key, schema, prompt_version, model, "
                "article_id, run_id, created_at, records, document) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    content_key, version.schema, version.prompt_version, version.model,
                    article_id, run_id, _now(), len(document.get("records", [])),
                    json.dumps(document, ensure_ascii=False),
                ),
            )  # fmt: skip

    @_guarded
    def failure(self, content_key: str, version: Version) -> Failure | None:
        """The latest failure recorded for this content and version, if any."""
        row = self._db.execute(
            "SELECT kind, exit_code, reason FROM errors WHERE content_key = ? AND schema = ? "
            "AND prompt_version = ? AND model = ? ORDER BY id DESC LIMIT 1",
            (content_key, version.schema, version.prompt_version, version.model),
        ).fetchone()
        return Failure(**row) if row else None

    @_guarded
    def save_failure(
        self, run_id: int, version: Version, article_id: str, source: str,
        content_key: str | None, failure: Failure,
    ) -> None:  # fmt: skip
        with self._db:
            self._db.execute(
                "INSERT INTO errors (run_id, article_id, source, content_key, schema, "
                "prompt_version, model, kind, exit_code, reason, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id, article_id, source, content_key, version.schema,
                    version.prompt_version, version.model, failure.kind, failure.exit_code,
                    failure.reason, _now(),
                ),
            )  # fmt: skip

    @_guarded
    def failed_articles(self, version: Version) -> Iterator[StoredArticle]:
        """The stored articles whose extraction with `version` failed and has no result."""
        ids = [
            row["id"]
            for row in self._db.execute(
                "SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM errors e "
                "  WHERE e.content_key = a.content_key AND e.schema = :schema "
                "  AND e.prompt_version = :prompt_version AND e.model = :model) "
                "AND NOT EXISTS (SELECT 1 FROM results r "
                "  WHERE r.content_key = a.content_key AND r.schema = :schema "
                "  AND r.prompt_version = :prompt_version AND r.model = :model) "
                "ORDER BY a.rowid",
                asdict(version),
            )
        ]
        # Fetched one at a time, after the ids: the caller writes while it iterates.
        for article_id in ids:
            if (article := self.article(article_id)) is not None:
                yield article

    @_guarded
    def article(self, article_id: str) -> StoredArticle | None:
        """The article with this id, or None."""
        row = self._db.execute(
            "SELECT id, source, url, title, published, text FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        return StoredArticle(**row) if row else None

    @_guarded
    def schemas(self) -> set[str]:
        """The schemas the store holds results or runs of."""
        rows = self._db.execute("SELECT schema FROM runs UNION SELECT schema FROM results")
        return {row[0] for row in rows}

    @_guarded
    def latest_results(self, schema: str) -> Iterator[ExportedResult]:
        """Each article with its newest result of `schema`, in the order first seen."""
        rows = self._db.execute(
            "SELECT a.id AS article_id, a.source, a.url, a.title, r.document, a.content_key "
            "FROM articles a JOIN ("
            "  SELECT content_key, document, row_number() OVER ("
            "    PARTITION BY content_key ORDER BY created_at DESC, rowid DESC) AS n "
            "  FROM results WHERE schema = ?"
            ") r ON r.content_key = a.content_key AND r.n = 1 "
            "ORDER BY a.rowid",
            (schema,),
        )
        for row in rows:
            yield ExportedResult(**{**dict(row), "document": json.loads(row["document"])})

    # --- Jobs (the service's) ------------------------------------------------------

    @_guarded
    def add_job(
        self, job_id: str, schema: str, articles: list[tuple[StoredArticle | None, str, str]],
        failures: dict[int, str],
    ) -> None:  # fmt: skip
        """Record a job and its articles in one transaction: (article or None, content key,
        id) in order; `failures` gives the reason of each position that cannot be read."""
        with self._db:
            self._db.execute(
                "INSERT INTO jobs (id, created_at, state, schema) VALUES (?, ?, 'running', ?)",
                (job_id, _now(), schema),
            )
            for position, (article, key, article_id) in enumerate(articles):
                if article is not None:
                    self._insert_article(article, key)
                failed = position in failures
                self._db.execute(
                    "INSERT INTO job_articles (job_id, position, article_id, source, status, "
                    "error) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        job_id, position, article_id, article.source if article else "",
                        "failed" if failed else "pending", failures.get(position),
                    ),
                )  # fmt: skip

    @_guarded
    def set_job_article(
        self, job_id: str, position: int, status: str, error: str | None = None,
        *, read_after_cancel: bool = False,
    ) -> None:  # fmt: skip
        """An article's status in its job, once: a pending one (or, with
        `read_after_cancel`, one cancelled while it was being read)."""
        before = ("pending", "cancelled") if read_after_cancel else ("pending",)
        with self._db:
            self._db.execute(
                "UPDATE job_articles SET status = ?, error = ? WHERE job_id = ? "
                f"AND position = ? AND status IN ({', '.join('?' * len(before))})",
                (status, error, job_id, position, *before),
            )

    @_guarded
    def finish_job(self, job_id: str) -> None:
        with self._db:
            self._db.execute(
                "UPDATE jobs SET state = 'finished', finished_at = ? "
                "WHERE id = ? AND state = 'running'",
                (_now(), job_id),
            )

    @_guarded
    def cancel_job(self, job_id: str) -> None:
        """Cancel a running job: its pending articles will not be read."""
        with self._db:
            self._db.execute(
                "UPDATE job_articles SET status = 'cancelled' "
                "WHERE job_id = ? AND status = 'pending'",
                (job_id,),
            )
            self._db.execute(
                "UPDATE jobs SET state = 'cancelled', finished_at = ? "
                "WHERE id = ? AND state = 'running'",
                (_now(), job_id),
            )

    @_guarded
    def job(self, job_id: str) -> Job | None:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        counts = dict.fromkeys(("pending", "done", "cached", "failed", "cancelled"), 0)
        for status, count in self._db.execute(
            "SELECT status, count(*) FROM job_articles WHERE job_id = ? GROUP BY status",
            (job_id,),
        ):
            counts[status] = count
        return Job(**dict(row), counts=counts)

    @_guarded
    def job_articles(self, job_id: str, status: str | None = None) -> list[JobArticle]:
        rows = self._db.execute(
            "SELECT position, article_id, source, status, error FROM job_articles "
            "WHERE job_id = ? AND (? IS NULL OR status = ?) ORDER BY position",
            (job_id, status, status),
        )
        return [JobArticle(**row) for row in rows]

    @_guarded
    def running_jobs(self) -> list[str]:
        rows = self._db.execute("SELECT id FROM jobs WHERE state = 'running' ORDER BY rowid")
        return [row["id"] for row in rows]

    @_guarded
    def job_article_ids(self, job_id: str) -> set[str]:
        rows = self._db.execute("SELECT article_id FROM job_articles WHERE job_id = ?", (job_id,))
        return {row[0] for row in rows}

    @_guarded
    def latest_failure(self, article_id: str, schema: str) -> Failure | None:
        row = self._db.execute(
            "SELECT e.kind, e.exit_code, e.reason FROM articles a JOIN errors e "
            "ON e.content_key = a.content_key WHERE a.id = ? AND e.schema = ? "
            "ORDER BY e.id DESC LIMIT 1",
            (article_id, schema),
        ).fetchone()
        return Failure(**row) if row else None

    # --- Webhooks (the service's) --------------------------------------------------

    @_guarded
    def add_webhook(self, message_id: str, kind: str, body: str) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO webhooks (id, kind, body, created_at, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (message_id, kind, body, _now(), ""),
            )

    @_guarded
    def due_webhooks(self, now: str, limit: int) -> list[WebhookMessage]:
        """Undelivered messages whose next attempt is due by `now`, oldest first."""
        rows = self._db.execute(
            "SELECT id, body FROM webhooks WHERE delivered_at IS NULL AND next_attempt_at <= ? "
            "ORDER BY rowid LIMIT ?",
            (now, limit),
        )
        return [WebhookMessage(**row) for row in rows]

    @_guarded
    def webhook_attempts(self, message_id: str) -> int:
        row = self._db.execute("SELECT attempts FROM webhooks WHERE id = ?", (message_id,))
        return row.fetchone()[0]

    @_guarded
    def webhook_delivered(self, message_id: str) -> None:
        with self._db:
            self._db.execute(
                "UPDATE webhooks SET delivered_at = ?, attempts = attempts + 1, "
                "last_error = NULL WHERE id = ?",
                (_now(), message_id),
            )

    @_guarded
    def webhook_failed(self, message_id: str, next_attempt_at: str, error: str) -> None:
        with self._db:
            self._db.execute(
                "UPDATE webhooks SET attempts = attempts + 1, next_attempt_at = ?, "
                "last_error = ? WHERE id = ?",
                (next_attempt_at, error, message_id),
            )

    # --- Reviews (the service's workbench) -------------------------------------------

    @_guarded
    def articles(self, schema: str, article_id: str | None = None) -> list[ArticleRow]:
        """Every article (or the one with `article_id`) with its newest result of `schema`
        (or none), in the order seen."""
        rows = self._db.execute(
            "SELECT a.id, a.source, a.url, a.title, a.published, a.first_seen, a.content_key, "
            "(SELECT r.document FROM results r WHERE r.content_key = a.content_key "
            "  AND r.schema = ? ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1) AS document "
            "FROM articles a WHERE ? IS NULL OR a.id = ? ORDER BY a.rowid",
            (schema, article_id, article_id),
        )
        return [ArticleRow(**{**dict(row), "document": _loaded(row["document"])}) for row in rows]

    @_guarded
    def add_review(self, review: Review) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO reviews (article_id, content_key, schema, prompt_version, model, "
                "record_id, reviewer, created_at, decision, reason, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    review.article_id, review.content_key, review.schema, review.prompt_version,
                    review.model, review.record_id, review.reviewer, _now(), review.decision,
                    review.reason, _json_or_none(review.before), _json_or_none(review.after),
                ),
            )  # fmt: skip

    @_guarded
    def reviews(self, article_id: str, content_key: str, schema: str) -> list[Review]:
        """Every decision on the article's results for this text and schema, oldest first."""
        rows = self._db.execute(
            "SELECT article_id, content_key, schema, prompt_version, model, record_id, "
            "reviewer, decision, reason, before, after, created_at FROM reviews "
            "WHERE article_id = ? AND content_key = ? AND schema = ? ORDER BY id",
            (article_id, content_key, schema),
        )
        return [
            Review(
                **{**dict(row), "before": _loaded(row["before"]), "after": _loaded(row["after"])}
            )
            for row in rows
        ]


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _loaded(value: str | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(value)
