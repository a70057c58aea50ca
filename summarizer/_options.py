"""Command-line options that several commands share: which model, and how to extract.

Typer reads each option's name from the parameter it annotates, so a command writes
``base_url: BaseUrlOption = None``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

BaseUrlOption = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint URL.")]
ModelOption = Annotated[str | None, typer.Option(help="Model name at that endpoint.")]
ApiKeyOption = Annotated[str | None, typer.Option(help="API key for the endpoint.")]
ModelFileOption = Annotated[Path | None, typer.Option(help="A GGUF file for the embedded server.")]
ThreadsOption = Annotated[int | None, typer.Option(help="Embedded server threads.")]
StrategyOption = Annotated[
    str | None,
    typer.Option(
        help="staged (list, then fill each) or single (one call); default: the schema's "
        "own (incident: staged, muc4: single)."
    ),
]
MaxCharsOption = Annotated[int | None, typer.Option(help="Longest article accepted.")]
RequireGroundingOption = Annotated[
    bool,
    typer.Option(
        "--require-grounding",
        help="Re-ask once for values not in the article, then remove those still not found.",
    ),
]
PromptOption = Annotated[
    Path | None, typer.Option(help="A Jinja template replacing the schema's prompt.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
