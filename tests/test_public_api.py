"""The public surface: the names `summarizer` and `summarizer.schemas` export, and a
schema of one's own written against those names only."""

from __future__ import annotations

import json

import httpx2

import summarizer
import summarizer.schemas
import summarizer.service
from summarizer import LLMClient, Settings, summarize_many

from .conftest import ROOT
from .test_llm import completion


def test_the_package_exports_exactly_its_public_names() -> None:
    assert summarizer.__all__ == [
        "ArticleTooLongError", "AuthenticationError", "Claim", "Count", "Document",
        "EndpointError", "ExtractionError", "Grounded", "Incident", "InputError", "LLMClient",
        "Outcome", "Relevance", "Schema", "SchemaError", "Settings", "SetupError",
        "SummarizerError", "Usage", "__version__", "connect", "summarize", "summarize_many",
    ]  # fmt: skip
    assert all(hasattr(summarizer, name) for name in summarizer.__all__)


def test_the_schema_api_exports_exactly_its_public_names() -> None:
    assert summarizer.schemas.__all__ == [
        "Combine", "Context", "Finalize", "Relevance", "Schema", "merge_repeats"
    ]  # fmt: skip
    assert summarizer.schemas.Schema is summarizer.Schema


def test_the_service_exports_exactly_its_public_names() -> None:
    assert summarizer.service.__all__ == [
        "SECRET_FILE", "SECRET_VARIABLE", "TOKEN_FILE", "TOKEN_VARIABLE", "Busy", "Deliveries",
        "Engine", "ServiceConfig", "create_app", "service_token", "webhook_secret",
    ]  # fmt: skip
    assert all(hasattr(summarizer.service, name) for name in summarizer.service.__all__)


def test_a_schema_written_against_the_public_names_finalizes_and_combines(tmp_path) -> None:
    answer = {"incidents": [{"place": "Lima"}, {"place": "Lima"}, {"place": "San Marcos"}]}

    def endpoint(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=completion(json.dumps(answer), 50, 10))

    settings = Settings(base_url="http://model.test/v1", model="m", transport_retries=0)
    client = LLMClient(base_url=settings.base_url, model="m", api_key="k", settings=settings,
                       transport=httpx2.MockTransport(endpoint))  # fmt: skip
    spec = f"{ROOT / 'tests' / 'data' / 'places_schema.py'}:SCHEMA"
    text = "Shots were fired in Lima on Monday; nobody was hurt."
    (outcome,) = summarize_many([text], schema=spec, settings=settings, llm=client,
                                store=tmp_path, workers=1)  # fmt: skip
    document = outcome.document
    assert document is not None and document.schema == "places"
    assert [(r.town, r.start) for r in document.records] == [("Lima", 20)]
    assert any("'San Marcos' is not in the article" in w for w in document.warnings)
