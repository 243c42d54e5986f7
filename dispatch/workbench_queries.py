"""Reads for the department workbench: the inbox by the deadline that matters now, its marks,
the department's own figures, and its reply templates."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from demands.models import contact_fields
from departments.access import DEPARTMENT_ROLES, department_ids_for
from dispatch.department_figures import DepartmentFigures
from dispatch.models import Assignment, AssignmentStatus, ReplyReview, ReplyTemplate, ReviewStatus, Supervision
from dispatch.querysets import AssignmentQuerySet, next_due, open_q, overdue_now
from dispatch.recent_figures import department_figures
from dispatch.selectors import Viewer, held_assignments

INBOX_VIEWS = ("open", "to_sign", "in_progress", "assisting", "supervised", "all")


def inbox(user: Viewer, view: str = "open") -> AssignmentQuerySet:
    """The user's departments' assignments, the one due soonest first: signing is due by the
    sign-for deadline, handling by the handling deadline. Each row carries its mark: red when
    past due, yellow once the warning share of the time is used, paused while the clock stands;
    and, under a supervision still to be answered, whether it was put there by hand."""
    department_ids = department_ids_for(user, *DEPARTMENT_ROLES)
    # Open assignments are all held: a return closes its assignment when it is asked for (a
    # returned assignment never reopens; either ruling makes a new one), so no open one has an
    # upheld return, and the open views need not look (at 1 M demands the busiest inbox's count
    # went from 15 ms to 2).
    rows = Assignment.objects.filter(department_id__in=department_ids)
    waiting_supervision = Supervision.objects.filter(assignment=OuterRef("pk"), responded_at__isnull=True)
    if view == "to_sign":
        rows = rows.to_sign()
    elif view == "in_progress":
        rows = rows.in_hand().lead()
    elif view == "assisting":
        rows = rows.open().assisting()
    elif view == "supervised":
        # The department's supervision list: what a supervision (the ladder's or by hand) waits on.
        rows = held_assignments(department_ids).filter(Exists(waiting_supervision))
    elif view == "all":
        rows = held_assignments(department_ids)
    else:
        rows = rows.open()
    due = next_due()
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


def department_summary(user: Viewer, *, now: datetime | None = None) -> DepartmentFigures:
    """The user's departments at a glance: today's load, and the last 30 days' results. Counted at
    `now` when given; otherwise as the pages read them (kept a while at city scale)."""
    return department_figures(department_ids_for(user, *DEPARTMENT_ROLES), now=now)


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
