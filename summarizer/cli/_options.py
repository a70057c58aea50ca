"""What the commands share: options (which model, how to extract) and `reported`, the
one place errors become one line and an exit code.

Typer reads each option's name from the parameter it annotates, so a command writes
``prompt: PromptOption = None``. The options that make a `Settings` are added to a
command by `@with_settings_options`: it declares them once for every command, and
the command receives them together as one `SettingsOptions`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from summarizer._errors import SummarizerError
from summarizer._settings import Settings

BaseUrlOption = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint URL.")]
ModelOption = Annotated[str | None, typer.Option(help="Model name at that endpoint.")]
ApiKeyOption = Annotated[str | None, typer.Option(help="API key for the endpoint.")]
ModelFileOption = Annotated[Path | None, typer.Option(help="A GGUF file for the embedded server.")]
ThreadsOption = Annotated[int | None, typer.Option(help="Embedded server threads.")]
StrategyOption = Annotated[
    str | None,
    typer.Option(
        help="staged (list, then fill each), single (one call) or adaptive (one call, "
        "staged where it finds several incidents); default: the schema's own (incident: "
        "adaptive, muc4: single)."
    ),
]
AbstainAboveOption = Annotated[
    float | None,
    typer.Option(
        help="Drop an article's incidents when the model gave 'none' more than this "
        "probability (0-1; 1: never); default: the schema's own (built-in: never).",
    ),
]
MinRelevanceOption = Annotated[
    float | None,
    typer.Option(
        help="Read only articles that the schema's relevance classifier gives at least this "
        "probability of reporting an incident (0-1; 0: all); default: the schema's own "
        "(muc4 only, see docs).",
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
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Articles in flight. Embedded model: that many servers sharing the free cores "
        "(default: one per free core); an endpoint: that many requests (default 4).",
    ),
]
SchemaOption = Annotated[
    str, typer.Option(help="incident, path/to/module.py:Model or pkg.module:Model.")
]


@dataclass(frozen=True)
class SettingsOptions:
    """The model and extraction options as given on the command line."""

    base_url: BaseUrlOption = None
    model: ModelOption = None
    api_key: ApiKeyOption = None
    model_file: ModelFileOption = None
    threads: ThreadsOption = None
    strategy: StrategyOption = None
    abstain_above: AbstainAboveOption = None
    min_relevance: MinRelevanceOption = None
    max_chars: MaxCharsOption = None
    require_grounding: RequireGroundingOption = False

    def load(self) -> Settings:
        """`Settings` from the environment, overridden by the options given."""
        return Settings.load(
            base_url=self.base_url, model=self.model, api_key=self.api_key,
            model_file=self.model_file, threads=self.threads, strategy=self.strategy,
            abstain_above=self.abstain_above, min_relevance=self.min_relevance,
            max_article_chars=self.max_chars,
            require_grounding=self.require_grounding or None,
        )  # fmt: skip


# Typer reads each option from its annotation: the objects, not the strings that
# ``from __future__ import annotations`` leaves (a given __signature__ is not evaluated).
_HINTS = inspect.get_annotations(SettingsOptions, eval_str=True)
_SHARED = [
    inspect.Parameter(
        f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=_HINTS[f.name]
    )
    for f in fields(SettingsOptions)
]

Command = TypeVar("Command", bound=Callable[..., Any])


def with_settings_options(command: Command) -> Command:
    """Give `command` the `SettingsOptions` options; it receives them as ``options``."""
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for name, p in inspect.signature(command, eval_str=True).parameters.items()
        if name != "options"
    ]

    @functools.wraps(command)
    def wrapper(**given: Any) -> Any:
        shared = {p.name: given.pop(p.name) for p in _SHARED}
        return command(**given, options=SettingsOptions(**shared))

    # The shared options come last in --help, before --debug.
    last = [p for p in own if p.name == "debug"]
    parameters = [p for p in own if p.name != "debug"] + _SHARED + last
    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]


INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for Ctrl-C


@contextlib.contextmanager
def reported(debug: bool) -> Iterator[None]:
    """Turn our errors into one line on stderr and their exit code."""
    try:
        yield
    except SummarizerError as exc:
        if debug:
            raise
        typer.echo(f"summarizer: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("summarizer: interrupted", err=True)
        raise typer.Exit(INTERRUPTED) from None
