"""Hot topics (热点): how many demands each matter, category, street and community received week by
week over a period, and the weeks far above each one's own usual level (spikes).

A spike is judged against the row's own history, not the district's: ten complaints a week about
a road that usually has one is news, ten about refuse collection that usually has twelve is not.
Every table is one grouped query; Python lays the rows out on the calendar and judges the weeks."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessment.figures import AuditFilters
from demands.models import Demand
from demands.workflow import Status

# The weeks before each week that make its usual level, and how far above it a spike is.
SPIKE_HISTORY_WEEKS = 8
SPIKE_SIGMAS = 3
# Below this many demands in a week nothing is a spike: from a history of zeros, two is noise.
SPIKE_MIN_COUNT = 3
# Rows shown per table: the busiest over the period.
VOLUME_ROWS = 15


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str | Promise
    key: str  # the field the demands are grouped by
    name: str  # the field that names the group


# Matters and categories are rows of a list version; a matter keeps its code across versions and
# a category its name, so a period spanning two versions counts each once.
DIMENSIONS = (
    Dimension("matter", _("事项"), "matter__code", "matter__name"),
    Dimension("category", _("类别"), "matter__category__name", "matter__category__name"),
    Dimension("street", _("街道"), "street_id", "street__name"),
    Dimension("community", _("社区"), "community_id", "community__name"),
)
DIMENSION_BY_CODE = {d.code: d for d in DIMENSIONS}


def spike_threshold(history: Sequence[int]) -> float:
    """The count a week must reach to be a spike after these weeks: at least SPIKE_MIN_COUNT, and
    at least the mean plus three (population) standard deviations of the history."""
    if not history:
        return float(SPIKE_MIN_COUNT)
    return max(float(SPIKE_MIN_COUNT), statistics.fmean(history) + SPIKE_SIGMAS * statistics.pstdev(history))


def spike_weeks(counts: Sequence[int], *, first: int = SPIKE_HISTORY_WEEKS) -> list[int]:
    """The indexes (from `first` on) of the weeks that are spikes against the SPIKE_HISTORY_WEEKS
    weeks before each; the weeks before `first` serve as history only."""
    return [
        i
        for i in range(first, len(counts))
        if counts[i] >= spike_threshold(counts[max(0, i - SPIKE_HISTORY_WEEKS) : i])
    ]


@dataclass
class VolumeRow:
    key: Any
    name: str
    counts: list[int]  # per week of the period
    spikes: set[int] = field(default_factory=set)  # indexes into counts

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[tuple[int, bool]]:
        return [(n, i in self.spikes) for i, n in enumerate(self.counts)]


@dataclass
class Spike:
    dimension: Dimension
    key: Any
    name: str
    week: date
    count: int
    usual: float  # the mean of the weeks before
    threshold: float


@dataclass
class VolumeTable:
    dimension: Dimension
    weeks: list[date]
    rows: list[VolumeRow]
    spikes: list[Spike]


def counted_demands(filters: AuditFilters, start: datetime, end: datetime) -> QuerySet[Demand]:
    """The demands a hot topic counts: every one submitted, merged repeats included (each is one
    more person raising it), except those refused as not the platform's to handle."""
    demands = Demand.objects.filter(submitted_at__gte=start, submitted_at__lt=end).exclude(status=Status.REJECTED)
    if filters.street_ids:
        demands = demands.filter(street_id__in=filters.street_ids)
    if filters.department_ids:
        demands = demands.filter(lead_department_id__in=filters.department_ids)
    return demands


def period_weeks(filters: AuditFilters) -> list[date]:
    """The Mondays of the weeks the period touches, in order."""
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    return [first + timedelta(weeks=n) for n in range((filters.date_to - first).days // 7 + 1)]


def _weeks_without_history(first_week: date) -> int:
    """How many of the weeks from `first_week` on come before the platform has SPIKE_HISTORY_WEEKS
    weeks of record: the weeks before its first demand are no one's usual level (counted as
    zeros, every row would spike in the weeks after the platform opened), so they are not judged."""
    first = Demand.objects.aggregate(first=Min("submitted_at"))["first"]
    if first is None:
        return 0
    first_day = timezone.localtime(first).date()
    judged_from = first_day - timedelta(days=first_day.weekday()) + timedelta(weeks=SPIKE_HISTORY_WEEKS)
    return max(0, (judged_from - first_week).days // 7)


def volume_table(filters: AuditFilters, dimension: Dimension, *, limit: int = VOLUME_ROWS) -> VolumeTable:
    """One grouped query from SPIKE_HISTORY_WEEKS before the period to its end: the period's weeks
    are shown, the weeks before only judge the first weeks' spikes. The period's first and last
    weeks are counted whole (Monday to Sunday) so that every week is judged on the same footing."""
    weeks = period_weeks(filters)
    history_start = weeks[0] - timedelta(weeks=SPIKE_HISTORY_WEEKS)
    calendar = [history_start + timedelta(weeks=n) for n in range(SPIKE_HISTORY_WEEKS + len(weeks))]
    first_judged = SPIKE_HISTORY_WEEKS + _weeks_without_history(weeks[0])
    position = {monday: i for i, monday in enumerate(calendar)}
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(history_start, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(weeks[-1] + timedelta(weeks=1), datetime.min.time()))
    grouped = (
        counted_demands(filters, start, end)
        .exclude(**{f"{dimension.key}__isnull": True})
        .annotate(week=TruncWeek("submitted_at", tzinfo=tz))
        .values(dimension.key, "week")
        .annotate(n=Count("pk"), label=Max(dimension.name))
        .order_by()
    )
    series: dict[Any, list[int]] = defaultdict(lambda: [0] * len(calendar))
    names: dict[Any, str] = {}
    for group in grouped:
        week = group["week"]
        monday = timezone.localtime(week).date() if isinstance(week, datetime) else week
        if monday in position:
            series[group[dimension.key]][position[monday]] += group["n"]
            names[group[dimension.key]] = group["label"] or ""
    rows: list[VolumeRow] = []
    spikes: list[Spike] = []
    for key, counts in series.items():
        found = spike_weeks(counts, first=first_judged)
        volume_row = VolumeRow(key, names[key], counts[SPIKE_HISTORY_WEEKS:], {i - SPIKE_HISTORY_WEEKS for i in found})
        rows.append(volume_row)
        for i in found:
            history = counts[i - SPIKE_HISTORY_WEEKS : i]
            spikes.append(
                Spike(
                    dimension,
                    key,
                    volume_row.name,
                    calendar[i],
                    counts[i],
                    statistics.fmean(history),
                    spike_threshold(history),
                )
            )
    rows = [row for row in rows if row.total]
    rows.sort(key=lambda r: (-r.total, r.name))
    spikes.sort(key=lambda s: (-s.week.toordinal(), -s.count, s.name))
    return VolumeTable(dimension, weeks, rows[:limit], spikes)


def volume_tables(filters: AuditFilters) -> list[VolumeTable]:
    return [volume_table(filters, dimension) for dimension in DIMENSIONS]
