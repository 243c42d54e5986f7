"""How long importing a large responsibility list takes (issue: 2,000 matters "in seconds").

    .venv/bin/python benchmarks/list_import.py [--matters 2000] [--runs 5]

Runs against DATABASE_URL when set (e.g. PostgreSQL), otherwise a throwaway SQLite file. It loads
the sample district, builds a list of N matters from the sample list (new codes, same content),
and times reading the spreadsheet and importing it as a draft, reporting the median of the runs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from benchmarks.scratch import sample_district

    sample_district()
    from responsibility_lists.list_io import read_xlsx, rows_of, write_xlsx
    from responsibility_lists.models import ListVersion
    from responsibility_lists.services import version_import

    sample = rows_of(ListVersion.objects.get(number=1))
    rows = []
    for i in range(args.matters):
        row = dict(sample[i % len(sample)])
        top, sub, seq = divmod(i, 1000)[0] + 20, (i // 100) % 10, i % 100
        row["事项编码"] = f"PS-{top:02d}{sub:02d}-{seq:03d}"
        row["事项名称"] = f"{row['事项名称']}（{i}）"
        rows.append(row)
    spreadsheet = io.BytesIO()
    write_xlsx(rows, spreadsheet)
    database = os.environ["DATABASE_URL"].split(":")[0]
    size = len(spreadsheet.getvalue()) / 1024
    print(f"{args.matters} matters, {size:.0f} KiB as XLSX, database {database}")

    read_times, import_times = [], []
    for run in range(args.runs):
        spreadsheet.seek(0)
        start = time.perf_counter()
        read_back = read_xlsx(spreadsheet)
        read_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        version_import(rows=read_back, actor=None, title=f"bench {run}")
        import_times.append(time.perf_counter() - start)
    for label, times in (("read XLSX", read_times), ("import", import_times)):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"{label + ':':11} median {statistics.median(times):.2f} s  (runs: {runs})")


if __name__ == "__main__":
    main()
