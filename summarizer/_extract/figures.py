"""A second reading for casualty figures: every toll of one incident, each with its source.

Filling a whole incident at once, a small model gives one figure per incident: on the
seed's Friday barrage it copies the article's "over 35" and never Zelenskiy's "39 of them
have been killed so far", two paragraphs later, even when shown both sentences. Asked
only for the figures, on only the paragraphs that tell of the incident, it gives
Zelenskiy's. This stage makes that call after each staged fill and adds the figures the
fill did not have; `Schema.finalize` then grounds them like any other (a figure not in
the article never reaches the output) and drops a figure found twice.

The call is made only for an incident the listing quoted in two sentences or more: tolls
from several sources come in several sentences (the barrage, then Zelenskiy's toll),
while the fill has read the one sentence of an incident told once (calls measured in
docs/evaluation.md, "GVA"). It is skipped
too when the paragraphs hold no word for people killed or injured: an interception or
an airspace violation costs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from summarizer._llm.client import LLMClient, Usage
from summarizer._llm.prompting import load_prompt
from summarizer._text.counts import casualty_kinds
from summarizer._text.grounding import align, normalise, paragraph
from summarizer.schemas._incident import FigureDraft


class Figures(BaseModel):
    """What the figures call fills: every toll the passages give for one incident."""

    killed: list[FigureDraft] = Field(max_length=6, description="figures of people killed")
    injured: list[FigureDraft] = Field(max_length=6, description="figures of people injured")


def passages(text: str, quotes: Iterable[str]) -> str:
    """The paragraphs of `text` holding `quotes`, in the text's order, each once; a quote
    not found in `text` stands for itself (the model's copy is what it read)."""
    found: dict[int, str] = {}
    for quote in quotes:
        span = align(quote, text)
        if span.start is None:
            found.setdefault(len(text) + len(found), quote)
            continue
        start, end = paragraph(text, span.start)
        found.setdefault(start, text[start:end].strip())
    return "\n\n".join(found[start] for start in sorted(found))


def recount(
    draft: BaseModel, what: str, text: str, prompt: str, llm: LLMClient, usage: Usage
) -> BaseModel:
    """`draft` (a model with ``killed`` and ``injured`` lists of `FigureDraft`) with the
    figures of one more call, `prompt` on `text` (the passages telling of the incident
    `what`), added to its own; `draft` itself when `text` speaks of no casualties."""
    if not casualty_kinds(text):
        return draft
    answer = llm.extract(Figures, load_prompt(prompt).messages(incident=what, passages=text), usage)
    return draft.model_copy(
        update={
            kind: _added(getattr(draft, kind), getattr(answer, kind))
            for kind in ("killed", "injured")
        }
    )


def _added(figures: list[FigureDraft], more: list[FigureDraft]) -> list[FigureDraft]:
    """`figures`, then those of `more` whose phrase they do not already have."""
    known = {normalise(f.phrase) for f in figures}
    return figures + [f for f in more if normalise(f.phrase) not in known]
