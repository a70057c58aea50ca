"""The ``summarizer`` command line, composed of one module per command group.

Errors print one line, ``summarizer: error: ...``, on stderr and exit with the code
of their class (see `summarizer._errors`, docs/errors.md); ``--debug`` shows the
traceback instead (`summarizer.cli._options.reported`).
"""

from __future__ import annotations

import logging
import sys

import typer

from summarizer.cli import batch, extract, model, schema, serve
from summarizer.cli import eval as evaluation  # `eval` alone would hide the builtin

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

app.command("extract")(extract.extract_command)
model_app.command("path")(model.path)
model_app.command("check")(model.check)
schema_app.command("list")(schema.list_schemas)
schema_app.command("export")(schema.export_schemas)
eval_app.command("score")(evaluation.eval_score)
eval_app.command("fit-relevance")(evaluation.eval_fit_relevance)
eval_app.command("fit-words")(evaluation.eval_fit_words)
app.command("batch")(batch.batch)
app.command("export")(batch.export)
eval_app.command("run")(evaluation.eval_run)
app.command("serve")(serve.serve)


def main() -> None:
    """Console-script entry point."""
    # instructor logs every answer that failed validation; our errors say it in one line.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    try:
        app()
    except BrokenPipeError:  # e.g. `summarizer extract ... | head`
        sys.stderr.close()
