"""`summarizer eval run`: extract labelled documents, score them, resume after a stop.

Most tests run on a fake endpoint (offline, fast); `test_three_dev_documents_cassette`
replays the embedded model's recorded answers on three short MUC-4 dev documents.
Record it again (any change to prompts/muc4*.j2 requires it) with:

    pytest --record-mode=once tests/test_eval_run.py -k cassette -p no:cacheprovider
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
import typer
from typer.testing import CliRunner

from summarizer import LLMClient, Settings
from summarizer._errors import EndpointError, InputError
from summarizer._eval.runner import METRICS, PREDICTIONS, RUNS, Step, run_eval
from summarizer._llm.connect import connect
from summarizer._scoring.muc4 import score
from summarizer.cli.eval import eval_run
from summarizer.schemas._muc4 import MAX_WORDS, SCHEMA

from .conftest import SHARED
from .test_llm import completion

# Invented articles, lower-case like MUC-4, with their gold templates and the answers the
# fake model gives: the draft below for every incident of the article, in one call.
BOMBING = "guerrillas set off a car bomb outside the national bank in san pedro last night."
KIDNAPPING = "unidentified men kidnapped businessman juan soto in the capital yesterday."
DENIAL = "the army denied rumors that rebels will attack the airport."
DRAFTS = {
    BOMBING: {
        "incident_type": "bombing",
        "perpetrators": ["the guerrillas"],
        "perpetrator_organizations": [],
        "targets": ["national bank in san pedro", "san pedro"],
        "victims": [],
        "weapons": ["a car bomb"],
    },
    KIDNAPPING: {
        "incident_type": "kidnapping",
        "perpetrators": ["unidentified men"],
        "perpetrator_organizations": [],
        "targets": [],
        "victims": ["businessman juan soto"],
        "weapons": [],
    },
}
GOLD = {
    "doc-1": (BOMBING, [{
        "incident_type": "bombing", "PerpInd": [[["guerrillas", 0]]], "PerpOrg": [],
        "Target": [[["national bank", 42]]], "Victim": [], "Weapon": [[["car bomb", 21]]],
    }]),
    "doc-2": (DENIAL, []),
    "doc-3": (KIDNAPPING, [{
        "incident_type": "kidnapping", "PerpInd": [[["unidentified men", 0]]], "PerpOrg": [],
        "Target": [], "Victim": [[["juan soto", 39]]], "Weapon": [],
    }]),
}  # fmt: skip


class FakeModel:
    """Answers muc4's call for the articles above; counts the calls per article."""

    def __init__(self, invalid: str | None = None, status: int = 200) -> None:
        self.invalid = invalid  # an article whose fill answers never validate
        self.status = status
        self.seen: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if self.status != 200:
            return httpx2.Response(self.status, json={"error": "down"})
        body = json.loads(request.content)
        article = next(a for a in (BOMBING, KIDNAPPING, DENIAL) if a in json.dumps(body))
        self.seen.append(article)
        if article == self.invalid:
            answer = {"incidents": [{"incident_type": "riot"}]}
        else:  # muc4's single call: every template at once
            answer = {"incidents": [DRAFTS[article]] if article in DRAFTS else []}
        return httpx2.Response(200, json=completion(json.dumps(answer), 100, 20))

    def client(self) -> LLMClient:
        settings = Settings(
            base_url="http://model.test/v1", model="fake", transport_retries=0, reasks=0
        )
        return LLMClient(
            base_url=settings.base_url, model="fake", api_key="k", settings=settings,
            transport=httpx2.MockTransport(self),
        )  # fmt: skip


