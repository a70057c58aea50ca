"""Which records a reader asked for: one filter for the API's records and the review queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class RecordFilter:
    """Event or sub-event type, country (any case), a date range, a review state; None:
    any. A record without a date is kept only when no date bound is asked."""

    event_type: str | None = None
    country: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    review: str | None = None

    @property
    def asks_nothing(self) -> bool:
        return not any((self.event_type, self.country, self.date_from, self.date_to, self.review))

    def keeps(self, record: dict[str, Any]) -> bool:
        if self.review and record["review"]["state"] != self.review:
            return False
        types = {record.get("event_type"), record.get("sub_event_type")}
        if self.event_type and self.event_type not in types:
            return False
        place = record.get("location") or {}
        if self.country and (place.get("country") or "").casefold() != self.country.casefold():
            return False
        return self._dated_within(record)

    def _dated_within(self, record: dict[str, Any]) -> bool:
        if not (self.date_from or self.date_to):
            return True
        start = (record.get("date") or {}).get("start")
        if not start:
            return False
        day = date.fromisoformat(start[:10])
        return (not self.date_from or day >= self.date_from) and (
            not self.date_to or day <= self.date_to
        )
