"""Quality, speed and cost of the pipeline against a naive baseline, in one run.

    python benchmarks/muc4.py --out runs/bench [--limit 100] [--offset 0] [--abstain-above P]
        [--min-relevance P]
        [--data ../shared/data/muc4/dev.jsonl] [--strategy S] [--threads 2]
        [--throughput 20] [--no-seed] [--no-ungrounded]

On a fixed MUC-4 slice (default: the first 100 dev documents, the TST1 half), each
document is extracted by each setup in turn, so all see the same machine load (on the
embedded model, the baseline on a server of its own, so that each server's prompt
cache holds its own setup's instructions, as in a run of one setup):

- ``pipeline``: the ``muc4`` schema as `summarizer eval run` runs it (its own prompt,
  grounding, span trimming, role checks, template merging);
- ``baseline``: one instructor call per article with the same draft schema and model,
  the generic prompt any user's schema gets, and the answer taken at its word;
- ``ungrounded``: the pipeline's calls with the answer taken at its word (no grounding,
  trimming, role checks or merging): F1 before grounding. It runs right after the
  pipeline on the same document, so the server's prompt cache makes it cost little
  more than the answer's tokens; its time is not a cost of anything users run.

Both are `eval run` folders under ``--out`` (resumable: run the same command again after
an interruption). Then the seed article goes through the default ``incident`` schema
once per strategy, and with ``--throughput N`` the first N documents of the slice go
through `summarize_many` at 1 and then 2 workers. Prints JSON lines, then a Markdown
table for docs/benchmarks.md. Compare ratios, not absolute times across days: these
machines vary about threefold in speed.
"""

from __future__ import annotations

import argparse
import atexit
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
from pydantic import BaseModel

from summarizer import Settings, summarize
from summarizer._eval.runner import run_eval
from summarizer._extract.pipeline import needs_log_probabilities
from summarizer._llm.client import LLMClient
from summarizer._llm.connect import client_for_server, connect
from summarizer._llm.local_server import LocalServer, shared_server
from summarizer.schemas._base import Context, Schema
from summarizer.schemas._muc4 import ROLE_OF_FIELD, Template, TemplateDraft, locate
from summarizer.schemas._registry import resolve_schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import measure  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "muc4" / "dev.jsonl"
SEED = ROOT / "seeds" / "belgorod_strike.txt"


def _taken_at_its_word(draft: BaseModel, context: Context) -> Template:
    """The model's answer as a template: every string a filler, nothing checked (but each
    is looked up, for the share of fillers found in the article)."""
    assert isinstance(draft, TemplateDraft)
    for name in ROLE_OF_FIELD:
        for value in getattr(draft, name):
            context.tally(locate(value, context) is not None, value)
    return Template(
        incident_type=draft.incident_type,
        **{
            role: [[value] for value in getattr(draft, name) if value.strip()]
            for name, role in ROLE_OF_FIELD.items()
        },
    )


BASELINE = Schema(
    name="muc4",
    item_model=TemplateDraft,
    record_model=Template,
    fill_prompt="generic",
    finalize=_taken_at_its_word,
    strategy="single",
)


def _own_client(settings: Settings, llm: LLMClient) -> LLMClient:
    """For the embedded model, a client of a second server: llama.cpp keeps the prompt
    prefix of its last call in cache, so each setup gets a server of its own, as a run
    of one setup over many documents would (the pipeline's long instructions are then
    read once, not once per document). Elsewhere, `llm` itself."""
    if not settings.embedded:
        return llm
    server = LocalServer(
        settings.model_file, threads=settings.embedded_threads, context_size=settings.context_size
    ).start()
    atexit.register(server.stop)
    return client_for_server(server, settings)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _article_tokens(settings: Settings, texts: list[str]) -> list[int]:
    """Each text's length in the embedded model's tokens (llama-cpp-python's extras API)."""
    server = shared_server(settings)
    root = server.base_url.removesuffix("/v1")
    headers = {"Authorization": f"Bearer {server.api_key}"}
    return [
        httpx2.post(
            f"{root}/extras/tokenize/count", json={"input": text}, headers=headers, timeout=60
        ).json()["count"]
        for text in texts
    ]


def costs(metrics: dict[str, Any], article_tokens: dict[str, int]) -> dict[str, Any]:
    """Seconds, calls and tokens per document of an `eval run`'s metrics; how many times
    over the model was fed the article's tokens."""
    rows = [r for r in metrics["per_document"] if r["seconds"] is not None]
    seconds = [r["seconds"] for r in rows]
    fed = sum(r["prompt_tokens"] or 0 for r in rows) / sum(article_tokens[r["id"]] for r in rows)
    return {
        "median_seconds": round(statistics.median(seconds), 1),
        "p95_seconds": round(_percentile(seconds, 0.95), 1),
        "median_llm_calls": statistics.median(r["llm_calls"] or 0 for r in rows),
        "llm_calls": round(statistics.mean(r["llm_calls"] or 0 for r in rows), 2),
        "prompt_tokens": round(statistics.mean(r["prompt_tokens"] or 0 for r in rows)),
        "completion_tokens": round(statistics.mean(r["completion_tokens"] or 0 for r in rows)),
        "article_fed_times": round(fed, 2),
    }


