"""Exports of a batch store, in the formats of `summarizer._extract.render`.

Each export takes every article's newest result of one schema, in the order the
articles were first seen. A file is written to a temporary file beside it, then renamed
over it: never seen half-written; the store's own files are never replaced, any other
existing file only when asked (``--force``).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from summarizer._batch.reviews import with_reviews
from summarizer._batch.store import LOCK_FILE, STORE_FILE, Store
from summarizer._errors import InputError, SchemaError
from summarizer._extract.render import FORMATS

# The store's database, its write-ahead log and shared memory, and its lock.
STORE_FILES = (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", LOCK_FILE)
INCIDENT_SCHEMA = "incident"


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` only once complete (written, then renamed)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("x", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 with the format's own line endings, whatever the locale."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


@contextlib.contextmanager
def _writing(output: Path) -> Iterator[None]:
    """The system's refusals to write `output` (a read-only folder, a full disk, a name
    too long) as one line."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"{output}: cannot write it ({exc.strerror or exc})") from None


def _check_output(output: Path, folder: Path, force: bool) -> None:
    """Refuse an output that would replace the store's own files (never), a file that is
    already there (unless `force`), a folder, or a place that cannot hold a file."""
    own = {(folder / name).resolve() for name in STORE_FILES}
    if output.resolve() in own:
        raise InputError(f"{output}: is one of the store's own files; export to another file")
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give the file to write")
    if output.exists() and not force:
        raise InputError(f"{output}: exists; give --force to replace it")
    if not output.parent.is_dir():
        raise InputError(f"{output.parent}: no such folder")


def export_store(
    folder: Path,
    fmt: str,
    output: Path | None = None,
    schema: str = INCIDENT_SCHEMA,
    *,
    force: bool = False,
    reviewed_only: bool = False,
) -> int:
    """Write the store's results in `fmt` to `output` (atomically) or stdout, with the
    editors' decisions applied (`with_reviews`; only approved records with
    `reviewed_only`); an existing `output` is replaced only with `force`, the store's
    own files never.

    Returns how many items were written: documents for jsonl, incidents for csv and md.
    """
    if fmt != "jsonl" and schema != INCIDENT_SCHEMA:
        raise SchemaError(f"the {fmt} export lays out {INCIDENT_SCHEMA} records; use jsonl")
    if output is not None:
        with _writing(output):
            _check_output(output, folder, force)
    with Store.read(folder) as store:
        held = store.schemas()
        if held and schema not in held:
            raise InputError(
                f"{folder} holds no results of schema {schema!r}; it holds: "
                f"{', '.join(sorted(held))} (give one with --schema)"
            )
        results = with_reviews(store.latest_results(schema), store, reviewed_only=reviewed_only)
        if output is None:
            with _stdout() as out:
                return FORMATS[fmt](results, out)
        with _writing(output), atomic_file(output) as out:
            return FORMATS[fmt](results, out)
