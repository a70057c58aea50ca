"""The relevance classifier: it applies scikit-learn's fit exactly, the shipped file is
the train split's fit, and an article it turns away costs no call."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import httpx2
import pytest
from typer.testing import CliRunner

from summarizer import Settings, SetupError
from summarizer._extract.pipeline import extract, prompt_version, relevance_required
from summarizer._text.article import Article
from summarizer.cli._options import SettingsOptions
from summarizer.schemas._muc4 import SCHEMA
from summarizer.schemas._registry import resolve_schema
from summarizer.schemas._relevance import MIN_ARTICLES, WINDOW, C, Relevance, fit, fit_gold

from .conftest import SHARED
from .test_eval_run import DEV, lines, write_data
from .test_llm import Endpoint, client, completion

TRAIN = SHARED / "data" / "muc4" / "train.jsonl"
needs_muc4 = pytest.mark.skipif(not TRAIN.is_file(), reason="../shared/data/muc4 is absent")

ATTACK = "guerrillas set off a car bomb outside the national bank in san pedro last night."
TALK = "the president spoke about the economy and the elections with the foreign minister."


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
    unseen = [ATTACK + " " + TALK, "BOMB bomb bomb at the Bank!", "the mayor, unknown here"]
    expected = model.predict_proba(vectorizer.transform(unseen))[:, 1]
    relevance = Relevance(path)
    for text, probability in zip(unseen, expected, strict=True):
        assert relevance.probability(text) == pytest.approx(probability, abs=1e-5), text
    # Without a word it knows, it cannot tell (scikit-learn would give its prior).
    assert relevance.probability("nothing known here") is relevance.probability("") is None


@needs_muc4
def test_a_long_text_is_judged_by_its_most_relevant_part() -> None:
    # A dev article with an incident amid five without one: over the whole text its
    # words weigh too little to be read; in its own 6,000-character part, enough.
    relevance, dev = SCHEMA.relevance, lines(DEV)
    quiet = [
        d["text"] for d in dev if not d["templates"] and relevance.probability(d["text"]) < 0.2
    ]
    incident = next(d["text"] for d in dev if relevance.probability(d["text"]) > 0.9)
    article = "\n\n".join([*quiet[:3], incident, *quiet[3:5]])
    assert len(article) > 2 * WINDOW
    whole = relevance._window(article)
    assert whole is not None and whole < SCHEMA.min_relevance
    assert relevance.probability(article) > SCHEMA.min_relevance


def test_a_damaged_classifier_file_is_one_clear_error(tmp_path) -> None:
    (tmp_path / "bad.json").write_text('{"words": {}}')
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        with pytest.raises(SetupError, match=f"relevance classifier {path} is missing or damaged"):
            Relevance(path).probability(ATTACK)


@needs_muc4
def test_the_shipped_classifier_is_the_train_splits_fit(tmp_path) -> None:
    shipped = json.loads(SCHEMA.relevance.path.read_text())
    # As docs/evaluation.md tells to refit it.
    result = invoke("--data", str(TRAIN), "--out", str(tmp_path / "fitted.json"))
    assert result.exit_code == 0, result.output
    assert "fitted on 1300 articles (700 with an incident), 9012 words" in result.stderr
    fitted = json.loads((tmp_path / "fitted.json").read_text())
    assert shipped["fitted"] == fitted["fitted"] == {
        "articles": 1300, "reporting": 700, "C": C, "min_articles": MIN_ARTICLES
    }  # fmt: skip
    assert shipped["intercept"] == pytest.approx(fitted["intercept"], abs=1e-4)
    assert shipped["words"].keys() == fitted["words"].keys()
    for word, (idf, weight) in fitted["words"].items():
        assert shipped["words"][word] == pytest.approx([idf, weight], abs=1e-4), word


def invoke(*args: str):
    from summarizer.cli import app

    return CliRunner().invoke(app, ["eval", "fit-relevance", *args])


GOLD_LINES = [
    json.dumps({"id": str(i), "text": text, "templates": [{}] if reports else []})
    for i, (text, reports) in enumerate([(ATTACK, True), (TALK, False)] * 3)
]


def test_the_command_fits_and_never_overwrites_unasked(tmp_path) -> None:
    gold, out = write_data(tmp_path / "gold.jsonl", GOLD_LINES), tmp_path / "fitted.json"
    assert invoke("--data", str(gold), "--out", str(out)).exit_code == 0
    fitted = Relevance(out)
    assert fitted.probability(ATTACK) > 0.5 > fitted.probability(TALK)
    out.write_text("mine")
    refused = invoke("--data", str(gold), "--out", str(out))
    assert refused.exit_code != 0 and out.read_text() == "mine"
    assert refused.stderr == f"summarizer: error: {out} exists; give --replace to overwrite it\n"
    assert invoke("--data", str(gold), "--out", str(out), "--replace").exit_code == 0
    assert json.loads(out.read_text())["fitted"]["articles"] == 6


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([*GOLD_LINES[:2], "{not json"], "gold.jsonl:3: not valid JSON"),
        ([*GOLD_LINES[:2], json.dumps({"text": "x"})], "gold.jsonl:3: missing templates"),
        (GOLD_LINES[::2], "gold.jsonl: a fit needs articles both with and without templates"),
        (
            [json.dumps({"text": t, "templates": t == "bomb"}) for t in ("bomb", "talk")],
            "gold.jsonl: cannot fit: After pruning, no terms remain",
        ),
    ],
)
def test_bad_gold_is_one_line_and_writes_nothing(tmp_path, lines, error) -> None:
    gold, out = write_data(tmp_path / "gold.jsonl", lines), tmp_path / "fitted.json"
    result = invoke("--data", str(gold), "--out", str(out))
    assert result.exit_code != 0 and error in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not out.exists()


def test_an_out_file_that_cannot_be_written_is_one_line(tmp_path) -> None:
    gold = write_data(tmp_path / "gold.jsonl", GOLD_LINES)
    result = invoke("--data", str(gold), "--out", str(tmp_path / "no" / "such" / "f.json"))
    assert result.exit_code != 0
    assert result.stderr.startswith("summarizer: error: ") and "cannot write it" in result.stderr


def test_fitting_without_scikit_learn_says_what_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)
    with pytest.raises(SetupError, match="fitting needs scikit-learn: pip install"):
        fit_gold(write_data(tmp_path / "gold.jsonl", GOLD_LINES))


@needs_muc4
def test_it_tells_dev_articles_with_an_incident_from_the_others() -> None:
    from sklearn.metrics import roc_auc_score

    dev = lines(DEV)
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


def test_the_command_line_option_reaches_the_settings(tmp_path) -> None:
    from summarizer.cli import app

    (tmp_path / "a.txt").write_text(ATTACK)
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "a.txt"), "--min-relevance", "2"])
    assert result.exit_code != 0
    assert result.stderr == (
        "summarizer: error: min_relevance is a probability from 0 to 1 (0: read all), not 2.0\n"
    )


def test_the_thresholds_are_part_of_the_version_results_are_stored_under() -> None:
    # So a batch store or an eval folder run again with --min-relevance 0 reads the
    # articles it turned away, instead of serving the stored "not read".
    assert prompt_version(SCHEMA, Settings()) == "muc4@3+relevance@0.4"
    # Every article read is a version of its own too: not the same as a store's results
    # from before the classifier, which abstained on the model's doubt.
    assert prompt_version(SCHEMA, Settings(min_relevance=0)) == "muc4@3+relevance@0"
    assert prompt_version(replace(SCHEMA, relevance=None), Settings()) == "muc4@3"
    both = Settings(min_relevance=0.25, abstain_above=0.1)
    assert prompt_version(SCHEMA, both) == "muc4@3+relevance@0.25+abstain@0.1"
