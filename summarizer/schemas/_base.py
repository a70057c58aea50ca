"""Schemas: what the model fills for one incident, what users get, and which prompts ask.

A `Schema` bundles the model-facing shape (kept shallow so a small model can fill
it), the record users receive, the prompt templates, and `finalize`, the program's
step from one to the other (grounding, number and date normalisation), and `combine`,
which sees a document's records together (one incident found twice becomes one
record). The pipeline treats every schema alike; `summarizer.schemas._registry` finds them by
name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from summarizer._settings import Strategy
from summarizer._text.grounding import Span
from summarizer.schemas._relevance import Relevance


@dataclass
class Context:
    """What `finalize` knows about the incident beyond the model's answer."""

    text: str
    published: date | None
    record_id: str
    anchor: Span | None = None
    # The paragraphs (start, end) that tell of the incident: where the listing quoted it,
    # then, added by `finalize`, where its values stand and the headline and lede when
    # its evidence is there; a figure must stand in one of them or in its evidence's.
    passages: tuple[tuple[int, int], ...] = ()
    # Strict: a value the article does not contain is removed, not kept unaligned
    # (the second pass of --require-grounding).
    strict: bool = False
    warnings: list[str] = field(default_factory=list)
    # Values looked up in the article, how many were found (the grounding rate), and
    # the model's strings for those not found.
    looked_up: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)

    def tally(self, found: bool, value: str | None) -> None:
        """Count one value looked up; `value` (None: not worth re-asking) if not found."""
        self.looked_up += 1
        self.found += found
        if not found and value and value not in self.missing:
            self.missing.append(value)


# What the model fills (a draft) and what users get (a record).
D = TypeVar("D", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)

# The model's draft -> the record users get, or None when the draft is no record (the
# reason goes in `Context.warnings`).
Finalize = Callable[[D, Context], R | None]
# A document's records and the article's text -> the records to keep (merged, dropped).
Combine = Callable[[list[R], str], list[R]]


def _as_is(item: Any, context: Context) -> Any:
    """A user's model is returned as the model filled it."""
    return item


def _keep_all(records: list[Any], text: str) -> list[Any]:
    return records


def merge_repeats(
    records: list[R], same: Callable[[R, R], bool], merged: Callable[[R, R], R]
) -> list[R]:
    """`records` with each one that is the `same` incident as an earlier one folded into
    it (`merged(earlier, later)`); the earlier keeps its place."""
    kept: list[R] = []
    for record in records:
        match = next((i for i, k in enumerate(kept) if same(k, record)), None)
        if match is None:
            kept.append(record)
        else:
            kept[match] = merged(kept[match], record)
    return kept


@dataclass(frozen=True)
class Schema(Generic[D, R]):
    """One kind of record the pipeline can extract: ``Schema[Draft, Record]`` fills
    `item_model` (a `D`) and gives `record_model` records (`R`)."""

    name: str
    item_model: type[D]
    record_model: type[R]
    fill_prompt: str
    list_prompt: str = "list_incidents"
    # The prompt of a one-call reading of every incident (``single``, ``adaptive``);
    # None: `fill_prompt` with no incident in focus.
    single_prompt: str | None = None
    # The strategy that served this schema best when measured (Settings.strategy overrides).
    strategy: Strategy = "staged"
    # With the ``single`` strategy: no fill (no items) when the model gives more than this
    # weight to an empty list (`LLMClient.empty_list_weight`, a short call before the
    # fill); None: no such call.
    # Measured on one model, so Settings.abstain_above overrides it for others.
    abstain_above: float | None = None
    # An article that `relevance` gives less than `min_relevance` probability of reporting
    # an incident is not read: no call is made (Settings.min_relevance overrides).
    relevance: Relevance | None = None
    min_relevance: float = 0.5
    # Items with ``killed`` and ``injured`` lists of `_incident.FigureDraft` can have a
    # second, figures-only call per staged item (`_extract.figures`); this names its prompt.
    figures_prompt: str | None = None
    finalize: Finalize[D, R] = _as_is
    combine: Combine[R] = _keep_all

    @property
    def one_call_prompt(self) -> str:
        """The prompt of a one-call reading: `single_prompt`, else `fill_prompt`."""
        return self.single_prompt or self.fill_prompt

    def field_guide(self) -> list[dict[str, Any]]:
        """Name, type and description of each field the model fills, for generic prompts.

        In JSON-schema mode the model never sees the schema (a grammar constrains it),
        so prompts must describe the fields in words.
        """
        schema = self.item_model.model_json_schema()
        return [
            {
                "name": name,
                "type": prop.get("type", "value"),
                "description": prop.get("description", ""),
            }
            for name, prop in schema.get("properties", {}).items()
        ]
