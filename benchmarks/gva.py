"""The default ``incident`` path against a naive one-call baseline on GVA articles, in one run.

    python benchmarks/gva.py --out runs/gva-bench [--limit 30] [--offset 0]
        [--data ../shared/data/gva/dev.jsonl] [--threads 1]

Each article of the slice is extracted by each setup in turn, so both see the same
machine load (on the embedded model, the baseline on a server of its own, so that each
server's prompt cache holds its own setup's instructions):

- ``pipeline``: the ``incident`` schema as `summarizer eval run --schema incident` runs
  it (its strategy, prompts, grounding and honesty rules);
- ``baseline``: one instructor call per article on a flat model (type, date, city,
  state, killed and injured as integers, an evidence sentence), the generic prompt any
  user's schema gets, and the answer taken at its word: what a user writing the
  obvious program gets.

Both are `eval run` folders under ``--out`` (resumable: run the same command again
after an interruption), scored by `summarizer._scoring.gva`. Prints JSON lines, then a Markdown
table for docs/benchmarks.md. Compare ratios, not absolute times across days.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from summarizer import Settings
from summarizer._llm.connect import connect
from summarizer._scoring.gva import CHECKS
from summarizer.schemas._base import Context, Schema
from summarizer.schemas._incident import (
    EVENT_TYPE,
    Count,
    EventDate,
    Grounded,
    Incident,
    Location,
    SubEventType,
)
from summarizer.schemas._registry import resolve_schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
from muc4 import _own_client, _table, costs, run_interleaved, summarized  # a sibling script

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "gva" / "dev.jsonl"


class NaiveIncident(BaseModel):
    """What the naive baseline asks for: one flat record, counts as integers."""

    sub_event_type: SubEventType = Field(description="the kind of incident")
    date: str | None = Field(description="the day it happened, YYYY-MM-DD, or null")
    city: str | None = Field(description="the city or town where it happened")
    state: str | None = Field(description="the state or region")
    killed: int | None = Field(description="how many people were killed")
    injured: int | None = Field(description="how many people were injured")
    evidence: str = Field(description="the sentence of the article that reports it")


def _day(written: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(written or "")
    except ValueError:
        return None


def _count(number: int | None) -> Count | None:
    if number is None:
        return None
    return Count(low=number, best=number, high=number, qualifier="exact", text=None, claims=[])


def _taken_at_its_word(draft: BaseModel, context: Context) -> Incident:
    """The baseline's answer as an `Incident`, nothing checked; only its evidence is looked
    up in the article, to count evidence sentences that are not the article's words."""
    assert isinstance(draft, NaiveIncident)
    found = draft.evidence in context.text
    context.tally(found, draft.evidence)
    start = context.text.index(draft.evidence) if found else None
    day = _day(draft.date)
    return Incident(
        id=context.record_id,
        event_type=EVENT_TYPE[draft.sub_event_type],
        sub_event_type=draft.sub_event_type,
        summary=draft.evidence,
        modality="asserted",
        date=EventDate(text=draft.date, start=day, end=day, precision="day" if day else "unknown"),
        location=Location(text=None, place=draft.city, admin1=draft.state, country=None),
        perpetrators=[], targets=[], victims=[], weapons=[],
        killed=_count(draft.killed),
        injured=_count(draft.injured),
        evidence=Grounded(
            text=draft.evidence, start=start,
            end=None if start is None else start + len(draft.evidence),
            alignment="exact" if found else "none",
        ),
    )  # fmt: skip


BASELINE = Schema(
    name="incident",
    item_model=NaiveIncident,
    record_model=Incident,
    fill_prompt="generic",
    finalize=_taken_at_its_word,
    strategy="single",
)


def _summary(name: str, metrics: dict[str, Any], article_tokens: dict[str, int]) -> dict[str, Any]:
    score = metrics["score"]
    return {
        "config": name,
        "documents": metrics["documents"],
        **{check: f"{100 * score[check]:.0f}%" for check in CHECKS},
        "state_where_written": f"{100 * score['state_where_written']:.0f}%",
        "state_written": score["state_written"],
        "records_per_article": score["records_per_article"],
        "evidence_not_in_article": score["evidence_not_in_article"],
        "values_from_prompt": score["values_from_prompt"],
        "figures_outside_passage": score["figures_outside_passage"],
        "errors": len(metrics["errors"]),
        **costs(metrics, article_tokens),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    settings = Settings.load(threads=args.threads)
    pipeline = resolve_schema("incident")
    llm = connect(settings)
    configs = {
        "baseline": (BASELINE, replace(settings, strategy="single"), _own_client(settings, llm)),
        "pipeline": (pipeline, settings, llm),
    }
    run_interleaved(configs, args)
    rows, _ = summarized(configs, args, settings, _summary)
    ratio = rows[1]["median_seconds"] / rows[0]["median_seconds"]
    print(json.dumps({"median_time_ratio_pipeline_over_baseline": round(ratio, 2)}))
    print()
    print(_table(rows))


if __name__ == "__main__":
    main()
