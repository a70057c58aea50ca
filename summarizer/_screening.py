"""Screening: one short question before filling, "does this article report any incident?".

A small model asked to fill templates fills some for nearly every article, also for
those that report none (talks, speeches, combat, arrests): on MUC-4 it raised false
alarms on 40 of 50 dev documents without an incident. Asked first, on its own, whether
the article reports an incident at all (naming the first one before answering), it
says no to most of those (docs/evaluation.md has the figures).

The question is asked with the fill prompt's own instructions and article, rendered
with ``screen=True`` (the template's user block then ends with the question instead of
the fill instruction). The two calls share everything up to the article's end, so a
llama.cpp server, which keeps the prompt prefix of its last call, reads the article
once for both: the screening costs the question and a few answer tokens.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from summarizer._errors import ExtractionError
from summarizer._llm import LLMClient, Usage
from summarizer._prompting import Prompt


class Screen(BaseModel):
    """The answer to the screening question."""

    # Asked before the verdict: naming an incident first keeps the model from saying yes
    # on the strength of the article's tone alone.
    first_incident: str = Field(
        max_length=120, description="the first incident, in a few words, or 'none'"
    )
    reports_incident: bool


def reports_any(
    fill: Prompt, variables: dict[str, object], llm: LLMClient, usage: Usage, warnings: list[str]
) -> bool:
    """True unless the model says the article in `variables` reports no incident.

    An answer that never validates decides nothing: the article is filled anyway (with
    a warning), as it would be without screening.
    """
    messages = fill.messages(**variables, focus=None, screen=True)
    try:
        answer = llm.extract(Screen, messages, usage)
    except ExtractionError as exc:
        warnings.append(f"screening failed, the article is filled anyway: {exc}")
        return True
    if not answer.reports_incident:
        warnings.append("screening: the model answered that this article reports no incident")
    return answer.reports_incident
