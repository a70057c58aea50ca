"""The article as the review page shows it: its text cut where grounded values start and
end, each piece with the values it belongs to.

Offsets are the store's (Python code points), used on the server only: the page gets
the text already cut, so no offset crosses to the browser but a selection's, which
`summarizer._text.offsets` converts on the way back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# The roles an editor sees, each with its own colour and underline pattern (review.css).
ROLE_OF_FIELD = {
    "evidence": "evidence",
    "more_evidence": "evidence",
    "location": "place",
    "perpetrators": "actors",
    "targets": "targets",
    "victims": "victims",
    "weapons": "weapons",
    "killed": "figures",
    "injured": "figures",
}
# Which role shows when values overlap: the more specific over the sentence holding it.
PRIORITY = ("figures", "weapons", "victims", "targets", "actors", "place", "evidence")


@dataclass(frozen=True)
class Span:
    """A grounded value: where it is, which record and field it fills."""

    start: int
    end: int
    role: str
    key: str  # "record-id:field", the card's value that names it
    label: str  # "r1 place", said on hover


@dataclass(frozen=True)
class Piece:
    """A run of the article's text and the values it belongs to (none: plain text)."""

    text: str
    spans: tuple[Span, ...]

    @property
    def role(self) -> str | None:
        roles = {span.role for span in self.spans}
        return next((role for role in PRIORITY if role in roles), None)

    @property
    def keys(self) -> str:
        return " ".join(dict.fromkeys(span.key for span in self.spans))

    @property
    def label(self) -> str:
        return "; ".join(dict.fromkeys(span.label for span in self.spans))


def grounded_values(record: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(field, key suffix, value) of every value of an incident record that has offsets."""
    evidence = record.get("evidence")
    if isinstance(evidence, dict):
        yield "evidence", "evidence", evidence
    for index, value in enumerate(record.get("more_evidence") or []):
        yield "more_evidence", f"more_evidence.{index}", value
    place = (record.get("location") or {}).get("text")
    if isinstance(place, dict):
        yield "location", "place", place
    for field in ("perpetrators", "targets", "victims", "weapons"):
        for index, value in enumerate(record.get(field) or []):
            yield field, f"{field}.{index}", value
    for field in ("killed", "injured"):
        for index, claim in enumerate((record.get(field) or {}).get("claims") or []):
            yield field, f"{field}.{index}", claim


def spans_of(records: list[tuple[str, dict[str, Any]]], length: int) -> list[Span]:
    """The spans of every (record id, record) whose offsets fall inside the text."""
    spans = []
    for record_id, record in records:
        for field, suffix, value in grounded_values(record):
            start, end = value.get("start"), value.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
                label = f"{record_id} {suffix.replace('.', ' ')}"
                spans.append(Span(start, end, ROLE_OF_FIELD[field], f"{record_id}:{suffix}", label))
    return spans


def pieces(text: str, spans: list[Span]) -> list[Piece]:
    """`text` cut at every span's start and end; joined again, the pieces are `text`."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    return [
        Piece(text[a:b], tuple(s for s in spans if s.start <= a and b <= s.end))
        for a, b in pairwise(cuts)
        if a < b
    ]
