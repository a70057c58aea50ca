"""The path of one article: prompt -> LLM -> validated items -> finalized records.

Three strategies, the same for every schema:

- ``staged``: one call lists the incidents, each with a quote that anchors it; then
  one call per incident (mentions of one name grouped, `_grouped`) fills the schema
  from the article with that incident in focus; for an incident told in several
  sentences, a third call reads its figures again (`figures`). Each call is easier for
  a small model than "everything at once", and the shared prefix (instructions +
  article) is cached by the server between calls.
- ``single``: one call returns every incident (`Schema.single_prompt`). When the schema
  names a threshold (`Schema.abstain_above`), a short call first reads how much weight
  the model gives to an empty answer (log-probabilities of its first tokens); above it,
  no fill is asked.
- ``adaptive``: ``single`` first; where its records, once grounded and merged, are
  several incidents, the article is read again ``staged`` and that reading stands. Most
  news tells of one incident, which one call reads as well as the stages do at a third
  of the calls; an article of several incidents gets the stages' focused fills.

Before any of them, a schema with a relevance classifier (`Schema.relevance`)
skips an article it finds unlikely to report any incident: no call is made for it.

Each schema names the strategy it is best served by (``incident``: adaptive, ``muc4``:
single); ``Settings.strategy`` overrides it.

Then the program grounds and normalises each item (`Schema.finalize`), drops word-for-word
repeats, and lets the schema combine the document's records (`Schema.combine`: one
incident found twice, by two listings or a caption and a paragraph, becomes one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, create_model

from summarizer._errors import ExtractionError
from summarizer._extract.figures import passages, recount
from summarizer._extract.regrounding import REGROUND_PROMPT, reground
from summarizer._llm.client import LLMClient, Usage
from summarizer._llm.prompting import load_prompt
from summarizer._settings import CHUNK_OVERLAP, Settings, Strategy
from summarizer._text.article import Article
from summarizer._text.chunking import split
from summarizer._text.dates import find_dateline
from summarizer._text.grounding import Span, align, normalise, paragraph
from summarizer.schemas._base import Context, Schema

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


def strategy_for(schema: Schema, settings: Settings) -> Strategy:
    """The strategy set by the user, else the one the schema is best served by."""
    return settings.strategy or schema.strategy


def abstention_for(schema: Schema, settings: Settings) -> float | None:
    """The empty-answer probability above which an article's items are dropped: the
    user's (1 never drops), else the schema's; None with the staged strategy, whose
    listing call has no empty answer to weigh."""
    chosen = settings.abstain_above if settings.abstain_above is not None else schema.abstain_above
    if chosen is None or chosen >= 1 or strategy_for(schema, settings) != "single":
        return None
    return chosen


def relevance_required(schema: Schema, settings: Settings) -> float | None:
    """The relevance below which an article is not read: the user's (0 reads every
    article), else the schema's; None when the schema has no relevance classifier."""
    if schema.relevance is None:
        return None
    return settings.min_relevance if settings.min_relevance is not None else schema.min_relevance


def _why_not_read(article: Article, schema: Schema, settings: Settings) -> str | None:
    """Why the article is not read, or None when it is to be read."""
    if schema.relevance is None or not (required := relevance_required(schema, settings)):
        return None
    relevance = schema.relevance.probability(article.text)
    if relevance is None or relevance >= required:
        return None
    return (
        f"not read: the relevance classifier gave this article a {relevance:.1%} chance of "
        f"reporting an incident, under the {required:.1%} required"
    )


def needs_log_probabilities(schema: Schema, settings: Settings) -> bool:
    """Whether the model must report log-probabilities: only to abstain (`abstention_for`)."""
    return abstention_for(schema, settings) is not None


def prompt_version(schema: Schema, settings: Settings) -> str:
    """The versions of every template a run uses, e.g. ``list_incidents@1+incident@1``,
    then the thresholds that decide which articles are read (``muc4@3+relevance@0.4``,
    ``relevance@0`` when every article is read): they change results as much as a
    prompt does, and a batch store or an `eval run` folder keys its results on this."""
    strategy = strategy_for(schema, settings)
    names = [] if strategy == "staged" else [schema.one_call_prompt]
    if strategy != "single":
        names += [schema.list_prompt, schema.fill_prompt]
        names += [schema.figures_prompt] if schema.figures_prompt else []
    names = list(dict.fromkeys(names))  # adaptive without a one-call prompt: the fill's once
    if settings.require_grounding:
        names.append(REGROUND_PROMPT)
    parts = [load_prompt(name).id for name in names]
    if (required := relevance_required(schema, settings)) is not None:
        parts.append(f"relevance@{required:g}")
    if (abstain_above := abstention_for(schema, settings)) is not None:
        parts.append(f"abstain@{abstain_above:g}")
    return "+".join(parts)


