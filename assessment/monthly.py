"""The monthly figures (月度汇总): a closed calendar month's rate rows per dimension, stored once the
daily figures of every day of it are built (assessment.models.MonthlyFigures).

Why: the daily figures make a month's counts a sum over its days, but the median and the 90th
percentile of the working times cannot be summed: ranking them exactly reads every case's hours
(at city scale, some 400,000 a month per measure), which is most of a page's time. The month an
auditor, a report or a leader asks for is nearly always a calendar month and its predecessor, so
those are worked out once, after the days they come from, and read as one row.

A month's row is read only while it is as new as its days: every day of the month read from the
daily figures (daily.split_period: built, and untouched since the last refresh or within the
tolerance) and none rebuilt after the month was. Otherwise the figures come from the days, as
before; they are never stale. The rows are built by rates.build_month, which the refresh and the
rebuild command call for the closed months whose days they rebuilt."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Max

from assessment.figures import AuditFilters
from assessment.models import DailyFiguresDay, MonthlyFigures


def month_of(day: date) -> AuditFilters:
    last = calendar.monthrange(day.year, day.month)[1]
    return AuditFilters(date_from=day.replace(day=1), date_to=day.replace(day=last))


def is_calendar_month(filters: AuditFilters) -> bool:
    return filters.date_from.day == 1 and month_of(filters.date_from).date_to == filters.date_to


def closed_months(days: Iterable[date], today: date) -> list[date]:
    """The first days of the months holding `days` that have ended by `today`."""
    return sorted({day.replace(day=1) for day in days if month_of(day).date_to < today})


def stored_rows(filters: AuditFilters, dimension: str) -> list[dict[str, Any]] | None:
    """The month's stored rows of `dimension`, if `filters` is a whole calendar month with no
    department or street chosen and its row is as new as every one of its days; else None. The
    caller has checked that every day of the period is read from the daily figures."""
    if filters.department_ids or filters.street_ids or not is_calendar_month(filters):
        return None
    stored = MonthlyFigures.objects.filter(month=filters.date_from, dimension=dimension).values_list("built_at", "rows")
    if not (found := stored.first()):
        return None
    built_at, rows = found
    newest_day = DailyFiguresDay.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to).aggregate(
        newest=Max("built_at")
    )["newest"]
    if newest_day is None or newest_day > built_at:
        return None
    return rows


def store(month: date, by_dimension: dict[str, list[dict[str, Any]]], built_at: datetime) -> None:
    for dimension, rows in by_dimension.items():
        MonthlyFigures.objects.update_or_create(
            month=month, dimension=dimension, defaults={"built_at": built_at, "rows": rows}
        )
