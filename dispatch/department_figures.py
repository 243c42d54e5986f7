"""A department's figures at a glance, above its inbox: today's load, and the last 30 days' answers,
returns and ratings. Counted for many departments in one grouped query per source, so that the
workers can keep every department's figures in the cache (dispatch.recent_figures) with a few
queries, and a person in several departments sees their sum."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from demands.merges import CHAIN_FOLLOWED, rated_own_answer_q, rated_shared_answer_q
from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment, AssignmentStatus
from dispatch.querysets import answered_again, answered_on_time, answered_q, lead_q, open_q, overdue_now, sign_late

RECENT_DAYS = 30


@dataclass(frozen=True)
class DepartmentFigures:
    open: int = 0
    to_sign: int = 0
    overdue: int = 0
    sign_late: int = 0  # still unsigned past the sign-for deadline: its own rung, not 超期
    due_soon: int = 0
    answered: int = 0
    answered_on_time: int = 0
    fell_due_open: int = 0  # overdue now, its deadline within the period: it fell due and is not answered
    rating_total: int = 0
    ratings: int = 0
    returned: int = 0
    as_of: datetime | None = None  # when they were counted: a page may show figures kept a while

    def __add__(self, other: DepartmentFigures) -> DepartmentFigures:
        counts = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.name != "as_of"}
        moments = [moment for moment in (self.as_of, other.as_of) if moment is not None]
        return DepartmentFigures(**counts, as_of=min(moments, default=None))

    @property
    def average_rating(self) -> float | None:
        return self.rating_total / self.ratings if self.ratings else None

    @property
    def due(self) -> int:
        return self.answered + self.fell_due_open

    @property
    def on_time_rate(self) -> float | None:
        # As the auditors count it: answered on time over all that fell due in the period.
        return self.answered_on_time / self.due if self.due else None


def total(figures: Collection[DepartmentFigures]) -> DepartmentFigures:
    return sum(figures, DepartmentFigures())


def count_departments(
    department_ids: Collection[int] | None, *, now: datetime | None = None, days: int = RECENT_DAYS
) -> dict[int, DepartmentFigures]:
    """Each department's figures (of `department_ids`, or of every department with any), as
    they stand at `now`. A department with nothing to count has no entry."""
    moment = now or timezone.now()
    since = moment - timedelta(days=days)
    assignments = Assignment.objects.all()
    if department_ids is not None:
        assignments = assignments.filter(department_id__in=department_ids)
    rows: dict[int, dict[str, int]] = {}

    def take(values) -> None:
        for row in values:
            counts = rows.setdefault(row.pop("department_id"), {})
            for name, count in row.items():
                counts[name] = counts.get(name, 0) + count

    is_open = open_q()
    # Every figure of the load is of open assignments: counted among those alone (an index on
    # department and status reaches them), not over every assignment the departments ever had.
    take(
        assignments.filter(is_open)
        .values("department_id")
        .annotate(
            open=Count("pk"),
            to_sign=Count("pk", filter=Q(status=AssignmentStatus.PENDING_SIGN)),
            sign_late=Count("pk", filter=sign_late(moment)),
            # Overdue by the auditors' rule (deadline passed, clock running), not by whether the
            # sweep has taken the overdue rung yet: a department sees the figure it is judged by.
            overdue=Count("pk", filter=overdue_now(moment)),
            fell_due_open=Count("pk", filter=overdue_now(moment) & lead_q() & Q(handle_deadline__gte=since)),
            due_soon=Count(
                "pk",
                filter=Q(
                    paused_since__isnull=True,
                    handle_deadline__gte=moment,
                    handle_deadline__lte=moment + timedelta(days=2),
                ),
            ),
        )
        .order_by()
    )
    # What was finished in the period, read through the index on department and finish time.
    take(
        assignments.filter(finished_at__gte=since)
        .values("department_id")
        .annotate(
            answered=Count("pk", filter=lead_q() & answered_q()),
            answered_on_time=Count("pk", filter=lead_q() & answered_on_time()),
            returned=Count("pk", filter=Q(status=AssignmentStatus.RETURNED)),
        )
        .order_by()
    )
    take(_own_ratings(assignments, since))
    take(_shared_ratings(department_ids, since))
    return {department_id: DepartmentFigures(**counts, as_of=moment) for department_id, counts in rows.items()}


def _own_ratings(assignments, since: datetime):
    """The ratings given in the period of a demand's own answer, each for the department that gave
    its latest answer. Read from the period's ratings (a partial index on the moment), each joined
    to its answer, not from every answer the departments ever gave."""
    return (
        assignments.lead()
        .answered()
        .filter(demand__rating__isnull=False, demand__rated_at__gte=since)
        .filter(rated_own_answer_q("demand__"))
        .exclude(answered_again())
        .values("department_id")
        .annotate(rating_total=Sum("demand__rating"), ratings=Count("pk"))
        .order_by()
    )


def _shared_ratings(department_ids: Collection[int] | None, since: datetime):
    """The ratings given in the period by merged demands' citizens of the answer they share: each
    for the department that gave the latest answer of the demand it was merged into (through up
    to CHAIN_FOLLOWED merges)."""
    answering = Assignment.objects.lead().answered().exclude(answered_again())

    def answered_by(demand: Any) -> Subquery:  # an OuterRef or a Subquery: the stubs know neither here
        return Subquery(answering.filter(demand_id=demand).values("department_id")[:1])

    def merged_up(links: int) -> OuterRef | Subquery:
        """The demand the rated one was merged into through `links` merges, read inside the
        subquery: joining the chain onto the ratings made PostgreSQL read every demand."""
        if links == 1:
            return OuterRef("duplicate_of_id")
        further = "__".join(["duplicate_of"] * (links - 1)) + "_id"
        return Subquery(Demand.objects.filter(pk=OuterRef(OuterRef("duplicate_of_id"))).values(further)[:1])

    shared = Coalesce(
        *(answered_by(merged_up(links)) for links in range(1, CHAIN_FOLLOWED + 1)), output_field=IntegerField()
    )
    rated = (
        Demand.objects.filter(Q(status=Status.MERGED) & rated_shared_answer_q(), rated_at__gte=since)
        .annotate(answering_department=shared)
        .values("answering_department")
        .annotate(rating_total=Sum("rating"), ratings=Count("pk"))
        .order_by()
    )
    return (
        {"department_id": row.pop("answering_department"), **row}
        for row in rated
        if row["answering_department"] is not None
        and (department_ids is None or row["answering_department"] in department_ids)
    )
