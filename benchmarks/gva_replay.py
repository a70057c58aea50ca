"""The `incident` schema's program rules measured on recorded answers, in seconds.

    python benchmarks/gva_replay.py --answers runs/gva-answers --record [--limit 30]
    python benchmarks/gva_replay.py --answers runs/gva-answers [--limit 30] [--offset 0]
        [--data ../shared/data/gva/dev.jsonl] [--out scores.json]

With ``--record``, each article of the slice goes through the default `incident` path on
the embedded model (two threads) and the model's answers are kept, one cassette per
article, under ``--answers`` (`runs/` is not committed: the cassettes hold dev articles).
Without it, the same answers are replayed through the program's grounding, honesty
rules and merging as they are now, with no model and no network: a change to a rule is
measured on the very answers it will meet, and two commits compare on equal terms
(check out the older one and replay). A rule that changes how many incidents the first
reading leaves may ask for calls no cassette holds: that article is named as not
replayable and left out of the scores.

Prints the `summarizer._scoring.gva` scores (the same as `summarizer eval run`), one
line per article with what it got wrong, and the recorded calls and prompt tokens.
Quality only: time and the naive baseline are `benchmarks/gva.py`'s.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import vcr

from summarizer import Settings
from summarizer._errors import EndpointError
from summarizer._eval.runner import _extract
from summarizer._llm.connect import connect
from summarizer._llm.weights import MODEL_NAME
from summarizer._scoring import gva
from summarizer.schemas._registry import resolve_schema

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "gva" / "dev.jsonl"
# Recorded and replayed requests name this address, whatever port the server had.
REPLAY_HOST = "127.0.0.1:8080"


def _canonical_host(request: Any) -> Any:
    parts = urlsplit(request.uri)
    request.uri = urlunsplit(parts._replace(netloc=REPLAY_HOST))
    return request


def _settings(record: bool) -> Settings:
    """The embedded model when recording; the replay address, which only the cassettes
    answer, when replaying (with the embedded model's request format)."""
    if record:
        return Settings(threads=2)
    return Settings(
        base_url=f"http://{REPLAY_HOST}/v1", model=MODEL_NAME, api_key="replay",
        response_format="json_object", transport_retries=0,
    )  # fmt: skip


def _replayed(docs: list[dict[str, Any]], answers: Path, record: bool) -> dict[str, Any]:
    """Each article's records and costs, from the model (``record``) or its cassette."""
    cassettes = vcr.VCR(
        match_on=["method", "path", "body"],
        before_record_request=_canonical_host,
        filter_headers=["authorization"],
        record_mode="new_episodes" if record else "none",
    )
    settings, schema = _settings(record), resolve_schema("incident")
    llm = connect(settings)
    predicted, runs, missing = {}, [], []
    for doc in docs:
        cassette = answers / f"{doc['id']}.yaml"
        try:
            with cassettes.use_cassette(str(cassette), allow_playback_repeats=True):
                entry, records = _extract(doc, schema, llm, settings)
        except EndpointError:  # a request the cassette does not hold
            missing.append(doc["id"])
            continue
        predicted[doc["id"]] = records
        runs.append(entry)
        print(f"{doc['id']}: {len(records)} record(s), {entry['llm_calls']} call(s)", flush=True)
    return {"predicted": predicted, "runs": runs, "missing": missing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=Path, required=True)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    lines = args.data.read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines[args.offset : args.offset + args.limit]]
    args.answers.mkdir(parents=True, exist_ok=True)
    result = _replayed(docs, args.answers, args.record)
    by_id = {doc["id"]: doc for doc in docs if doc["id"] in result["predicted"]}
    golds = {doc_id: doc["events"][0] for doc_id, doc in by_id.items()}
    texts = {doc_id: doc["text"] for doc_id, doc in by_id.items()}
    scores = gva.score(golds, result["predicted"], texts)
    for doc_id, checks in scores.pop("per_article").items():
        wrong = [name for name in gva.CHECKS if not checks[name]]
        print(f"  {doc_id}: wrong {', '.join(wrong) or 'nothing'}")
    runs = result["runs"]
    scores |= {
        "articles": len(runs),
        "not_replayable": result["missing"],
        "median_calls": statistics.median(r["llm_calls"] or 0 for r in runs) if runs else None,
        "prompt_tokens": sum(r["prompt_tokens"] or 0 for r in runs),
    }
    print(json.dumps(scores))
    if args.out:
        args.out.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
