"""Reads for cases passed down (下派) or inside a department (内部派单): what a community, a section
or a handler holds; what came back up to the department; whom a department may pass a case to; and
the street's table of its communities (delegated, answered, on time, sent up, overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from departments.access import DEPARTMENT_ROLES, department_ids_for
from departments.models import Department, DepartmentKind, Membership
from dispatch.assignment_workflow import OPEN_ASSIGNMENT_STATUSES
from dispatch.models import Assignment, Delegation, DelegationKind, DelegationStatus
from dispatch.selectors import Viewer


def _open_case() -> Q:
    return Q(assignment__status__in=list(OPEN_ASSIGNMENT_STATUSES))


def held_delegations(user: Viewer) -> QuerySet[Delegation]:
    """The open delegations the user holds: to their communities or sections, or to them by name;
    the one due soonest first. A case its department has finished is no one's to answer."""
    if user is None or not user.is_authenticated:
        return Delegation.objects.none()
    mine = Q(to_department_id__in=department_ids_for(user, *DEPARTMENT_ROLES)) | Q(to_user_id=user.pk)
    return (
        Delegation.objects.filter(mine, _open_case(), status=DelegationStatus.OPEN)
        .select_related("assignment__demand", "assignment__department", "to_department", "to_user")
        .order_by("deadline", "pk")
    )


def delegation_for_holder(user: Viewer, delegation_id: int) -> Delegation | None:
    """A delegation its holder may open (open or not): to their unit, or to them."""
    if user is None or not user.is_authenticated:
        return None
    mine = Q(to_department_id__in=department_ids_for(user, *DEPARTMENT_ROLES)) | Q(to_user_id=user.pk)
    return (
        Delegation.objects.filter(mine, pk=delegation_id)
        .select_related("assignment__demand", "assignment__department", "to_department", "to_user", "delegated_by")
        .first()
    )


def held_about(user: Viewer, demand_ids: set[int]) -> dict[int, int]:
    """For each of these demands passed to the user's unit (or to them), the latest such
    delegation's id: where a notice about the case leads them, whatever became of it since."""
    if user is None or not user.is_authenticated or not demand_ids:
        return {}
    mine = Q(to_department_id__in=department_ids_for(user, *DEPARTMENT_ROLES)) | Q(to_user_id=user.pk)
    rows = (
        Delegation.objects.filter(mine, assignment__demand_id__in=demand_ids)
        .order_by("delegated_at", "pk")
        .values_list("assignment__demand_id", "pk")
    )
    return dict(rows)


def came_back(user: Viewer) -> QuerySet[Delegation]:
    """What the user's departments' communities or sections answered or sent up, on cases the
    department still has open: the department replies to the citizen, or passes the case again."""
    departments = department_ids_for(user, *DEPARTMENT_ROLES)
    latest = (
        Delegation.objects.filter(_open_case(), assignment__department_id__in=departments)
        .filter(status__in=[DelegationStatus.ANSWERED, DelegationStatus.SENT_UP])
        .exclude(assignment__delegations__status=DelegationStatus.OPEN)
    )
    return latest.select_related("assignment__demand", "to_department", "to_user").order_by("-closed_at", "-pk")[:50]


def communities_of(department: Department) -> list[Department]:
    """The community stations of a street office's street."""
    if department.kind != DepartmentKind.STREET or department.street_id is None:
        return []
    return list(
        Department.objects.filter(
            kind=DepartmentKind.COMMUNITY, is_active=True, community__street_id=department.street_id
        ).order_by("code")
    )


def internal_holders(department: Department) -> list[tuple[str, str]]:
    """Whom a head may give a case to: the department's handlers ("u<id>") and sections ("s<id>")."""
    users = (
        Membership.objects.filter(department=department, role__in=DEPARTMENT_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, User] = {}
    for membership in users:
        seen.setdefault(membership.user_id, membership.user)
    people = [(f"u{u.pk}", u.get_full_name() or u.username) for u in seen.values()]
    sections = [
        (f"s{s.pk}", s.display_name)
        for s in Department.objects.filter(parent=department, is_active=True).exclude(kind=DepartmentKind.COMMUNITY)
    ]
    return people + sections


def delegations_of(assignment: Assignment) -> list[Delegation]:
    return list(
        Delegation.objects.filter(assignment=assignment).select_related("to_department", "to_user", "delegated_by")
    )


@dataclass(frozen=True)
class CommunityRow:
    community: Department
    delegated: int
    answered: int
    answered_on_time: int
    sent_up: int
    open_overdue: int


def community_table(street: Department, *, days: int = 30, now: datetime | None = None) -> list[CommunityRow]:
    """A street's communities over the last `days` days of delegations: how many it passed down, how
    many were answered (and on time, by the community's own deadline), sent up; and how many are
    open past their deadline now (whenever passed down)."""
    moment = now or timezone.now()
    since = moment - timedelta(days=days)
    stations = communities_of(street)
    rows = (
        Delegation.objects.filter(assignment__department=street, kind=DelegationKind.DOWN, to_department__in=stations)
        .values("to_department_id")
        .annotate(
            delegated=Count("pk", filter=Q(delegated_at__gte=since)),
            answered=Count("pk", filter=Q(delegated_at__gte=since, status=DelegationStatus.ANSWERED)),
            on_time=Count(
                "pk",
                filter=Q(delegated_at__gte=since, status=DelegationStatus.ANSWERED, closed_at__lte=F("deadline")),
            ),
            sent_up=Count("pk", filter=Q(delegated_at__gte=since, status=DelegationStatus.SENT_UP)),
            overdue=Count("pk", filter=Q(status=DelegationStatus.OPEN, deadline__lt=moment) & _open_case()),
        )
    )
    by_station = {row["to_department_id"]: row for row in rows}
    empty = {"delegated": 0, "answered": 0, "on_time": 0, "sent_up": 0, "overdue": 0}
    return [
        CommunityRow(
            community=station,
            delegated=(found := by_station.get(station.pk, empty))["delegated"],
            answered=found["answered"],
            answered_on_time=found["on_time"],
            sent_up=found["sent_up"],
            open_overdue=found["overdue"],
        )
        for station in stations
    ]


def street_tables(user: Viewer) -> list[tuple[Department, list[CommunityRow]]]:
    """The community table of each street office the user works in."""
    streets = Department.objects.filter(pk__in=department_ids_for(user, *DEPARTMENT_ROLES), kind=DepartmentKind.STREET)
    return [(street, community_table(street)) for street in streets]
