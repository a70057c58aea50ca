"""Weights: assembled from the parts in order, hash-checked, reused, reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from summarizer._errors import SetupError
from summarizer._llm import weights as _weights


@pytest.fixture
def fake_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> bytes:
    """Three small parts standing in for the 22 real ones, with their pinned hash."""
    chunks = [b"GGUF" + bytes(range(200)), b"middle" * 50, b"end"]
    paths = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    monkeypatch.setattr(_weights, "_part_files", lambda: paths)
    monkeypatch.setattr(_weights, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(_weights, "MODEL_SIZE", len(whole))
    return whole


def test_assembles_in_order_and_verifies(fake_parts: bytes, tmp_path: Path) -> None:
    target = tmp_path / "cache" / "model.gguf"
    assert _weights.ensure_model(target) == target
    assert target.read_bytes() == fake_parts
    assert _weights.check_model(target).intact
    assert not list(target.parent.glob("*.partial-*"))


def test_reuses_a_verified_file(fake_parts: bytes, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "model.gguf"
    _weights.ensure_model(target)
    monkeypatch.setattr(_weights, "_part_files", lambda: pytest.fail("reassembled"))
    assert _weights.ensure_model(target) == target


def test_check_detects_a_damaged_file(fake_parts: bytes, tmp_path: Path) -> None:
    target = tmp_path / "model.gguf"
    _weights.ensure_model(target)
    data = bytearray(target.read_bytes())
    data[10] ^= 0xFF
    target.write_bytes(bytes(data))
    status = _weights.check_model(target)
    assert status.exists and not status.intact
    assert status.sha256 != _weights.MODEL_SHA256


def test_wrong_parts_give_a_clear_error(fake_parts: bytes, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(_weights, "MODEL_SHA256", "0" * 64)
    target = tmp_path / "model.gguf"
    with pytest.raises(SetupError, match="reinstall"):
        _weights.ensure_model(target)
    assert not target.exists()
    assert not list(tmp_path.glob("*.partial-*"))


def test_missing_parts_say_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(_weights, "PART_COUNT", 23)  # part 23 does not exist
    monkeypatch.setattr(
        _weights.resources,
        "files",
        lambda name: (_ for _ in ()).throw(ModuleNotFoundError(name)),
    )
    with pytest.raises(SetupError, match=r"pip install"):
        _weights._part_files()
