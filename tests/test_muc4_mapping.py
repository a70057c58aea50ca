"""The `incident` schema scored on MUC-4: its records read as templates, and `eval run`."""

from __future__ import annotations

import json

import pytest

from summarizer._errors import SchemaError
from summarizer._eval.muc4_mapping import MUC4_TYPE, muc4_templates
from summarizer._eval.runner import PREDICTIONS, grader_for, run_eval
from summarizer.schemas._incident import SCHEMA, SubEventType
from summarizer.schemas._muc4 import SCHEMA as MUC4_SCHEMA
from tests.test_gva import drafting

# An invented article, lower-case like MUC-4's, and the fill the fake model gives for it.
ARTICLE = (
    "fmln guerrillas set off a car bomb outside the national bank in san pedro last "
    "night, killing a guard, juan soto, police said."
)
DRAFT = {
    "quote": ARTICLE, "sub_event_type": "remote_explosive",
    "summary": "Guerrillas set off a car bomb outside the national bank.",
    "date_text": "last night", "place": "san pedro", "region": None, "country": None,
    "perpetrators": ["fmln guerrillas", "the fmln"], "targets": ["the national bank"],
    "victims": ["juan soto"], "weapons": ["a car bomb"],
    "killed": [{"phrase": "killing a guard", "said_by": "police"}], "injured": [],
    "modality": "asserted",
}  # fmt: skip
GOLD = [{
    "incident_type": "bombing", "PerpInd": [[["fmln guerrillas", 0]]],
    "PerpOrg": [[["fmln", 0]]], "Target": [[["national bank", 43]]],
    "Victim": [[["juan soto", 86]]], "Weapon": [[["car bomb", 26]]],
}]  # fmt: skip


def record(sub_event_type: str, **values: list[str]) -> dict:
    fields = ("perpetrators", "targets", "victims", "weapons")
    grounded = {f: [{"text": t} for t in values.get(f, [])] for f in fields}
    return {"sub_event_type": sub_event_type, **grounded}


def test_every_sub_event_type_is_a_muc4_type_or_no_template() -> None:
    untemplated = set(SubEventType.__args__) - set(MUC4_TYPE)
    assert untemplated == {"protest", "riot", "interception", "airspace_violation"}
    assert set(MUC4_TYPE.values()) == {"attack", "bombing", "kidnapping", "arson", "robbery"}


def test_a_record_becomes_a_template_with_perpetrators_split_by_their_last_word() -> None:
    (template,) = muc4_templates([
        record("grenade", perpetrators=["fmln guerrillas", "the fmln", "the army"],
               targets=["a bus"], victims=["juan soto", "juan soto"], weapons=["grenades"]),
    ])  # fmt: skip
    assert template == {
        "incident_type": "bombing",
        "PerpInd": [["fmln guerrillas"]],
        "PerpOrg": [["the fmln"], ["the army"]],
        "Target": [["a bus"]],
        "Victim": [["juan soto"]],
        "Weapon": [["grenades"]],
    }


def test_a_protest_or_an_interception_gives_no_template() -> None:
    records = [record("protest"), record("interception"), record("abduction")]
    assert [t["incident_type"] for t in muc4_templates(records)] == ["kidnapping"]


def test_the_grader_follows_the_gold_in_the_data() -> None:
    assert grader_for(SCHEMA, "templates").prediction_key == "records"
    assert grader_for(SCHEMA, "events").score.__name__ == "_gva_score"
    assert grader_for(MUC4_SCHEMA, "templates").prediction_key == "templates"
    with pytest.raises(SchemaError, match="gives neither"):
        grader_for(MUC4_SCHEMA, "events")


def test_eval_run_scores_incident_records_on_muc4_templates(tmp_path) -> None:
    settings, client = drafting(DRAFT)
    data = tmp_path / "muc4.jsonl"
    data.write_text(json.dumps({"id": "doc-1", "text": ARTICLE, "templates": GOLD}) + "\n")
    metrics = run_eval(data, tmp_path / "run", schema=SCHEMA, llm=client, settings=settings)
    (line,) = (tmp_path / "run" / PREDICTIONS).read_text().splitlines()
    prediction = json.loads(line)
    assert prediction["records"][0]["sub_event_type"] == "remote_explosive"  # kept as given
    assert metrics["mapping"] == "incident records as MUC-4 templates"
    # Every role right: "the national bank", "a car bomb" match without their articles.
    assert metrics["score"]["f1"] == pytest.approx(1.0), metrics["score"]
