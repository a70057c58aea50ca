"""The Python entry points: `summarize` one article text, `connect` to the configured model."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel

from summarizer import _arguments as arguments
from summarizer._article import Article, check_text
from summarizer._dates import find_dateline, parse_published
from summarizer._llm import LLMClient
from summarizer._pipeline import Document, extract, needs_log_probabilities
from summarizer._registry import resolve_schema
from summarizer._schema import Schema
from summarizer._settings import Settings

if TYPE_CHECKING:  # the server module is imported only when the embedded model is used
    from summarizer._local_server import LocalServer


def client_for_server(server: LocalServer, settings: Settings) -> LLMClient:
    """A client for an embedded server (llama-cpp-python's ``json_object`` dialect)."""
    return LLMClient(
        base_url=server.base_url,
        model=server.model_alias,
        api_key=server.api_key,
        settings=settings,
        response_format=settings.response_format or "json_object",
    )


def connect(settings: Settings, *, log_probabilities: bool = False) -> LLMClient:
    """The client for the configured endpoint, starting the embedded server if none is
    (one that reports log-probabilities when asked: see `needs_log_probabilities`)."""
    if settings.embedded:
        from summarizer._local_server import shared_server

        server = shared_server(settings, log_probabilities=log_probabilities)
        return client_for_server(server, settings)
    return LLMClient(
        base_url=settings.base_url,
        model=settings.model or "gpt-4o-mini",
        api_key=settings.api_key,
        settings=settings,
        response_format=settings.response_format or "json_schema",
    )


def run(
    article: Article,
    *,
    schema: Schema,
    llm: LLMClient,
    settings: Settings,
    published: date | None,
) -> Document:
    """Extract one checked article; the publication date falls back to its dateline."""
    return extract(
        article,
        schema,
        llm,
        published=published or find_dateline(article.text),
        settings=settings,
    )


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
    arguments.check_text(text)
    arguments.check_published(published)
    arguments.check_schema(schema)
    settings = settings or Settings.load()
    article = check_text(text, source, settings.max_article_chars)
    chosen = resolve_schema(schema, prompt)
    return run(
        article,
        schema=chosen,
        llm=connect(settings, log_probabilities=needs_log_probabilities(chosen, settings)),
        settings=settings,
        published=parse_published(published),
    )
