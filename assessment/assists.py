"""How assisting departments (协办) keep their own deadlines: per department, the assisting parts
dispatched to it in the period, how many it gave on time (by its own deadline, a share of the
lead's), late, or still owes past that deadline. The lead's figures (assessment.figures) count
lead work; this is the assisting side of the same period, in one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from assessment.figures import AuditFilters
from dispatch.models import Assignment, AssignmentStatus
from dispatch.querysets import answered_on_time, answered_q, overdue_now


@dataclass(frozen=True)
class AssistRow:
    department_id: int
    name: str
    received: int  # assisting parts dispatched to the department in the period
    contributed: int  # given to the lead
    on_time: int  # given by the part's own deadline (after approved extensions)
    overdue: int  # still owed, past the part's own deadline now
    released: int  # let go by the dispatch centre (or with the case)

    @property
    def late(self) -> int:
        return self.contributed - self.on_time

    @property
    def due(self) -> int:
        """What fell due: the given parts, and those still owed past their deadline."""
        return self.contributed + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def assist_rows(filters: AuditFilters, *, now: datetime | None = None) -> list[AssistRow]:
    """One row per department with assisting work dispatched in the period, most work first."""
    moment = now or timezone.now()
    parts = Assignment.objects.assisting().filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
    if filters.department_ids:
        parts = parts.filter(department_id__in=filters.department_ids)
    rows = (
        parts.values("department_id", name=F("department__name"))
        .annotate(
            received=Count("pk"),
            contributed=Count("pk", filter=answered_q()),
            on_time=Count("pk", filter=answered_on_time()),
            overdue=Count("pk", filter=overdue_now(moment)),
            released=Count("pk", filter=Q(status=AssignmentStatus.RELEASED)),
        )
        .order_by("-received", "name")
    )
    return [AssistRow(**row) for row in rows]
