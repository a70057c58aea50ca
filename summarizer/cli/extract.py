"""``summarizer extract``: articles in, one JSON document (or Markdown) each out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from summarizer._batch.inputs import JSON_SUFFIXES, BadInput, Input, Reader
from summarizer._errors import InputError, SummarizerError
from summarizer._extract.pipeline import extract, needs_log_probabilities
from summarizer._extract.render import to_json, to_markdown
from summarizer._llm.connect import connect
from summarizer._text.article import STDIN, decode, read_bounded
from summarizer._text.dates import parse_published
from summarizer.cli._options import (
    DebugOption,
    PromptOption,
    SettingsOptions,
    reported,
    with_settings_options,
)
from summarizer.schemas._registry import resolve_schema


class OutputFormat(StrEnum):
    json = "json"
    md = "md"


_STDERR = Console(stderr=True)


def _status(message: str) -> contextlib.AbstractContextManager[object]:
    """A spinner on stderr while the model works, only when stderr is a terminal."""
    return _STDERR.status(message) if _STDERR.is_terminal else contextlib.nullcontext()


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
