"""Errors as RFC 9457 problem details (``application/problem+json``), in one place.

A problem's ``detail`` is the CLI's one-line error for the same failure, so a client
reads what a terminal user would; the ``type`` names the error class, so a client can
tell failures apart without parsing words. No traceback ever reaches a client: an
exception the service did not expect is a 500 that names nothing of the code.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from summarizer._errors import (
    ArticleTooLongError,
    AuthenticationError,
    EndpointError,
    ExtractionError,
    InputError,
    SchemaError,
    SetupError,
    SummarizerError,
    field_errors,
)

LOG = logging.getLogger("summarizer.service")
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://summarizer.invalid/problems/"

# The CLI's error classes, most specific first, and the status each is answered with.
STATUS_OF_ERROR: tuple[tuple[type[SummarizerError], int], ...] = (
    (ArticleTooLongError, 413),
    (InputError, 422),
    (SchemaError, 422),
    (SetupError, 500),
    (AuthenticationError, 502),  # the service's key was refused: not the client's fault
    (EndpointError, 502),
    (ExtractionError, 502),
)


class Problem(Exception):
    """A problem to answer with: status, one-line detail, and headers (``Retry-After``)."""

    def __init__(
        self, status: int, detail: str, kind: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.headers = headers or {}


def status_of(kind: str) -> int:
    """The status of an error class, by its name (as the store records failures)."""
    for error, status in STATUS_OF_ERROR:
        if error.__name__ == kind:
            return status
    return 500


def from_error(error: SummarizerError) -> Problem:
    return Problem(status_of(type(error).__name__), _one_line(str(error)), type(error).__name__)


def response(problem: Problem) -> JSONResponse:
    body = {
        "type": TYPE_BASE + problem.kind,
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
    }
    return JSONResponse(body, problem.status, headers=problem.headers, media_type=MEDIA_TYPE)


def _one_line(text: str) -> str:
    return " ".join(text.split())


async def on_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return response(exc)


async def on_summarizer_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SummarizerError)
    return response(from_error(exc))


async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return response(Problem(exc.status_code, detail, headers=dict(exc.headers or {})))


async def on_invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """A body or query that does not fit the API: each field's error, on one line."""
    assert isinstance(exc, RequestValidationError)
    detail = "; ".join(field_errors(exc.errors())) or "invalid request"
    return response(Problem(422, detail, "invalid-request"))


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return response(Problem(500, "the service failed; its log says why", "internal-error"))


HANDLERS = {
    Problem: on_problem,
    SummarizerError: on_summarizer_error,
    HTTPException: on_http_error,
    RequestValidationError: on_invalid_request,
    Exception: on_unexpected,
}
