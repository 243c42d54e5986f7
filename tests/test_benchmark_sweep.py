"""The deadline sweep's benchmark (benchmarks/sweep.py) still seeds its rows and sweeps them: it
writes demands with raw SQL, so a new required column breaks it without any other test noticing
(as one did)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import scratch_database

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]


def test_the_sweep_benchmark_seeds_and_sweeps_a_small_table():
    with scratch_database("minsheng_sweep_smoke") as url:
        done = subprocess.run(
            [sys.executable, "benchmarks/sweep.py", "--assignments", "300", "--due-share", "0.05",
             "--database-url", url, "--broker-url", "", "--phases"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    first = next(line for line in done.stdout.splitlines() if line.startswith("first sweep"))
    second = next(line for line in done.stdout.splitlines() if line.startswith("second sweep"))
    assert "seeded 300 demands" in done.stdout
    assert "Action.OVERDUE: 0" not in first  # rungs were due, and taken
    assert all(f"{rung}: 0" in second for rung in ("WARN", "OVERDUE", "SUPERVISE", "ESCALATE"))
    # Where the first sweep's time went, phase by phase.
    phases = done.stdout.split(first)[1].split(second)[0]
    assert "claim: lock and stamp" in phases and "insert the events" in phases and "of which: HMACs" in phases
