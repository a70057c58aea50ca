"""--require-grounding on recorded answers of the embedded model
(cassettes/test_require_grounding/): values the article does not contain are re-asked
once, and what is still not there is removed with a warning naming it.

Record again with (from the project folder):
    rm -r cassettes/test_require_grounding
    pytest --record-mode=once tests/test_require_grounding.py
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from summarizer import summarize

from .test_extract import SEED_TEXT, assert_honest
from .test_long_articles import grounded_values


@pytest.mark.vcr
def test_ungrounded_values_are_reasked_then_removed(model_settings) -> None:
    # Without the option, the seed's staged run keeps 6 values the article does not
    # contain, unaligned (cassettes/test_extract/seed.yaml, docs/seed-output.md).
    settings = replace(model_settings, require_grounding=True)
    doc = summarize(SEED_TEXT, published="2023-12-30", settings=settings)
    assert doc.prompt_version.endswith("+reground@1")
    assert doc.usage.llm_calls > 7  # the listing, 6 fills, then the re-asks
    records = doc.to_dict()["records"]
    assert_honest(records, SEED_TEXT)
    for record in records:
        for value in grounded_values(record):
            if value is not record["evidence"]:  # the evidence is kept whatever happens
                assert value["alignment"] != "none", value
                assert SEED_TEXT[value["start"] : value["end"]] == value["text"]
    assert not any("(kept unaligned)" in w and "quote" not in w for w in doc.warnings)
    removed = [w for w in doc.warnings if w.endswith("(removed)")]
    assert all(re.search(r"-\d+: \w+ '.+' is not in the article", w) for w in removed)
