"""Which model a run talks to: the configured OpenAI-compatible endpoint, or the embedded
server, started on first use and shared for the process's lifetime."""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer._llm.client import LLMClient
from summarizer._settings import Settings

if TYPE_CHECKING:  # the server module is imported only when the embedded model is used
    from summarizer._llm.local_server import LocalServer


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
        from summarizer._llm.local_server import shared_server

        server = shared_server(settings, log_probabilities=log_probabilities)
        return client_for_server(server, settings)
    return LLMClient(
        base_url=settings.base_url,
        model=settings.model or "gpt-4o-mini",
        api_key=settings.api_key,
        settings=settings,
        response_format=settings.response_format or "json_schema",
    )
