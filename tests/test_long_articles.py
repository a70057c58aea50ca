"""A 30,000-character article end to end on recorded answers of the embedded model
(cassettes/test_long_articles/): read in overlapping parts, offsets into the full text,
an incident found in two parts reported once.

Record again with (from the project folder):
    rm -r cassettes/test_long_articles
    pytest --record-mode=once tests/test_long_articles.py
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from summarizer import summarize

from .test_chunking import long_article
from .test_extract import assert_honest

TEXT = long_article(30_000)


def grounded_values(record: dict) -> list[dict]:
    values = [record["evidence"]]
    for key in ("perpetrators", "targets", "victims", "weapons"):
        values += record[key]
    if record["location"]["text"]:
        values.append(record["location"]["text"])
    for kind in ("killed", "injured"):
        values += record[kind]["claims"] if record[kind] else []
    return values


@pytest.mark.vcr
def test_a_30000_character_article_is_read_in_parts(model_settings) -> None:
    settings = replace(model_settings, strategy="single")
    doc = summarize(TEXT, published="2023-12-30", settings=settings, source="long")
    parts = len(TEXT) // settings.chunk_chars + 1
    assert f"the article was read in {parts} overlapping parts" in doc.warnings
    assert doc.usage.llm_calls >= parts  # one call per part at least
    records = doc.to_dict()["records"]
    assert records
    assert_honest(records, TEXT)
    for record in records:
        for value in grounded_values(record):
            if value["start"] is not None:  # offsets index the full article
                assert TEXT[value["start"] : value["end"]] == value["text"]
    # Records come from more than the first part, at offsets past it.
    starts = [r["evidence"]["start"] for r in records if r["evidence"]["start"] is not None]
    assert max(starts) > settings.chunk_chars
    # An incident found in two overlapping parts is reported once: two records rest on
    # overlapping evidence only when they name two different places.
    located = sorted(
        (r["evidence"]["start"], r["evidence"]["end"], r["location"]["place"])
        for r in records
        if r["evidence"]["start"] is not None
    )
    for one, two in itertools.pairwise(located):
        assert one[1] <= two[0] or (one[2] and two[2] and one[2] != two[2])
