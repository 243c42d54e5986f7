"""Export a million rows from a generated database and watch the process's memory while it runs.

    .venv/bin/python benchmarks/export.py
        --database-url postgres://postgres@127.0.0.1:5432/mh_gen_10m [--rows 1000000]
        [--kind demands] [--paths stream csv-job xlsx-job]

It reuses a database written by benchmarks/generate.py and takes the latest period holding about
ROWS demands (or events), then runs each path as the auditors' pages do:

- stream: the CSV the export page streams (csv_lines, as StreamingHttpResponse sends it), read to
  the end as a client would;
- csv-job, xlsx-job: the background export (export_job_run, as the worker runs it), which writes
  the file in chunks and counts its rows.

A thread reads the resident memory (VmRSS) every 0.2 s. For each path it prints the rows, the
time, rows a second, and the memory before, after a tenth of the time, at the end and at the
highest: memory that stays flat is memory that does not grow with the rows. The baseline is the
resident memory before the first row, in the same run."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """Resident memory every `every` seconds while the export runs."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every, self.samples, self.running = every, [], True

    def run(self) -> None:
        started = time.perf_counter()
        while self.running:
            self.samples.append((time.perf_counter() - started, rss_mb()))
            time.sleep(self.every)

    def stop(self) -> list[tuple[float, float]]:
        self.running = False
        self.join()
        return self.samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mh_gen_1m")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=("demands", "events"), default="demands")
    parser.add_argument("--paths", nargs="+", choices=("stream", "csv-job", "xlsx-job"), default=["stream", "csv-job"])
    args = parser.parse_args()

    from benchmarks.scratch import empty_database

    media = tempfile.mkdtemp(prefix="export-bench-")
    empty_database(args.database_url, CELERY_BROKER_URL="", MEDIA_ROOT=media)
    from django.utils import timezone

    from assessment.export_jobs import export_job_run
    from assessment.exports import csv_lines, source_for
    from assessment.figures import AuditFilters
    from assessment.models import ExportJob, ExportStatus
    from demands.models import Demand, DemandEvent
    from departments.models import Membership, Role

    model, moment = (Demand, "submitted_at") if args.kind == "demands" else (DemandEvent, "created_at")
    latest = model.objects.order_by(f"-{moment}").values_list(moment, flat=True).first()
    start = model.objects.order_by(f"-{moment}").values_list(moment, flat=True)[args.rows - 1 : args.rows].first()
    if latest is None or start is None:
        raise SystemExit(f"The database holds fewer than {args.rows:,} {args.kind}: generate more.")
    filters = AuditFilters(date_from=timezone.localdate(start), date_to=timezone.localdate(latest))
    auditor = Membership.objects.filter(role=Role.AUDITOR).select_related("user").first()
    if auditor is None:
        raise SystemExit("The sample district's auditor account is missing.")
    print(f"{args.kind} from {filters.date_from} to {filters.date_to}")
    print(
        f"{'path':10} {'rows':>10} {'seconds':>8} {'rows/s':>8} {'RSS MB: before':>15} {'at 10%':>7} {'end':>7} {'peak':>7}"
    )

    for path in args.paths:
        before = rss_mb()
        sampler = Sampler()
        sampler.start()
        started = time.perf_counter()
        if path == "stream":
            rows = -1  # the header line
            for line in csv_lines(source_for(args.kind, filters), language="zh-hans"):
                rows += line.count("\n")  # a quoted text may hold line breaks: close enough for a rate
        else:
            fmt = path.removesuffix("-job")
            job = ExportJob.objects.create(
                kind=args.kind, format=fmt, filters=filters.to_json(), language="zh-hans", requested_by=auditor.user
            )
            job = export_job_run(job_id=job.pk)
            assert job is not None and job.status == ExportStatus.DONE, job and job.error
            rows = job.rows_done
            job.file.delete(save=False)
        seconds = time.perf_counter() - started
        samples = sampler.stop()
        tenth = [mb for at, mb in samples if at >= seconds / 10][:1] or [before]
        peak = max([mb for _, mb in samples] + [before])
        print(
            f"{path:10} {rows:10,} {seconds:8.1f} {rows / seconds:8,.0f} {before:15.0f} {tenth[0]:7.0f} "
            f"{samples[-1][1]:7.0f} {peak:7.0f}",
            flush=True,
        )
        later = [mb for at, mb in samples if at >= seconds / 10]
        if len(later) > 2:
            print(f"{'':10} RSS from a tenth of the time on: median {statistics.median(later):.0f} MB, "
                  f"spread {max(later) - min(later):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
