"""Batch throughput on the embedded model at 1 and 2 workers, measured in one run.

    python benchmarks/throughput.py [--articles 20] [--offset 0] [--schema incident]

Takes the first N MUC-4 dev articles (../shared/data/muc4/dev.jsonl), runs them through
`summarize_many` with a fresh store at 1 worker (one llama.cpp server) and then at 2
workers (two one-thread servers), and prints articles per minute for each and their
ratio. Machines here vary about threefold in speed from day to day: compare the ratio,
not the absolute figures across days.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from summarizer import Settings, summarize_many

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "muc4" / "dev.jsonl"


def _articles(count: int, offset: int) -> list[dict[str, str]]:
    with DEV.open(encoding="utf-8") as lines:
        docs = [json.loads(line) for line in lines][offset : offset + count]
    return [{"id": doc["id"], "text": doc["text"]} for doc in docs]


def measure(
    articles: list[dict[str, str]], workers: int, schema: str, settings: Settings
) -> dict[str, float | int | str]:
    """Run `articles` with `workers` into a new store; seconds, rate and failures."""
    with tempfile.TemporaryDirectory() as store:
        started = time.perf_counter()
        outcomes = list(summarize_many(articles, store=store, workers=workers, schema=schema,
                                       settings=settings))  # fmt: skip
        seconds = time.perf_counter() - started
    return {
        "schema": schema,
        "workers": workers,
        "articles": len(outcomes),
        "failed": sum(o.status == "failed" for o in outcomes),
        "seconds": round(seconds, 1),
        "articles_per_minute": round(60 * len(outcomes) / seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--schema", default="incident")
    args = parser.parse_args()
    articles = _articles(args.articles, args.offset)
    settings = Settings.load()
    one = measure(articles, 1, args.schema, settings)
    print(json.dumps(one), flush=True)
    two = measure(articles, 2, args.schema, settings)
    print(json.dumps(two), flush=True)
    ratio = two["articles_per_minute"] / one["articles_per_minute"]
    print(json.dumps({"throughput_ratio_2_over_1": round(ratio, 2)}))


if __name__ == "__main__":
    main()
