"""The Ray engine against the local engine, measured in one run on a fake model.

    python benchmarks/scale.py [--articles 480] [--latency 0.2] [--actors 1 2 4]
                             [--requests-per-actor 8]

The fake model (`tests/batch_fakes.py`, one strike per article, two calls an article on
the default staged path) runs in its own process on loopback and answers each request
after `--latency` seconds. For each actor count A, in the same run:
1. the local engine (`summarize_many`, threads sharing one client) with A x R workers;
2. `extract_dataset` with A actors x R requests (rows read on the driver);
3. the batch's Ray engine (`Batch` with `RayWorkers`: rows written to the store as
   `summarizer batch --engine ray` does).
Prints for each: seconds to the first article (Ray: actors starting, each importing
summarizer) and to the last; articles/min over the whole run and steady (from the
first quarter of the articles out to the last, what a long run gets); the steady rate
as a ratio to 1 actor and to the local engine; the time Ray adds per article (its whole
run minus the local one, over the articles). Then the cluster's start, and the peak
resident memory of the driver and of the biggest actor.
Run from the repository's folder with the ``ray`` extra installed.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ray
import ray.data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Settings, summarize_many  # noqa: E402
from summarizer._batch.inputs import Reader  # noqa: E402
from summarizer._batch.runner import Batch  # noqa: E402
from summarizer.ray import extract_dataset  # noqa: E402
from summarizer.ray._engine import WINDOW, RayWorkers  # noqa: E402
from summarizer.schemas._registry import resolve_schema  # noqa: E402
from tests.batch_fakes import MODEL, article  # noqa: E402

FAKE = """
import sys, time
sys.path.insert(0, {root!r})
from tests.batch_fakes import FakeEndpoint, served
with served(FakeEndpoint(delay={latency})) as url:
    print(url, flush=True)
    time.sleep(10**6)
"""


class ActorMemory:
    """The peak resident memory of Ray's map actors, read from /proc while they run."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ActorMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            for process in Path("/proc").glob("[0-9]*"):
                try:
                    if b"MapWorker" not in (process / "cmdline").read_bytes():
                        continue
                    status = (process / "status").read_text()
                except OSError:
                    continue  # gone meanwhile
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))


@dataclass
class Run:
    """One engine's run: seconds to its first article, to a quarter of them and to the
    last, and the articles done."""

    first: float = 0.0
    quarter: float = 0.0
    seconds: float = 0.0
    done: int = 0

    def per_minute(self, count: int) -> float:
        return count / self.seconds * 60

    def steady_per_minute(self, count: int) -> float:
        """Articles/min from the first quarter out to the last: actors long started and
        rows flowing, what a long run gets."""
        return (count - count // 4) / (self.seconds - self.quarter) * 60


def timed(statuses: Iterable[str], count: int) -> Run:
    run = Run()
    started = time.perf_counter()
    for number, status in enumerate(statuses, start=1):
        run.first = run.first or time.perf_counter() - started
        if number == count // 4:
            run.quarter = time.perf_counter() - started
        run.done += status == "done"
    run.seconds = time.perf_counter() - started
    return run


def local_engine(texts: list[str], settings: Settings, workers: int) -> Iterator[str]:
    for outcome in summarize_many(texts, settings=settings, workers=workers):
        yield outcome.status


def dataset_engine(
    texts: list[str], settings: Settings, actors: int, requests: int
) -> Iterator[str]:
    ds = ray.data.from_items([{"id": str(n), "text": text} for n, text in enumerate(texts)])
    rows = extract_dataset(ds, settings=settings, actors=actors, requests_per_actor=requests)
    for row in rows.iter_rows():
        yield row["status"]


def batch_engine(texts: list[str], settings: Settings, actors: int, requests: int) -> Iterator[str]:
    schema = resolve_schema("incident")
    reader = Reader(settings.max_article_chars)

    def spread(schema, settings, window):  # the CLI's factory, on the running cluster
        return RayWorkers.start(None, actors, requests, schema, settings, window)

    with (
        tempfile.TemporaryDirectory() as folder,
        Batch.open(Path(folder), schema, settings, workers=WINDOW, spread=spread) as run,
    ):
        for outcome in run.run(reader.objects(texts)):
            yield outcome.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=480)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--requests-per-actor", type=int, default=8)
    options = parser.parse_args()
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE.format(root=str(ROOT), latency=options.latency)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert fake.stdout is not None
    base_url = fake.stdout.readline().strip()
    settings = Settings(base_url=base_url, model=MODEL, transport_retries=0, reasks=0)
    started = time.perf_counter()
    ray.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.data.DataContext.get_current().enable_progress_bars = False
    print(f"Ray cluster started in {time.perf_counter() - started:.1f} s "
          f"({ray.cluster_resources().get('CPU', 0):.0f} CPUs)")  # fmt: skip
    requests = options.requests_per_actor
    print(f"{options.articles} articles, {options.latency * 1000:.0f} ms a request, "
          f"2 requests an article, {requests} requests per actor\n")  # fmt: skip
    print(
        f"{'actors':>6} {'in flight':>9} {'engine':<16} {'first s':>7} {'s':>6} "
        f"{'art/min':>8} {'steady':>8} {'vs 1 actor':>10} {'vs local':>9} {'+ms/art':>8}"
    )
    first: dict[str, float] = {}
    memory = ActorMemory()
    try:
        with memory:
            for actors in options.actors:
                measure(options.articles, actors, requests, settings, first)
    finally:
        ray.shutdown()
        fake.kill()
    driver_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory: driver {driver_mib:.0f} MiB, one actor {memory.peak_kib / 1024:.0f} MiB")


def measure(
    count: int, actors: int, requests: int, settings: Settings, first: dict[str, float]
) -> None:
    """One line per engine at `actors` x `requests` in flight."""
    in_flight = actors * requests
    offset = actors * 100_000  # new texts for every run: nothing comes from a store
    texts = [article(offset + n) for n in range(count)]
    local = timed(local_engine(texts, settings, in_flight), count)
    runs = [("local threads", local)]
    for name, engine in (("extract_dataset", dataset_engine), ("batch on Ray", batch_engine)):
        runs.append((name, timed(engine(texts, settings, actors, requests), count)))
    for name, run in runs:
        assert run.done == count, f"{name}: {run.done} of {count} done"
        rate, steady = run.per_minute(count), run.steady_per_minute(count)
        first.setdefault(name, steady)
        added = (run.seconds - local.seconds) / count * 1000
        print(f"{actors:>6} {in_flight:>9} {name:<16} {run.first:>7.1f} {run.seconds:>6.1f} "
              f"{rate:>8.0f} {steady:>8.0f} {steady / first[name]:>9.2f}x "
              f"{steady / local.steady_per_minute(count):>8.2f}x {added:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
