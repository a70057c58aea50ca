"""The relevance classifier: it applies scikit-learn's fit exactly, the shipped file is
the train split's fit, and an article it turns away costs no call."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from summarizer import Settings, SetupError
from summarizer._article import Article
from summarizer._muc4 import SCHEMA
from summarizer._options import SettingsOptions
from summarizer._pipeline import extract, prompt_version, relevance_required
from summarizer._relevance import MIN_ARTICLES, C, Relevance, fit, fit_muc4, main
from summarizer._schema import resolve_schema

from .conftest import SHARED
from .test_llm import Endpoint, client, completion

TRAIN = SHARED / "data" / "muc4" / "train.jsonl"
DEV = SHARED / "data" / "muc4" / "dev.jsonl"
needs_muc4 = pytest.mark.skipif(not TRAIN.is_file(), reason="../shared/data/muc4 is absent")

ATTACK = "guerrillas set off a car bomb outside the national bank in san pedro last night."
TALK = "the president spoke about the economy and the elections with the foreign minister."


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_probabilities_are_scikit_learns(tmp_path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [ATTACK, TALK, "rebels kidnapped the mayor", "the minister spoke of the bank",
             "a bomb exploded at the bank", "the elections were calm"] * 2  # fmt: skip
    labels = [True, False, True, False, True, False] * 2
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps(fit(texts, labels)))

    vectorizer = TfidfVectorizer(min_df=MIN_ARTICLES, sublinear_tf=True)
    model = LogisticRegression(C=C, max_iter=5000).fit(vectorizer.fit_transform(texts), labels)
    unseen = [ATTACK + " " + TALK, "BOMB bomb bomb at the Bank!", "nothing known here", ""]
    expected = model.predict_proba(vectorizer.transform(unseen))[:, 1]
    relevance = Relevance(path)
    for text, probability in zip(unseen, expected, strict=True):
        assert relevance.probability(text) == pytest.approx(probability, abs=1e-5), text


@needs_muc4
def test_the_shipped_classifier_is_the_train_splits_fit(tmp_path) -> None:
    shipped = json.loads(SCHEMA.relevance.path.read_text())
    fitted = fit_muc4(TRAIN)
    assert shipped["fitted"] == fitted["fitted"] == {
        "articles": 1300, "reporting": 700, "C": C, "min_articles": MIN_ARTICLES
    }  # fmt: skip
    assert shipped["intercept"] == pytest.approx(fitted["intercept"], abs=1e-4)
    assert shipped["words"].keys() == fitted["words"].keys()
    for word, (idf, weight) in fitted["words"].items():
        assert shipped["words"][word] == pytest.approx([idf, weight], abs=1e-4), word
    # The command writes the same file (as docs/evaluation.md tells to refresh it).
    main([str(TRAIN), str(tmp_path / "out.json")])
    assert json.loads((tmp_path / "out.json").read_text()).keys() == shipped.keys()


@needs_muc4
def test_it_tells_dev_articles_with_an_incident_from_the_others() -> None:
    from sklearn.metrics import roc_auc_score

    dev = rows(DEV)
    labels = [bool(d["templates"]) for d in dev]
    scores = [SCHEMA.relevance.probability(d["text"]) for d in dev]
    assert roc_auc_score(labels, scores) > 0.83  # 0.839 when fitted (the model's doubt: 0.76)
    turned_away = [bool(d["templates"]) for d, s in zip(dev, scores, strict=True) if s < 0.4]
    # 127 of the 200 are read; of the 73 turned away, 57 report no incident.
    assert (len(turned_away), turned_away.count(False)) == (73, 57)


class NoCall(Endpoint):
    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        return httpx2.Response(200, json=completion(json.dumps({"incidents": []}), 10, 5))


def run(text: str, **settings: object):
    endpoint = NoCall()
    doc = extract(
        Article(text=text, source="a"), SCHEMA, client(endpoint), published=None,
        settings=Settings(base_url="http://model.test/v1", model="m", **settings),
    )  # fmt: skip
    return doc, endpoint.requests


def test_an_article_unlikely_to_report_an_incident_is_not_read() -> None:
    doc, requests = run(TALK)
    assert requests == [] and doc.usage.llm_calls == 0 and doc.records == []
    assert doc.warnings == [
        f"not read: the relevance classifier gave this article a "
        f"{SCHEMA.relevance.probability(TALK):.1%} chance of reporting an incident, "
        "under the 40.0% required"
    ]


def test_a_likely_article_is_read() -> None:
    doc, requests = run(ATTACK)
    assert len(requests) == 1 and not any(w.startswith("not read") for w in doc.warnings)


def test_the_users_threshold_overrides_the_schemas_and_0_reads_every_article() -> None:
    assert len(run(TALK, min_relevance=0.0)[1]) == 1
    assert run(ATTACK, min_relevance=0.99)[1] == []
    assert relevance_required(SCHEMA, Settings(min_relevance=0.2)) == 0.2
    assert relevance_required(SCHEMA, Settings()) == SCHEMA.min_relevance == 0.4


def test_a_schema_without_a_classifier_reads_every_article() -> None:
    assert relevance_required(resolve_schema("incident"), Settings(min_relevance=0.9)) is None
    assert relevance_required(replace(SCHEMA, relevance=None), Settings()) is None


@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_a_threshold_outside_0_1_is_one_clear_error(monkeypatch, value: str) -> None:
    monkeypatch.setenv("SUMMARIZER_MIN_RELEVANCE", value)
    with pytest.raises(SetupError, match="min_relevance is a probability from 0 to 1"):
        Settings.load()


def test_the_option_and_the_environment_set_it(monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MIN_RELEVANCE", "0.25")
    assert Settings.load().min_relevance == 0.25
    assert SettingsOptions(min_relevance=0.5).load().min_relevance == 0.5


def test_the_command_line_takes_it() -> None:
    from summarizer.cli import app

    result = CliRunner().invoke(app, ["extract", "--help"])
    assert "--min-relevance" in result.output


def test_the_thresholds_are_part_of_the_version_results_are_stored_under() -> None:
    # So a batch store or an eval folder run again with --min-relevance 0 reads the
    # articles it turned away, instead of serving the stored "not read".
    assert prompt_version(SCHEMA, Settings()) == "muc4@3+relevance@0.4"
    assert prompt_version(SCHEMA, Settings(min_relevance=0)) == "muc4@3"
    both = Settings(min_relevance=0.25, abstain_above=0.1)
    assert prompt_version(SCHEMA, both) == "muc4@3+relevance@0.25+abstain@0.1"
