"""Everything the hot-topic page and its API show, read once: the volume tables with their spikes,
the clusters standing now, and the month's shortlist with its key problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from assessment.clusters import CLUSTER_WINDOW_DAYS, Cluster, find_clusters
from assessment.figures import AuditFilters
from assessment.hot_topics import Spike, VolumeTable, volume_tables
from assessment.models import ClusterNoticeDemand, KeyProblem
from assessment.shortlist import DEMANDS_SHOWN, ShortlistItem, demands_behind, month_shortlist
from demands.models import Demand

SPIKES_SHOWN = 30


@dataclass
class ClusterRow:
    cluster: Cluster
    notified: bool  # the supervisors were told of it
    notice_id: int | None = None  # the notice they were told by (the first, if it has grown into two)


@dataclass
class HotTopicReport:
    filters: AuditFilters
    tables: list[VolumeTable]
    spikes: list[Spike]
    clusters: list[ClusterRow]
    clusters_until: datetime
    month: date
    shortlist: list[ShortlistItem]
    demands: dict[int, Demand]  # those listed under the shortlist's items
    key_problem: KeyProblem | None

    @property
    def shortlist_rows(self) -> list[tuple[ShortlistItem, list[Demand]]]:
        """Each item with the demands listed under it (the first DEMANDS_SHOWN)."""
        return [
            (item, [self.demands[pk] for pk in item.demand_ids[:DEMANDS_SHOWN] if pk in self.demands])
            for item in self.shortlist
        ]


def _cluster_row(cluster: Cluster, told: dict[int, int]) -> ClusterRow:
    notices = sorted({told[d.pk] for d in cluster.demands if d.pk in told})
    return ClusterRow(cluster, bool(notices), notices[0] if notices else None)


def hot_topic_report(filters: AuditFilters, month: date, *, now: datetime | None = None) -> HotTopicReport:
    now = now or timezone.now()
    tables = volume_tables(filters)
    spikes = sorted(
        (spike for table in tables for spike in table.spikes), key=lambda s: (s.week, s.count), reverse=True
    )
    # The clusters of the window that ends with the period (or now, if the period runs on).
    until = min(now, timezone.make_aware(datetime.combine(filters.date_to + timedelta(days=1), time.min)))
    clusters = find_clusters(until=until, days=CLUSTER_WINDOW_DAYS)
    # Told if any of its demands was in a notice: the sweep tells a cluster that has none.
    told = dict(
        ClusterNoticeDemand.objects.filter(demand_id__in=[d.pk for c in clusters for d in c.demands])
        .order_by("notice_id")
        .values_list("demand_id", "notice_id")
    )
    shortlist = month_shortlist(month, now=now)
    return HotTopicReport(
        filters=filters,
        tables=tables,
        spikes=spikes[:SPIKES_SHOWN],
        clusters=[_cluster_row(c, told) for c in clusters],
        clusters_until=until,
        month=month,
        shortlist=shortlist,
        demands=demands_behind(shortlist),
        key_problem=KeyProblem.objects.filter(month=month).prefetch_related("demands").first(),
    )
