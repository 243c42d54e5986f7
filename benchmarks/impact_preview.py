"""How long the impact preview of a draft list takes over many recent demands (issue 20: 20,000
demands, a quarter of a real district, in under a minute).

    .venv/bin/python benchmarks/impact_preview.py [--demands 20000] [--runs 3] [--history 3200] [--messages CSV]

In a throwaway SQLite database (or DATABASE_URL when set): loads the sample district, trains the
router on up to HISTORY hand-labelled public messages (routing/sample_data, texts from
../shared/data/messages.csv) as a district's past cases, makes a draft that moves one matter to
another department, and writes DEMANDS demands of the past month whose texts are the public
messages (each made unique, so no run finds a text already segmented). Then it times
preview_impact over them, with the text segmentation cache emptied before each run, and prints
the median of the runs (wall and CPU time) and the demands per second."""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"
LABELS = ROOT / "benchmarks" / "data" / "message_labels.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--history", type=int, default=3_200, help="past cases the router learns from")
    parser.add_argument("--messages", type=Path, default=MESSAGES)
    args = parser.parse_args()
    if not args.messages.exists():
        sys.exit(f"{args.messages} is not here; no demand texts to preview.")
    from benchmarks.scratch import sample_district

    sample_district()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from demands.models import Demand
    from departments.models import Department
    from responsibility_lists.models import Matter
    from responsibility_lists.selectors import version_in_force
    from responsibility_lists.services import matter_save, version_create_draft
    from routing.impact import preview_impact
    from routing.models import HistoricalCase
    from routing.text import forget_words
    from routing.training import train_and_activate

    messages = list(csv.DictReader(args.messages.open(encoding="utf-8")))
    by_id = {m["source_id"]: m for m in messages}

    labels = list(csv.DictReader(LABELS.open(encoding="utf-8")))[: args.history]
    departments = {d.name: d for d in Department.objects.all()}
    for name in {r["department"] for r in labels} - set(departments):
        departments[name] = Department.objects.create(code=f"B{len(departments)}", name=name, kind="functional")
    HistoricalCase.objects.bulk_create(
        HistoricalCase(title=by_id[r["source_id"]]["title"], content=by_id[r["source_id"]]["body"],
                       department=departments[r["department"]])
        for r in labels
        if r["source_id"] in by_id
    )  # fmt: skip
    started = time.perf_counter()
    model = train_and_activate(note="benchmark")
    print(f"model trained on {model.sample_count if model else 0} past cases in {time.perf_counter() - started:.0f} s")

    maintainer = User.objects.get(username="maintainer")
    baseline = version_in_force()
    draft = version_create_draft(actor=maintainer)
    noise = Matter.objects.get(version=draft, code="PS-0201-001")  # construction noise at night
    matter_save(
        version_id=draft.pk, actor=maintainer, code=noise.code, category_id=noise.category_id,
        lead_department=Department.objects.get(code="SHJ"), assisting_ids=[],
    )  # fmt: skip

    now = timezone.now()
    started = time.perf_counter()
    Demand.objects.bulk_create(
        (
            Demand(
                tracking_number=f"BENCH-{i:06d}",
                query_code_hash="-",
                citizen_name="测试",
                citizen_phone="13800000000",
                title=m["title"][:100],
                # Each text unique: the router segments each one afresh, as it would new demands.
                content=f"{m['body']}（编号{i}）",
                submitted_at=now - timedelta(minutes=i * 2),
            )
            for i, m in ((i, messages[i % len(messages)]) for i in range(args.demands))
        ),
        batch_size=2000,
    )
    print(f"{args.demands} demands written in {time.perf_counter() - started:.0f} s; "
          f"draft V{draft.number} against V{baseline.number} ({baseline.matters.count()} matters)")  # fmt: skip

    # Wall time is what the maintainer waits; CPU time is the work done, which other processes
    # on a busy machine do not inflate.
    times, cpu_times = [], []
    for run in range(args.runs):
        forget_words()
        started, cpu_started = time.perf_counter(), time.process_time()
        report = preview_impact(draft=draft, baseline=baseline, since=now - timedelta(days=90))
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        print(f"run {run + 1}: {times[-1]:.1f} s ({cpu_times[-1]:.1f} s CPU), {report.total} demands previewed"
              f"{' (truncated)' if report.truncated else ''}, {len(report.moved)} would move")  # fmt: skip
    median, cpu_median = statistics.median(times), statistics.median(cpu_times)
    print(f"impact preview of {report.total} demands: median {median:.1f} s ({cpu_median:.1f} s CPU), "
          f"{report.total / median:.0f} demands/s")  # fmt: skip


if __name__ == "__main__":
    main()
