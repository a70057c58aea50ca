"""The front door: `summarize` one article text, `summarize_many` for many. Nothing
inside the package imports this module."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer._batch.inputs import Reader
from summarizer._batch.runner import Outcome, batch_outcomes
from summarizer._extract import arguments
from summarizer._extract.pipeline import Document, extract, needs_log_probabilities
from summarizer._llm.client import LLMClient
from summarizer._llm.connect import connect
from summarizer._settings import Settings
from summarizer._text.article import check_text
from summarizer._text.dates import parse_published
from summarizer.schemas._base import Schema
from summarizer.schemas._registry import resolve_schema


def summarize(
    text: str,
    *,
    published: date | str | None = None,
    schema: str | Schema | type[BaseModel] = "incident",
    prompt: str | None = None,
    settings: Settings | None = None,
    source: str = "<text>",
) -> Document:
    """Turn one article into incident records.

    Args:
        text: the article's text.
        published: its publication date (``YYYY-MM-DD`` or a `date`); relative dates
            ("on Friday") are resolved against it. Without it, a dateline is used if the
            article has one with a year; otherwise dates are kept as text.
        schema: ``"incident"`` (default), a ``"module.py:Model"`` spec, or a Pydantic model.
        prompt: a Jinja template path that replaces the schema's fill prompt.
        settings: endpoint and limits; default `Settings.load()` (environment, then the
            embedded model).
        source: a label for the article, reported in the output.

    Returns:
        A `Document` whose ``records`` are the schema's record objects.
    """
    arguments.require_text(text)
    arguments.require_published(published)
    arguments.require_schema(schema)
    settings = settings or Settings.load()
    article = check_text(text, source, settings.max_article_chars)
    chosen = resolve_schema(schema, prompt)
    llm = connect(settings, log_probabilities=needs_log_probabilities(chosen, settings))
    return extract(article, chosen, llm, published=parse_published(published), settings=settings)


def summarize_many(
    articles: Iterable[str | Mapping[str, Any]],
    *,
    store: str | Path | None = None,
    workers: int | None = None,
    published: date | str | None = None,
    schema: str | Schema | type[BaseModel] = "incident",
    prompt: str | None = None,
    settings: Settings | None = None,
    llm: LLMClient | None = None,
    retry_failed: bool = False,
) -> Iterator[Outcome]:
    """Turn many articles into incident records, yielding each `Outcome` as it finishes.

    Args:
        articles: article texts, or mappings with ``text`` and optional ``id``,
            ``published``, ``url``, ``title`` (the fields of a batch's JSONL input).
            Read lazily: a generator of any length is fine.
        store: a folder for the batch store. Articles already done there (same content,
            schema, prompt version and model) come back from it without a model call,
            and an interrupted batch run again finishes the rest. Default: a temporary
            store, removed when the iteration ends.
        workers: articles in flight at once (default: one embedded server per free
            core, or 4 requests to a remote endpoint).
        published: the publication date for articles that do not carry their own.
        schema, prompt, settings: as for `summarize`.
        llm: a client to use instead of the configured model (shared by the workers).
        retry_failed: try again the articles whose failure the store recorded earlier.

    Returns:
        An iterator of `Outcome`s, in the order they finish: ``document`` when done or
        cached, ``error`` when failed. Bad settings or schema raise at once; a failing
        article is an outcome, except a refused API key, which stops the batch.
    """
    arguments.require_articles(articles)
    arguments.require_workers(workers)
    arguments.require_published(published)
    arguments.require_schema(schema)
    settings = settings or Settings.load()
    chosen = resolve_schema(schema, prompt)
    reader = Reader(settings.max_article_chars, parse_published(published))
    return batch_outcomes(
        reader.objects(articles), store, chosen, settings, workers, llm, retry_failed
    )
