"""A department's figures at a glance, above its inbox: today's load, and the last 30 days' answers,
returns and ratings. Counted for many departments in one grouped query per source, so that the
workers can keep every department's figures in the cache (dispatch.recent_figures) with a few
queries, and a person in several departments sees their sum."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from demands.merges import CHAIN_FOLLOWED, rated_own_answer_q, rated_shared_answer_q
from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment, AssignmentStatus
from dispatch.querysets import answered_again, answered_on_time, lead_q, open_q, overdue_now, sign_late

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
            rows.setdefault(row.pop("department_id"), {}).update(row)

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
            answered=Count("pk", filter=lead_q() & Q(status=AssignmentStatus.DONE)),
            answered_on_time=Count("pk", filter=lead_q() & answered_on_time()),
            returned=Count("pk", filter=Q(status=AssignmentStatus.RETURNED)),
        )
        .order_by()
    )
    take(_ratings(department_ids, since))
    return {department_id: DepartmentFigures(**counts, as_of=moment) for department_id, counts in rows.items()}


def _ratings(department_ids: Collection[int] | None, since: datetime):
    """The ratings given in the period, each for the department whose answer it rates: the latest
    answer of the demand, or for a merged demand's citizen rating the shared answer, the latest
    answer of the demand it was merged into (through up to CHAIN_FOLLOWED merges). Read from the
    ratings of the period (a partial index on the moment), not from every answer ever given."""
    answering = Assignment.objects.lead().filter(status=AssignmentStatus.DONE).exclude(answered_again())

    def answered_by(demand: str) -> Subquery:
        return Subquery(answering.filter(demand_id=OuterRef(demand)).values("department_id")[:1])

    shared = Coalesce(
        *(answered_by("__".join(["duplicate_of"] * links) + "_id") for links in range(1, CHAIN_FOLLOWED + 1)),
        output_field=IntegerField(),
    )
    department = Case(
        When(rated_own_answer_q(), then=answered_by("pk")),
        When(Q(status=Status.MERGED) & rated_shared_answer_q(), then=shared),
        output_field=IntegerField(),
    )
    rated = (
        Demand.objects.filter(rating__isnull=False, rated_at__gte=since)
        .annotate(answering_department=department)
        .filter(answering_department__isnull=False)
    )
    if department_ids is not None:
        rated = rated.filter(answering_department__in=department_ids)
    return (
        {"department_id": row.pop("answering_department"), **row}
        for row in rated.values("answering_department")
        .annotate(rating_total=Sum("rating"), ratings=Count("pk"))
        .order_by()
    )
