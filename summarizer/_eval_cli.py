"""``summarizer eval run``: extract labelled documents (MUC-4 or GVA) and score them, resumably.

Progress goes to stderr: a Rich bar on a terminal, else one line per document (each
takes tens of seconds on the embedded model, so lines stay few). The score is printed
as JSON on stdout; the full metrics are in ``OUT/metrics.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from summarizer._connect import connect
from summarizer._evaluation import METRICS, PREDICTIONS, Step, run_eval
from summarizer._gva import CHECKS
from summarizer._jsonl import BadLine
from summarizer._options import (
    DebugOption,
    PromptOption,
    SettingsOptions,
    reported,
    with_settings_options,
)
from summarizer._pipeline import needs_log_probabilities
from summarizer._progress import progress_bar
from summarizer._registry import resolve_schema


class _Display:
    """A run's progress on stderr, as `summarizer._evaluation.Reporter` wants it."""

    def __init__(self) -> None:
        self._console = Console(stderr=True)
        self._bar: Progress | None = None

    def _say(self, line: str) -> None:
        self._console.print(line, markup=False, highlight=False, soft_wrap=True)

    def started(self, total: int, done: int) -> None:
        if done:
            self._say(f"summarizer: resuming: {done} of {total} document(s) already done")
        if self._console.is_terminal:
            self._bar = progress_bar(self._console, "{task.description}")
            self._task = self._bar.add_task("extracting", total=total, completed=done)
            self._bar.start()

    def skipped(self, line: BadLine) -> None:
        self._say(f"summarizer: warning: {line}; line skipped")

    def finished(self, step: Step) -> None:
        if step.error:
            self._say(f"summarizer: failed: {step.doc_id}: {step.error}")
        if self._bar:
            self._bar.update(self._task, advance=1, description=step.doc_id)
        else:
            self._say(
                f"summarizer: [{step.position}/{step.total}] {step.doc_id}: "
                f"{step.templates} template(s), {step.seconds:.1f} s"
            )

    def stop(self) -> None:
        if self._bar:
            self._bar.stop()


def _muc4_line(metrics: dict) -> str:
    score = metrics["score"]
    return (
        f"F1 {100 * score['f1']:.1f} (P {100 * score['precision']:.1f} / R "
        f"{100 * score['recall']:.1f}); {metrics['failures_to_see']} failure(s) to see, "
        f"{metrics['false_alarms']} false alarm(s)"
    )


def _gva_line(metrics: dict) -> str:
    score = metrics["score"]
    checks = ", ".join(f"{check} {100 * score[check]:.0f}%" for check in CHECKS)
    return (
        f"{checks}; {score['evidence_not_in_article']} record(s) with evidence not in the "
        f"article, {score['values_from_prompt']} value(s) from a prompt"
    )


def _summary(metrics: dict, out: Path) -> str:
    """The closing line: the score, what went wrong, what it cost, where the files are."""
    median = metrics["median"]
    seconds = "?" if median["seconds"] is None else f"{median['seconds']:.1f}"
    scored = _muc4_line(metrics) if "f1" in metrics["score"] else _gva_line(metrics)
    return (
        f"summarizer: {metrics['documents']} document(s): {scored}, "
        f"{len(metrics['errors'])} error(s); median {seconds} s per document. "
        f"Wrote {out / PREDICTIONS} and {out / METRICS}"
    )


@with_settings_options
def eval_run(
    data: Annotated[
        Path, typer.Option(help="Gold JSONL: id, text and templates (MUC-4) or events (GVA).")
    ],
    out: Annotated[
        Path, typer.Option(help="Folder for predictions.jsonl and metrics.json; resumed.")
    ],
    limit: Annotated[int | None, typer.Option(min=1, help="Documents to run at most.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Documents to skip first.")] = 0,
    schema: Annotated[
        str, typer.Option(help="muc4 (scored on MUC-4 templates) or incident (on GVA events).")
    ] = "muc4",
    prompt: PromptOption = None,
    debug: DebugOption = False,
    *,
    options: SettingsOptions,
) -> None:
    """Extract each document, then score it: muc4 with the GTT metric, incident with GVA's
    figures, date and place."""
    with reported(debug):
        settings = options.load()
        chosen = resolve_schema(schema, str(prompt) if prompt else None)
        display = _Display()
        try:
            logprobs = needs_log_probabilities(chosen, settings)
            metrics = run_eval(
                data, out, schema=chosen, settings=settings,
                llm=lambda: connect(settings, log_probabilities=logprobs),
                limit=limit, offset=offset, progress=display,
            )  # fmt: skip
        finally:
            display.stop()
    typer.echo(_summary(metrics, out), err=True)
    typer.echo(json.dumps(metrics["score"], indent=2))
