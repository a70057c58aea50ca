"""``summarizer schema``: the built-in schemas, and their JSON Schema files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.schemas._registry import builtin_schemas, export_json_schemas


def list_schemas() -> None:
    """List the built-in schemas."""
    for name in builtin_schemas():
        typer.echo(name)


def export_schemas(
    out: Annotated[Path, typer.Option(help="Folder for the JSON Schema files.")] = Path("schemas"),
) -> None:
    """Write the JSON Schema of each built-in record model to OUT/<name>.schema.json."""

    for path in export_json_schemas(out):
        typer.echo(path)
