"""Time one full deadline sweep over a million open assignments in PostgreSQL.

    .venv/bin/python benchmarks/sweep.py [--assignments 1000000] [--due-share 0.01]
        [--database-url postgres://postgres@127.0.0.1:5432/minsheng_sweep_bench]

It (re)creates the benchmark database, migrates it, loads the sample district, seeds demands
and open assignments with SQL (generate_series), spreading deadlines so that about DUE-SHARE of
them are due for each rung, prints the query plans of the due-row queries, then times one full
sweep (every rung) and a second sweep (nothing left to do). With --phases it says where each
sweep's time went."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument(
        "--layout",
        choices=("chronological", "random"),
        default="chronological",
        help="chronological: deadlines follow dispatch order, as rows are written in a real table "
        "(due rows sit together); random: deadlines scattered over the table (the worst case)",
    )
    parser.add_argument("--batch", type=int, default=None, help="rows per locked batch (default: the sweep's)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/minsheng_sweep_bench")
    parser.add_argument("--phases", action="store_true", help="print where each sweep's time went")
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/14",
        help="where the sweep queues the notices' fan-out (as in production); '' runs it inline",
    )
    args = parser.parse_args()

    import psycopg2

    url = urlparse(args.database_url)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()

    from benchmarks.scratch import sample_district

    sample_district(args.database_url, NOTIFICATION_EMAILS="false", CELERY_BROKER_URL=args.broker_url)
    from django.db import connection
    from django.utils import timezone

    from config.encryption import encrypt
    from demands.phones import phone_hash
    from departments.models import Department
    from dispatch.services.escalation import LADDER, _due, sweep_deadlines

    departments = list(Department.objects.values_list("pk", flat=True))
    now = timezone.now()
    n, share = args.assignments, args.due_share
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO demands_demand (tracking_number, query_code_hash, channel, citizen_name, citizen_phone,
                citizen_phone_hash, citizen_address, title, content, location_text, urgency, status, submitted_at,
                updated_at, reopen_count, rating_comment, community_picked, category_hint, citizen_language,
                follow_up_count, wants_text_messages, media_url, requested_service_code, source_reference)
            SELECT 'B-' || i, '', 'web', %(name)s, %(phone)s, %(phone_hash)s, '', '基准诉求', '基准诉求内容', '',
                   'normal', 'in_progress', %(now)s - interval '10 days', %(now)s, 0, '', false, '', 'zh-hans', 0,
                   false, '', '', ''
            FROM generate_series(1, %(n)s) AS i
            """,
            # Stored as the model stores them (encrypted, and the phone's keyed hash), so that
            # reading a row back works as on a real table.
            {
                "n": n,
                "now": now,
                "name": encrypt("甲"),
                "phone": encrypt("13800000000"),
                "phone_hash": phone_hash("13800000000"),
            },
        )
        # Deadlines spread over 100 days so that about `share` of the rows are due for each rung
        # at the moment of the sweep. In the chronological layout a row's deadline follows its
        # place in the table (rows are written in dispatch order), give or take the spread of
        # time limits (up to three weeks); in the random layout it is anywhere.
        position = "random() * 100" if args.layout == "random" else "(d.id - first.id) * 100.0 / %(n)s"
        jitter = "0" if args.layout == "random" else "(random() - 0.5) * 21"
        cursor.execute(
            f"""
            INSERT INTO dispatch_assignment (demand_id, department_id, role, status, dispatched_at, is_redispatch,
                sign_deadline, handle_deadline, warn_at, supervise_at, escalate_at)
            SELECT d.id, (%(departments)s::bigint[])[1 + (d.id %% %(k)s)], 'lead', 'signed', %(now)s - interval '10 days',
                   false, %(now)s - interval '9 days',
                   base.t, base.t - interval '2 days', base.t + interval '4 hours', base.t + interval '2 days'
            FROM demands_demand d,
                 (SELECT min(id) AS id FROM demands_demand WHERE tracking_number LIKE 'B-%%') first,
                 LATERAL (SELECT %(now)s + ({position} + {jitter} + d.id * 0 - 100 * %(share)s) * interval '1 day' AS t) base
            WHERE d.tracking_number LIKE 'B-%%'
            ORDER BY d.id
            """,
            {"departments": departments, "k": len(departments), "now": now, "share": share, "n": n},
        )
        # A real table was swept every minute before: rungs due before the last day were taken then.
        cursor.execute(
            """
            UPDATE dispatch_assignment SET
                warned_at = CASE WHEN warn_at < %(cut)s THEN warn_at END,
                overdue_at = CASE WHEN handle_deadline < %(cut)s THEN handle_deadline END,
                supervised_at = CASE WHEN supervise_at < %(cut)s THEN supervise_at END,
                escalated_at = CASE WHEN escalate_at < %(cut)s THEN escalate_at END
            WHERE handle_deadline < %(cut)s + interval '3 days'
            """,
            {"cut": now - timedelta(days=100 * share)},
        )
        cursor.execute("CHECKPOINT")
        cursor.execute("ANALYZE dispatch_assignment; ANALYZE demands_demand;")
    print(f"seeded {n:,} demands and open assignments ({args.layout} layout) in {time.perf_counter() - started:.0f} s")

    with connection.cursor() as cursor:
        for rung in LADDER:
            sql, params = _due(rung, now).order_by(rung.due, "pk").values_list("pk")[:2000].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            print(f"-- plan for {rung.action}:")
            print("\n".join("   " + row[0] for row in cursor.fetchall()))
    spent = time_phases() if args.phases else {}
    for label in ("first sweep", "second sweep"):
        started = time.perf_counter()
        taken = sweep_deadlines(now=now, **({"batch": args.batch} if args.batch else {}))
        print(f"{label}: {time.perf_counter() - started:.2f} s, taken {taken}")
        for phase, seconds in sorted(spent.items(), key=lambda item: -item[1]):
            print(f"    {phase:44} {seconds:6.2f} s")
        spent.clear()
    if args.broker_url:
        from config.celery import app

        print(f"queued fan-out tasks purged: {app.control.purge()}")


def time_phases() -> dict[str, float]:
    """Wrap the sweep's steps with timers: how long the claiming update, the events' insert, their
    sealing (locking the demands, reading the chains' heads, the HMACs) and the supervisions took
    in all. The rest of a batch is building the rows in Python, committing and queueing."""
    from collections import defaultdict

    import demands.audit_chain as chain
    import dispatch.services.escalation as escalation
    from demands.models import DemandEvent

    spent: dict[str, float] = defaultdict(float)

    def timed(phase: str, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started

        return run

    escalation._take_batch = timed("every batch, in all", escalation._take_batch)
    escalation._claim_in_sql = timed("claim: lock and stamp (UPDATE … RETURNING)", escalation._claim_in_sql)
    escalation.seal = timed("seal the events", escalation.seal)
    chain._lock_demands = timed("  of which: lock the demands", chain._lock_demands)
    chain._heads = timed("  of which: read the chains' heads", chain._heads)
    chain.row_hash = timed("  of which: HMACs", chain.row_hash)
    DemandEvent.objects.bulk_create = timed("insert the events (bulk_create)", DemandEvent.objects.bulk_create)
    escalation._open_supervisions = timed("insert the supervisions", escalation._open_supervisions)
    return spent


if __name__ == "__main__":
    main()
