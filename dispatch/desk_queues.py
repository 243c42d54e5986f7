"""The dispatch dashboard's queues and their counts, under the officer's filters.

Each queue is a queryset over a different model (demands, returns, extensions, suggestions,
assignments, supervisions); the filters always apply to the demand behind the row, reached by
that queue's path. Counts are one COUNT per queue, cheap enough to poll for live numbers. The
duplicates queue shows groups, not pairs (six reports of one thing are one item, not fifteen):
its rows are grouped after filtering, and its count is the number of groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from demands.models import contact_fields
from dispatch.models import Assignment, LeaderInstruction, ReplyReview, ReviewStage, ReviewStatus, Supervision
from dispatch.selectors import (
    duplicate_groups,
    pending_duplicates,
    pending_extensions,
    pending_returns,
    triage_queue,
)
from responsibility_lists.models import Matter
from routing.models import RoutingResult

if TYPE_CHECKING:  # a development dependency: the name is only needed by mypy
    from django_stubs_ext import StrOrPromise


# The filter's word for "no type yet": the type's own value is blank, and a blank filter means "any".
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class DeskFilters:
    category: str = ""  # a 大类 name: names are stable across list versions, ids are not
    street_id: int | None = None
    channel: str = ""
    demand_type: str = ""  # a DemandType value, or UNCLASSIFIED
    older_than_days: int | None = None

    def demand_q(self, path: str = "") -> Q:
        """The filters as a condition on the demand reached by `path` (e.g. "assignment__demand__")."""
        q = Q()
        if self.category:
            q &= (
                Q(**{f"{path}matter__category__parent__name": self.category})
                | Q(**{f"{path}matter__category__name": self.category})
                | Q(**{f"{path}category_hint": self.category})
                # A demand awaiting dispatch has no matter yet: its latest routing's first
                # suggestion says. Once it has a matter, the matter alone decides.
                | (
                    Q(**{f"{path}matter__isnull": True})
                    & Q(Exists(_suggested_in(self.category, OuterRef(f"{path}pk" if path else "pk"))))
                )
            )
        if self.street_id:
            q &= Q(**{f"{path}street_id": self.street_id})
        if self.channel:
            q &= Q(**{f"{path}channel": self.channel})
        if self.demand_type:
            q &= Q(**{f"{path}demand_type": "" if self.demand_type == UNCLASSIFIED else self.demand_type})
        if self.older_than_days:
            q &= Q(**{f"{path}submitted_at__lte": timezone.now() - timedelta(days=self.older_than_days)})
        return q


def _suggested_in(category: str, demand: OuterRef) -> QuerySet:
    """The latest routing record of `demand`, if its first suggestion is a matter of the 大类
    `category`."""
    matters = Matter.objects.filter(Q(category__parent__name=category) | Q(category__name=category)).values("pk")
    first_matter = Cast(KeyTextTransform("matter_id", KeyTransform(0, "candidates")), IntegerField())
    latest = RoutingResult.objects.filter(demand=OuterRef("demand")).order_by("-created_at", "-pk").values("pk")[:1]
    return (
        RoutingResult.objects.filter(demand=demand, pk=Subquery(latest))
        .annotate(first_matter=first_matter)
        .filter(first_matter__in=matters)
    )


def _triage() -> QuerySet:
    latest = RoutingResult.objects.filter(demand=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        triage_queue()
        .select_related("street", "community")
        .defer(*contact_fields())
        .annotate(
            suggestions=Subquery(latest.values("candidates")[:1]),
            router_confidence=Subquery(latest.values("confidence")[:1]),
        )
    )


def _returns() -> QuerySet:
    """Pending returns, with the router's latest suggestions for the demand: the desk offers one
    click to the suggested department only where the router was sure of it."""
    latest = RoutingResult.objects.filter(demand=OuterRef("assignment__demand")).order_by("-created_at", "-pk")
    return pending_returns().annotate(suggestions=Subquery(latest.values("candidates")[:1]))


def _overdue() -> QuerySet:
    """Lead assignments overdue now (whether or not the sweep has stamped it yet), not yet under
    supervision."""
    return (
        Assignment.objects.lead()
        .overdue_now()
        .filter(supervised_at__isnull=True)
        .select_related("demand", "department")
        .defer(*contact_fields("demand__"))
        .order_by("handle_deadline")
    )


def _supervised() -> QuerySet:
    """Supervisions of cases still open: unanswered first, the most pressing first. Read through
    the supervision's own mark and an index in the queue's order: joined to the assignments, the
    queue sorted every supervision ever opened (1.4 s at 10 M demands)."""
    return (
        Supervision.objects.filter(assignment_open=True)
        .select_related("assignment__demand", "assignment__department", "responded_by")
        .defer(*contact_fields("assignment__demand__"))
        .order_by(F("responded_at").asc(nulls_first=True), "response_deadline", "pk")
    )


def _instructions() -> QuerySet:
    """Leaders' instructions not answered yet, the most pressing first."""
    return (
        LeaderInstruction.objects.filter(answered_at__isnull=True)
        .select_related("demand", "demand__lead_department")
        .defer(*contact_fields("demand__"))
        .order_by("deadline", "pk")
    )


def _reviews() -> QuerySet:
    """Replies held for the centre's review (答复审核), the longest waiting first."""
    return (
        ReplyReview.objects.filter(stage=ReviewStage.CENTRE, status=ReviewStatus.PENDING)
        .select_related("assignment__demand", "assignment__department", "submitted_by")
        .defer(*contact_fields("assignment__demand__"))
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class Queue:
    key: str
    label: StrOrPromise
    rows: Callable[[], QuerySet]
    demand_path: str
    # Makes the queue's items of its filtered rows, where an item is not one row.
    items: Callable[[QuerySet], list] | None = None


QUEUES = (
    Queue("triage", _("待人工分拨"), _triage, ""),
    Queue("returns", _("退单待裁定"), _returns, "assignment__demand__"),
    Queue("extensions", _("延期待审批"), pending_extensions, "assignment__demand__"),
    Queue("duplicates", _("疑似重复"), pending_duplicates, "demand__", duplicate_groups),
    Queue("overdue", _("超期未办"), _overdue, "demand__"),
    Queue("supervised", _("督办中"), _supervised, "assignment__demand__"),
    Queue("instructions", _("领导批示"), _instructions, "demand__"),
    Queue("reviews", _("答复待审核"), _reviews, "assignment__demand__"),
)
QUEUE_KEYS = tuple(queue.key for queue in QUEUES)
_BY_KEY = {queue.key: queue for queue in QUEUES}


def queue_rows(key: str, filters: DeskFilters) -> QuerySet:
    queue = _BY_KEY[key]
    return queue.rows().filter(filters.demand_q(queue.demand_path))


def queue_items(key: str, filters: DeskFilters) -> QuerySet | list:
    """What the queue lists: its rows, or the items made of them."""
    rows = queue_rows(key, filters)
    items = _BY_KEY[key].items
    return items(rows) if items else rows


def queue_counts(filters: DeskFilters, keys: tuple[str, ...] = QUEUE_KEYS) -> dict[str, int]:
    return {
        key: len(queue_items(key, filters)) if _BY_KEY[key].items else queue_rows(key, filters).count() for key in keys
    }
