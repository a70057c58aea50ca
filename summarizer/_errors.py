"""The errors `summarizer` raises, as one hierarchy.

Every error a user can cause or meet (bad input, missing set-up, an endpoint that
does not answer, a model that never gives a valid answer) is a `SummarizerError`
subclass. Each class carries the process exit code the CLI uses for it, so a script
can tell the failures apart without parsing messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class SummarizerError(Exception):
    """Base class of every error `summarizer` raises on purpose."""

    exit_code = 1


class InputError(SummarizerError):
    """The article cannot be read: missing path, a directory, empty, binary or not UTF-8."""

    exit_code = 3


class ArticleTooLongError(InputError):
    """The article is longer than the configured limit for one extraction."""

    exit_code = 4


class SchemaError(SummarizerError):
    """A `--schema` or `--prompt` that cannot be loaded or used."""

    exit_code = 5


class SetupError(SummarizerError):
    """The program cannot run as set up: a missing extra or weights, or an invalid setting."""

    exit_code = 6


class EndpointError(SummarizerError):
    """The model endpoint could not be reached or kept failing after retries."""

    exit_code = 7


class AuthenticationError(EndpointError):
    """The endpoint refused the API key (HTTP 401 or 403)."""

    exit_code = 8


class ExtractionError(SummarizerError):
    """The model's answers never passed validation, even after re-asks."""

    exit_code = 9


def exit_code_of(kind: str) -> int:
    """The exit code of the error class named `kind` (a failure another process reported
    by name); that of `SummarizerError` for a name outside this tree."""
    for error in _tree(SummarizerError):
        if error.__name__ == kind:
            return error.exit_code
    return SummarizerError.exit_code


def _tree(root: type[SummarizerError]) -> Iterator[type[SummarizerError]]:
    yield root
    for child in root.__subclasses__():
        yield from _tree(child)


def field_errors(errors: Iterable[Mapping[str, Any]], whole: str | None = None) -> list[str]:
    """Pydantic's validation errors as lines ``field.path: what is wrong``; an error of
    no field is said of `whole`, or bare. FastAPI's ``body`` step of a path is left out."""
    lines = []
    for error in errors:
        where = ".".join(str(part) for part in error["loc"] if part != "body") or whole
        lines.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return lines
