"""Which model a run talks to: the configured OpenAI-compatible endpoint, or the embedded
server, started on first use and shared for the process's lifetime."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2

from summarizer._llm.client import LLMClient
from summarizer._llm.weights import check_model
from summarizer._secrets import scrubbed, shown_url, url_secrets
from summarizer._settings import Settings

# How long a readiness probe waits for an endpoint's model list: a health check must be quick.
PROBE_SECONDS = 5.0

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


def model_problem(settings: Settings) -> str | None:
    """Why the configured model cannot answer now, or None when it can: the embedded
    model's weights must be intact (its server starts on first use); an endpoint must
    answer ``GET /models`` within `PROBE_SECONDS`, once, without retries."""
    if settings.embedded:
        status = check_model(settings.model_file)
        return (
            None
            if status.intact
            else f"the embedded model's weights at {status.path} are not intact"
        )
    base_url = settings.base_url or "https://api.openai.com/v1"
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    try:
        answer = httpx2.get(
            base_url.rstrip("/") + "/models", headers=headers, timeout=PROBE_SECONDS
        )
    except httpx2.HTTPError as exc:
        reason = scrubbed(
            str(exc) or type(exc).__name__, [settings.api_key, *url_secrets(base_url)]
        )
        return f"cannot reach the model endpoint {shown_url(base_url)}: {reason}"
    if answer.status_code >= 400:
        return f"the model endpoint {shown_url(base_url)} answered HTTP {answer.status_code}"
    return None