def _list_model(item_model: type[BaseModel]) -> type[BaseModel]:
    """A wrapper asking for every incident at once (the ``single`` strategy)."""
    return create_model(
        f"{item_model.__name__}List",
        incidents=(list[item_model], Field(max_length=MAX_INCIDENTS)),  # type: ignore[valid-type]
    )


@dataclass(frozen=True)
class Focus:
    """One incident for a fill call: its name and every sentence the listing gave for it."""

    what: str
    quotes: tuple[str, ...]


def _grouped(mentions: list[IncidentMention]) -> list[Focus]:
    """The listing's mentions, one `Focus` per incident name, in order of first mention.

    A listing names an incident once per sentence telling of it: the barrage, then a
    president's later toll for it, both "missile strike in Ukraine". Filling each alone
    loses the second source's figures (or makes a second record of one incident); shown
    together, one fill sees every figure and who gave it. A quote listed twice counts once.
    """
    quotes: dict[str, dict[str, None]] = {}
    names: dict[str, str] = {}
    for mention in mentions:
        key = normalise(mention.what)
        names.setdefault(key, mention.what)
        quotes.setdefault(key, {})[mention.quote] = None
    return [Focus(names[key], tuple(group)) for key, group in quotes.items()]


@dataclass(frozen=True)
class Extraction:
    """One article's extraction: what every step of its path reads, and the usage they
    add to."""

    article: Article
    schema: Schema
    llm: LLMClient
    settings: Settings
    usage: Usage
    published: date | None


def _fill_all(
    run: Extraction, strategy: Strategy, variables: dict[str, Any], warnings: list[str]
) -> list[tuple[BaseModel, tuple[str, ...]]]:
    """Ask the model for the schema's items; each with the listing's quotes for it, the
    first of which anchors it (none with the ``single`` strategy).

    In one call (``single``), none when the model gives an empty answer more than
    `abstain_above` of its weight (the first tokens of its answer, read first): a small
    model fills templates for nearly every article, but its doubt still tells articles
    without an incident from the others. The fill is then not asked for."""
    schema, llm, usage = run.schema, run.llm, run.usage
    abstain_above = abstention_for(schema, run.settings)
    fill = load_prompt(schema.fill_prompt)
    if strategy == "single":
        one_call = load_prompt(schema.one_call_prompt)
        model, messages = _list_model(schema.item_model), one_call.messages(**variables, focus=None)
        if abstain_above is not None:
            empty = llm.empty_list_weight(model, messages, usage)
            if empty is not None and empty > abstain_above:
                warnings.append(
                    f"not filled: the model gave {empty:.1%} of its weight to no incident, "
                    f"more than the {abstain_above:.1%} allowed"
                )
                return []
        answer = llm.extract(model, messages, usage)
        return [(item, ()) for item in answer.incidents]  # type: ignore[attr-defined]
    listing = llm.extract(
        IncidentList, load_prompt(schema.list_prompt).messages(**variables), usage
    )
    incidents = _grouped(listing.incidents)
    if len(incidents) < len(listing.incidents):
        warnings.append(
            f"the listing gave {len(listing.incidents)} sentences for {len(incidents)} "
            "incidents; each incident was filled once, from all of its sentences"
        )
    items = []
    for focus in incidents:
        item = llm.extract(schema.item_model, fill.messages(**variables, focus=focus), usage)
        if schema.figures_prompt and len(focus.quotes) > 1:
            read = passages(variables["article"], focus.quotes)
            try:
                item = recount(item, focus.what, read, schema.figures_prompt, llm, usage)
            except ExtractionError as exc:
                # A second look that fails costs the article nothing: the fill stands.
                warnings.append(f"figures of {focus.what!r} not read again: {exc}")
        items.append((item, focus.quotes))
    return items


@dataclass(frozen=True)
class Reading:
    """One item the model gave, and where in the whole article it was found."""

    item: BaseModel
    anchor: Span | None  # the listing's first quote, else the part of the article read
    read: str  # the text the model read
    passages: tuple[tuple[int, int], ...]  # the paragraphs the listing's quotes stand in


