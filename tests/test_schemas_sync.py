"""The JSON Schema exports in schemas/ match the record models."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from summarizer import cli
from summarizer.schemas._registry import json_schema_exports

from .conftest import ROOT


def test_schemas_folder_matches_the_models() -> None:
    exports = json_schema_exports()
    on_disk = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    assert on_disk == set(exports), "run: summarizer schema export"
    for name, schema in exports.items():
        committed = json.loads((ROOT / "schemas" / name).read_text())
        assert committed == schema, f"schemas/{name} is stale; run: summarizer schema export"


def test_export_command_writes_what_the_models_say(tmp_path) -> None:
    result = CliRunner().invoke(cli.app, ["schema", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name, schema in json_schema_exports().items():
        assert json.loads((tmp_path / name).read_text()) == schema
