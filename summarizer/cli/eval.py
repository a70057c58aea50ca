"""``summarizer eval``: ``run`` extracts labelled documents (MUC-4 or GVA) and scores them,
resumably; ``score`` scores predictions; ``fit-relevance`` fits the relevance classifier;
``fit-words`` fits the ``muc4`` schema's word lists.

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

from summarizer._errors import InputError
from summarizer._eval.runner import METRICS, PREDICTIONS, Step, run_eval
from summarizer._extract.pipeline import needs_log_probabilities
from summarizer._llm.connect import connect
from summarizer._scoring.gva import CHECKS
from summarizer._scoring.muc4 import score
from summarizer._text.jsonl import BadLine, read_objects
from summarizer.cli._options import (
    DebugOption,
    PromptOption,
    SettingsOptions,
    reported,
    with_settings_options,
)
from summarizer.cli._progress import progress_bar
from summarizer.schemas._muc4 import Template
from summarizer.schemas._registry import resolve_schema
from summarizer.schemas._relevance import fit_gold
from summarizer.schemas._word_lists import fit_word_lists


class _Display:
    """A run's progress on stderr, as `summarizer._eval.runner.Reporter` wants it."""

    def __init__(self, noun: str) -> None:
        self._console = Console(stderr=True)
        self._bar: Progress | None = None
        self._noun = noun  # what a document gives: MUC-4 templates, else records

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
                f"{step.records} {self._noun}(s), {step.seconds:.1f} s"
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
        str,
        typer.Option(
            help="muc4 (scored on MUC-4 templates) or incident (on GVA events, or on MUC-4 "
            "templates, its records read as templates: docs/evaluation.md)."
        ),
    ] = "muc4",
    prompt: PromptOption = None,
    debug: DebugOption = False,
    *,
    options: SettingsOptions,
) -> None:
    """Extract each document, then score it: MUC-4 templates with the GTT metric, GVA
    events with their figures, date and place."""
    with reported(debug):
        settings = options.load()
        chosen = resolve_schema(schema, str(prompt) if prompt else None)
        display = _Display("template" if chosen.record_model is Template else "record")
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


def _templates_by_id(path: Path, required: tuple[str, ...]) -> dict[str, list]:
    """id -> templates from a JSONL file; bad lines are reported on stderr and skipped."""

    found: dict[str, list] = {}
    for item in read_objects(path, required):
        if isinstance(item, BadLine):
            typer.echo(f"summarizer: warning: {item}; line skipped", err=True)
        else:
            found[str(item["id"])] = item["templates"]
    return found


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


ReplaceOption = Annotated[bool, typer.Option("--replace", help="Overwrite OUT if it exists.")]


def _check_new(out: Path, replace: bool) -> None:
    """Refuse to overwrite a fitted file unless told, before the fitting, not after."""
    if out.exists() and not replace:
        raise InputError(f"{out} exists; give --replace to overwrite it")


def _write(out: Path, content: str) -> None:
    try:
        out.write_text(content)
    except OSError as exc:
        raise InputError(f"{out}: cannot write it ({exc.strerror})") from None


def eval_fit_relevance(
    data: Annotated[
        Path,
        typer.Option(help="Gold JSONL (text, templates), as MUC-4: a template = an incident."),
    ],
    out: Annotated[Path, typer.Option(help="The classifier's JSON file to write.")],
    replace: ReplaceOption = False,
    debug: DebugOption = False,
) -> None:
    """Fit the relevance classifier that decides which articles are read (scikit-learn)."""

    with reported(debug):
        _check_new(out, replace)
        fitted = fit_gold(data)
        _write(out, json.dumps(fitted, ensure_ascii=False) + "\n")
    counts = fitted["fitted"]
    typer.echo(
        f"summarizer: fitted on {counts['articles']} articles ({counts['reporting']} with an "
        f"incident), {len(fitted['words'])} words; wrote {out}",
        err=True,
    )


def eval_fit_words(
    data: Annotated[
        Path, typer.Option(help="MUC-4 gold JSONL (text, templates): the train split.")
    ],
    out: Annotated[Path, typer.Option(help="The word lists' JSON file to write.")],
    replace: ReplaceOption = False,
    debug: DebugOption = False,
) -> None:
    """Fit the muc4 schema's word lists (which last words tell people, groups, no one)."""
    with reported(debug):
        _check_new(out, replace)
        fitted = fit_word_lists(data)
        _write(out, json.dumps(fitted, indent=1) + "\n")
    sizes = ", ".join(f"{len(words)} {name.replace('_', ' ')}" for name, words in fitted.items())
    typer.echo(f"summarizer: fitted {sizes}; wrote {out}", err=True)
