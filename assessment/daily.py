"""The daily figures (逐日汇总): the assessment's cohorts counted once per local day × department ×
street × community × matter × demand type (assessment.models.DailyFigures), so that a month over ten million
demands is a sum over its days' rows, not a pass over half a million assignments and their
subqueries.

Built with the same definitions as the live figures (assessment/cohorts.py), so a built day and the
cases agree exactly; kept current by the workers; never trusted blindly:

- `refresh` (beat, every DAILY_FIGURES_REFRESH_SECONDS) finds the days that the changes since its
  last run touched and rebuilds them. A change is found through what every move of a case leaves:
  its audit event (one service per transition, each records one), a callback visit finished, and a
  deadline that passed (which changes "overdue now" and "sign deadline passed" with no event).
  A change to a demand touches the days its lead assignments were dispatched and its visits'
  answers went out.
- `manage.py rebuild_daily_figures` rebuilds every day (or a range): the first build, or after a
  change of definition.
- `split_period` decides, for a period being read, which days come from the table: those built and
  untouched since the last refresh. The others are computed from the cases, so the figures are
  never stale; with DAILY_FIGURES_TOLERANCE_SECONDS set, a touched day built that recently is read
  from the table all the same (at city scale, where something touches most recent days every
  minute, that keeps a page to its table reads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessment.cohorts import Group, assignment_counts, visit_counts, working_hours
from assessment.figures import AuditFilters
from assessment.models import CallbackVisit, DailyFigures, DailyFiguresDay, DailyFiguresWatermark
from demands.models import DemandEvent
from dispatch.models import Assignment, AssignmentStatus
from dispatch.querysets import open_q

# A day's row: which department, street, community and matter, read from an assignment or a visit.
# (Named apart from the model's fields, which a grouped query may not shadow.)
ROW_GROUP: Group = {
    "row_department": F("department_id"),
    "row_street": F("demand__street_id"),
    "row_community": F("demand__community_id"),
    "row_matter": F("demand__matter_id"),
    "row_demand_type": F("demand__demand_type"),
}
ROW_FIELDS = ("department_id", "street_id", "community_id", "matter_id", "demand_type")
COUNTS = (
    "received",
    "response_known",
    "responded",
    "answered",
    "on_time",
    "overdue",
    "returned",
    "redispatched",
    "reopened",
    "supervised",
    "visits_answered",
    "unreachable",
    "resolution_known",
    "solved",
    "partly",
    "satisfaction_known",
    "satisfied",
    "basically",
)
# Events are stamped when written but seen when committed: read back this far before the
# watermark, so a transaction that committed late is not missed.
COMMIT_MARGIN = timedelta(minutes=2)


def build_day(day: date, *, now: datetime | None = None) -> int:
    """Rebuild one day's rows from the cases, as they stand at `now`. Returns the number of rows."""
    now = now or timezone.now()
    filters = AuditFilters(date_from=day, date_to=day)
    rows: dict[tuple[Any, ...], DailyFigures] = {}

    def row_for(values: dict[str, Any]) -> DailyFigures:
        key = tuple(values.pop(name) for name in ROW_GROUP)
        if key not in rows:
            rows[key] = DailyFigures(day=day, **dict(zip(ROW_FIELDS, key, strict=True)), sign_hours=[], reply_hours=[])
        return rows[key]

    for values in (*assignment_counts(filters, ROW_GROUP, now), *visit_counts(filters, ROW_GROUP)):
        row = row_for(values)
        for name, count in values.items():
            setattr(row, name, count)
    for key, sign, reply in working_hours(filters, ROW_GROUP):
        if (timed := rows.get(key)) is None:
            continue
        if sign is not None:
            timed.sign_hours.append(sign)
        if reply is not None:
            timed.reply_hours.append(reply)
    with transaction.atomic():
        DailyFigures.objects.filter(day=day).delete()
        DailyFigures.objects.bulk_create(rows.values(), batch_size=2000)
        DailyFiguresDay.objects.update_or_create(day=day, defaults={"built_at": now, "rows": len(rows)})
    return len(rows)


