"""Probe the permission matrix of tests/access_matrix.py against a scratch database and count.

    .venv/bin/python benchmarks/probe_access.py [--database-url postgres://…/minsheng_probe]

It builds the matrix's world (the test district, a person in every role, a citizen who opened
their own demand, seven cases across two departments) in a migrated empty database (a throwaway
SQLite file unless a URL or DATABASE_URL is given; the database must be empty), then asks every
page and API operation as every actor, on the own and the other case, with GET and POST, each
attempt rolled back. It prints how many attempts were made, allowed and refused, how many answered
differently from the table, the server errors, and the leaks: a refused attempt whose answer held a
case's text or a citizen's details, or any answer that held what its reader may not read."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--show", type=int, default=20, help="how many problems to list")
    args = parser.parse_args()

    from benchmarks.scratch import empty_database

    empty_database(
        args.database_url,
        ALLOWED_HOSTS="testserver",  # the name Django's test client asks for
        NOTIFICATION_EMAILS="false",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="probe-media-"),
    )
    from django.db import connection

    from tests import access_matrix
    from tests.access_attempts import attempts
    from tests.access_world import build_world

    started = time.perf_counter()
    world = build_world(contextlib.nullcontext)
    tally: Counter[str] = Counter()
    problems: list[str] = []
    for attempt in attempts(world):
        tally["attempts"] += 1
        where = f"{attempt.method} {attempt.endpoint.key} as {attempt.actor}" + (
            f" ({attempt.subject} case)" if attempt.subject else ""
        )
        if attempt.allowed is None:
            tally["server errors"] += 1
            problems.append(f"server error {attempt.status}: {where}")
            continue
        tally["allowed" if attempt.allowed else "refused"] += 1
        if attempt.expected is not None and attempt.allowed != attempt.expected:
            tally["differ from the table"] += 1
            problems.append(f"{'allowed' if attempt.allowed else 'refused'} against the table: {where}")
        if attempt.leaks:
            tally["leaks"] += 1
            problems.append(f"leak: {where}: {', '.join(attempt.leaks)}")
    took = time.perf_counter() - started
    endpoints = access_matrix.endpoints()
    print(f"database: {connection.vendor} · URL patterns: {len(endpoints)} · actors: {len(access_matrix.ACTORS)}")
    for name in ("attempts", "allowed", "refused", "leaks", "server errors", "differ from the table"):
        print(f"{name:>22}: {tally[name]}")
    print(f"{'seconds':>22}: {took:.1f}")
    for line in problems[: args.show]:
        print("  " + line)
    unexpected = access_matrix.unexpected()
    if unexpected:
        print("URL patterns with no expectation: " + ", ".join(unexpected))
    if problems or unexpected:
        sys.exit(1)


if __name__ == "__main__":
    main()
