"""The page and export benchmarks (benchmarks/pages.py, benchmarks/export.py) still run on a database
the generator wrote: they read the generated cases through the pages and the exports, so a page
that stops answering 200 over generated data, or an export that stops finishing, breaks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import require_redis, scratch_database

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated_url():
    with scratch_database("minsheng_pages_smoke") as url:
        _run("benchmarks/generate.py", "--demands", "800", "--database-url", url)
        yield url


def _run(*command: str) -> str:
    done = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _timed_pages(out: str) -> dict[str, list[float]]:
    header = out.index("page ")
    rows = [line.rsplit(None, 5) for line in out[header:].splitlines()[1:] if line.strip()]
    return {name.strip(): [float(value) for value in values] for name, *values in rows}


def test_every_page_answers_over_generated_cases(generated_url):
    pages = _timed_pages(_run("benchmarks/pages.py", "--database-url", generated_url, "--requests", "2"))
    assert {"inbox", "desk triage", "desk supervised", "case page", "assignment page", "tracking page"} <= set(pages)
    assert all(values[-1] > 0 for values in pages.values())  # each page ran its queries


def test_pages_read_the_kept_figures(generated_url):
    require_redis()
    out = _run(
        "benchmarks/pages.py", "--database-url", generated_url, "--requests", "2",
        "--page-figures-max-age", "60", "--only", "inbox", "desk",
    )  # fmt: skip
    assert "workers' refresh of the kept figures" in out
    pages = _timed_pages(out)
    assert "inbox" in pages and "desk overdue" in pages and "case page" not in pages


def test_exports_finish_with_their_memory_reported(generated_url):
    out = _run(
        "benchmarks/export.py", "--database-url", generated_url, "--rows", "300", "--paths", "stream", "csv-job",
    )  # fmt: skip
    stream = next(line for line in out.splitlines() if line.startswith("stream"))
    job = next(line for line in out.splitlines() if line.startswith("csv-job"))
    # At least the rows asked for (the period is whole days), each path the same rows.
    assert int(stream.split()[1].replace(",", "")) >= 300
    assert stream.split()[1] == job.split()[1]
