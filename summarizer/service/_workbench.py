"""The review workbench: server-rendered pages where an editor checks each record
against the highlighted article, then accepts, rejects, edits or adds records.

Access: the service token, given once on ``/login``, is exchanged for a session cookie
(HttpOnly, SameSite=Strict); every state-changing request also carries the session's
CSRF token (a header from the page's script, or a form field), compared in constant
time. Pages are sent with a Content-Security-Policy that allows no inline script and
nothing from another origin; every asset ships in the package. The article is data:
Jinja2 escapes it everywhere, so an article holding ``<script>`` shows as text.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from summarizer._batch.reviews import Decision, ReviewedRecord, checked_record, reviewed_records
from summarizer._batch.store import ArticleRow, Review, Store
from summarizer._errors import InputError
from summarizer._text.counts import parse_count
from summarizer._text.offsets import as_browsers_show, to_code_points
from summarizer.schemas._incident import Claim, Count, Grounded, blank_incident
from summarizer.service._engine import Engine
from summarizer.service._filters import RecordFilter
from summarizer.service._highlights import pieces, spans_of
from summarizer.service._problems import Problem
from summarizer.service._security import token_matches

COOKIE = "summarizer_session"
CSRF_HEADER = "x-csrf-token"
SESSION_HOURS = 12  # an editor's working day; then the token is asked again
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
STATIC = Path(__file__).parent / "static"
# The fields a selection in the article can set: one value, or one more in a list.
SELECTABLE = {
    "evidence": "Evidence",
    "location": "Place",
    "perpetrators": "Add perpetrator",
    "targets": "Add target",
    "victims": "Add victim",
    "weapons": "Add weapon",
    "killed": "Killed (the figure)",
    "injured": "Injured (the figure)",
}
FIGURES = frozenset({"killed", "injured"})
QUEUE_STATES = ("unreviewed", "in progress", "done")


@dataclass
class _Session:
    csrf: str
    expires: datetime


class Sessions:
    """Sessions in memory: a restart asks editors for the token again."""

    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}

    def start(self) -> str:
        session_id = secrets.token_urlsafe(32)
        expires = datetime.now(UTC).timestamp() + SESSION_HOURS * 3600
        self._sessions[session_id] = _Session(
            secrets.token_urlsafe(32), datetime.fromtimestamp(expires, UTC)
        )
        return session_id

    def csrf(self, request: Request) -> str | None:
        """The CSRF token of the request's live session, or None when it has none."""
        session = self._sessions.get(request.cookies.get(COOKIE, ""))
        if session is None or session.expires < datetime.now(UTC):
            return None
        return session.csrf

    def end(self, request: Request) -> None:
        self._sessions.pop(request.cookies.get(COOKIE, ""), None)


class PageHeaders:
    """ASGI middleware: the workbench's pages and assets get the strict policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _api_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def _api_path(path: str) -> bool:
    """The API and its own documentation (Swagger UI loads from a CDN) keep their headers."""
    return path.startswith(("/v1/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz"))


class DecisionIn(BaseModel):
    """An editor's decision on one record."""

    reviewer: str = Field(min_length=1, max_length=100, description="Who decides.")
    decision: Decision = Field(description="accept, reject, edit or add.")
    reason: str | None = Field(None, max_length=1000, description="Why (a rejection needs one).")
    record: dict[str, Any] | None = Field(None, description="The record as edited (edit).")


class SelectionIn(BaseModel):
    """A selection in the article, in the browser's UTF-16 offsets."""

    reviewer: str = Field(min_length=1, max_length=100)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    field: str | None = Field(None, description="The field to set; none: add an incident.")


