"""Reads for the department workbench: the inbox by the deadline that matters now, its marks,
the department's own figures, and its reply templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, BooleanField, Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from demands.merges import merged_into_q, rated_own_answer_q, rated_shared_answer_q
from demands.models import Demand, contact_fields
from departments.access import DEPARTMENT_ROLES, department_ids_for
from dispatch.models import Assignment, AssignmentStatus, ReplyReview, ReplyTemplate, ReviewStatus, Supervision
from dispatch.querysets import (
    AssignmentQuerySet,
    answered_again,
    answered_on_time,
    lead_q,
    open_q,
    overdue_now,
    sign_late,
)
from dispatch.selectors import Viewer, held_assignments

INBOX_VIEWS = ("open", "to_sign", "in_progress", "assisting", "supervised", "all")


def inbox(user: Viewer, view: str = "open") -> AssignmentQuerySet:
    """The user's departments' assignments, the one due soonest first: signing is due by the
    sign-for deadline, handling by the handling deadline. Each row carries its mark: red when
    past due, yellow once the warning share of the time is used, paused while the clock stands;
    and, under a supervision still to be answered, whether it was put there by hand."""
    rows = held_assignments(department_ids_for(user, *DEPARTMENT_ROLES))
    waiting_supervision = Supervision.objects.filter(assignment=OuterRef("pk"), responded_at__isnull=True)
    if view == "to_sign":
        rows = rows.to_sign()
    elif view == "in_progress":
        rows = rows.in_hand().lead()
    elif view == "assisting":
        rows = rows.open().assisting()
    elif view == "supervised":
        # The department's supervision list: what a supervision (the ladder's or by hand) waits on.
        rows = rows.filter(Exists(waiting_supervision))
    elif view != "all":
        rows = rows.open()
    due = Case(When(status=AssignmentStatus.PENDING_SIGN, then=F("sign_deadline")), default=F("handle_deadline"))
    is_open = open_q()
    mark = Case(
        # Only a signed one: signing is due whatever the case waits for, so an unsigned one that
        # stands still (an assist while the lead asks the citizen) still turns red when it is late.
        When(Q(status=AssignmentStatus.SIGNED, paused_since__isnull=False), then=Value("paused")),
        When(is_open & Q(next_due__lt=Now()), then=Value("red")),
        When(is_open & (Q(warned_at__isnull=False) | Q(warn_at__lte=Now())), then=Value("yellow")),
        default=Value(""),
        output_field=CharField(),
    )
    overdue = Case(When(overdue_now(Now()), then=Value(True)), default=Value(False), output_field=BooleanField())
    return (
        rows.select_related("demand", "department", "matter")
        .defer(*contact_fields("demand__"))
        .annotate(next_due=due)
        .annotate(mark=mark, is_overdue=overdue)
        .annotate(supervised_by_hand=Subquery(waiting_supervision.values("by_hand")[:1]))
        # A reply held for review (答复审核): the case waits on its reviewer, its clock runs on.
        .annotate(in_review=Exists(ReplyReview.objects.filter(assignment=OuterRef("pk"), status=ReviewStatus.PENDING)))
        .order_by(F("next_due").asc(), "pk")
    )


@dataclass(frozen=True)
class DepartmentSummary:
    open: int
    to_sign: int
    overdue: int
    sign_late: int  # still unsigned past the sign-for deadline: its own rung, not 超期
    due_soon: int
    answered: int
    answered_on_time: int
    fell_due_open: int  # overdue now, its deadline within the period: it fell due and is not answered
    average_rating: float | None
    returned: int

    @property
    def due(self) -> int:
        return self.answered + self.fell_due_open

    @property
    def on_time_rate(self) -> float | None:
        # As the auditors count it: answered on time over all that fell due in the period.
        return self.answered_on_time / self.due if self.due else None


def department_summary(user: Viewer, *, days: int = 30, now: datetime | None = None) -> DepartmentSummary:
    """The user's departments at a glance: today's load, and the last `days` days' results."""
    moment = now or timezone.now()
    since = moment - timedelta(days=days)
    mine = Assignment.objects.filter(department_id__in=department_ids_for(user, *DEPARTMENT_ROLES))
    is_open = open_q()
    # Every figure of the load is of open assignments: counted among those alone (an index on
    # department and status reaches them), not over every assignment the departments ever had.
    load = mine.filter(is_open).aggregate(
        open=Count("pk", filter=is_open),
        to_sign=Count("pk", filter=Q(status=AssignmentStatus.PENDING_SIGN)),
        sign_late=Count("pk", filter=sign_late(moment)),
        # Overdue by the auditors' rule (deadline passed, clock running), not by whether the
        # sweep has taken the overdue rung yet: a department sees the figure it is judged by.
        overdue=Count("pk", filter=overdue_now(moment)),
        fell_due_open=Count("pk", filter=overdue_now(moment) & lead_q() & Q(handle_deadline__gte=since)),
        due_soon=Count(
            "pk",
            filter=is_open
            & Q(
                paused_since__isnull=True, handle_deadline__gte=moment, handle_deadline__lte=moment + timedelta(days=2)
            ),
        ),
    )
    answered = (
        mine.lead()
        .answered()
        .filter(finished_at__gte=since)
        .aggregate(answered=Count("pk"), on_time=Count("pk", filter=answered_on_time()))
    )
    # The citizens of demands merged into one the department answered rate that answer too.
    # Ratings are of the latest answer: a case answered by another department after a redo counts
    # for that one.
    answered_here = mine.lead().answered().exclude(answered_again()).values("demand_id")
    rating = Demand.objects.filter(
        (Q(pk__in=answered_here) & rated_own_answer_q())
        | (merged_into_q(answered_here, lookup="in") & rated_shared_answer_q()),
        rated_at__gte=since,
        rating__isnull=False,
    ).aggregate(average=Avg("rating"))
    returned = mine.returned().filter(finished_at__gte=since).count()
    return DepartmentSummary(
        open=load["open"],
        to_sign=load["to_sign"],
        overdue=load["overdue"],
        sign_late=load["sign_late"],
        due_soon=load["due_soon"],
        answered=answered["answered"],
        answered_on_time=answered["on_time"],
        fell_due_open=load["fell_due_open"],
        average_rating=rating["average"],
        returned=returned,
    )


def templates_for(assignment: Assignment) -> list[tuple[ReplyTemplate, str]]:
    """The department's templates and the shared ones, each with its placeholders filled in."""
    templates = ReplyTemplate.objects.filter(Q(department=assignment.department_id) | Q(department__isnull=True))
    values = {
        "{受理编号}": assignment.demand.tracking_number,
        "{标题}": assignment.demand.title,
        "{部门}": assignment.department.name,
        "{日期}": timezone.localdate().strftime("%Y年%m月%d日"),
    }
    filled = []
    for template in templates:
        body = template.body
        for placeholder, value in values.items():
            body = body.replace(placeholder, value)
        filled.append((template, body))
    return filled
