"""The assessment's two cohorts in SQL, counted per group: the definitions every figure of rates.py
is made of, whether read from the cases (live) or from the daily figures that were built with them.

- the lead assignments (主办派单) dispatched in the period: response, on-time, returns, second
  dispatches, reopens, supervision and working times;
- the callback visits whose answer went out in the period: resolution and satisfaction.

A group is a mapping of output names to expressions read from an assignment or a visit (both have
`department` and `demand`), e.g. {"group_key": F("department_id"), "group_name": F("department__name")}
for the live figures per department, or the department, street, community and matter of a day's
row of the daily figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from assessment.figures import AuditFilters
from assessment.models import (
    ANSWERED_VISIT_STATUSES,
    Appeal,
    AppealStatus,
    CallbackVisit,
    Resolution,
    Satisfaction,
    VisitStatus,
)
from demands.models import Demand
from demands.workflow import Status
from departments.working_time import current_clock
from dispatch.models import Assignment, AssignmentStatus, ReturnRequest, Supervision
from dispatch.querysets import answered_on_time, answered_q, overdue_now

# Stands for "no later lead assignment" in a comparison of moments.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)

Group = dict[str, Any]


# Merged duplicates and demands refused as out of scope: see excluded_demand_ids.
EXCLUDED_STATUSES = (Status.MERGED, Status.REJECTED)


def excluded_demand_ids() -> QuerySet[Demand, Any]:
    """The demands no figure counts, as a subquery: merged duplicates (their one answer is the
    original's, counted there) and demands refused as out of scope (nobody was to answer them).
    A case upheld on appeal (申诉) leaves only its department's figures: see `lead_assignments` and
    `visit_counts`."""
    return Demand.objects.filter(status__in=EXCLUDED_STATUSES).values("pk")


def upheld_on_appeal() -> Q:
    """For a visit: its department appealed the case and the appeal was upheld."""
    return Q(
        Exists(
            Appeal.objects.filter(
                status=AppealStatus.UPHELD,
                assignment__demand_id=OuterRef("demand_id"),
                department_id=OuterRef("department_id"),
            )
        )
    )


def lead_assignments(filters: AuditFilters) -> QuerySet[Assignment]:
    leads = (
        Assignment.objects.lead()
        .filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
        # Read through the join, not as NOT IN (every excluded demand): at a million demands that
        # list alone took 0.4 s to read for each day built.
        .exclude(demand__status__in=EXCLUDED_STATUSES)
        .exclude(appeal__status=AppealStatus.UPHELD)
    )
    if filters.department_ids:
        leads = leads.filter(department_id__in=filters.department_ids)
    if filters.street_ids:
        leads = leads.filter(demand__street_id__in=filters.street_ids)
    return leads


def _next_lead_at() -> Subquery:
    """When the assignment's demand was next given a lead assignment (after a return or a reopen)."""
    later_leads = Assignment.objects.lead().filter(
        demand_id=OuterRef("demand_id"), dispatched_at__gt=OuterRef("dispatched_at")
    )
    return Subquery(later_leads.order_by("dispatched_at").values("dispatched_at")[:1])


def _visit_contacted() -> Subquery:
    """Whether the citizen said the department contacted them in time, asked in the visit about
    this assignment's answer: a visit of the same demand and department whose answer went out
    after this assignment was dispatched and before the demand's next lead assignment (the outer
    query's `next_lead_at`)."""
    visits = CallbackVisit.objects.filter(
        demand_id=OuterRef("demand_id"),
        department_id=OuterRef("department_id"),
        status__in=ANSWERED_VISIT_STATUSES,
        contacted_in_time__isnull=False,
        answered_at__gte=OuterRef("dispatched_at"),
        answered_at__lt=OuterRef("next_lead_at"),
    ).order_by("answered_at")
    return Subquery(visits.values("contacted_in_time")[:1], output_field=models.BooleanField())


def assignment_counts(filters: AuditFilters, group: Group, now: datetime) -> list[dict[str, Any]]:
    """The lead-assignment cohort's counts per group, in one query. `now` decides what is overdue
    now and which sign deadlines have passed."""
    reopened_after = Assignment.objects.lead().filter(
        demand_id=OuterRef("demand_id"), dispatched_at__gt=OuterRef("finished_at")
    )
    signed_in_time = Q(signed_at__isnull=False, signed_at__lte=F("sign_deadline"))
    responded = Q(contacted=True) | (Q(contacted__isnull=True) & signed_in_time)
    known = Q(contacted__isnull=False) | Q(signed_at__isnull=False) | Q(sign_deadline__lt=now)
    answered = answered_q()
    rows = (
        lead_assignments(filters)
        .annotate(next_lead_at=Coalesce(_next_lead_at(), Value(NEVER)))
        .annotate(
            contacted=_visit_contacted(),
            was_returned=Exists(ReturnRequest.objects.filter(assignment_id=OuterRef("pk"))),
            was_reopened=Exists(reopened_after),
            was_supervised=Exists(Supervision.objects.filter(assignment_id=OuterRef("pk"))),
        )
        .values(**group)
        .annotate(
            received=Count("pk"),
            response_known=Count("pk", filter=known),
            responded=Count("pk", filter=responded),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered_on_time()),
            overdue=Count("pk", filter=overdue_now(now)),
            returned=Count("pk", filter=Q(was_returned=True)),
            redispatched=Count("pk", filter=Q(is_redispatch=True)),
            reopened=Count("pk", filter=answered & Q(was_reopened=True)),
            supervised=Count("pk", filter=Q(was_supervised=True)),
        )
        .order_by()
    )
    return list(rows)