def mount(app: FastAPI, engine: Engine, token: str, folder: Path) -> None:
    """Add the workbench's pages, its assets and its headers to `app`."""
    bench = Workbench(engine, token, folder)
    app.include_router(bench.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(PageHeaders)


class Workbench:
    def __init__(self, engine: Engine, token: str, folder: Path) -> None:
        self.engine = engine
        self.token = token
        self.folder = folder
        self.sessions = Sessions()
        self._adding = threading.Lock()
        self.pages = Environment(
            loader=PackageLoader("summarizer.service", "templates"),
            autoescape=select_autoescape(default=True),
        )
        self.router = APIRouter(include_in_schema=False)
        add = self.router.add_api_route
        add("/login", self.login_page, methods=["GET"])
        add("/login", self.login, methods=["POST"])
        add("/logout", self.logout, methods=["POST"])
        add("/", self.queue, methods=["GET"])
        # Ids go in the query of the actions, and as the rest of the path of the page:
        # an id may hold "/" (a batch's JSON Lines give ids as they like).
        add("/review/decide", self.decide, methods=["POST"])
        add("/review/selection", self.select, methods=["POST"])
        add("/review/add", self.add, methods=["POST"])
        add("/review/{article_id:path}", self.article, methods=["GET"])

    # --- Access --------------------------------------------------------------------

    def login_page(self, request: Request) -> HTMLResponse:
        return self._page("login.html", request, error=None)

    def login(self, request: Request, token: Annotated[str, Form()] = "") -> Response:
        if not token_matches(f"Bearer {token}", self.token):
            error = "That is not this service's token."
            return self._page("login.html", request, error=error, status=401)
        answer = RedirectResponse("/", status_code=303)
        answer.set_cookie(
            COOKIE, self.sessions.start(), max_age=SESSION_HOURS * 3600, httponly=True,
            samesite="strict", secure=request.url.scheme == "https", path="/",
        )  # fmt: skip
        return answer

    def logout(self, request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        self._check_csrf(request, csrf)
        self.sessions.end(request)
        answer = RedirectResponse("/login", status_code=303)
        answer.delete_cookie(COOKIE, path="/")
        return answer

    def _check_csrf(self, request: Request, given: str | None = None) -> None:
        expected = self.sessions.csrf(request)
        if expected is None:
            raise Problem(401, "log in again: the session has ended", "unauthorized")
        sent = given or request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Problem(403, "the request lacks this session's CSRF token", "forbidden")

    # --- Pages ---------------------------------------------------------------------

    def queue(
        self, request: Request, state: str = "", job: str = "", event_type: str = "",
        country: str = "", date_from: str = "", date_to: str = "", q: str = "",
    ) -> Response:  # fmt: skip
        if self.sessions.csrf(request) is None:
            return RedirectResponse("/login", status_code=303)
        filters = {"state": state, "job": job, "event_type": event_type, "country": country,
                   "date_from": date_from, "date_to": date_to, "q": q}  # fmt: skip
        with Store.read(self.folder) as store:
            members = store.job_article_ids(job) if job else None
            rows = [
                self._queue_row(store, row)
                for row in store.articles(self.engine.schema.name)
                if members is None or row.id in members
            ]
        wanted = RecordFilter(event_type or None, country or None,
                              _day(date_from, "date_from"), _day(date_to, "date_to"))  # fmt: skip
        shown = [row for row in rows if _listed(row, filters, wanted)]
        return self._page("queue.html", request, rows=shown, total=len(rows), filters=filters,
                          states=QUEUE_STATES)  # fmt: skip

    def _queue_row(self, store: Store, row: ArticleRow) -> dict[str, Any]:
        records = self._records(store, row) if row.document else []
        decided = sum(record.state != "unreviewed" for record in records)
        state = (
            "unreviewed" if not decided else "done" if decided == len(records) else "in progress"
        )
        return {"article": row, "records": records, "state": state, "decided": decided}

    def _records(self, store: Store, row: ArticleRow) -> list[ReviewedRecord]:
        assert row.document is not None
        reviews = store.reviews(row.id, row.content_key, self.engine.schema.name)
        return reviewed_records(row.document, reviews)

    def article(self, request: Request, article_id: str) -> Response:
        if self.sessions.csrf(request) is None:
            return RedirectResponse("/login", status_code=303)
        with Store.read(self.folder) as store:
            row = _article_row(store, self.engine.schema.name, article_id)
            records = self._records(store, row) if row.document else []
            text = _text_of(store, article_id)
        live = [(r.record_id, r.value) for r in records if r.state != "rejected"]
        return self._page(
            "article.html", request, article=row, text=text,
            pieces=pieces(text, spans_of(live, len(text))), records=records,
            selectable=SELECTABLE,
        )  # fmt: skip

    def _page(self, name: str, request: Request, status: int = 200, **values: Any) -> HTMLResponse:
        csrf = self.sessions.csrf(request) or ""
        html = self.pages.get_template(name).render(csrf=csrf, **values)
        return HTMLResponse(html, status_code=status)

    # --- Decisions -------------------------------------------------------------------

    def decide(
        self, request: Request, article_id: Annotated[str, Query(alias="article")],
        record_id: Annotated[str, Query(alias="record")], decision: Annotated[DecisionIn, Body()],
    ) -> JSONResponse:  # fmt: skip
        self._check_csrf(request)
        if decision.decision == "reject" and not (decision.reason or "").strip():
            raise Problem(422, "reason: say why the record is rejected", "InputError")
        with Store.read(self.folder) as store:
            row = _article_row(store, self.engine.schema.name, article_id)
            records = {r.record_id: r for r in self._records(store, row)} if row.document else {}
        current = records.get(record_id)
        if current is None:
            raise Problem(404, f"no record {record_id!r} in article {article_id!r}", "not-found")
        after = self._after(decision, current)
        self._append(row, record_id, decision.reviewer, decision.decision, decision.reason,
                     current.value, after)  # fmt: skip
        return JSONResponse({"record_id": record_id, "decision": decision.decision})

    def _after(self, decision: DecisionIn, current: ReviewedRecord) -> dict[str, Any] | None:
        if decision.decision == "reject":
            return None
        if decision.decision == "edit":
            try:
                return checked_record(
                    decision.record, self.engine.schema.record_model, current.record_id
                )
            except InputError as exc:
                raise Problem(422, str(exc), "InputError") from None
        return current.value

    def select(
        self,
        request: Request,
        article_id: Annotated[str, Query(alias="article")],
        selection: SelectionIn,
    ) -> JSONResponse:
        """A selection as a grounded value, for the page to put in the record it edits."""
        self._check_csrf(request)
        with Store.read(self.folder) as store:
            grounded = _grounded(_text_of(store, article_id), selection)
        if selection.field in FIGURES:
            return JSONResponse({"value": _figure(grounded).model_dump(), "field": selection.field})
        return JSONResponse({"value": grounded.model_dump(), "field": selection.field})

    def add(
        self,
        request: Request,
        article_id: Annotated[str, Query(alias="article")],
        selection: SelectionIn,
    ) -> JSONResponse:
        """A new incident record from a selected passage ("add incident")."""
        self._check_csrf(request)
        if self.engine.schema.name != "incident":
            raise Problem(422, "adding records is for the incident schema", "SchemaError")
        # One add at a time: two editors adding at once must not both take "e1".
        with self._adding:
            with Store.read(self.folder) as store:
                evidence = _grounded(_text_of(store, article_id), selection)
                row = _article_row(store, self.engine.schema.name, article_id)
                if row.document is None:
                    raise Problem(409, f"article {article_id!r} has no result yet", "conflict")
                taken = {r.record_id for r in self._records(store, row)}
            record_id = next(f"e{n}" for n in range(1, len(taken) + 2) if f"e{n}" not in taken)
            record = blank_incident(record_id, evidence).model_dump(mode="json")
            self._append(row, record_id, selection.reviewer, "add", None, None, record)
        return JSONResponse({"record_id": record_id, "decision": "add"})

    def _append(
        self, row: ArticleRow, record_id: str, reviewer: str, decision: str, reason: str | None,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:  # fmt: skip
        assert row.document is not None
        review = Review(
            row.id, row.content_key, self.engine.schema.name, row.document["prompt_version"],
            row.document["model"], record_id, reviewer.strip(), decision, reason, before, after,
        )  # fmt: skip
        with Store.attach(self.folder) as store:
            store.add_review(review)
            data = {"article_id": row.id, "record_id": record_id, "decision": decision,
                    "reviewer": review.reviewer, "record": after}  # fmt: skip
            self.engine.emit(store, "record.reviewed", data)


def _grounded(text: str, selection: SelectionIn) -> Grounded:
    """A selection's text and code point offsets in `text` (it was given in UTF-16)."""
    shown, origin = as_browsers_show(text)
    try:
        start = origin[to_code_points(shown, selection.start)]
        end = origin[to_code_points(shown, selection.end)]
    except ValueError as exc:
        raise Problem(422, f"selection: {exc}", "InputError") from None
    if end <= start or not text[start:end].strip():
        raise Problem(422, "selection: select some of the article's text", "InputError")
    return Grounded(text=text[start:end], start=start, end=end, alignment="exact")


def _figure(grounded: Grounded) -> Count:
    """A casualty figure from a selected phrase, its number read by the program, as the
    record's one claim (the article's own)."""
    parsed = parse_count(grounded.text)
    if parsed is None or parsed.best is None:
        raise Problem(422, f"selection: no figure in {grounded.text!r}", "InputError")
    numbers = {"low": parsed.low, "best": parsed.best, "high": parsed.high,
               "qualifier": parsed.qualifier}  # fmt: skip
    claim = Claim(**grounded.model_dump(), claimant=None, **numbers)
    return Count(**numbers, text=grounded.text, claims=[claim])


def _article_row(store: Store, schema: str, article_id: str) -> ArticleRow:
    rows = store.articles(schema, article_id)
    if not rows:
        raise Problem(404, f"no article {article_id!r}", "not-found")
    return rows[0]


def _text_of(store: Store, article_id: str) -> str:
    stored = store.article(article_id)
    if stored is None:
        raise Problem(404, f"no article {article_id!r}", "not-found")
    return stored.text


def _listed(row: dict[str, Any], filters: dict[str, str], wanted: RecordFilter) -> bool:
    article: ArticleRow = row["article"]
    if filters["state"] and row["state"] != filters["state"]:
        return False
    if filters["q"] and filters["q"].casefold() not in (article.title or "").casefold():
        return False
    return wanted.asks_nothing or any(wanted.keeps(record.value) for record in row["records"])


def _day(value: str, name: str) -> date | None:
    """A date field of the queue's form: empty is none; anything but YYYY-MM-DD is refused."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(400, f"{name}: give a date as YYYY-MM-DD", "bad-filter") from None
