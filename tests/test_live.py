"""One live extraction on the embedded model (slow: run with `pytest -m live`)."""

from __future__ import annotations

import pytest

from summarizer import Settings, summarize

from .conftest import SEED
from .test_extract import assert_honest

pytestmark = [pytest.mark.live, pytest.mark.block_network(allowed_hosts=["127.0.0.1"])]


def test_seed_on_the_embedded_model() -> None:
    settings = Settings.load()
    assert settings.embedded, "unset SUMMARIZER_BASE_URL / SUMMARIZER_MODEL for the live test"
    text = SEED.read_text(encoding="utf-8")
    doc = summarize(text, published="2023-12-30", settings=settings, source=str(SEED))
    assert doc.records, doc.warnings
    assert doc.usage.llm_calls >= 2 and doc.usage.completion_tokens > 0
    assert_honest(doc.to_dict()["records"], text)
