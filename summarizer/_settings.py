"""All configuration in one place: `Settings`, read from arguments and the environment.

Precedence: explicit arguments (CLI flags or keyword arguments) over environment
variables over defaults. Which model is used:

- nothing configured (no base URL, no model name): the embedded model, a llama.cpp
  server the program starts and stops itself;
- a base URL (``--base-url`` / ``SUMMARIZER_BASE_URL``): any OpenAI-compatible endpoint;
- a model name but no base URL: OpenAI itself, with ``OPENAI_API_KEY``.

``OPENAI_API_KEY`` goes to OpenAI's own API only; another endpoint gets the key given for
it (``--api-key`` / ``SUMMARIZER_API_KEY``), so a key is never sent to a host it was not
meant for.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import NoneType
from typing import Literal, get_args, get_type_hints
from urllib.parse import urlsplit

from summarizer._errors import SetupError
from summarizer._secrets import is_openai, shown_url

Strategy = Literal["staged", "single", "adaptive"]
# How structured output is requested: OpenAI's ``json_schema`` response format, or
# ``json_object`` with a ``schema`` key (the dialect of llama-cpp-python's server).
ResponseFormat = Literal["json_schema", "json_object"]

_ENV_PREFIX = "SUMMARIZER_"
# Characters two overlapping parts of a long article share: two or three sentences.
CHUNK_OVERLAP = 600
# A part reads at least three times as much new text as it shares with the one before;
# smaller parts multiply the calls (thousands for one article) and cut incidents apart.
MIN_CHUNK_CHARS = 4 * CHUNK_OVERLAP
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}  # fmt: skip


def _free_cores() -> int:
    """Cores not already busy: llama.cpp collapses when given a core another process uses."""
    cores = os.cpu_count() or 1
    try:
        busy = round(os.getloadavg()[0])
    except OSError:
        busy = 0
    return max(1, cores - busy)


@dataclass(frozen=True)
class Settings:
    """How to reach the model and how hard to try. Build with `Settings.load()`."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    response_format: ResponseFormat | None = None  # None: json_object if embedded, else schema
    # Embedded model only.
    model_file: Path | None = None
    threads: int | None = None
    context_size: int = 8192
    # One extraction.
    strategy: Strategy | None = None  # None: the schema's own (Schema.strategy)
    abstain_above: float | None = None  # None: the schema's own (Schema.abstain_above)
    min_relevance: float | None = None  # None: the schema's own (Schema.min_relevance)
    max_article_chars: int = 100_000  # refused above this: not an article
    chunk_chars: int = 6_000  # read in overlapping parts above this (about 1,500 tokens)
    require_grounding: bool = False  # re-ask once for values not in the article, then drop
    temperature: float = 0.0
    seed: int = 0
    # Reliability: transport retries (429/5xx/timeouts) and validation re-asks are separate.
    timeout: float = 600.0
    transport_retries: int = 4
    max_backoff: float = 60.0
    reasks: int = 2

    def __post_init__(self) -> None:
        for name, allowed in (("strategy", Strategy), ("response_format", ResponseFormat)):
            value = getattr(self, name)
            if value is not None and value not in get_args(allowed):
                raise SetupError(
                    f"{name} must be one of {', '.join(get_args(allowed))}, not {value!r}"
                )
        for name, meaning in (("abstain_above", "1: never"), ("min_relevance", "0: read all")):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise SetupError(f"{name} is a probability from 0 to 1 ({meaning}), not {value}")
        for name in ("threads", "context_size", "max_article_chars", "chunk_chars"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise SetupError(f"{name} must be a positive number, not {value}")
        self._check_ranges()
        if self.base_url is not None:
            _check_url(self.base_url)

    def _check_ranges(self) -> None:
        """Numbers a run cannot work with are set-up errors, not odd failures later."""
        if self.chunk_chars < MIN_CHUNK_CHARS:
            raise SetupError(
                f"chunk_chars must be at least {MIN_CHUNK_CHARS:,} (a part of the article is "
                f"read with {CHUNK_OVERLAP} characters of the one before), not {self.chunk_chars}"
            )
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise SetupError(f"timeout must be a positive number of seconds, not {self.timeout}")
        if not (math.isfinite(self.temperature) and 0 <= self.temperature <= 2):
            raise SetupError(f"temperature must be from 0 to 2, not {self.temperature}")
        for name in ("max_backoff", "transport_retries", "reasks"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise SetupError(f"{name} must be 0 or more, not {value}")

    @property
    def embedded(self) -> bool:
        """True when no endpoint is configured and the embedded model serves the calls."""
        return self.base_url is None and self.model is None

    @property
    def embedded_threads(self) -> int:
        return self.threads or _free_cores()

    @classmethod
    def load(cls, **overrides: object) -> Settings:
        """Settings from ``SUMMARIZER_*`` variables, then `overrides` (None means unset)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(_ENV_PREFIX + f.name.upper())
            if raw not in (None, ""):
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        base_url = values.get("base_url")
        openai_key = os.environ.get("OPENAI_API_KEY")
        if "api_key" not in values and openai_key and is_openai(str(base_url or "") or None):
            values["api_key"] = openai_key
        return replace(cls(), **{k: _coerce(cls, k, v) for k, v in values.items()})


def _check_url(url: str) -> None:
    """An endpoint is an http(s) URL with a host; its credentials are never shown."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SetupError(
            f"base URL {shown_url(url)!r} is not an http(s) URL with a host, e.g. "
            "http://localhost:8000/v1"
        )


def _coerce(cls: type[Settings], name: str, value: object) -> object:
    """Turn an environment string into the field's declared type (bool, int, float, Path)."""
    if not isinstance(value, str):
        return value
    kind = _declared_types(cls)[name]
    if kind is Path:
        return Path(value).expanduser()
    if kind is bool:
        if value.lower() not in _BOOLEANS:
            raise SetupError(f"{_ENV_PREFIX}{name.upper()} must be 1/0, true/false, not {value!r}")
        return _BOOLEANS[value.lower()]
    if kind not in (int, float):
        return value
    try:
        return kind(value)  # type: ignore[operator]
    except ValueError:
        raise SetupError(f"{_ENV_PREFIX}{name.upper()} must be a number, not {value!r}") from None


@functools.cache
def _declared_types(cls: type[Settings]) -> dict[str, object]:
    """Each field's annotated type, without its ``| None``: ``int | None`` -> int."""
    declared = {}
    for name, hint in get_type_hints(cls).items():
        args = get_args(hint)
        declared[name] = next(a for a in args if a is not NoneType) if NoneType in args else hint
    return declared
