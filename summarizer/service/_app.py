"""The FastAPI app of `summarizer serve`: routes under ``/v1``, health outside it.

Every ``/v1`` route needs ``Authorization: Bearer <token>``. Extractions go through the
`Engine` (one writer over the store); reads open the store read-only per request, so
they never wait for an extraction.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from pydantic import ValidationError

from summarizer._batch.inputs import BadInput, Input
from summarizer._batch.reviews import ReviewState, with_reviews
from summarizer._batch.runner import Outcome
from summarizer._batch.store import Store
from summarizer._errors import InputError, field_errors
from summarizer._extract.render import FORMATS
from summarizer._llm.connect import model_problem
from summarizer._settings import Settings
from summarizer.service._engine import Busy, Engine
from summarizer.service._filters import RecordFilter
from summarizer.service._models import (
    ArticleIn,
    ArticleOut,
    DocumentOut,
    JobFailure,
    JobOut,
    Readiness,
    RecordOut,
    RecordsPage,
)
from summarizer.service._problems import HANDLERS, Problem, status_of
from summarizer.service._security import ARTICLE_HEADER, BodyLimit, RequestLog, token_matches
from summarizer.service._workbench import mount

# Seconds a client is told to wait when the service has as many extractions as it takes.
RETRY_AFTER_SECONDS = 30
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "md": "text/markdown"}
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


@dataclass(frozen=True)
class ServiceConfig:
    """What a service serves and how: its store folder, model settings and limits."""

    folder: Path
    settings: Settings
    token: str
    schema: str = "incident"
    workers: int | None = None
    waiting: int = 16  # extract requests taken at once, in flight or waiting (then 503)
    max_body_bytes: int = 2_000_000
    request_timeout: float = 900.0  # seconds /v1/extract waits for its result (then 504)
    cors_origins: tuple[str, ...] = field(default=())


def create_app(config: ServiceConfig, engine: Engine) -> FastAPI:
    """The app over a started or startable `engine`; it starts and stops with the app."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if not engine.alive:
            await asyncio.to_thread(engine.start)
        yield
        await asyncio.to_thread(engine.stop)

    app = FastAPI(
        title="summarizer",
        summary="News articles about violent incidents in, grounded incident records out.",
        version="1",
        lifespan=lifespan,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
    )
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    app.add_middleware(RequestLog)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    routes = _Routes(config, engine)
    app.include_router(routes.router)
    mount(app, engine, config.token, config.folder)
    app.get("/healthz", summary="The process is alive", tags=["health"])(routes.healthz)
    app.get("/readyz", summary="The store and the model can take work", tags=["health"],
            response_model=Readiness)(routes.readyz)  # fmt: skip
    return app