def _local_days(queryset: QuerySet[Any], field: str) -> set[date]:
    return set(queryset.annotate(local_day=TruncDate(field)).values_list("local_day", flat=True).distinct())


def touched_days(since: datetime, until: datetime) -> set[date]:
    """The days whose rows changes in (since, until] may have changed. One query per source, each
    led by an index on the moment (an OR of them made PostgreSQL read every assignment)."""
    events = DemandEvent.objects.filter(created_at__gt=since, created_at__lte=until).values("demand_id")
    visits = CallbackVisit.objects.filter(finished_at__gt=since, finished_at__lte=until).values("demand_id")
    leads = Assignment.objects.lead()
    # Deadlines that passed with no event yet: the sweep stamps each (with an event) soon after;
    # these are the rows its partial indexes hold until then.
    sign_deadline_passed = leads.filter(
        status=AssignmentStatus.PENDING_SIGN,
        sign_overdue_at__isnull=True,
        sign_deadline__gt=since,
        sign_deadline__lte=until,
    )
    handle_deadline_passed = leads.filter(
        open_q(),
        overdue_at__isnull=True,
        paused_since__isnull=True,
        handle_deadline__gt=since,
        handle_deadline__lte=until,
    )
    days: set[date] = set()
    for changed in (events, visits):
        days |= _local_days(leads.filter(demand_id__in=changed), "dispatched_at")
        days |= _local_days(CallbackVisit.objects.filter(demand_id__in=changed), "answered_at")
    return (
        days | _local_days(sign_deadline_passed, "dispatched_at") | _local_days(handle_deadline_passed, "dispatched_at")
    )


def every_day(*, until: date | None = None) -> set[date]:
    """Every day from the first that holds part of a cohort to `until` (today), the quiet ones
    included: a quiet day built is a day read as empty rather than counted again."""
    first = [
        day
        for day in (
            Assignment.objects.lead().aggregate(first=Min(TruncDate("dispatched_at")))["first"],
            CallbackVisit.objects.aggregate(first=Min(TruncDate("answered_at")))["first"],
        )
        if day is not None
    ]
    if not first:
        return set()
    return set(_days_between(min(first), until or timezone.localdate()))


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass
class Refreshed:
    days: list[date]
    rows: int
    through: datetime


def refresh(*, now: datetime | None = None) -> Refreshed | None:
    """Rebuild the days touched since the last refresh (every day, the first time) and move the
    watermark. One refresh at a time: a second one finding the watermark locked does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        DailyFiguresWatermark.objects.get_or_create(pk=1)
        mark = DailyFiguresWatermark.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if mark is None:
            return None
        if mark.through is None:
            days = every_day(until=timezone.localdate(now))
        else:
            # The touched days, and the days begun since the last refresh (quiet ones included).
            days = touched_days(mark.through - COMMIT_MARGIN, now)
            days |= set(_days_between(timezone.localdate(mark.through) + timedelta(days=1), timezone.localdate(now)))
        rows = sum(build_day(day, now=now) for day in sorted(days))
        mark.through = now
        mark.save(update_fields=["through"])
    return Refreshed(days=sorted(days), rows=rows, through=now)


def rebuild(days: Iterable[date] | None = None, *, now: datetime | None = None) -> Iterator[tuple[date, int]]:
    """Rebuild the given days, or every day. Each day is its own transaction. A rebuild of every
    day moves the watermark to its start: every change before it is then in the table."""
    started = now or timezone.now()
    whole = days is None
    for day in sorted(every_day(until=timezone.localdate(started)) if days is None else days):
        yield day, build_day(day, now=now)
    if whole:
        DailyFiguresWatermark.objects.update_or_create(pk=1, defaults={"through": started})


def never_built(filters: AuditFilters) -> list[date]:
    built = set(
        DailyFiguresDay.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to).values_list(
            "day", flat=True
        )
    )
    return [day for day in _days_between(filters.date_from, filters.date_to) if day not in built]


def split_period(filters: AuditFilters, now: datetime) -> tuple[list[date], list[date]]:
    """(days read from the table, days computed from the cases) for the period."""
    days = _days_between(filters.date_from, filters.date_to)
    mark = DailyFiguresWatermark.objects.filter(pk=1).values_list("through", flat=True).first()
    if mark is None:
        return [], days
    built = dict(
        DailyFiguresDay.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to).values_list(
            "day", "built_at"
        )
    )
    recent = now - timedelta(seconds=settings.DAILY_FIGURES_TOLERANCE_SECONDS)
    if all(day in built and built[day] >= recent for day in days) and settings.DAILY_FIGURES_TOLERANCE_SECONDS:
        return days, []
    touched = touched_days(mark - COMMIT_MARGIN, now)
    fresh = [day for day in days if day in built and (day not in touched or built[day] >= recent)]
    stale = [day for day in days if day not in fresh]
    return fresh, stale


def runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) ranges."""
    start = previous = None
    for day in sorted(days):
        if previous is not None and day == previous + timedelta(days=1):
            previous = day
            continue
        if start is not None and previous is not None:
            yield start, previous
        start = previous = day
    if start is not None and previous is not None:
        yield start, previous


