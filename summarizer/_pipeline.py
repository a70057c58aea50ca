"""The path of one article: prompt -> LLM -> validated items -> finalized records.

Two strategies, the same for every schema:

- ``staged`` (default): one call lists the incidents, each with a quote that anchors
  it; then one call per incident fills the schema from the article with that incident
  in focus. Each call is easier for a small model than "everything at once", and the
  shared prefix (instructions + article) is cached by the server between calls.
- ``single``: one call returns every incident (the baseline the staged path must beat).

Then the program grounds and normalises each item (`Schema.finalize`) and drops
repeats: two records anchored on the same sentence with the same content are one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, create_model

from summarizer._article import Article
from summarizer._grounding import align, normalise
from summarizer._llm import LLMClient, Usage
from summarizer._prompting import load_prompt
from summarizer._schema import Context, Schema
from summarizer._settings import Strategy

MAX_INCIDENTS = 8


class IncidentMention(BaseModel):
    """One incident as the listing stage names it."""

    quote: str = Field(max_length=300, description="a sentence of the article reporting it")
    what: str = Field(max_length=120, description="a few words naming the incident")


class IncidentList(BaseModel):
    incidents: list[IncidentMention] = Field(max_length=MAX_INCIDENTS)


@dataclass
class Document:
    """The result for one article: its records plus what produced them and at what cost."""

    source: str
    article_id: str
    schema: str
    model: str
    prompt_version: str
    published: date | None
    records: list[BaseModel]
    usage: Usage
    seconds: float
    warnings: list[str] = field(default_factory=list)
    looked_up: int = 0  # values the schema looked up in the article
    grounded: int = 0  # ... and found there

    @property
    def grounding_rate(self) -> float | None:
        """Share of looked-up values found in the article; None when nothing was looked up."""
        return self.grounded / self.looked_up if self.looked_up else None

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], record_model: type[BaseModel], source: str
    ) -> Document:
        """A `Document` again from `to_dict`'s output (raises ValidationError if a record
        no longer fits `record_model`)."""
        usage = data["usage"]
        grounding = data.get("grounding", {})
        return cls(
            source=source,
            article_id=data["article_id"],
            schema=data["schema"],
            model=data["model"],
            prompt_version=data["prompt_version"],
            published=date.fromisoformat(data["published"]) if data["published"] else None,
            records=[record_model.model_validate(r) for r in data["records"]],
            usage=Usage(usage["prompt_tokens"], usage["completion_tokens"], usage["llm_calls"]),
            seconds=usage["seconds"],
            warnings=data["warnings"],
            looked_up=grounding.get("values", 0),
            grounded=grounding.get("grounded", 0),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the output document format of the CLI."""
        return {
            "source": self.source,
            "article_id": self.article_id,
            "schema": self.schema,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "published": self.published.isoformat() if self.published else None,
            "records": [r.model_dump(mode="json") for r in self.records],
            "usage": {
                "prompt_tokens": self.usage.prompt_tokens,
                "completion_tokens": self.usage.completion_tokens,
                "llm_calls": self.usage.llm_calls,
                "seconds": round(self.seconds, 2),
            },
            "grounding": {
                "values": self.looked_up,
                "grounded": self.grounded,
                "rate": None if self.grounding_rate is None else round(self.grounding_rate, 3),
            },
            "warnings": self.warnings,
        }


def prompt_version(schema: Schema, strategy: Strategy) -> str:
    """The versions of every template a strategy uses, e.g. ``list_incidents@1+incident@1``."""
    names = [schema.fill_prompt]
    if strategy == "staged":
        names.insert(0, schema.list_prompt)
    return "+".join(load_prompt(name).id for name in names)


def _list_model(item_model: type[BaseModel]) -> type[BaseModel]:
    """A wrapper asking for every incident at once (the ``single`` strategy)."""
    return create_model(
        f"{item_model.__name__}List",
        incidents=(list[item_model], Field(max_length=MAX_INCIDENTS)),  # type: ignore[valid-type]
    )


def _distinct(mentions: list[IncidentMention]) -> list[IncidentMention]:
    """Drop mentions that repeat an earlier one's name or quote (small models list twice)."""
    kept: list[IncidentMention] = []
    seen: set[str] = set()
    for mention in mentions:
        keys = {normalise(mention.what), normalise(mention.quote)}
        if not keys & seen:
            kept.append(mention)
        seen |= keys
    return kept


def _fill_all(
    schema: Schema, llm: LLMClient, strategy: Strategy, usage: Usage,
    variables: dict[str, Any], warnings: list[str],
) -> list[tuple[BaseModel, str | None]]:  # fmt: skip
    """Ask the model for the schema's items; each with the quote that anchored it, if any."""
    fill = load_prompt(schema.fill_prompt)
    if strategy == "single":
        answer = llm.extract(_list_model(schema.item_model), fill.messages(**variables), usage)
        return [(item, None) for item in answer.incidents]  # type: ignore[attr-defined]
    listing = llm.extract(
        IncidentList, load_prompt(schema.list_prompt).messages(**variables), usage
    )
    mentions = _distinct(listing.incidents)
    if len(mentions) < len(listing.incidents):
        warnings.append(
            f"the listing named {len(listing.incidents) - len(mentions)} incident(s) twice"
        )
    return [
        (llm.extract(schema.item_model, fill.messages(**{**variables, "focus": m}), usage), m.quote)
        for m in mentions
    ]


def extract(
    article: Article,
    schema: Schema,
    llm: LLMClient,
    *,
    published: date | None,
    strategy: Strategy,
) -> Document:
    """Run the whole path for one article and return its `Document`."""
    started = time.perf_counter()
    usage = Usage()
    warnings: list[str] = []
    variables = {"article": article.text, "fields": schema.field_guide(), "focus": None}
    items = _fill_all(schema, llm, strategy, usage, variables, warnings)
    if not items:
        warnings.append("the model found no incident in this article")

    records: list[BaseModel] = []
    seen: set[str] = set()
    looked_up = grounded = 0
    for item, anchor_quote in items:
        key = item.model_dump_json()
        if key in seen:
            warnings.append("dropped a record that repeated an earlier one word for word")
            continue
        seen.add(key)
        context = Context(
            text=article.text,
            published=published,
            record_id=f"{article.digest}-{len(records) + 1}",
            anchor=align(anchor_quote, article.text) if anchor_quote else None,
        )
        record = schema.finalize(item, context)
        warnings.extend(context.warnings)
        looked_up += context.looked_up
        grounded += context.found
        records.append(record)

    return Document(
        source=article.source,
        article_id=article.digest,
        schema=schema.name,
        model=llm.model,
        prompt_version=prompt_version(schema, strategy),
        published=published,
        records=records,
        usage=usage,
        seconds=time.perf_counter() - started,
        warnings=warnings,
        looked_up=looked_up,
        grounded=grounded,
    )
