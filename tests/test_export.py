"""Exports: JSONL documents, the ACLED-like CSV (safe in a spreadsheet), the digest, files."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from summarizer import InputError, SchemaError, Settings, summarize_many
from summarizer._batch.export import atomic_file, export_store
from summarizer._batch.store import Store, StoredArticle, Version
from summarizer._extract.render import CSV_COLUMNS, FORMATS, write_csv
from summarizer.cli.batch import batch, export
from tests.batch_fakes import MODEL, FakeEndpoint, article

app = typer.Typer()
app.command("batch")(batch)
app.command("export")(export)
runner = CliRunner()
HOSTILE = {
    "summary": '=HYPERLINK("http://evil", "click")\nsecond line, with "quotes"',
    "perpetrators": [{"text": "+cmd|' /C calc'!A0"}],
    "victims": [{"text": "@SUM(1+1)"}],
    "location": {"place": "-2+3", "admin1": "Ñuble", "country": "Chile", "text": None},
}


@pytest.fixture
def out(tmp_path) -> Path:
    """A store with two articles done (one with a URL and title) and one failure."""
    settings = Settings(base_url="http://model.test/v1", model=MODEL, strategy="single")
    articles = [
        {"id": "kyiv-1", "text": article(1), "url": "https://n.example/1", "title": "Strike"},
        {"id": "kyiv-2", "text": article(2)},
    ]
    endpoint = FakeEndpoint(fail_marker="number 3.")
    llm = endpoint.client()
    list(summarize_many([*articles, article(3)], store=tmp_path, llm=llm, settings=settings))
    return tmp_path


def add_hostile_article(out: Path) -> None:
    """An article whose record holds text a spreadsheet would run as formulas."""
    with Store.open(out) as store:
        (first, *_) = store.latest_results("incident")
        document = copy.deepcopy(first.document)
        document["records"][0].update(copy.deepcopy(HOSTILE))
        document["records"][0]["date"] = {"text": None, "start": None, "end": None,
                                          "precision": "unknown"}  # fmt: skip
        version = Version(document["schema"], document["prompt_version"], document["model"])
        run = store.start_run(version, workers=1)
        store.add_article(StoredArticle("evil", "evil.txt", None, None, None, "x"), "key-evil")
        store.save_result("key-evil", version, "evil", document, run)


def exported(out: Path, fmt: str, schema: str = "incident") -> str:
    buffer = io.StringIO()
    with Store.read(out) as store:
        FORMATS[fmt](store.latest_results(schema), buffer)
    return buffer.getvalue()


def test_jsonl_has_one_full_document_per_article_with_its_ids(out) -> None:
    """Two of the three articles were done: the failed one has no document."""
    lines = [json.loads(line) for line in exported(out, "jsonl").splitlines()]
    assert [d["article_id"] for d in lines] == ["kyiv-1", "kyiv-2"]
    assert (lines[0]["url"], lines[0]["title"]) == ("https://n.example/1", "Strike")
    assert lines[1]["source"] == "<articles>:2" and lines[1]["url"] is None
    assert lines[0]["model"] == MODEL and lines[0]["prompt_version"].startswith("incidents@")
    assert lines[0]["records"][0]["killed"]["best"] == 14


def test_csv_has_one_row_per_incident_after_acled(out) -> None:
    text = exported(out, "csv")
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2
    row = rows[0]
    assert row["event_id"].endswith("-1") and row["article_id"] == "kyiv-1"
    assert (row["event_date"], row["time_precision"]) == ("2023-12-30", "day")
    assert (row["event_type"], row["sub_event_type"]) == (
        "explosions_remote_violence", "missile_or_artillery_attack"
    )  # fmt: skip
    assert (row["location"], row["admin1"], row["country"]) == ("Belgorod", "", "Russia")
    assert (row["actor1"], row["actor2"]) == ("", "people")
    assert (row["fatalities_best"], row["fatalities_low"], row["fatalities_high"]) == (
        "14", "14", ""
    )  # fmt: skip
    assert row["injured_best"] == "108"
    assert row["source"] == "https://n.example/1" and rows[1]["source"] == "<articles>:2"
    assert row["notes"] == "A missile strike on Belgorod killed 14 people."
    assert row["model"] == MODEL


def test_csv_cells_cannot_become_formulas(out) -> None:
    add_hostile_article(out)
    rows = list(csv.DictReader(io.StringIO(exported(out, "csv").lstrip("\ufeff"))))
    evil = next(r for r in rows if r["article_id"] == "evil")
    assert evil["notes"] == '\'=HYPERLINK("http://evil", "click") second line, with "quotes"'
    assert evil["actor1"] == "'+cmd|' /C calc'!A0"
    assert evil["actor2"] == "'@SUM(1+1)"
    assert evil["location"] == "'-2+3" and evil["admin1"] == "Ñuble"
    assert evil["event_date"] == "" and evil["time_precision"] == "unknown"
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())


def test_the_digest_groups_by_date_then_place(out) -> None:
    add_hostile_article(out)
    digest = exported(out, "md")
    assert digest.startswith("# Incident digest\n\n3 incident(s) from 3 article(s) · model `")
    headings = [line for line in digest.splitlines() if line.startswith("#")]
    assert headings == [
        "# Incident digest", "## 2023-12-30", "### Belgorod, Russia", "## Date unknown",
        "### -2+3, Ñuble, Chile",
    ]  # fmt: skip
    assert (
        "- **Missile or artillery attack**: A missile strike on Belgorod killed 14 people. "
        "— killed 14 (“at least 14 people”), injured 108 (“108 others”). "
        "Source: [Strike](https://n.example/1)" in digest
    )


def test_only_the_incident_schema_has_a_csv_or_digest(out) -> None:
    with pytest.raises(SchemaError, match="use jsonl"):
        export_store(out, "csv", schema="MyModel")


def test_a_file_appears_only_once_complete(tmp_path) -> None:
    target = tmp_path / "events.csv"
    target.write_text("the previous export")

    def broken(results, stream):
        stream.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), atomic_file(target) as stream:
        broken([], stream)
    assert target.read_text() == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]
    with atomic_file(target) as stream:
        write_csv([], stream)
    assert target.read_text(encoding="utf-8-sig").startswith("event_id,event_date,")


def test_export_command_to_stdout_and_to_a_file(out, tmp_path) -> None:
    result = runner.invoke(app, ["export", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith("\ufeffevent_id,".encode())
    assert result.stdout_bytes.count(b"\r\n") == 3  # header and two incidents
    target = tmp_path / "digest.md"
    result = runner.invoke(app, ["export", str(out), "--format", "md", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# Incident digest")
    assert result.stderr == f"summarizer: wrote 2 incident(s) to {target}\n"


def test_export_of_a_folder_without_a_store(tmp_path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path)])
    assert result.exit_code == InputError.exit_code
    assert (
        result.stderr.startswith("summarizer: error: ") and "no summarizer store" in result.stderr
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["summarizer.db", "summarizer.db-wal", "summarizer.lock"])
def test_an_export_never_writes_over_the_store(out, name: str) -> None:
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = runner.invoke(
        app, ["export", str(out), "--format", "csv", "-o", str(out / name), "--force"]
    )
    assert result.exit_code == InputError.exit_code
    assert "is one of the store's own files" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_an_existing_file_is_replaced_only_with_force(out, tmp_path) -> None:
    target = tmp_path / "mine.csv"
    target.write_text("my own notes")
    result = runner.invoke(app, ["export", str(out), "--format", "csv", "-o", str(target)])
    assert result.exit_code == InputError.exit_code
    assert result.stderr == f"summarizer: error: {target}: exists; give --force to replace it\n"
    assert target.read_text() == "my own notes"
    forced = runner.invoke(app, ["export", str(out), "-o", str(target), "--force"])
    assert forced.exit_code == 0 and target.read_text().startswith("{")


@pytest.mark.parametrize(
    ("where", "fragment"), [("folder", "is a folder"), ("missing/x.csv", "no such folder")]
)
def test_an_export_to_where_no_file_can_be_is_one_line(out, tmp_path, where, fragment) -> None:
    (tmp_path / "folder").mkdir()
    result = runner.invoke(app, ["export", str(out), "-o", str(tmp_path / where)])
    assert result.exit_code == InputError.exit_code
    assert result.stderr.count("\n") == 1 and fragment in result.stderr


def test_an_export_of_a_schema_the_store_does_not_hold_names_those_it_does(out) -> None:
    result = runner.invoke(app, ["export", str(out), "--schema", "bogus"])
    assert result.exit_code == InputError.exit_code and result.stdout == ""
    assert "holds no results of schema 'bogus'; it holds: incident" in result.stderr


def test_an_export_the_system_cannot_write_is_one_line(out, tmp_path) -> None:
    target = tmp_path / ("x" * 300 + ".csv")  # longer than a file name may be
    result = runner.invoke(app, ["export", str(out), "--format", "csv", "-o", str(target)])
    assert result.exit_code == InputError.exit_code
    assert (
        result.stderr.count("\n") == 1 and "cannot write it (File name too long)" in result.stderr
    )