def write_data(path: Path, lines: list[str] | None = None) -> Path:
    """The three documents as JSONL, or the given lines."""
    if lines is None:
        lines = [
            json.dumps({"id": doc_id, "text": text, "templates": templates})
            for doc_id, (text, templates) in GOLD.items()
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def evaluate(data: Path, out: Path, model: FakeModel, **options) -> dict:
    return run_eval(data, out, schema=SCHEMA, llm=model.client(), settings=Settings(), **options)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class StopAfter:
    """A progress report that interrupts the run after `count` documents, like Ctrl-C."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.steps: list[Step] = []

    def started(self, total: int, done: int) -> None:
        self.total, self.done = total, done

    def skipped(self, line) -> None:
        raise AssertionError(f"unexpected bad line {line}")

    def finished(self, step: Step) -> None:
        self.steps.append(step)
        if len(self.steps) == self.count:
            raise KeyboardInterrupt


def test_predictions_have_the_gold_shape_and_are_scored(tmp_path) -> None:
    metrics = evaluate(write_data(tmp_path / "gold.jsonl"), tmp_path / "out", FakeModel())
    predictions = {p["id"]: p["templates"] for p in lines(tmp_path / "out" / PREDICTIONS)}
    assert predictions == {
        "doc-1": [{"incident_type": "bombing", "PerpInd": [["guerrillas"]], "PerpOrg": [],
                   "Target": [["national bank"]], "Victim": [], "Weapon": [["car bomb"]]}],
        "doc-2": [],
        "doc-3": [{"incident_type": "kidnapping", "PerpInd": [["unidentified men"]],
                   "PerpOrg": [], "Target": [], "Victim": [["juan soto"]],
                   "Weapon": []}],
    }  # fmt: skip
    assert json.loads((tmp_path / "out" / METRICS).read_text()) == metrics
    gold = {doc_id: templates for doc_id, (_, templates) in GOLD.items()}
    assert metrics["score"] == score(gold, predictions)
    # The office before the victim's name goes, as in the gold.
    assert metrics["score"]["counts"] == {"p_num": 7, "p_den": 7, "r_num": 7, "r_den": 7}
    assert metrics["documents"] == 3
    assert (metrics["failures_to_see"], metrics["false_alarms"], metrics["errors"]) == (0, 0, [])
    assert metrics["model"] == "fake"
    assert metrics["prompt_version"] == "muc4@3+relevance@0.4"
    assert metrics["schema"] == "muc4"
    # One call per document read, as the muc4 schema's strategy is single; doc-2, a denial,
    # is not read: the relevance classifier gives it 37%, under muc4's 40%.
    assert metrics["strategy"] == "single"
    assert (metrics["abstain_above"], metrics["min_relevance"]) == (None, SCHEMA.min_relevance)
    assert [d["llm_calls"] for d in metrics["per_document"]] == [1, 0, 1]
    assert metrics["total"]["llm_calls"] == 2 and metrics["median"]["prompt_tokens"] == 100
    # Fillers found in the article: guerrillas, national bank, car bomb, unidentified
    # men, businessman juan soto; "san pedro" is found too, and dropped as a place.
    assert metrics["grounding"] == {"values": 6, "grounded": 6, "rate": 1.0}


def test_read_every_article_the_denial_is_asked_and_gets_no_template(tmp_path) -> None:
    # DENIAL is under muc4's relevance threshold (so the other tests never send it).
    assert SCHEMA.relevance.probability(DENIAL) < SCHEMA.min_relevance
    model, out = FakeModel(), tmp_path / "out"
    metrics = run_eval(write_data(tmp_path / "gold.jsonl"), out, schema=SCHEMA,
                       llm=model.client(), settings=Settings(min_relevance=0))  # fmt: skip
    assert model.seen == [BOMBING, DENIAL, KIDNAPPING]
    assert lines(out / RUNS)[1]["warnings"] == ["the model found no incident in this article"]
    assert metrics["prompt_version"] == "muc4@3+relevance@0" and metrics["score"]["f1"] == 1.0
    assert [d["llm_calls"] for d in metrics["per_document"]] == [1, 1, 1]


def test_limit_and_offset_choose_the_slice(tmp_path) -> None:
    model = FakeModel()
    metrics = evaluate(write_data(tmp_path / "gold.jsonl"), tmp_path / "out", model, offset=2,
                       limit=1)  # fmt: skip
    assert [p["id"] for p in lines(tmp_path / "out" / PREDICTIONS)] == ["doc-3"]
    assert metrics["documents"] == 1 and set(model.seen) == {KIDNAPPING}


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path) -> None:
    data, out = write_data(tmp_path / "gold.jsonl"), tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        evaluate(data, out, FakeModel(), progress=StopAfter(1))
    assert [p["id"] for p in lines(out / PREDICTIONS)] == ["doc-1"]
    assert not (out / METRICS).exists()

    model, report = FakeModel(), StopAfter(0)
    metrics = evaluate(data, out, model, progress=report)
    assert (report.total, report.done) == (3, 1)
    assert set(model.seen) == {KIDNAPPING}  # doc-1 is not extracted again; doc-2 is not read
    assert [(s.position, s.doc_id) for s in report.steps] == [(2, "doc-2"), (3, "doc-3")]
    assert [p["id"] for p in lines(out / PREDICTIONS)] == ["doc-1", "doc-2", "doc-3"]
    assert [r["id"] for r in lines(out / RUNS)] == ["doc-1", "doc-2", "doc-3"]
    assert metrics["score"]["f1"] == 1.0  # all three documents scored, each filler right
    assert all(d["seconds"] is not None for d in metrics["per_document"])


def test_a_line_cut_by_a_kill_is_done_again(tmp_path) -> None:
    data, out = write_data(tmp_path / "gold.jsonl"), tmp_path / "out"
    evaluate(data, out, FakeModel(), limit=2)
    whole = (out / PREDICTIONS).read_text().splitlines(keepends=True)
    (out / PREDICTIONS).write_text(whole[0] + whole[1][:15])  # killed while writing doc-2
    model = FakeModel()
    metrics = evaluate(data, out, model)
    assert set(model.seen) == {KIDNAPPING}
    assert "not read" in lines(out / RUNS)[-2]["warnings"][0]  # doc-2, done again
    assert [p["id"] for p in lines(out / PREDICTIONS)] == ["doc-1", "doc-2", "doc-3"]
    # doc-2's runs line was written twice; the newer one counts, once.
    assert [d["id"] for d in metrics["per_document"]] == ["doc-1", "doc-2", "doc-3"]


def test_a_folder_of_another_prompt_is_not_mixed_in(tmp_path) -> None:
    data, out = write_data(tmp_path / "gold.jsonl"), tmp_path / "out"
    evaluate(data, out, FakeModel(), limit=1)
    runs = lines(out / RUNS)
    runs[0]["prompt_version"] = "muc4_list@0+muc4@0"
    (out / RUNS).write_text(json.dumps(runs[0]) + "\n")
    with pytest.raises(InputError, match="prompt_version 'muc4_list@0\\+muc4@0'"):
        evaluate(data, out, FakeModel())


def test_a_failing_document_is_an_empty_prediction_and_an_error(tmp_path) -> None:
    out = tmp_path / "out"
    metrics = evaluate(write_data(tmp_path / "gold.jsonl"), out, FakeModel(invalid=KIDNAPPING))
    assert lines(out / PREDICTIONS)[2] == {"id": "doc-3", "templates": []}
    [error] = metrics["errors"]
    assert error["id"] == "doc-3" and "did not validate" in error["error"]
    assert lines(out / RUNS)[2]["warnings"] == []
    assert metrics["failures_to_see"] == 0  # it failed; the model did not miss it
    assert metrics["score"]["counts"]["r_den"] == 7


def test_an_unreachable_endpoint_stops_the_run(tmp_path) -> None:
    out = tmp_path / "out"
    with pytest.raises(EndpointError, match="HTTP 503"):
        evaluate(write_data(tmp_path / "gold.jsonl"), out, FakeModel(status=503))
    assert (out / PREDICTIONS).read_text() == ""  # nothing recorded: a rerun tries again


def test_predicted_spans_are_short_and_verbatim(tmp_path) -> None:
    evaluate(write_data(tmp_path / "gold.jsonl"), tmp_path / "out", FakeModel())
    texts = {doc_id: text for doc_id, (text, _) in GOLD.items()}
    for prediction in lines(tmp_path / "out" / PREDICTIONS):
        assert_spans_from(texts[prediction["id"]], prediction["templates"])


def assert_spans_from(text: str, templates: list[dict]) -> None:
    """Every mention is copied from the text and short; no filler is both perp and victim."""
    for template in templates:
        for role in ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon"):
            for [mention] in template[role]:
                assert mention in text and len(mention.split()) <= MAX_WORDS, mention
        perpetrators = {m for role in ("PerpInd", "PerpOrg") for [m] in template[role]}
        assert not perpetrators & {m for [m] in template["Victim"]}


# --- The command ------------------------------------------------------------------------


def invoke(*args: str):
    app = typer.Typer()
    app.command()(eval_run)
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def fake_model(monkeypatch) -> FakeModel:
    model = FakeModel()
    monkeypatch.setattr("summarizer.cli.eval.connect", lambda settings, **_: model.client())
    return model


def test_command_reports_progress_and_prints_the_score(tmp_path, fake_model) -> None:
    data, out = write_data(tmp_path / "gold.jsonl"), tmp_path / "out"
    result = invoke("--data", str(data), "--out", str(out), "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "[1/2] doc-1: 1 template(s)" in result.stderr
    assert "[2/2] doc-2: 0 template(s)" in result.stderr
    assert "2 document(s): F1 100.0 (P 100.0 / R 100.0)" in result.stderr
    assert json.loads(result.stdout) == json.loads((out / METRICS).read_text())["score"]

    again = invoke("--data", str(data), "--out", str(out))
    assert "resuming: 2 of 3 document(s) already done" in again.stderr
    assert "[3/3] doc-3" in again.stderr and "doc-1:" not in again.stderr


def test_missing_data_is_one_line(tmp_path, fake_model) -> None:
    result = invoke("--data", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 3
    assert result.stderr == f"summarizer: error: {tmp_path / 'nope.jsonl'}: no such file\n"
    assert not (tmp_path / "out").exists()


def test_malformed_lines_are_named_and_the_others_scored(tmp_path, fake_model) -> None:
    good = write_data(tmp_path / "good.jsonl").read_text().splitlines()
    data = write_data(tmp_path / "gold.jsonl", [good[0], "{not json", good[1],
                                                json.dumps({"id": "x"}), good[2]])  # fmt: skip
    result = invoke("--data", str(data), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert f"{data}:2: not valid JSON" in result.stderr
    assert f"{data}:4: missing text, templates" in result.stderr
    metrics = json.loads((tmp_path / "out" / METRICS).read_text())
    assert metrics["documents"] == 3
    assert metrics["bad_lines"] == [
        f"{data}:2: not valid JSON (Expecting property name enclosed in double quotes)",
        f"{data}:4: missing text, templates",
    ]
    assert metrics["score"]["f1"] == 1.0  # all three documents scored, each filler right


# --- On the embedded model's recorded answers ---------------------------------------------

DEV = SHARED / "data" / "muc4" / "dev.jsonl"
# Three short dev documents: a car bombing, a notice denying a rumored bombing (no
# incident), and a kidnapping.
DEV_IDS = ("TST2-MUC4-0075", "TST2-MUC4-0029", "TST2-MUC4-0100")


@pytest.mark.vcr
@pytest.mark.skipif(not DEV.is_file(), reason="../shared/data/muc4 is absent")
def test_three_dev_documents_cassette(model_settings, tmp_path) -> None:
    docs = {d["id"]: d for d in map(json.loads, DEV.read_text().splitlines())}
    data = write_data(tmp_path / "dev3.jsonl", [json.dumps(docs[i]) for i in DEV_IDS])
    out = tmp_path / "out"
    metrics = run_eval(
        data, out, schema=SCHEMA, llm=connect(model_settings), settings=model_settings
    )
    predictions = {p["id"]: p["templates"] for p in lines(out / PREDICTIONS)}
    assert list(predictions) == list(DEV_IDS)
    for doc_id, templates in predictions.items():
        assert_spans_from(docs[doc_id]["text"], templates)
    assert metrics["errors"] == []
    assert metrics["prompt_version"] == "muc4@3+relevance@0.4"
    assert metrics["score"] == score({i: docs[i]["templates"] for i in DEV_IDS}, predictions)
    # 0029 reports no incident (the model filled a template for it when asked); the
    # relevance classifier gives it 39%, under muc4's 40%: it is not read, and costs nothing.
    assert not docs["TST2-MUC4-0029"]["templates"] and predictions["TST2-MUC4-0029"] == []
    assert SCHEMA.relevance.probability(docs["TST2-MUC4-0029"]["text"]) < SCHEMA.min_relevance
    runs = {r["id"]: r for r in lines(out / RUNS)}
    assert runs["TST2-MUC4-0029"]["warnings"][0].startswith("not read: the relevance")
    assert predictions["TST2-MUC4-0075"] and predictions["TST2-MUC4-0100"]
    calls = {d["id"]: (d["llm_calls"], d["prompt_tokens"] > 0) for d in metrics["per_document"]}
    assert calls == {"TST2-MUC4-0075": (1, True), "TST2-MUC4-0029": (0, False),
                     "TST2-MUC4-0100": (1, True)}  # fmt: skip
