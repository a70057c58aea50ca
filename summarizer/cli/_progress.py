"""The progress bar that long commands (``batch``, ``eval run``) show on a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_bar(console: Console, label: str) -> Progress:
    """A bar with done/total, time spent and time left; `label` is a Rich format string
    for the task (``"{task.description}"``, ``"{task.fields[counts]}"``)."""
    return Progress(
        SpinnerColumn(),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(label),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
