"""What the service's API takes and gives, every field described (they make `/openapi.json`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

JobState = Literal["running", "finished", "cancelled"]
ArticleStatus = Literal["extracted", "failed", "not extracted"]


class ArticleIn(BaseModel):
    """One article: its text (or a web page), and what is known about it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    text: str | None = Field(None, description="The article's plain text. Give this or `html`.")
    html: str | None = Field(
        None,
        description="A web page holding the article; its main text is read as `summarizer "
        "batch` reads an .html file. Give this or `text`.",
    )
    id: str | int | None = Field(
        None,
        description="Your id for the article (default: a hash of its text). An id given "
        "again later with another text replaces the stored text, as in `summarizer batch`.",
    )
    published: str | None = Field(
        None,
        description="Publication date, YYYY-MM-DD; resolves 'on Friday'. Default: the "
        "article's dateline, else unknown.",
    )
    source: str | None = Field(
        None,
        max_length=500,
        description="Where the article came from (a feed, an outlet), kept with it. "
        "Default: `api` for /v1/extract, `job line N` in a job.",
    )
    url: str | None = Field(
        None, description="The article's address, kept as metadata; the service never fetches it."
    )
    title: str | None = Field(None, description="The article's headline, kept as metadata.")
    schema_name: str | None = Field(
        None,
        alias="schema",
        description="The schema to extract with; the service's own (`summarizer serve "
        "--schema`) if given. Another schema needs a service started with it.",
    )

    @model_validator(mode="after")
    def _one_text(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the article as `text` or as `html`, one of the two")
        return self


class Usage(BaseModel):
    prompt_tokens: int = Field(description="Tokens sent to the model, over all calls.")
    completion_tokens: int = Field(description="Tokens the model answered, over all calls.")
    llm_calls: int = Field(description="Calls made to the model for this article.")
    seconds: float = Field(description="Time the extraction took (0 for a stored result's copy).")


class Grounding(BaseModel):
    values: int = Field(description="Values the program looked up in the article.")
    grounded: int = Field(description="Values found there, with their character offsets.")
    rate: float | None = Field(description="grounded / values; null when none was looked up.")


class DocumentOut(BaseModel):
    """The document `summarizer extract` prints: the article's records and how they were made."""

    source: str = Field(description="Where the article came from.")
    article_id: str | None = Field(description="The article's id.")
    schema_name: str = Field(alias="schema", description="The schema of the records.")
    model: str = Field(description="The model that read the article.")
    prompt_version: str = Field(description="The prompt templates and versions used.")
    published: str | None = Field(description="Publication date used, YYYY-MM-DD.")
    records: list[dict[str, Any]] = Field(
        description="The records, one per incident, each value with its character offsets "
        "in the text (Python code points); their JSON Schema is `schemas/<schema>.json` "
        "(`summarizer schema export`)."
    )
    usage: Usage = Field(description="What the extraction cost.")
    grounding: Grounding = Field(description="How many values were found in the article.")
    warnings: list[str] = Field(description="What the program dropped or doubted, and why.")


class JobFailure(BaseModel):
    position: int = Field(description="The article's place in the job, from 0.")
    article_id: str = Field(description="The article's id.")
    error: str | None = Field(description="Why it failed, on one line.")


class JobOut(BaseModel):
    """A job of many articles and where it stands."""

    id: str = Field(description="The job's id.")
    state: JobState = Field(
        description="`running` while articles wait; `finished` when each is extracted or "
        "failed; `cancelled` after DELETE (articles in flight then still finish)."
    )
    schema_name: str = Field(alias="schema", description="The schema the job extracts with.")
    created_at: str = Field(description="When the job was accepted (UTC, ISO 8601).")
    finished_at: str | None = Field(description="When it finished or was cancelled.")
    total: int = Field(description="Articles in the job.")
    counts: dict[str, int] = Field(
        description="Articles by status: pending, done (extracted now), cached (the store "
        "had the result), failed, cancelled."
    )
    remaining: int = Field(description="Articles not yet read (the pending ones).")
    eta_seconds: float | None = Field(
        description="Seconds until the rest is read, at the job's pace so far; null before "
        "the first article is done."
    )
    failures: list[JobFailure] = Field(description="The articles that failed, and why.")


class ArticleOut(BaseModel):
    """A stored article, its newest result and its status."""

    id: str = Field(description="The article's id.")
    source: str = Field(description="Where the article came from.")
    url: str | None = Field(description="Its address, as given.")
    title: str | None = Field(description="Its headline, as given or read from the page.")
    published: str | None = Field(description="Its publication date, YYYY-MM-DD.")
    text: str = Field(description="The text the records' offsets point into.")
    status: ArticleStatus = Field(description="Whether its text has a result, failed, or neither.")
    document: DocumentOut | None = Field(description="The newest result for its current text.")
    error: str | None = Field(description="The newest failure, when it failed.")


class RecordOut(BaseModel):
    article_id: str = Field(description="The article the record comes from.")
    source: str = Field(description="Where that article came from.")
    url: str | None = Field(description="That article's address, as given.")
    record: dict[str, Any] = Field(description="The record, as in the article's document.")


class RecordsPage(BaseModel):
    """One page of records, in the order their articles were first seen."""

    records: list[RecordOut] = Field(description="The records of this page.")
    next_cursor: str | None = Field(
        description="Give as `cursor` for the next page; null on the last."
    )


class Readiness(BaseModel):
    ready: bool = Field(description="Whether the service can take extractions now.")
    checks: dict[str, str] = Field(description="Each check: `ok`, or why it failed.")
