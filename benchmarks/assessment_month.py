"""Time the auditors' month over a generated database: the stored month and the daily figures
against the live queries.

    .venv/bin/python benchmarks/assessment_month.py
        --database-url postgres://postgres@127.0.0.1:5432/mh_gen_1m [--repeat 7] [--rebuild-from 2026-10-01]

It reuses a database written by benchmarks/generate.py (it does not regenerate it; it applies any
migrations not yet applied), runs `manage.py rebuild_daily_figures` once (timed), then times,
REPEAT times each, the last closed month's figures: assessment.rates.rate_rows by department and by
each other dimension, assessment.ranking.ranking, and the auditors' ranking page through Django's
test Client logged in as the sample district's auditor. Each is timed three ways in the same run:
as served (the month's stored rows, assessment/monthly.py, which the rebuild wrote), summed from
the daily figures (the stored rows hidden), and computed live from the case tables (rate_rows and
ranking given `now`: the baseline), printing medians, 90th percentiles and the ratios to the
stored month. The page has no live switch: it is timed stored and from the days."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.percentiles import percentile  # noqa: E402


def measure(repeat: int, work: Callable[[], Any]) -> tuple[float, float]:
    """Median and 90th percentile (nearest rank) of `repeat` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return statistics.median(ordered), percentile(ordered, 90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mh_gen_1m")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--live-repeat", type=int, help="runs of the live baseline (default: --repeat)")
    parser.add_argument(
        "--rebuild-from",
        type=date.fromisoformat,
        help="rebuild the daily figures from this day through today only (default: every day)",
    )
    parser.add_argument("--skip-rebuild", action="store_true", help="read the days an earlier run built")
    args = parser.parse_args()

    from benchmarks.scratch import empty_database

    empty_database(args.database_url, ALLOWED_HOSTS="testserver,127.0.0.1,localhost", CELERY_BROKER_URL="")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from assessment import daily, monthly
    from assessment.figures import AuditFilters
    from assessment.models import DailyFiguresWatermark
    from assessment.ranking import ranking
    from assessment.rates import Dimension, build_month, rate_rows
    from assessment.tasks import refresh_daily_figures
    from demands.models import Demand

    print(f"database: {Demand.objects.count():,} demands")
    started = time.perf_counter()
    moment = timezone.now()
    if args.skip_rebuild:
        print("rebuild_daily_figures: skipped (the days built before are read)")
    elif args.rebuild_from:
        call_command("rebuild_daily_figures", date_from=args.rebuild_from, date_to=timezone.localdate())
    else:
        call_command("rebuild_daily_figures")
    if args.rebuild_from or args.skip_rebuild:
        # A rebuild of a range leaves the watermark alone, and without one no day is read from
        # the table. Set it where a whole rebuild would have (its start): the days built are
        # then read, the days never built are still counted from the cases.
        DailyFiguresWatermark.objects.update_or_create(pk=1, defaults={"through": moment})
    print(f"rebuild_daily_figures: {time.perf_counter() - started:.1f} s")

    today = timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    month = AuditFilters(date_from=last_day.replace(day=1), date_to=last_day)
    print(
        f"month: {month.date_from} to {month.date_to}; {args.repeat} runs each "
        f"({args.live_repeat or args.repeat} of the live baseline); ms median / p90"
    )

    client = Client()
    client.force_login(get_user_model().objects.get(username="auditor"))
    page_url = reverse("audit-ranking")
    page_query = {"date_from": month.date_from.isoformat(), "date_to": month.date_to.isoformat()}

    def page() -> None:
        response = client.get(page_url, page_query)
        assert response.status_code == 200, response.status_code

    # What the workers' periodic refresh does: rebuild the days touched since the watermark (in a
    # generated database no sweep stamps the deadlines that passed since it was written, so their
    # days count as touched) and store the closed months of those days.
    started = time.perf_counter()
    refreshed = refresh_daily_figures()
    print(f"refresh_daily_figures: {refreshed} days in {time.perf_counter() - started:.1f} s")
    # A rebuild of a range stores no month (its watermark was set only above): store it here.
    started = time.perf_counter()
    stored = monthly.stored_rows(month, Dimension.DEPARTMENT) is not None or build_month(month.date_from)
    # The ranking compares the month with the one before it, which the workers stored when it closed.
    before = AuditFilters(
        date_from=(month.date_from - timedelta(days=1)).replace(day=1), date_to=month.date_from - timedelta(days=1)
    )
    if monthly.stored_rows(before, Dimension.DEPARTMENT) is None:
        build_month(before.date_from)
    print(f"the month's stored rows: {'current' if stored else 'NOT current'} ({time.perf_counter() - started:.1f} s)")
    from_table, from_cases = daily.split_period(month, timezone.now())
    print(
        f"days of the month read from the daily figures: {len(from_table)}, counted from the cases: {len(from_cases)}"
    )

    # The live path: given `now`, rate_rows (and ranking through it) count every day from the cases.
    # The days' path: the month's stored rows hidden, as before they were stored.
    def from_days(work: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with mock.patch("assessment.monthly.stored_rows", return_value=None):
                return work()

        return run

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any] | None]] = [
        (
            f"rate_rows by {dimension.value}",
            _bind(rate_rows, month, dimension),
            _bind(_live, rate_rows, month, dimension),
        )
        for dimension in Dimension
    ]
    cases.append(("ranking", _bind(ranking, month), _bind(_live, ranking, month)))
    cases.append(("auditors' ranking page", page, None))
    print(f"{'':30} {'stored month':>18} {'daily figures':>18} {'live':>18} {'days/month':>10} {'live/month':>10}")
    for label, served, live in cases:
        # As the workers keep it: just refreshed (deadlines keep passing in a generated database
        # where no sweep runs, touching days of the month, which are then counted from the cases).
        refresh_daily_figures()
        month_median, month_p90 = measure(args.repeat, served)
        days_median, days_p90 = measure(args.repeat, from_days(served))
        line = f"{label:30} {month_median:8.1f} / {month_p90:7.1f} {days_median:8.1f} / {days_p90:7.1f}"
        if live is not None:
            live_median, live_p90 = measure(args.live_repeat or args.repeat, live)
            line += f" {live_median:8.1f} / {live_p90:7.1f}"
        else:
            line += f" {'':18}"
        line += f" {days_median / month_median:9.1f}x"
        if live is not None:
            line += f" {live_median / month_median:9.1f}x"
        print(line, flush=True)


def _bind(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: function(*args)


def _live(function: Callable[..., Any], *args: Any) -> Any:
    from django.utils import timezone

    return function(*args, now=timezone.now())


if __name__ == "__main__":
    main()
