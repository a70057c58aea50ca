"""Settings from the environment: types, booleans, and arguments over variables."""

from __future__ import annotations

import pytest

from summarizer import Settings


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_booleans_from_the_environment(monkeypatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("SUMMARIZER_REQUIRE_GROUNDING", raw)
    assert Settings.load().require_grounding is expected


def test_arguments_win_over_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CHUNK_CHARS", "3000")
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "staged")
    assert Settings.load().chunk_chars == 3000
    assert Settings.load(chunk_chars=4000, strategy="single").chunk_chars == 4000
    assert Settings.load(strategy=None).strategy == "staged"  # None: not given


def test_no_strategy_means_the_schemas_own() -> None:
    from summarizer._extract.pipeline import strategy_for
    from summarizer.schemas._incident import SCHEMA as INCIDENT
    from summarizer.schemas._muc4 import SCHEMA as MUC4

    assert Settings().strategy is None
    assert strategy_for(INCIDENT, Settings()) == "adaptive"
    assert strategy_for(MUC4, Settings()) == "single"
    assert strategy_for(MUC4, Settings(strategy="staged")) == "staged"
