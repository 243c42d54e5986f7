"""Rebuild the daily figures (逐日汇总) from the cases: every day, or the days of a range.

    manage.py rebuild_daily_figures [--from 2026-11-01] [--to 2026-11-30]

The first build after installing or upgrading, and after a change of a figure's definition. The
closed months among the days rebuilt get their monthly figures again (assessment/monthly.py). The
workers keep both current afterwards (assessment.refresh_daily_figures)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from assessment.daily import rebuild
from assessment.monthly import closed_months
from assessment.rates import build_month


class Command(BaseCommand):
    help = "Rebuild the daily assessment figures from the cases (every day, or --from/--to)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last day (YYYY-MM-DD)")

    def handle(self, *args, date_from: date | None, date_to: date | None, verbosity: int, **options) -> None:
        days = None
        if date_from or date_to:
            if not (date_from and date_to):
                raise CommandError("Give both --from and --to, or neither (every day).")
            if date_to < date_from:
                raise CommandError(f"--to {date_to} is before --from {date_from}.")
            days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
        started = time.monotonic()
        rebuilt: list[date] = []
        rows = 0
        for day, day_rows in rebuild(days):
            rebuilt.append(day)
            rows += day_rows
            if verbosity > 1:
                self.stdout.write(f"{day}: {day_rows} rows")
        seconds = time.monotonic() - started
        self.stdout.write(f"Rebuilt {len(rebuilt)} days, {rows} rows, in {seconds:.1f} s.")
        started = time.monotonic()
        months = [month for month in closed_months(rebuilt, timezone.localdate()) if build_month(month)]
        seconds = time.monotonic() - started
        self.stdout.write(f"Rebuilt the figures of {len(months)} closed months in {seconds:.1f} s.")
