"""Editors' decisions on records, applied: what each record is now, and its state.

A decision is one row of the store's append-only ``reviews`` table, on one record of one
result (the article's text, schema, prompt version and model: a result made again with
another prompt starts unreviewed). A record's state, from its decisions:

- ``unreviewed``: none yet;
- ``accepted``: the last decision accepts the model's record as it is;
- ``edited``: an editor changed it (accepting it afterwards keeps it ``edited``);
- ``added``: an editor made it ("add incident"), the model did not;
- ``rejected``: the last decision rejects it (a later accept or edit takes it back).

Its value is the last decision's record (``after``), else the model's. Exports use
these values and give each record its state; ``reviewed_only`` keeps the accepted,
edited and added ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from summarizer._batch.store import ExportedResult, Review, Store
from summarizer._errors import InputError, field_errors

ReviewState = Literal["unreviewed", "accepted", "edited", "added", "rejected"]
Decision = Literal["accept", "reject", "edit", "add"]
# The states a desk may publish (`reviewed_only`).
APPROVED: frozenset[ReviewState] = frozenset({"accepted", "edited", "added"})


@dataclass(frozen=True)
class ReviewedRecord:
    """A record as it stands: its value now, its state, and every decision on it."""

    record_id: str
    value: dict[str, Any]
    state: ReviewState
    model_value: dict[str, Any] | None
    history: list[Review]

    def summary(self) -> dict[str, Any]:
        """The record's review as exports give it."""
        last = self.history[-1] if self.history else None
        return {
            "state": self.state,
            "reviewer": last.reviewer if last else None,
            "at": last.created_at if last else None,
            "reason": last.reason if last and last.decision == "reject" else None,
        }


def _state(history: list[Review]) -> ReviewState:
    if not history:
        return "unreviewed"
    if history[-1].decision == "reject":
        return "rejected"
    if history[0].decision == "add":
        return "added"
    if any(review.decision == "edit" for review in history):
        return "edited"
    return "accepted"


def reviewed_records(document: dict[str, Any], reviews: Iterable[Review]) -> list[ReviewedRecord]:
    """The document's records with their decisions, then the records editors added."""
    own = [
        r for r in reviews
        if (r.prompt_version, r.model) == (document["prompt_version"], document["model"])
    ]  # fmt: skip
    by_record: dict[str, list[Review]] = {}
    for review in own:
        by_record.setdefault(review.record_id, []).append(review)
    model_records = {record_key(record, n): record for n, record in enumerate(document["records"])}
    ids = list(model_records) + [i for i in by_record if i not in model_records]
    return [_reviewed(i, model_records.get(i), by_record.get(i, [])) for i in ids]


def record_key(record: dict[str, Any], index: int) -> str:
    """A record's id, or its place for a schema whose records carry none."""
    return str(record.get("id") or f"#{index + 1}")


def _reviewed(
    record_id: str, model_value: dict[str, Any] | None, history: list[Review]
) -> ReviewedRecord:
    decided = [review.after for review in history if review.after is not None]
    value = decided[-1] if decided else model_value
    assert value is not None  # an added record's first decision holds it
    return ReviewedRecord(record_id, value, _state(history), model_value, history)


def with_reviews(
    results: Iterable[ExportedResult], store: Store, *, reviewed_only: bool = False
) -> Iterator[ExportedResult]:
    """Each result with its records as reviewed, each carrying its ``review``; with
    `reviewed_only`, only the approved ones (an article left with none still counts)."""
    for result in results:
        reviews = store.reviews(result.article_id, result.content_key, result.document["schema"])
        records = [
            {**record.value, "review": record.summary()}
            for record in reviewed_records(result.document, reviews)
            if not reviewed_only or record.state in APPROVED
        ]
        yield dataclasses.replace(result, document={**result.document, "records": records})


def checked_record(value: Any, record_model: type[BaseModel], record_id: str) -> dict[str, Any]:
    """An edited record validated against the schema's record model, keeping its id;
    `InputError` naming each field that does not fit, one per line."""
    if not isinstance(value, dict):
        raise InputError("the record must be a JSON object")
    try:
        record = record_model.model_validate({**value, "id": record_id})
    except ValidationError as exc:
        raise InputError("\n".join(field_errors(exc.errors(), whole="record"))) from None
    return record.model_dump(mode="json")
