"""Time one article on the embedded model and print the figures the core issue asks for.

    python benchmarks/seed.py [ARTICLE] [--published YYYY-MM-DD] [--runs N]

Prints, per run: seconds, prompt and completion tokens, LLM calls, records; then the
peak resident memory of this process and of the llama.cpp server (VmHWM from /proc).
The first run includes the server's warm-up; later runs reuse the warm server.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

from summarizer import Settings, summarize
from summarizer._llm.local_server import shared_server

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "seeds" / "belgorod_strike.txt"))
    parser.add_argument("--published", default="2023-12-30")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    settings = Settings.load()
    text = Path(args.article).read_text(encoding="utf-8")
    rows = []
    for run in range(1, args.runs + 1):
        doc = summarize(text, published=args.published, settings=settings, source=args.article)
        rows.append(
            {
                "run": run,
                "seconds": round(doc.seconds, 1),
                "prompt_tokens": doc.usage.prompt_tokens,
                "completion_tokens": doc.usage.completion_tokens,
                "llm_calls": doc.usage.llm_calls,
                "records": len(doc.records),
                "warnings": len(doc.warnings),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    server = shared_server(settings) if settings.embedded else None
    print(
        json.dumps(
            {
                "threads": settings.embedded_threads if settings.embedded else None,
                "program_peak_rss_mib": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                ),
                "server_peak_rss_mib": round(_peak_rss_mib(server.pid))
                if server and server.pid
                else None,
            }
        )
    )


if __name__ == "__main__":
    main()
