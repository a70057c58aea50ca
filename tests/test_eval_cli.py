"""`summarizer eval score`: the scorer from the command line, with bad input reported."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from summarizer.cli import app

from .conftest import SHARED

MUC4 = SHARED / "data" / "muc4"
pytestmark = pytest.mark.skipif(not MUC4.is_dir(), reason="../shared/data/muc4 is absent")


def score(pred) -> object:
    """`summarizer eval score` of `pred` against MUC-4 dev."""
    gold = str(MUC4 / "dev.jsonl")
    return CliRunner().invoke(app, ["eval", "score", "--gold", gold, "--pred", str(pred)])


def test_scores_a_check_file_like_the_reference() -> None:
    expected = json.loads((MUC4 / "scorer_check" / "expected.json").read_text())["mix"]
    result = score(MUC4 / "scorer_check" / "predictions_mix.jsonl")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["counts"] == expected["counts"]
    assert got["f1"] == pytest.approx(expected["f1"], abs=1e-9)


def test_malformed_lines_are_named_and_the_rest_scored(tmp_path) -> None:
    lines = (MUC4 / "scorer_check" / "predictions_gold.jsonl").read_text().splitlines()
    lines[3] = "{not json"
    lines[7] = json.dumps({"templates": []})
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(lines) + "\n")
    result = score(pred)
    assert result.exit_code == 0, result.output
    assert f"{pred}:4: not valid JSON" in result.stderr
    assert f"{pred}:8: missing id" in result.stderr
    assert "2 gold document(s) have no prediction" in result.stderr
    scored = json.loads(result.stdout)
    assert 0.9 < scored["recall"] < 1.0 and scored["precision"] == 1.0


def test_missing_prediction_file_is_one_line(tmp_path) -> None:
    result = score(tmp_path / "nope.jsonl")
    assert result.exit_code == 3
    assert result.stderr.strip() == f"summarizer: error: {tmp_path / 'nope.jsonl'}: no such file"
