"""Prompt templates: Jinja files with a version, rendered into chat messages.

A template lives in ``prompts/`` (packaged into the wheel as ``summarizer/prompts``)
or anywhere on disk for a user's own schema. Its first line declares its version,
``{# version: 3 #}``, reported in every output so a result can be reproduced. It
defines two blocks, ``system`` (the instructions) and ``user`` (the article and
whatever else the stage passes). The article is always passed as a variable, never
as template source, so a ``{{`` in an article is just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from summarizer._errors import SchemaError
from summarizer._text.grounding import normalise

_VERSION = re.compile(r"\{#-?\s*version:\s*(\S+?)\s*-?#\}")
_BLOCKS = ("system", "user")


def prompts_dir() -> Path:
    """The built-in templates: packaged in the wheel, or ``prompts/`` of a source checkout."""
    packaged = Path(str(resources.files("summarizer") / "prompts"))
    if packaged.is_dir():
        return packaged
    # Editable installs import the package from the checkout, where prompts/ sits beside it.
    return Path(__file__).resolve().parents[2] / "prompts"


@cache
def prompt_words() -> str:
    """Every built-in template's text, normalised (`normalise`): where the words of a
    prompt's invented example would come from, were the model to copy one."""
    return normalise(" ".join(p.read_text() for p in sorted(prompts_dir().glob("*.j2"))))


@dataclass(frozen=True)
class Prompt:
    """A loaded template; `messages()` renders it for one call."""

    name: str
    version: str
    template: jinja2.Template

    @property
    def id(self) -> str:
        """``name@version``, as reported in outputs."""
        return f"{self.name}@{self.version}"

    def messages(self, **variables: object) -> list[dict[str, str]]:
        """The chat messages for `variables`: a system message, then a user message."""
        context = self.template.new_context(variables)
        return [
            {"role": role, "content": "".join(self.template.blocks[role](context)).strip()}
            for role in _BLOCKS
        ]


_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


@cache
def load_prompt(name_or_path: str) -> Prompt:
    """Load a built-in template by name (``incident``) or a user's template by path."""
    path = Path(name_or_path)
    if path.suffix != ".j2":
        path = prompts_dir() / f"{name_or_path}.j2"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"cannot read prompt template {path}: {exc.strerror}") from None
    version = _VERSION.search(source.split("\n", 1)[0])
    if not version:
        raise SchemaError(f"prompt template {path} must start with a '{{# version: N #}}' line")
    try:
        template = _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise SchemaError(f"prompt template {path}, line {exc.lineno}: {exc.message}") from None
    missing = [block for block in _BLOCKS if block not in template.blocks]
    if missing:
        raise SchemaError(f"prompt template {path} lacks the block(s): {', '.join(missing)}")
    return Prompt(name=path.stem, version=version.group(1), template=template)
