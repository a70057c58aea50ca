"""Checks of the Python API's arguments, made before any work: a wrong type is a
`TypeError` and a wrong value a `ValueError`, each naming what was expected.

The CLI never meets these (Typer checks its options); a program calling `summarize` or
`summarize_many` with ``None``, bytes or one string for many gets them at once, not an
AttributeError deep inside or a batch of one-character articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel

from summarizer.schemas._base import Schema


def _name(value: object) -> str:
    return type(value).__name__


def require_text(text: object) -> None:
    if not isinstance(text, str):
        hint = " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, bytes) else ""
        raise TypeError(f"text must be a str, not {_name(text)}{hint}")


def require_published(published: object) -> None:
    if published is not None and not isinstance(published, date | str):
        raise TypeError(
            f"published must be a date, a 'YYYY-MM-DD' string or None, not {_name(published)}"
        )


def require_schema(schema: object) -> None:
    if isinstance(schema, str | Schema):
        return
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return
    raise TypeError(
        "schema must be a name ('incident', 'muc4', 'module.py:Model'), a Schema or a "
        f"Pydantic model class, not {_name(schema)}"
    )


def require_articles(articles: object) -> None:
    """An iterable of many articles; one string or mapping is refused."""
    if isinstance(articles, str | bytes | Mapping) or not isinstance(articles, Iterable):
        raise TypeError(
            "articles must be an iterable of texts or mappings (e.g. a list), not "
            f"{_name(articles)}; for one article, use summarize(text) or [text]"
        )


def require_workers(workers: object) -> None:
    if workers is not None:
        require_count("workers", workers, "a whole number or None")


def require_count(name: str, value: object, expected: str = "a whole number") -> None:
    """A whole number of at least 1 (a bool is no count)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be {expected}, not {_name(value)}")
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}")
