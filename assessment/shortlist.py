"""The monthly shortlist for 每月一题 (the month's key problem): the month's clusters, spikes,
matters with the most repeat complaints and matters with the most demands, each with the demands
behind it; and the one item a supervisor or administrator adopts, followed until resolved."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from assessment.clusters import find_clusters
from assessment.figures import AuditFilters
from assessment.hot_topics import DIMENSION_BY_CODE, counted_demands, volume_table
from assessment.models import KEY_PROBLEM_MOVES, KeyProblem, KeyProblemStatus
from config.errors import IllegalTransition, NotAllowed, NotFound
from demands.models import Demand
from departments.access import has_role
from departments.models import Role

TOP_MATTERS = 5
# A matter with a single demand (or a single repeat) is no month's problem.
MIN_ITEM_DEMANDS = 2
# Demands listed under an item; the count says how many there are in all.
DEMANDS_SHOWN = 30
ADOPTERS = (Role.SUPERVISOR, Role.ADMIN)

KIND_LABELS: dict[str, str | Promise] = {
    "cluster": gettext_lazy("聚集"),
    "spike": gettext_lazy("突增"),
    # The same citizens calling again about a matter, not a return reason: hence the context.
    "repeat": pgettext_lazy("shortlist item", "重复诉求"),
    "volume": gettext_lazy("高频事项"),
}


@dataclass
class ShortlistItem:
    key: str
    kind: str
    title: str
    count: int  # the demands behind it, in all
    demand_ids: list[int]

    @property
    def kind_label(self) -> str | Promise:
        return KIND_LABELS[self.kind]


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    start = timezone.make_aware(datetime.combine(month, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def _month_filters(month: date) -> AuditFilters:
    return AuditFilters(date_from=month, date_to=month.replace(day=calendar.monthrange(month.year, month.month)[1]))


def repeat_q() -> Q:
    """A repeat complaint: merged into an earlier demand of the same problem, chased by its citizen
    (催办), or reopened (重办) because the answer did not settle it."""
    return Q(duplicate_of__isnull=False) | Q(follow_up_count__gt=0) | Q(reopen_count__gt=0)


def _by_matter(demands, *, ranked_by: Q | None, kind: str, wording: str) -> list[ShortlistItem]:
    """The TOP_MATTERS matters with the most demands (of `ranked_by`), in one grouped query, then
    the demands behind them in one more."""
    counted = demands.filter(ranked_by) if ranked_by is not None else demands
    top = list(
        counted.exclude(matter__isnull=True)
        .values("matter__code")
        .annotate(n=Count("pk"), name=Max("matter__name"))
        .order_by("-n", "matter__code")[:TOP_MATTERS]
    )
    behind: dict[str, list[int]] = defaultdict(list)
    rows = counted.filter(matter__code__in=[row["matter__code"] for row in top]).order_by("submitted_at", "pk")
    for pk, code in rows.values_list("pk", "matter__code"):
        behind[code].append(pk)
    return [
        ShortlistItem(
            f"{kind}:{row['matter__code']}",
            kind,
            wording % {"name": row["name"], "n": row["n"]},
            row["n"],
            behind[row["matter__code"]],
        )
        for row in top
        if row["n"] >= MIN_ITEM_DEMANDS
    ]


def _spike_items(month: date, start: datetime, end: datetime) -> list[ShortlistItem]:
    filters = _month_filters(month)
    items = []
    for code in ("matter", "community"):
        dimension = DIMENSION_BY_CODE[code]
        for spike in volume_table(filters, dimension).spikes:
            week_start = timezone.make_aware(datetime.combine(spike.week, time.min))
            ids = list(
                counted_demands(filters, max(start, week_start), min(end, week_start + timedelta(weeks=1)))
                .filter(**{dimension.key: spike.key})
                .order_by("submitted_at", "pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            title = _("%(dimension)s“%(name)s”%(week)s 当周 %(count)d 件（此前 8 周平均 %(usual).1f 件）") % {
                "dimension": dimension.label,
                "name": spike.name,
                "week": spike.week.isoformat(),
                "count": spike.count,
                "usual": spike.usual,
            }
            items.append(
                ShortlistItem(f"spike:{code}:{spike.key}:{spike.week.isoformat()}", "spike", title, len(ids), ids)
            )
    return items


def month_shortlist(month: date, *, now: datetime | None = None) -> list[ShortlistItem]:
    """The month's items, clusters first (the clearest case for acting before more people
    complain), then spikes, repeat complaints and volume."""
    month = month_of(month)
    start, end = month_bounds(month)
    end = min(end, now or timezone.now())
    if end <= start:
        return []
    clusters = [
        ShortlistItem(
            cluster.key,
            "cluster",
            _("%(place)s：%(title)s 等 %(count)d 件相似诉求")
            % {"place": cluster.place, "title": cluster.title, "count": len(cluster.demands)},
            len(cluster.demands),
            [d.pk for d in cluster.demands],
        )
        for cluster in find_clusters(since=start, until=end)
    ]
    demands = counted_demands(_month_filters(month), start, end)
    repeats = _by_matter(demands, ranked_by=repeat_q(), kind="repeat", wording=_("事项“%(name)s”本月重复诉求 %(n)d 件"))
    volume = _by_matter(demands, ranked_by=None, kind="volume", wording=_("事项“%(name)s”本月诉求 %(n)d 件"))
    return clusters + _spike_items(month, start, end) + repeats + volume


def demands_behind(items: list[ShortlistItem]) -> dict[int, Demand]:
    """The demands listed under the items (the first DEMANDS_SHOWN of each), in one query."""
    ids = {pk for item in items for pk in item.demand_ids[:DEMANDS_SHOWN]}
    return Demand.objects.only("pk", "tracking_number", "title", "status", "submitted_at").in_bulk(ids)


def key_problem_adopt(*, actor, month: date, item_key: str) -> KeyProblem:
    """Adopt an item of the month's shortlist as its key problem. The item is found again on the
    server: the demands behind it are what the shortlist says, never what a form claims."""
    if not has_role(actor, *ADOPTERS):
        raise NotAllowed(_("只有督办员或管理员可以选定每月一题。"))
    month = month_of(month)
    item = next((i for i in month_shortlist(month) if i.key == item_key), None)
    if item is None:
        raise NotFound(_("本月候选清单中没有这一项。"))
    try:
        with transaction.atomic():
            problem = KeyProblem.objects.create(
                month=month, item_key=item.key, kind=item.kind, title=item.title[:255], adopted_by=actor
            )
            problem.demands.set(item.demand_ids)
    except IntegrityError:
        raise IllegalTransition(_("%(month)s 已选定每月一题。") % {"month": f"{month:%Y-%m}"}) from None
    return problem


def key_problem_update(*, actor, problem_id: int, status: str, note: str) -> KeyProblem:
    """Record how the key problem stands: its note, and resolved (or open again)."""
    if not has_role(actor, *ADOPTERS):
        raise NotAllowed(_("只有督办员或管理员可以更新每月一题。"))
    with transaction.atomic():
        problem = KeyProblem.objects.select_for_update().filter(pk=problem_id).first()
        if problem is None:
            raise NotFound(_("没有这个每月一题。"))
        if status != problem.status:
            if status not in KEY_PROBLEM_MOVES.get(problem.status, ()):
                raise IllegalTransition(_("每月一题不能改为这一状态。"))
            problem.status = status
            problem.resolved_at = timezone.now() if status == KeyProblemStatus.RESOLVED else None
        problem.note = note.strip()
        problem.save(update_fields=["status", "resolved_at", "note", "updated_at"])
    return problem
