"""Routing latency and throughput over the shared public messages (../shared/data/messages.csv).

    .venv/bin/python benchmarks/routing.py [--messages 2000] [--repeat 3]

In a throwaway SQLite database with the sample district: routes the messages with the list
alone, then with a learned model trained on the hand-labelled set (benchmarks/data), one
process on one core. Prints the median and 99th percentile per demand and demands per second.
Each run starts with no text segmented, as each live demand is new."""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
LABELS = ROOT / "benchmarks" / "data" / "message_labels.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not MESSAGES.exists():
        sys.exit(f"{MESSAGES} is not here; nothing to route.")
    from benchmarks.scratch import sample_district

    sample_district(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")  # always a database of its own
    from departments.models import Department
    from responsibility_lists.selectors import version_in_force
    from routing.models import HistoricalCase
    from routing.router import route
    from routing.text import forget_words
    from routing.training import train_and_activate

    messages = list(csv.DictReader(MESSAGES.open(encoding="utf-8")))[: args.messages]
    version = version_in_force()

    labels = {r["source_id"]: r["department"] for r in csv.DictReader(LABELS.open(encoding="utf-8"))}
    departments = {d.name: d for d in Department.objects.all()}
    for name in set(labels.values()) - set(departments):
        departments[name] = Department.objects.create(code=f"B{len(departments)}", name=name, kind="functional")
    bodies = {m["source_id"]: m for m in csv.DictReader(MESSAGES.open(encoding="utf-8"))}
    HistoricalCase.objects.bulk_create(
        HistoricalCase(title=bodies[i]["title"], content=bodies[i]["body"], department=departments[label])
        for i, label in labels.items()
        if i in bodies
    )
    start = time.perf_counter()
    model = train_and_activate(note="benchmark")
    training_seconds = time.perf_counter() - start

    print(f"{len(messages)} messages, list V{version.number} ({version.matters.count()} matters)")
    print(f"model {model.version} trained on {model.sample_count} cases in {training_seconds:.1f} s")
    for label, routing_model in (("list only", None), ("list + model", model)):
        route(title="预热", content="预热", location_text="", version=version, model=routing_model)
        for run in range(args.repeat):
            forget_words()  # every demand's text is new to the router: its segmentation is timed
            times = []
            began = time.perf_counter()
            for m in messages:
                t = time.perf_counter()
                route(title=m["title"], content=m["body"], location_text="", version=version, model=routing_model)
                times.append((time.perf_counter() - t) * 1000)
            elapsed = time.perf_counter() - began
            times.sort()
            p99 = times[int(len(times) * 0.99) - 1]
            print(
                f"{label:>13} run {run + 1}: median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, "
                f"{len(messages) / elapsed:.0f} demands/s"
            )


if __name__ == "__main__":
    main()
