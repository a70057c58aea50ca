"""The ``batch`` and ``export`` commands, registered on the main app by `summarizer.cli`.

``batch`` shows a Rich progress bar on a terminal and plain log lines otherwise (or with
``--quiet``), on stderr; it prints a summary at the end and exits with the code of the
first failure (0 when none failed). ``export`` writes to stdout or, with ``--output``,
to a file that appears only once complete.
"""

from __future__ import annotations

import functools
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from summarizer._batch.export import export_store
from summarizer._batch.inputs import Reader, count_inputs
from summarizer._batch.runner import Batch, Outcome, Tally, WorkersFactory
from summarizer._batch.store import STORE_FILE
from summarizer._errors import InputError
from summarizer._settings import Settings
from summarizer._text.article import STDIN
from summarizer._text.dates import parse_published
from summarizer.cli._options import (
    DebugOption,
    PromptOption,
    SchemaOption,
    SettingsOptions,
    WorkersOption,
    reported,
    with_settings_options,
)
from summarizer.cli._progress import progress_bar
from summarizer.schemas._registry import resolve_schema

LOG_INTERVAL = 30.0  # seconds between progress lines without a terminal


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    md = "md"


def _failure_line(outcome: Outcome) -> str:
    """One line naming the article and the reason (input errors already start with it)."""
    assert outcome.error is not None
    earlier = " (in an earlier run)" if outcome.earlier else ""
    if outcome.error.startswith(f"{outcome.source}:"):
        return f"summarizer: failed{earlier}: {outcome.error}"
    return f"summarizer: failed{earlier}: {outcome.source}: {outcome.error}"


def _counts(tally: Tally) -> str:
    return f"{tally.done} done, {tally.cached} cached, {tally.failed} failed"


def _summary(tally: Tally, seconds: float, out: Path, finished: bool) -> str:
    """The closing line of a batch."""
    state = "" if finished else " (stopped before the end: run the same command to finish)"
    line = f"summarizer: {tally.total} article(s) in {seconds:.1f} s: {_counts(tally)}{state}"
    if tally.earlier:
        line += f"; {tally.earlier} failed in an earlier run"
    if tally.failed:
        line += "; try failures again with --retry-failed"
    return f"{line}. Store: {out / STORE_FILE}"


class _Display:
    """Progress of a batch on stderr: a Rich bar on a terminal, else a log line every so often."""

    def __init__(self, total: int | None, quiet: bool) -> None:
        self.tally = Tally()
        self._total = total
        self._console = Console(stderr=True)
        self._started = time.monotonic()
        self._logged = self._started
        self._progress: Progress | None = None
        if not quiet and self._console.is_terminal:
            self._progress = progress_bar(self._console, "{task.fields[counts]}")
            self._task = self._progress.add_task("batch", total=total, counts=_counts(self.tally))

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._started

    def __enter__(self) -> _Display:
        if self._progress:
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress:
            self._progress.stop()

    def _print(self, line: str) -> None:
        self._console.print(line, markup=False, highlight=False, soft_wrap=True)

    def show(self, outcome: Outcome) -> None:
        self.tally.add(outcome)
        if outcome.status == "failed":
            self._print(_failure_line(outcome))
        if self._progress:
            self._progress.update(self._task, advance=1, counts=_counts(self.tally))
        elif time.monotonic() - self._logged >= LOG_INTERVAL:
            self._logged = time.monotonic()
            self._print(f"summarizer: {self._position()}: {_counts(self.tally)}")

    def _position(self) -> str:
        done = self.tally.total
        if not self._total:
            return f"{done} article(s)"
        left = max(0, self._total - done) * self.seconds / done
        return f"{done}/{self._total} article(s), about {left / 60:.0f} min left"