def _summary(name: str, metrics: dict[str, Any], article_tokens: dict[str, int]) -> dict[str, Any]:
    # An article the relevance classifier turns away costs no call and about no time.
    read = [r["seconds"] for r in metrics["per_document"] if r["llm_calls"]]
    return {
        "config": name,
        "prompt_version": metrics["prompt_version"],
        "documents": metrics["documents"],
        "precision": round(100 * metrics["score"]["precision"], 1),
        "recall": round(100 * metrics["score"]["recall"], 1),
        "f1": round(100 * metrics["score"]["f1"], 1),
        "failures_to_see": metrics["failures_to_see"],
        "false_alarms": metrics["false_alarms"],
        "errors": len(metrics["errors"]),
        "fillers_in_article": metrics["grounding"]["rate"],
        "documents_read": len(read),
        "median_seconds_read": round(statistics.median(read), 1) if read else None,
        **costs(metrics, article_tokens),
    }


def _seed(settings: Settings) -> list[dict[str, Any]]:
    """The seed through the default schema, once per strategy."""
    rows = []
    for strategy in ("staged", "single"):
        doc = summarize(
            SEED.read_text(encoding="utf-8"),
            published="2023-12-30",
            settings=replace(settings, strategy=strategy),
            source=str(SEED),
        )
        rows.append(
            {
                "config": f"seed, incident schema, {strategy}",
                "seconds": round(doc.seconds, 1),
                "prompt_tokens": doc.usage.prompt_tokens,
                "completion_tokens": doc.usage.completion_tokens,
                "llm_calls": doc.usage.llm_calls,
                "records": len(doc.records),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _peak_rss_mib(pid: int | None) -> int | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


Config = tuple[Schema, Settings, LLMClient]
Summary = Callable[[str, dict[str, Any], dict[str, int]], dict[str, Any]]


def run_interleaved(configs: dict[str, Config], args: argparse.Namespace) -> None:
    """Each document of the slice by each setup in turn (`eval run` folders under
    ``args.out``, resumable), so that all see the same machine load."""
    started = time.perf_counter()
    for i in range(args.limit):
        for name, (schema, config, client) in configs.items():
            run_eval(args.data, args.out / name, schema=schema, llm=client, settings=config,
                     limit=1, offset=args.offset + i)  # fmt: skip
        print(f"{i + 1}/{args.limit} documents, {time.perf_counter() - started:.0f} s", flush=True)


def summarized(
    configs: dict[str, Config], args: argparse.Namespace, settings: Settings, summary: Summary
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each setup's `summary` of its scored slice (printed as a JSON line), and the slice."""
    docs = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    docs = docs[args.offset : args.offset + args.limit]
    counts = _article_tokens(settings, [d["text"] for d in docs])
    tokens = dict(zip([d["id"] for d in docs], counts, strict=True))
    rows = []
    for name, (schema, config, client) in configs.items():
        metrics = run_eval(args.data, args.out / name, schema=schema, llm=client, settings=config,
                           limit=args.limit, offset=args.offset)  # fmt: skip
        rows.append(summary(name, metrics, tokens))
        print(json.dumps(rows[-1]), flush=True)
    return rows, docs


def _table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--strategy", choices=("staged", "single"), default=None)
    parser.add_argument("--abstain-above", type=float, default=None,
                        help="the pipeline's threshold (default: the schema's)")  # fmt: skip
    parser.add_argument("--min-relevance", type=float, default=None,
                        help="the pipeline's relevance needed (default: the schema's)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--throughput", type=int, default=0, metavar="N")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--no-ungrounded", action="store_true")
    args = parser.parse_args()

    settings = Settings.load(threads=args.threads)
    pipeline = resolve_schema("muc4")
    ungrounded = replace(BASELINE, fill_prompt=pipeline.fill_prompt,
                         list_prompt=pipeline.list_prompt)  # fmt: skip
    pipeline_settings = Settings.load(
        threads=args.threads, strategy=args.strategy or pipeline.strategy,
        abstain_above=args.abstain_above, min_relevance=args.min_relevance,
    )  # fmt: skip
    llm = connect(settings, log_probabilities=needs_log_probabilities(pipeline, pipeline_settings))
    configs = {
        "baseline": (BASELINE, replace(settings, strategy="single"), _own_client(settings, llm)),
        "pipeline": (pipeline, pipeline_settings, llm),
        "ungrounded": (ungrounded, pipeline_settings, llm),
    }
    if args.no_ungrounded:
        del configs["ungrounded"]
    run_interleaved(configs, args)
    rows, docs = summarized(configs, args, settings, _summary)
    ratio = rows[1]["median_seconds"] / rows[0]["median_seconds"]
    print(json.dumps({"median_time_ratio_pipeline_over_baseline": round(ratio, 2),
                      "f1_gain": round(rows[1]["f1"] - rows[0]["f1"], 1)}))  # fmt: skip

    seed = [] if args.no_seed else _seed(settings)
    memory = {
        "threads": settings.embedded_threads if settings.embedded else None,
        "program_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server_peak_rss_mib": _peak_rss_mib(shared_server(settings).pid)
        if settings.embedded
        else None,
    }
    print(json.dumps(memory), flush=True)

    throughput = []
    if args.throughput:
        articles = [{"id": d["id"], "text": d["text"]} for d in docs[: args.throughput]]
        for workers in (1, 2):
            throughput.append(measure(articles, workers, "muc4", pipeline_settings))
            print(json.dumps(throughput[-1]), flush=True)

    print()
    for table in (rows, seed, [memory], throughput):
        if table:
            print(_table(table), end="\n\n")


if __name__ == "__main__":
    main()
