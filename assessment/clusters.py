"""Clusters (聚集): similar demands at the same place within a window, each handled as its own
case. Several people raising one problem at one estate is a problem no single answer settles; the
supervisors are told of each new cluster once, as a candidate for 未诉先办 (acting before more
people complain).

Similarity is the duplicate finder's (dispatch.duplicates, cosine of character bigrams) at its
threshold (DUPLICATE_SIMILARITY); the place is the community the demand was placed in or, where the
router could place it in no community, the location text as the citizen wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from assessment.models import ClusterNotice, ClusterNoticeDemand
from demands.models import Demand
from demands.wording import worded
from demands.workflow import ANSWERED_STATUSES, OPEN_STATUSES
from departments.models import Membership, Role
from dispatch.duplicates import text_vector, vector_similarity
from dispatch.models import Notification
from dispatch.services.notice_emails import email_notices

CLUSTER_WINDOW_DAYS = 30
# At least this many demands from at least this many different callers: one person repeating
# themselves is a repeat complaint, not a cluster.
CLUSTER_MIN_CALLERS = 3
# Past this many demands at one place in the window only the newest are compared (pairs grow
# with the square): a place that busy shows in the volume tables anyway.
PLACE_LIMIT = 200
NOTICE_KIND = "hot_topic_cluster"
NOTICE = gettext_noop("热点聚集：%(place)s 近 %(days)s 天有 %(count)s 件相似诉求（%(title)s），建议未诉先办。")


@dataclass
class Cluster:
    place: str
    demands: list[Demand]  # oldest first

    @property
    def key(self) -> str:
        """Stable while the cluster lasts: its first demand (which fixes its place too)."""
        return f"cluster:{self.demands[0].pk}"

    @property
    def title(self) -> str:
        return self.demands[0].title

    @property
    def callers(self) -> int:
        return len({d.citizen_phone_hash for d in self.demands})

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.demands if d.status in OPEN_STATUSES)


def _place(demand: Demand) -> tuple[str, str] | None:
    if demand.community is not None:
        return f"community:{demand.community_id}", demand.community.name
    text = "".join(demand.location_text.split())
    return (f"location:{text}", demand.location_text.strip()) if text else None


def _linked(demands: list[Demand]) -> list[list[Demand]]:
    """Groups of demands joined by chains of similar pairs (single linkage, union-find)."""
    parent = list(range(len(demands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Each text's bigrams are made once: comparing n demands takes n²/2 comparisons.
    vectors = [text_vector(f"{d.title}\n{d.content}") for d in demands]
    for i in range(len(demands)):
        for j in range(i + 1, len(demands)):
            if root(i) != root(j) and vector_similarity(vectors[i], vectors[j]) >= settings.DUPLICATE_SIMILARITY:
                parent[root(j)] = root(i)
    groups: dict[int, list[Demand]] = {}
    for i, demand in enumerate(demands):
        groups.setdefault(root(i), []).append(demand)
    return list(groups.values())


def find_clusters(
    *, until: datetime | None = None, days: int = CLUSTER_WINDOW_DAYS, since: datetime | None = None
) -> list[Cluster]:
    """The clusters among the demands submitted in [since, until) (by default the last `days`
    days) that are open or were answered on their own: merged demands are handled once already,
    refused ones are not the platform's. Largest first."""
    until = until or timezone.now()
    since = since or until - timedelta(days=days)
    demands = (
        Demand.objects.filter(
            submitted_at__gte=since, submitted_at__lt=until, status__in=[*OPEN_STATUSES, *ANSWERED_STATUSES]
        )
        .select_related("community")
        .only(
            "pk",
            "tracking_number",
            "title",
            "content",
            "status",
            "submitted_at",
            "location_text",
            "community",
            "community__name",
            "citizen_phone_hash",
        )
        .order_by("-submitted_at", "-pk")
    )
    by_place: dict[str, tuple[str, list[Demand]]] = {}
    for demand in demands.iterator(chunk_size=2000):
        place = _place(demand)
        if place is None:
            continue
        _label, group = by_place.setdefault(place[0], (place[1], []))
        if len(group) < PLACE_LIMIT:
            group.append(demand)
    clusters = []
    for label, group in by_place.values():
        if len(group) < CLUSTER_MIN_CALLERS:
            continue
        for linked in _linked(group):
            cluster = Cluster(label, sorted(linked, key=lambda d: (d.submitted_at, d.pk)))
            if cluster.callers >= CLUSTER_MIN_CALLERS:
                clusters.append(cluster)
    clusters.sort(key=lambda c: (-len(c.demands), -c.demands[-1].submitted_at.timestamp()))
    return clusters


def _supervisors() -> list[int]:
    return sorted(
        set(Membership.objects.filter(role=Role.SUPERVISOR, user__is_active=True).values_list("user_id", flat=True))
    )


def notify_new_clusters(*, now: datetime | None = None) -> int:
    """Tell the supervisors of each cluster none of whose demands was in a cluster told before;
    returns how many clusters were told. Safe to run twice at once: a demand joins one notice
    only (the database holds it), so the slower run's notice rolls back with its notifications."""
    clusters = find_clusters(until=now)
    told = set(
        ClusterNoticeDemand.objects.filter(demand_id__in=[d.pk for c in clusters for d in c.demands]).values_list(
            "demand_id", flat=True
        )
    )
    supervisors = _supervisors()
    sent = 0
    for cluster in clusters:
        if told & {d.pk for d in cluster.demands}:
            continue
        try:
            with transaction.atomic():
                _notify(cluster, supervisors)
        except IntegrityError:
            continue  # another run told it first
        sent += 1
    return sent


def _notify(cluster: Cluster, supervisors: list[int]) -> None:
    notice = ClusterNotice.objects.create(
        place=cluster.place[:255], title=cluster.title[:200], recipients=len(supervisors)
    )
    ClusterNoticeDemand.objects.bulk_create(ClusterNoticeDemand(notice=notice, demand=d) for d in cluster.demands)
    title = cluster.title if len(cluster.title) <= 30 else cluster.title[:29] + "…"
    message, wording = worded(
        NOTICE, place=cluster.place[:60], days=CLUSTER_WINDOW_DAYS, count=len(cluster.demands), title=title
    )
    created = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            demand=cluster.demands[0],
            kind=NOTICE_KIND,
            message=message[:255],
            data={**wording, "cluster_notice": notice.pk},
        )
        for user_id in supervisors
    )
    email_notices(created)


@dataclass
class ToldCluster:
    """A cluster as the supervisors were told of it, and the demands that have joined it since."""

    notice: ClusterNotice
    told: list[Demand]  # oldest first
    joined_since: list[Demand]  # in the cluster as it stands now, not in the notice

    @property
    def callers(self) -> int:
        return len({d.citizen_phone_hash for d in self.told})


def told_cluster(notice: ClusterNotice, *, now: datetime | None = None) -> ToldCluster:
    told = list(
        Demand.objects.filter(pk__in=notice.members.values("demand_id"))
        .select_related("community", "street")
        .order_by("submitted_at", "pk")
    )
    ids = {d.pk for d in told}
    standing = next((c for c in find_clusters(until=now) if ids & {d.pk for d in c.demands}), None)
    joined = [] if standing is None else [d.pk for d in standing.demands if d.pk not in ids]
    joined_since = list(
        Demand.objects.filter(pk__in=joined).select_related("community", "street").order_by("submitted_at", "pk")
    )
    return ToldCluster(notice, told, joined_since)