@with_settings_options
def batch(
    out: Annotated[
        Path, typer.Option("--out", help="Folder of the batch store (created if needed).")
    ],
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Article files, folders, or '-' for JSONL on stdin.", show_default=False
        ),
    ] = None,
    workers: WorkersOption = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Try again the articles that failed in earlier runs (with no inputs: the "
            "failed articles kept in the store).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Plain log lines instead of a progress bar.")
    ] = False,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD of the articles that carry none."),
    ] = None,
    schema: SchemaOption = "incident",
    prompt: PromptOption = None,
    engine: Annotated[
        Engine,
        typer.Option(
            help="Where extractions run: threads of this process, or a Ray cluster "
            "(the ray extra; the model must be an endpoint: docs/scale.md)."
        ),
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: the cluster to join ('auto': the one this machine "
            "belongs to; default: start one here for the batch)."
        ),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option(min=1, help="With --engine ray: actors extracting at once (default 2)."),
    ] = None,
    requests_per_actor: Annotated[
        int | None,
        typer.Option(
            min=1, help="With --engine ray: articles each actor reads at once (default 8)."
        ),
    ] = None,
    debug: DebugOption = False,
    *,
    options: SettingsOptions,
) -> None:
    """Extract many articles into a resumable store: run again to finish or to reuse."""
    paths = inputs or []
    with reported(debug):
        settings = options.load()
        _check_engine(engine, workers, ray_address, actors, requests_per_actor)
        if engine is Engine.ray and options.api_key:
            raise InputError(
                "with --engine ray give the key as SUMMARIZER_API_KEY, not --api-key: Ray "
                "keeps the driver's command line in its job table, readable across the cluster"
            )
        spread = None
        if engine is Engine.ray:
            spread, workers = ray_workers(settings, ray_address, actors, requests_per_actor)
        chosen = resolve_schema(schema, str(prompt) if prompt else None)
        reader = Reader(settings.max_article_chars, parse_published(published))
        if not paths and not retry_failed:
            raise InputError(
                "give article files or folders, '-' for JSONL on stdin, or --retry-failed"
            )
        if not paths and not (out / STORE_FILE).is_file():
            raise InputError(f"{out}: no summarizer store here, so no failure to retry")
        _check_out(out, paths)
        total = count_inputs(paths) if paths else None
        with Batch.open(
            out, chosen, settings, workers=workers, retry_failed=retry_failed, spread=spread
        ) as run:
            items = reader.read(paths) if paths else run.failed_inputs(reader)
            display = _Display(total, quiet)
            finished = False
            try:
                with display:
                    for outcome in run.run(items):
                        display.show(outcome)
                finished = True
            finally:
                typer.echo(_summary(display.tally, display.seconds, out, finished), err=True)
    if display.tally.failed:
        raise typer.Exit(display.tally.exit_code)


def _check_engine(engine: Engine, workers: int | None, *ray_options: object) -> None:
    """Refuse options of the other engine: they would be silently ignored."""
    if engine is Engine.ray and workers is not None:
        raise InputError(
            "--workers is for the local engine; with --engine ray give --actors and "
            "--requests-per-actor"
        )
    if engine is Engine.local and any(option is not None for option in ray_options):
        raise InputError("--ray-address, --actors and --requests-per-actor need --engine ray")


def ray_workers(
    settings: Settings, address: str | None, actors: int | None, requests_per_actor: int | None
) -> tuple[WorkersFactory, int]:
    """The batch's workers on Ray and how many articles the batch keeps out at once,
    refused before any work when the settings name the embedded model. Ray is imported
    here only: the extra is optional, and ``summarizer.ray`` names it when it is missing."""
    from summarizer.ray import _engine

    _engine.require_endpoint(settings)
    actors = actors or _engine.ACTORS
    requests_per_actor = requests_per_actor or _engine.REQUESTS_PER_ACTOR
    start = functools.partial(_engine.RayWorkers.start, address, actors, requests_per_actor)
    return start, _engine.WINDOW


def _check_out(out: Path, paths: list[str]) -> None:
    """Refuse a store inside an input folder: the next run would read it as input."""
    target = out.resolve()
    for path in paths:
        if path != STDIN and Path(path).is_dir() and target.is_relative_to(Path(path).resolve()):
            raise InputError(f"--out {out} is inside the input folder {path}; choose another")


def export(
    store: Annotated[Path, typer.Argument(help="A batch's --out folder.", show_default=False)],
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="jsonl (one document per article), csv (one row per incident) or md (digest).",
        ),
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write this file (atomically) instead of standard output."
        ),
    ] = None,
    schema: Annotated[
        str, typer.Option(help="Export the results of this schema (csv and md: incident).")
    ] = "incident",
    force: Annotated[
        bool, typer.Option("--force", help="Replace --output if it exists (never the store).")
    ] = False,
    reviewed_only: Annotated[
        bool,
        typer.Option("--reviewed-only", help="Only records an editor accepted, edited or added."),
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Export a batch store's newest results: JSONL, CSV (after ACLED) or a Markdown digest."""
    with reported(debug):
        count = export_store(
            store, output_format.value, output, schema, force=force, reviewed_only=reviewed_only
        )
    if output:
        what = "document(s)" if output_format.value == "jsonl" else "incident(s)"
        typer.echo(f"summarizer: wrote {count} {what} to {output}", err=True)