def _read(run: Extraction, strategy: Strategy, warnings: list[str]) -> list[Reading]:
    """The model's items for the article, part by part if it is long, each placed in the
    whole article (`Reading`)."""
    article, schema = run.article, run.schema
    chunks = split(article.text, run.settings.chunk_chars, CHUNK_OVERLAP)
    if len(chunks) > 1:
        warnings.append(f"the article was read in {len(chunks)} overlapping parts")
    items: list[Reading] = []
    for chunk in chunks:
        variables = {"article": chunk.text, "fields": schema.field_guide()}
        # Without a listing quote, the chunk itself anchors the values: a sentence that
        # the article repeats is taken where the model read it.
        unquoted = Span(chunk.start, chunk.end, "none") if len(chunks) > 1 else None
        found = _fill_all(run, strategy, variables, warnings)
        for item, quotes in found:
            # The quotes are looked up in the whole article, nearest to their chunk.
            spans = [align(quote, article.text, near=chunk.start) for quote in quotes]
            passages = tuple(
                paragraph(article.text, span.start) for span in spans if span.start is not None
            )
            anchor = spans[0] if spans else unquoted
            items.append(Reading(item, anchor, chunk.text, tuple(dict.fromkeys(passages))))
    return items


def extract(
    article: Article,
    schema: Schema,
    llm: LLMClient,
    *,
    published: date | None,
    settings: Settings,
) -> Document:
    """Run the whole path for one article and return its `Document`; without `published`,
    the date of the article's dateline, if it has one with a year, resolves "on Friday".

    An article over ``settings.chunk_chars`` is read in overlapping parts (`_text.chunking`);
    every value is still grounded against the whole article, so offsets index its full
    text. With ``settings.require_grounding``, a record holding values the article does
    not contain gets one more call asking for the article's words for them
    (`regrounding`); what is still not found is then removed, with a warning naming it.
    """
    started = time.perf_counter()
    published = published or find_dateline(article.text)
    run = Extraction(article, schema, llm, settings, Usage(), published)
    if not_read := _why_not_read(article, schema, settings):
        found = Records([], [not_read])
    else:
        strategy = strategy_for(schema, settings)
        found = _records(run, "single" if strategy == "adaptive" else strategy)
        if strategy == "adaptive" and len(found.records) > 1:
            # The first reading's records and warnings give way to the stages' reading.
            again = _records(run, "staged")
            again.warnings.insert(
                0,
                f"one call found {len(found.records)} incidents; the article was read "
                "again in stages, one call per incident",
            )
            found = again
    return Document(
        source=article.source,
        article_id=article.digest,
        schema=schema.name,
        model=llm.model,
        prompt_version=prompt_version(schema, settings),
        published=published,
        records=found.records,
        usage=run.usage,
        seconds=time.perf_counter() - started,
        warnings=found.warnings,
        looked_up=found.looked_up,
        grounded=found.grounded,
    )


@dataclass
class Records:
    """One reading's records, what it warned of, and its grounding tally (`Document`'s)."""

    records: list[BaseModel]
    warnings: list[str]
    looked_up: int = 0
    grounded: int = 0

    def add(self, record: BaseModel | None, context: Context) -> None:
        """One item's record (None: no record) with what its `Context` warned of and found."""
        if record is not None:
            self.records.append(record)
        self.warnings.extend(context.warnings)
        self.looked_up += context.looked_up
        self.grounded += context.found


def _records(run: Extraction, strategy: Strategy) -> Records:
    """One reading of the article with `strategy`: the model's items, each grounded and
    normalised (`Schema.finalize`), word-for-word repeats dropped, then combined
    (`Schema.combine`)."""
    warnings: list[str] = []
    items = _read(run, strategy, warnings)
    if not items:
        warnings.append("the model found no incident in this article")
    found = Records([], warnings)
    seen: set[str] = set()
    for reading in items:
        key = reading.item.model_dump_json()
        if key in seen:
            warnings.append("dropped a record that repeated an earlier one word for word")
            continue
        seen.add(key)
        found.add(*_finalized(run, reading, f"{run.article.digest}-{len(found.records) + 1}"))
    combined = run.schema.combine(found.records, run.article.text)
    if len(combined) < len(found.records):
        warnings.append(
            f"{len(found.records) - len(combined)} record(s) merged into others or dropped "
            "as not reportable"
        )
    found.records = combined
    return found


def _finalized(
    run: Extraction, reading: Reading, record_id: str
) -> tuple[BaseModel | None, Context]:
    """The record of one item (`Schema.finalize`), asked again for the article's words
    when `settings.require_grounding` and some are missing, and the `Context` that holds
    its warnings and grounding tally."""
    text, published = run.article.text, run.published
    where = {"anchor": reading.anchor, "passages": reading.passages}
    context = Context(text, published, record_id, **where)
    record = run.schema.finalize(reading.item, context)
    if run.settings.require_grounding and context.missing:
        item = reground(reading.item, context.missing, reading.read, run.llm, run.usage)
        context = Context(text, published, record_id, **where, strict=True)
        record = run.schema.finalize(item, context)
    return record, context
