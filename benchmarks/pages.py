"""Time the staff and citizen pages people open all day, over a generated database.

    .venv/bin/python benchmarks/pages.py
        --database-url postgres://postgres@127.0.0.1:5432/mh_gen_10m [--requests 200] [--explain]

It reuses a database written by benchmarks/generate.py (applying any migrations not yet applied)
and requests, through Django's test Client in this process (no web server: the time is the
server's own work, database included), REQUESTS times each:

- the department inbox (/workbench/) of the handler whose department has the most open cases;
- each of the dispatch desk's queues (/desk/?queue=…, with every queue's count) as a dispatcher;
- a case page (/desk/demands/<number>/) for a different demand each time, as the dispatcher;
- the handler's page of one assignment (/workbench/<id>/), a different one each time;
- the citizen's tracking page (/track/<number>/) for a different demand each time, the session
  having opened it with its query code.

It prints, per page, the median, 90th and 99th percentiles and the worst, in milliseconds, and the
SQL statements one request runs. With --explain it prints the plans of the statements that took
longest in one request of each page (EXPLAIN ANALYZE), which is what an index has to change; with
--profile N, each page's N functions that took the most time of their own (cProfile).

With --page-figures-max-age SECONDS the desk's counts and the inbox's figures are read as the
workers keep them at city scale (PAGE_FIGURES_MAX_AGE_SECONDS, dispatch/recent_figures.py), from
Redis (--cache-url) as in production; it first times the workers' refresh that counts them."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mh_gen_1m")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="+", default=[], help="time only the pages whose names start so")
    parser.add_argument("--page-figures-max-age", type=int, default=0, help="seconds; 0 counts on every visit")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="after timing, print each page's N costliest functions"
    )
    args = parser.parse_args()

    from benchmarks.percentiles import percentile
    from benchmarks.scratch import empty_database

    empty_database(
        args.database_url,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        CELERY_BROKER_URL="",
        PAGE_FIGURES_MAX_AGE_SECONDS=str(args.page_figures_max_age),
    )
    if args.page_figures_max_age:
        keep_figures(args.cache_url)
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demands.models import Demand
    from demands.workflow import OPEN_STATUSES
    from departments.models import Membership, Role
    from dispatch.desk_queues import QUEUE_KEYS
    from dispatch.models import Assignment
    from dispatch.views.citizen import SESSION_KEY

    rng = random.Random(args.seed)
    print(f"database: {Demand.objects.count():,} demands, {Assignment.objects.count():,} assignments")
    open_assignments = Assignment.objects.filter(demand__status__in=OPEN_STATUSES, finished_at__isnull=True)
    busiest = (
        open_assignments.values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("department_id", "n")
    ).first()
    if busiest is None:
        raise SystemExit("The database has no open assignments: generate one with benchmarks/generate.py.")
    handler = Membership.objects.filter(department_id=busiest[0], role=Role.HANDLER).select_related("user").first()
    dispatcher = Membership.objects.filter(role=Role.DISPATCH_OFFICER).select_related("user").first()
    if handler is None or dispatcher is None:
        raise SystemExit("The sample district's handler and dispatcher accounts are missing.")
    print(f"inbox: {handler.user.username} of department {busiest[0]} ({busiest[1]:,} open cases)")

    # Cases spread over the whole table: a case page is opened for old and new cases alike.
    last_id = Demand.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample_ids = sorted({rng.randrange(1, last_id + 1) for _ in range(args.requests * 3)})
    numbers = list(Demand.objects.filter(pk__in=sample_ids).values_list("pk", "tracking_number"))
    rng.shuffle(numbers)
    assignment_ids = list(
        open_assignments.filter(department_id=busiest[0]).order_by("?").values_list("pk", flat=True)[: args.requests]
    )

    if args.page_figures_max_age:
        from dispatch.recent_figures import refresh

        started = time.perf_counter()
        departments = refresh()
        print(
            f"workers' refresh of the kept figures: {time.perf_counter() - started:.2f} s ({departments} departments)"
        )

    staff, officer, citizen = Client(), Client(), Client()
    staff.force_login(handler.user)
    officer.force_login(dispatcher.user)
    session = citizen.session
    session[SESSION_KEY] = [pk for pk, _ in numbers]
    session.save()

    def cycling(items: list, build: Callable) -> Callable[[int], str]:
        return lambda i: build(items[i % len(items)])

    pages: list[tuple[str, Client, Callable[[int], str]]] = [("inbox", staff, lambda i: "/workbench/")]
    pages += [(f"desk {key}", officer, lambda i, key=key: f"/desk/?queue={key}") for key in QUEUE_KEYS]
    pages += [
        ("case page", officer, cycling(numbers, lambda n: f"/desk/demands/{n[1]}/")),
        ("assignment page", staff, cycling(assignment_ids, lambda pk: f"/workbench/{pk}/")),
        ("tracking page", citizen, cycling(numbers, lambda n: f"/track/{n[1]}/")),
    ]
    print(
        f"{'page':22} {'median':>8} {'p90':>8} {'p99':>8} {'worst':>8} {'queries':>8}   (ms, {args.requests} requests)"
    )
    for name, client, url in pages:
        if args.only and not name.startswith(tuple(args.only)):
            continue
        assert client.get(url(0)).status_code == 200, f"{name}: {url(0)} did not answer 200"
        with CaptureQueriesContext(connection) as queries:
            client.get(url(1))
        # Read now: the log is a window on the connection's, which the next request empties.
        captured = list(queries.captured_queries)
        times = []
        for i in range(args.requests):
            started = time.perf_counter()
            response = client.get(url(i))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, f"{name}: {url(i)} answered {response.status_code}"
        ordered = sorted(times)
        print(
            f"{name:22} {statistics.median(ordered):8.1f} {percentile(ordered, 90):8.1f} "
            f"{percentile(ordered, 99):8.1f} {ordered[-1]:8.1f} {len(captured):8d}",
            flush=True,
        )
        if args.explain:
            explain_slowest(connection, captured)
        if args.profile:
            profile(client, [url(i) for i in range(args.requests)], args.profile)


def keep_figures(cache_url: str) -> None:
    """The cache as production has it (Redis), emptied of what an earlier run kept."""
    from django.core.cache import cache
    from django.test.utils import override_settings

    override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}}
    ).enable()
    cache.clear()


def profile(client, urls: list[str], top: int) -> None:
    """Where a page's time goes in Python: the functions that took the most time of their own
    (database waits show as the driver's `execute`)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(lambda: [client.get(url) for url in urls])
    stats = pstats.Stats(profiler)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(top)


def explain_slowest(connection, captured: list[dict], top: int = 2) -> None:
    for query in sorted(captured, key=lambda q: -float(q["time"]))[:top]:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(f"      {row[0]}" for row in cursor.fetchall())
        print(f"    {query['time']} s: {sql[:300]}\n{plan}")


if __name__ == "__main__":
    main()
