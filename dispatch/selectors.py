"""Reads for the dispatch desk, the department workbench and the auditors. Every staff read goes
through `demands_visible_to`, so a department never sees another department's demands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from demands.models import Demand, contact_fields
from demands.phones import phone_hash, phone_key
from demands.workflow import OPEN_STATUSES, WORKING_STATUSES, Status
from departments.access import DEPARTMENT_ROLES, READ_ALL_ROLES, department_ids_for, has_role
from dispatch.models import (
    Assignment,
    DuplicateStatus,
    DuplicateSuggestion,
    ExtensionRequest,
    ExtensionStatus,
    ReturnRequest,
    RulingStatus,
)
from dispatch.querysets import AssignmentQuerySet
from dispatch.services.deadlines import deadlines_for
from responsibility_lists.models import AmendmentProposal
from routing.models import RoutingResult

Viewer = User | AnonymousUser


def held_assignments(department_ids: set[int]) -> AssignmentQuerySet:
    """The departments' assignments that still give them the case. One whose return (退单) was
    upheld does not: the dispatch centre agreed the case is not theirs, so they must not go on
    reading it (the citizen's details, the next department's answer). What they did stays in the
    audit trail and in their figures; a later assignment of the same case gives it back."""
    upheld = ReturnRequest.objects.filter(assignment=OuterRef("pk"), status=RulingStatus.UPHELD)
    return Assignment.objects.filter(department_id__in=department_ids).exclude(Exists(upheld))


def demands_visible_to(user: Viewer) -> QuerySet[Demand]:
    base = Demand.objects.select_related("lead_department", "matter", "street", "community")
    if has_role(user, *READ_ALL_ROLES):
        return base
    department_ids = department_ids_for(user, *DEPARTMENT_ROLES)
    if not department_ids:
        return base.none()
    return base.filter(Exists(held_assignments(department_ids).filter(demand=OuterRef("pk"))))


FOUND_AT_MOST = 50
_PHONE = re.compile(r"[\d\s\-+()]{7,24}")


def is_phone_query(query: str) -> bool:
    """Whether a desk search is for a phone number: 7 to 15 digits, typed with spaces, dashes,
    brackets or a leading +. Such a search is counted and recorded (dispatch.services.phone_search)."""
    query = query.strip()
    return bool(_PHONE.fullmatch(query)) and 7 <= len(phone_key(query)) <= 15


def is_tracking_fragment(user: Viewer, query: str) -> bool:
    """Whether the query is part of a tracking number the user can see (20261127-000123 is one,
    and also looks like a phone number): such a search is by number, not by phone. A whole phone
    number is never part of a tracking number, whose digit runs are 8 and 6 long."""
    return demands_visible_to(user).filter(tracking_number__icontains=query.strip()).exists()


def find_demands(user: Viewer, query: str, limit: int = FOUND_AT_MOST, *, by_phone: bool = False) -> list[Demand]:
    """What a dispatch officer finds for a caller who has no tracking number: every demand the
    user may see whose tracking number holds the query, or whose title or place holds it, or
    whose phone is the query, newest first. A phone is found only by its whole number (however
    it was typed), through its keyed hash, never by a part: a part would give back the numbers
    the masks hide. The phone is searched only with by_phone, which the counted and recorded
    search (dispatch.services.phone_search) alone passes."""
    query = query.strip()
    if not query:
        return []
    found = Q(tracking_number__icontains=query)
    words = query.split()
    # Every word in the title or the place (六和城 工地: both, in either).
    in_text = Q()
    for word in words:
        in_text &= Q(title__icontains=word) | Q(location_text__icontains=word)
    found |= in_text
    if by_phone and is_phone_query(query):
        found |= Q(citizen_phone_hash=phone_hash(query))
    return list(demands_visible_to(user).filter(found).order_by("-submitted_at", "-pk")[:limit])


@dataclass(frozen=True)
class AnswerExpected:
    by: datetime
    working_days: float
    matter_name: str  # the matter whose time limit it is; "" for the default limit
    dispatched: bool  # False: a forecast on the default limit, until a department has the case


def answer_expected(demand: Demand) -> AnswerExpected:
    """When the citizen may expect an answer, as the receipt tells it: once the demand is
    dispatched, its handling deadline (the matter's time limit for its urgency, or the default
    one); before that (routing still running, or a person triaging it), the default time limit
    counted from the submission on the working-time clock."""
    matter = demand.matter
    days = float(matter.handle_days(demand.urgency)) if matter else settings.DEFAULT_HANDLING_DAYS
    if demand.due_at is not None:
        return AnswerExpected(demand.due_at, days, matter.name if matter else "", True)
    forecast = deadlines_for(
        start=demand.submitted_at, matter=None, urgency=demand.urgency, bound=demand.upstream_deadline
    ).handle
    return AnswerExpected(forecast, settings.DEFAULT_HANDLING_DAYS, "", False)


def can_see_demand(user: Viewer, demand: Demand) -> bool:
    return demands_visible_to(user).filter(pk=demand.pk).exists()


def triage_queue() -> QuerySet[Demand]:
    return Demand.objects.filter(status=Status.TRIAGE).order_by("submitted_at")


def pending_returns() -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(status=RulingStatus.PENDING)
        .select_related("assignment__demand", "assignment__department", "suggested_department", "requested_by")
        .defer(*contact_fields("assignment__demand__"))
        .order_by("requested_at")
    )


def pending_extensions() -> QuerySet[ExtensionRequest]:
    """The extension requests waiting for a decision, each with `lead_deadline`: the handling
    deadline of its case's lead, which an assisting department's new deadline may not pass."""
    lead = Assignment.objects.lead().open().filter(demand_id=OuterRef("assignment__demand_id")).order_by()
    return (
        ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
        .select_related("assignment__demand", "assignment__department", "requested_by")
        .defer(*contact_fields("assignment__demand__"))
        .annotate(lead_deadline=Subquery(lead.values("handle_deadline")[:1]))
        .order_by("requested_at")
    )


def pending_duplicates() -> QuerySet[DuplicateSuggestion]:
    return (
        DuplicateSuggestion.objects.filter(status=DuplicateStatus.PENDING)
        .select_related("demand", "original", "demand__community", "demand__street")
        .defer(*contact_fields("demand__"), *contact_fields("original__"))
        .order_by("-similarity", "created_at")
    )


@dataclass(frozen=True)
class DuplicateMember:
    demand: Demand
    similarity: float  # to the demand kept, or the closest of the group where it was not compared
    same_caller: bool  # left the same phone number as the demand kept


@dataclass(frozen=True)
class DuplicateGroup:
    """Demands tied together by pending duplicate suggestions (A like B, B like C: one group),
    decided at once: the one kept, and the others to merge into it."""

    original: Demand
    members: tuple[DuplicateMember, ...]

    @property
    def size(self) -> int:
        return len(self.members) + 1

    @property
    def one_caller(self) -> bool:
        return all(member.same_caller for member in self.members)


def _kept_of(demands: list[Demand]) -> Demand:
    """The demand a group is merged into: the first already with a department (its work is not
    let go), else the first submitted."""
    working = [d for d in demands if d.status in WORKING_STATUSES]
    return min(working or demands, key=lambda d: (d.submitted_at, d.pk))


def duplicate_groups(suggestions: QuerySet[DuplicateSuggestion]) -> list[DuplicateGroup]:
    """The pending suggestions as groups, oldest suggestion first. A pair one of whose demands
    is no longer open (merged, refused, closed) is left out: there is nothing left to merge."""
    pairs = list(
        suggestions.filter(demand__status__in=OPEN_STATUSES, original__status__in=OPEN_STATUSES)
        .order_by("created_at", "pk")
        .values_list("demand_id", "original_id", "similarity")
    )
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right, _ in pairs:
        parent[root(left)] = root(right)
    demands = Demand.objects.select_related("community", "street").defer(*contact_fields()).in_bulk(list(parent))
    members_of: dict[int, list[Demand]] = {}
    for node in parent:  # in the order first seen: the oldest suggestion's group first
        members_of.setdefault(root(node), []).append(demands[node])
    closest: dict[int, float] = {}  # each demand's highest score with another of its group
    with_other: dict[tuple[int, int], float] = {}
    for left, right, score in pairs:
        for node, other in ((left, right), (right, left)):
            closest[node] = max(closest.get(node, 0.0), score)
            with_other[node, other] = score
    groups = []
    for together in members_of.values():
        kept = _kept_of(together)
        members = tuple(
            DuplicateMember(
                demand=d,
                similarity=with_other.get((d.pk, kept.pk), closest[d.pk]),
                same_caller=d.citizen_phone_hash == kept.citizen_phone_hash,
            )
            for d in sorted(together, key=lambda d: (d.submitted_at, d.pk))
            if d.pk != kept.pk
        )
        groups.append(DuplicateGroup(original=kept, members=members))
    return groups


def department_inbox(user: Viewer, *, open_only: bool = True) -> AssignmentQuerySet:
    department_ids = department_ids_for(user, *DEPARTMENT_ROLES)
    assignments = (
        held_assignments(department_ids)
        .select_related("demand", "department", "matter")
        .defer(*contact_fields("demand__"))
    )
    if open_only:
        assignments = assignments.open()
    return assignments.order_by("handle_deadline")


def assignment_for_user(user: Viewer, assignment_id: int) -> Assignment | None:
    """The assignment if it belongs to one of the user's departments, else None (the view 404s)."""
    department_ids = department_ids_for(user, *DEPARTMENT_ROLES)
    return (
        held_assignments(department_ids)
        .filter(pk=assignment_id)
        .select_related("demand", "department", "matter")
        .first()
    )