def visit_counts(filters: AuditFilters, group: Group) -> list[dict[str, Any]]:
    """The visit cohort's counts per group, in one query."""
    visits = (
        CallbackVisit.objects.filter(
            answered_at__gte=filters.start,
            answered_at__lt=filters.end,
            status__in=(*ANSWERED_VISIT_STATUSES, VisitStatus.UNREACHABLE),
        )
        .exclude(demand__status__in=EXCLUDED_STATUSES)
        .exclude(upheld_on_appeal())
    )
    if filters.department_ids:
        visits = visits.filter(department_id__in=filters.department_ids)
    if filters.street_ids:
        visits = visits.filter(demand__street_id__in=filters.street_ids)
    answered = Q(status__in=ANSWERED_VISIT_STATUSES)
    rows = (
        visits.values(**group)
        .annotate(
            visits_answered=Count("pk", filter=answered),
            unreachable=Count("pk", filter=Q(status=VisitStatus.UNREACHABLE)),
            resolution_known=Count("pk", filter=answered & ~Q(resolution="")),
            solved=Count("pk", filter=answered & Q(resolution=Resolution.SOLVED)),
            partly=Count("pk", filter=answered & Q(resolution=Resolution.PARTLY)),
            satisfaction_known=Count("pk", filter=answered & ~Q(satisfaction="")),
            satisfied=Count("pk", filter=answered & Q(satisfaction=Satisfaction.SATISFIED)),
            basically=Count("pk", filter=answered & Q(satisfaction=Satisfaction.BASICALLY)),
        )
        .order_by()
    )
    return list(rows)


def working_hours(filters: AuditFilters, group: Group) -> Iterator[tuple[tuple[Any, ...], float | None, float | None]]:
    """Per lead assignment signed or answered: its group (the values of `group`, in order), the
    working hours from dispatch to signing and to the reply. Computed in Python: the working-time
    clock (holidays, 调休, the day's periods) is not something SQL can count. Paused time counts:
    the citizen waited through it."""
    clock = current_clock()
    moments = (
        lead_assignments(filters)
        .filter(Q(signed_at__isnull=False) | Q(finished_at__isnull=False))
        .values_list(*group.values(), "dispatched_at", "signed_at", "finished_at", "status")
    )
    width = len(group)
    for values in moments:
        dispatched_at, signed_at, finished_at, status = values[width:]
        sign = clock.working_hours_between(dispatched_at, signed_at) if signed_at is not None else None
        answered = status == AssignmentStatus.DONE and finished_at is not None
        reply = clock.working_hours_between(dispatched_at, finished_at) if answered else None
        yield tuple(values[:width]), sign, reply
