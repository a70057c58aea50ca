"""Reading JSON Lines that users hand us: bad lines are reported by number, not fatal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer._errors import InputError


def loads(text: str | bytes) -> Any:
    """`json.loads`, and JSON nested too deeply for it (a RecursionError) a ValueError as
    any other JSON it cannot read: one such line must not stop a batch on every rerun."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


@dataclass(frozen=True)
class BadLine:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def read_objects(path: Path, required: tuple[str, ...]) -> Iterator[dict[str, Any] | BadLine]:
    """Yield each line's object, or a `BadLine` for a line that is not usable.

    Raises InputError only when the file itself cannot be read.
    """
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a .jsonl file") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = loads(line)
                except ValueError as exc:
                    yield BadLine(path, number, f"not valid JSON ({getattr(exc, 'msg', exc)})")
                    continue
                if not isinstance(item, dict):
                    yield BadLine(path, number, "not a JSON object")
                    continue
                missing = [key for key in required if key not in item]
                if missing:
                    yield BadLine(path, number, f"missing {', '.join(missing)}")
                    continue
                yield item
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None