def _table(filters: AuditFilters, days: list[date]) -> QuerySet[DailyFigures]:
    rows = DailyFigures.objects.filter(day__in=days)
    if filters.department_ids:
        rows = rows.filter(department_id__in=filters.department_ids)
    if filters.street_ids:
        rows = rows.filter(street_id__in=filters.street_ids)
    return rows


def table_counts(filters: AuditFilters, days: list[date], group: Group) -> list[dict[str, Any]]:
    """The counts of the days' rows, summed per group (`group` read from a DailyFigures row)."""
    sums = {name: Sum(name) for name in COUNTS}
    return list(_table(filters, days).values(**group).annotate(**sums).order_by())


def table_hours(filters: AuditFilters, days: list[date], key: Any) -> Iterator[tuple[Any, list[float], list[float]]]:
    """Per group (per row, where the database cannot gather them): its sign and reply hours."""
    rows = _table(filters, days).filter(Q(received__gt=0))
    if not percentiles_in_database():
        yield from rows.values_list(key, "sign_hours", "reply_hours").iterator(chunk_size=5000)
        return
    # Gathered per group by PostgreSQL: one array per group instead of two JSON values per row.
    for measure in ("sign_hours", "reply_hours"):
        sql, params = rows.values(group_key=key, hours=F(measure)).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_GATHERED.format(rows=sql), params)
            for group_key, hours in cursor.fetchall():
                yield (group_key, hours, []) if measure == "sign_hours" else (group_key, [], hours)


_GATHERED = """
    SELECT t.group_key, array_agg(h.v::float8)
    FROM ({rows}) AS t CROSS JOIN LATERAL jsonb_array_elements_text(t.hours) AS h(v)
    GROUP BY t.group_key
"""


def percentiles_in_database() -> bool:
    return connection.vendor == "postgresql"


# The median as statistics.median takes it (the mean of the middle two), the 90th percentile by
# nearest rank as rates.percentile does (percentile_disc: the first value at or past the share).
_PERCENTILES = """
    SELECT t.group_key,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY h.v::float8),
           percentile_disc(0.9) WITHIN GROUP (ORDER BY h.v::float8)
    FROM ({rows}) AS t CROSS JOIN LATERAL jsonb_array_elements_text(t.hours) AS h(v)
    GROUP BY t.group_key
"""


def table_percentiles(
    filters: AuditFilters, days: list[date], key: Any
) -> list[tuple[Any, tuple[float, float] | None, tuple[float, float] | None]]:
    """Per group: (median, 90th percentile) of the sign and of the reply hours, ranked by
    PostgreSQL over the days' lists, so that a month's hours never leave the database."""
    found: dict[Any, dict[str, tuple[float, float]]] = {}
    rows = _table(filters, days).filter(received__gt=0)
    for measure in ("sign_hours", "reply_hours"):
        sql, params = rows.values(group_key=key, hours=F(measure)).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_PERCENTILES.format(rows=sql), params)
            for group_key, median, p90 in cursor.fetchall():
                found.setdefault(group_key, {})[measure] = (median, p90)
    return [(group_key, by.get("sign_hours"), by.get("reply_hours")) for group_key, by in found.items()]