# Below this a router's suggestion is shown but never preselected nor offered as one click: at
# 0.01 it is noise (人力资源局 for construction noise), and one click would send the case there.
CONFIDENT_SUGGESTION = 0.3


def confidence_for(candidates: list[dict] | None, department_id: int | None) -> float:
    """How sure the router was of `department_id` among its candidates (0 when it never named it)."""
    return max(
        (
            c.get("confidence", 0.0)
            for c in candidates or []
            if department_id and c.get("department_id") == department_id
        ),
        default=0.0,
    )


def department_to_suggest(demand: Demand, candidates: list[dict]) -> int | None:
    """The department a return of `demand` suggests unless the handler chooses another: the
    router's first candidate that has not led the case before (a department that returned it is
    not offered it back), and only one the router was sure enough of."""
    led = set(Assignment.objects.of_demand(demand.pk).lead().values_list("department_id", flat=True))
    return next(
        (
            c["department_id"]
            for c in candidates
            if c.get("department_id") is not None
            and c["department_id"] not in led
            and c.get("confidence", 0.0) >= CONFIDENT_SUGGESTION
        ),
        None,
    )


def latest_routing(demand: Demand) -> RoutingResult | None:
    return demand.routing_results.order_by("-created_at", "-pk").first()


def status_counts(queryset: QuerySet[Demand] | None = None) -> dict[str, int]:
    queryset = queryset if queryset is not None else Demand.objects.all()
    return dict(queryset.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def matter_disputes(*, since: datetime) -> list[dict]:
    """Per matter since `since`: returns (upheld, overruled), second dispatches and amendment
    proposals — where the next revision of the list should look first."""
    rows: dict[str, dict] = {}

    def row(code: str, name: str) -> dict:
        return rows.setdefault(
            code,
            {"code": code, "name": name, "returns": 0, "upheld": 0, "overruled": 0, "redispatches": 0, "proposals": 0},
        )

    returns = (
        ReturnRequest.objects.filter(requested_at__gte=since, assignment__matter__isnull=False)
        .values("assignment__matter__code", "assignment__matter__name")
        # A code may carry another name in another version: sorted, so the name shown is the same
        # on every database.
        .order_by("assignment__matter__code", "assignment__matter__name")
        .annotate(
            n=Count("pk"),
            upheld=Count("pk", filter=Q(status=RulingStatus.UPHELD)),
            overruled=Count("pk", filter=Q(status=RulingStatus.OVERRULED)),
        )
    )
    for item in returns:
        entry = row(item["assignment__matter__code"], item["assignment__matter__name"])
        entry["returns"] += item["n"]
        entry["upheld"] += item["upheld"]
        entry["overruled"] += item["overruled"]
    redispatches = (
        Assignment.objects.filter(is_redispatch=True, dispatched_at__gte=since, matter__isnull=False)
        .values("matter__code", "matter__name")
        .order_by("matter__code", "matter__name")
        .annotate(n=Count("pk"))
    )
    for item in redispatches:
        row(item["matter__code"], item["matter__name"])["redispatches"] += item["n"]
    proposals = (
        AmendmentProposal.objects.filter(created_at__gte=since)
        .values("matter_code", "matter_name")
        .order_by("matter_code", "matter_name")
        .annotate(n=Count("pk"))
    )
    for item in proposals:
        row(item["matter_code"], item["matter_name"])["proposals"] += item["n"]
    return sorted(rows.values(), key=lambda r: (-(r["returns"] + r["proposals"]), -r["redispatches"], r["code"]))