class _Routes:
    def __init__(self, config: ServiceConfig, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        self.router = APIRouter(prefix="/v1", dependencies=[Depends(self.authorized)])
        add = self.router.add_api_route
        add("/extract", self.extract, methods=["POST"], response_model=DocumentOut,
            summary="Extract one article and wait for its document")  # fmt: skip
        add("/jobs", self.submit, methods=["POST"], status_code=202, response_model=JobOut,
            summary="Queue many articles (a JSON array or JSON Lines)",
            openapi_extra={"requestBody": _JOB_BODY})  # fmt: skip
        add("/jobs/{job_id}", self.job, methods=["GET"], response_model=JobOut,
            summary="A job's state and counts")  # fmt: skip
        add("/jobs/{job_id}", self.cancel, methods=["DELETE"], response_model=JobOut,
            summary="Cancel a job's articles not yet started")  # fmt: skip
        add("/articles/{article_id:path}", self.article, methods=["GET"], response_model=ArticleOut,
            summary="A stored article with its newest result")  # fmt: skip
        add("/records", self.records, methods=["GET"], response_model=RecordsPage,
            summary="Records of the stored articles, filtered, a page at a time")  # fmt: skip
        add("/export", self.export, methods=["GET"], response_class=Response,
            summary="Every article's newest result, as `summarizer export` writes it")  # fmt: skip

    # --- Access --------------------------------------------------------------------

    def authorized(self, request: Request) -> None:
        if not token_matches(request.headers.get("authorization"), self.config.token):
            raise Problem(
                401, "give the service token as 'Authorization: Bearer <token>'",
                "unauthorized", headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip

    # --- Extraction ----------------------------------------------------------------

    async def extract(self, article: ArticleIn, response: Response) -> dict[str, Any]:
        item = self._input(article, "api")
        response.headers[ARTICLE_HEADER] = quote(item.id, safe="")
        if isinstance(item, BadInput):
            raise item.error
        self._require_writer()
        try:
            answer = self.engine.extract(item)
        except Busy as exc:
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            raise Problem(503, str(exc), "busy", headers=headers) from None
        try:
            # Shielded: a request that times out leaves the extraction to finish and be stored.
            outcome: Outcome = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(answer)), self.config.request_timeout
            )
        except TimeoutError:
            raise Problem(
                504, f"no result within {self.config.request_timeout:g} s; the extraction "
                "goes on and is stored: ask GET /v1/articles/{id} later", "timeout",
            ) from None  # fmt: skip
        if outcome.status == "failed" or outcome.document is None:
            kind = outcome.kind or "SummarizerError"
            raise Problem(status_of(kind), outcome.error or "the extraction failed", kind)
        # The article's id in the store, as exports give it (the document's own is its hash).
        return {**outcome.document.to_dict(), "article_id": outcome.article_id}

    async def submit(self, request: Request) -> dict[str, Any]:
        objects = _job_objects(await request.body(), request.headers.get("content-type", ""))
        items = [self._job_input(obj, position) for position, obj in enumerate(objects)]
        self._require_writer()
        job_id = await asyncio.to_thread(self.engine.submit, items)
        return self.job(job_id)

    def job(self, job_id: str) -> dict[str, Any]:
        with Store.read(self.config.folder) as store:
            job = store.job(job_id)
            if job is None:
                raise Problem(404, f"no job {job_id!r}", "not-found")
            failures = [
                JobFailure(position=a.position, article_id=a.article_id, error=a.error)
                for a in store.job_articles(job_id, "failed")
            ]
        return {
            "id": job.id, "state": job.state, "schema": job.schema,
            "created_at": job.created_at, "finished_at": job.finished_at,
            "total": sum(job.counts.values()), "counts": job.counts,
            "remaining": job.counts["pending"], "eta_seconds": _eta(job.created_at, job.counts),
            "failures": failures,
        }  # fmt: skip

    async def cancel(self, job_id: str) -> dict[str, Any]:
        current = self.job(job_id)
        if current["state"] != "running":
            raise Problem(
                409, f"job {job_id!r} is {current['state']}; nothing to cancel", "conflict"
            )
        await asyncio.to_thread(self.engine.cancel, job_id)
        return self.job(job_id)

    def _require_writer(self) -> None:
        if not self.engine.alive:
            raise Problem(503, "the store's writer has stopped; restart the service", "stopped")

    def _input(self, article: ArticleIn, default_source: str) -> Input:
        if article.schema_name not in (None, self.engine.schema.name):
            raise Problem(
                422, f"this service extracts with schema {self.engine.schema.name!r}; start "
                f"another with: summarizer serve --schema {article.schema_name}", "SchemaError",
            )  # fmt: skip
        fields = article.model_dump(exclude={"source", "schema_name"}, exclude_none=True)
        source = article.source or default_source
        return self.engine.reader.record(fields, source, json.dumps(fields).encode())

    def _job_input(self, obj: Any, position: int) -> Input:
        source = f"job line {position + 1}"
        try:
            article = ArticleIn.model_validate(obj)
        except ValidationError as exc:
            reason = "; ".join(field_errors(exc.errors()))
            error = InputError(f"{source}: {reason}")
            return BadInput(f"{source}", source, error)
        try:
            return self._input(article, source)
        except Problem as problem:
            return BadInput(str(article.id or source), source, InputError(problem.detail))

    # --- Reading the store -----------------------------------------------------------

    def article(self, article_id: str) -> dict[str, Any]:
        schema = self.engine.schema.name
        with Store.read(self.config.folder) as store:
            stored = store.article(article_id)
            if stored is None:
                raise Problem(404, f"no article {article_id!r}", "not-found")
            [row] = store.articles(schema, article_id)
            document = row.document
            failure = None if document else store.latest_failure(article_id, schema)
        status = "extracted" if document else "failed" if failure else "not extracted"
        return {
            **vars(stored), "status": status, "document": document,
            "error": failure.reason if failure else None,
        }  # fmt: skip

    def records(
        self,
        job: Annotated[str | None, Query(description="Only articles of this job.")] = None,
        event_type: Annotated[
            str | None, Query(description="Only records of this event or sub-event type.")
        ] = None,
        country: Annotated[str | None, Query(description="Only records in this country.")] = None,
        date_from: Annotated[
            date | None, Query(description="Only records dated on or after (YYYY-MM-DD).")
        ] = None,
        date_to: Annotated[
            date | None, Query(description="Only records dated on or before (YYYY-MM-DD).")
        ] = None,
        review: Annotated[
            ReviewState | None,
            Query(description="Only records in this review state (the workbench's)."),
        ] = None,
        cursor: Annotated[
            str | None, Query(description="`next_cursor` of the page before.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="Records per page.")] = 100,
    ) -> dict[str, Any]:
        start = _offset(cursor)
        wanted = RecordFilter(event_type, country, date_from, date_to, review)
        page: list[RecordOut] = []
        with Store.read(self.config.folder) as store:
            members = store.job_article_ids(job) if job else None
            if job and store.job(job) is None:
                raise Problem(404, f"no job {job!r}", "not-found")
            matching = _matching(store, self.engine.schema.name, members, wanted)
            for position, row in enumerate(matching):
                if position < start:
                    continue
                if len(page) == limit:
                    return {"records": page, "next_cursor": _cursor(position)}
                page.append(row)
        return {"records": page, "next_cursor": None}

    def export(
        self,
        format: Annotated[
            Literal["jsonl", "csv", "md"], Query(description="As `summarizer export --format`.")
        ] = "jsonl",
        reviewed_only: Annotated[
            bool, Query(description="Only records an editor accepted, edited or added.")
        ] = False,
    ) -> Response:
        out = io.StringIO(newline="")
        with Store.read(self.config.folder) as store:
            results = store.latest_results(self.engine.schema.name)
            FORMATS[format](with_reviews(results, store, reviewed_only=reviewed_only), out)
        media = MEDIA_TYPES[format] + "; charset=utf-8"
        return Response(out.getvalue().encode("utf-8"), media_type=media)

    # --- Health ----------------------------------------------------------------------

    def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    def readyz(self) -> Response:
        checks = {
            "store": "ok" if self.engine.alive else "the store's writer is not running",
            "model": model_problem(self.config.settings) or "ok",
        }
        ready = all(value == "ok" for value in checks.values())
        body = Readiness(ready=ready, checks=checks).model_dump_json()
        return Response(body, 200 if ready else 503, media_type="application/json")


def _eta(created_at: str, counts: dict[str, int]) -> float | None:
    """Seconds until the pending articles are done, at the pace of the job so far; None
    before the first is done, 0 when none is pending."""
    if not counts["pending"]:
        return 0.0
    finished = counts["done"] + counts["cached"] + counts["failed"]
    elapsed = (datetime.now(UTC) - datetime.fromisoformat(created_at)).total_seconds()
    if not finished or elapsed <= 0:
        return None
    return round(counts["pending"] * elapsed / finished, 1)


def _matching(
    store: Store, schema: str, members: set[str] | None, wanted: RecordFilter
) -> Iterator[RecordOut]:
    for result in with_reviews(store.latest_results(schema), store):
        if members is not None and result.article_id not in members:
            continue
        for record in result.document["records"]:
            if wanted.keeps(record):
                yield RecordOut(
                    article_id=result.article_id, source=result.source, url=result.url,
                    record=record,
                )  # fmt: skip


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("o") and text[1:].isdigit():
            return int(text[1:])
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError; so is non-ASCII
        pass
    raise Problem(400, "cursor: not one this service gave; start again without it", "bad-cursor")


def _job_objects(body: bytes, content_type: str) -> list[Any]:
    """The articles of a job body: a JSON array, or JSON Lines (by its content type)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "the body is not UTF-8", "bad-body") from None
    if content_type.split(";")[0].strip() in JSONL_TYPES:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        loaded: Any = [_json(line, f"line {n}: ") for n, line in lines]
    else:
        loaded = _json(text, "")
    if not isinstance(loaded, list) or not loaded:
        raise Problem(400, "give the job's articles as a non-empty JSON array", "bad-body")
    return loaded


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Problem(400, f"{where}the body is not valid JSON: {exc}", "bad-body") from None


_JOB_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": ArticleIn.model_json_schema(by_alias=True)}
        },
        "application/x-ndjson": {
            "schema": {"type": "string", "description": "One article object (as above) a line."}
        },
    },
}
