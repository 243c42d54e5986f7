"""The three rates (三率) and the figures assessed with them, for any period, grouped by department,
department type, street, community, category or matter.

Two cohorts, each read with one grouped query per dimension:
- the lead assignments (主办派单) dispatched in the period: response, on-time, returns, second
  dispatches, reopens, supervision and working times (a department is judged on what it was given,
  as on the audit page);
- the callback visits whose answer went out in the period: resolution and satisfaction (the answer
  is what the citizen is asked about, whenever the case came in).

The definitions, as written next to the figures on the page (DEFINITIONS below):
- 响应率: over the lead assignments whose response is known, the share responded to in time. The
  callback visit about the assignment's answer decides when the citizen said whether the department
  contacted them in time; otherwise the department responded in time when it signed by the sign
  deadline. Known: a visit said so, the assignment was signed, or its sign deadline has passed.
- 解决率: (解决 + ½ × 部分解决) ÷ answered visits that recorded a resolution. Partly solved counts
  half: counting it whole would rank "partly" with "solved", dropping it would rank it with
  "unsolved", and either would hide the difference the visit recorded.
- 满意率: (满意 + 基本满意) ÷ answered visits that recorded a satisfaction. Visits that could not
  reach the citizen are not answers: they are counted apart and leave both rates alone.

Demands merged into another or refused as out of scope leave every figure (`excluded_demand_ids`)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from departments.models import DepartmentKind
from departments.working_time import current_clock
from dispatch.models import Assignment, AssignmentStatus, ReturnRequest, Supervision
from dispatch.querysets import answered_on_time, answered_q, overdue_now

# Stands for "no later lead assignment" in a comparison of moments.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


class DepartmentType(models.TextChoices):
    """The three types departments are ranked within (条 / 块 / utilities)."""

    BUREAU = "bureau", _("条：职能部门")
    TERRITORY = "territory", _("块：街道、社区")
    UTILITY = "utility", _("公共服务企业")


# The one place department kinds are mapped to the types they are ranked within.
TYPE_OF_KIND: dict[str, str] = {
    DepartmentKind.FUNCTIONAL: DepartmentType.BUREAU,
    DepartmentKind.STREET: DepartmentType.TERRITORY,
    DepartmentKind.COMMUNITY: DepartmentType.TERRITORY,
    DepartmentKind.UTILITY: DepartmentType.UTILITY,
}


def department_type_of(kind_field: str) -> Case:
    return Case(
        *(When(**{kind_field: kind}, then=Value(str(group))) for kind, group in TYPE_OF_KIND.items()),
        output_field=models.CharField(),
    )


class Dimension(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    DEPARTMENT_TYPE = "department_type", _("部门类型")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    CATEGORY = "category", _("大类")
    MATTER = "matter", _("事项")


_GROUP_FIELDS: dict[str, tuple[str, str]] = {
    Dimension.DEPARTMENT: ("department_id", "department__name"),
    Dimension.STREET: ("demand__street_id", "demand__street__name"),
    Dimension.COMMUNITY: ("demand__community_id", "demand__community__name"),
    Dimension.CATEGORY: ("demand__matter__category_id", "demand__matter__category__name"),
    Dimension.MATTER: ("demand__matter_id", "demand__matter__name"),
}


def _group_fields(dimension: str) -> tuple[Any, str | None]:
    """(key, name) of a dimension, read from an assignment or a visit (both have `department` and
    `demand`). Category and matter are the demand's, as the list placed it."""
    if dimension == Dimension.DEPARTMENT_TYPE:
        return department_type_of("department__kind"), None
    return _GROUP_FIELDS[dimension]


def excluded_demand_ids() -> QuerySet[Demand, Any]:
    """The demands no figure counts, as a subquery: merged duplicates (their one answer is the
    original's, counted there) and demands refused as out of scope (nobody was to answer them).
    A case upheld on appeal (申诉) leaves only its department's figures: see `_assignments` and
    `_visit_counts`."""
    return Demand.objects.filter(status__in=(Status.MERGED, Status.REJECTED)).values("pk")


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


@dataclass
class RateRow:
    key: Any
    name: str
    received: int = 0
    response_known: int = 0
    responded: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    returned: int = 0
    redispatched: int = 0
    reopened: int = 0
    supervised: int = 0
    visits_answered: int = 0
    unreachable: int = 0
    resolution_known: int = 0
    solved: int = 0
    partly: int = 0
    satisfaction_known: int = 0
    satisfied: int = 0
    basically: int = 0
    sign_hours: list[float] = field(default_factory=list, repr=False)
    reply_hours: list[float] = field(default_factory=list, repr=False)

    @property
    def response_rate(self) -> float | None:
        return _share(self.responded, self.response_known)

    @property
    def resolution_rate(self) -> float | None:
        return _share(self.solved + self.partly / 2, self.resolution_known)

    @property
    def satisfaction_rate(self) -> float | None:
        return _share(self.satisfied + self.basically, self.satisfaction_known)

    @property
    def due(self) -> int:
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.due)

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.received)

    @property
    def redispatch_rate(self) -> float | None:
        return _share(self.redispatched, self.received)

    @property
    def reopen_rate(self) -> float | None:
        return _share(self.reopened, self.answered)

    @property
    def sign_median(self) -> float | None:
        return statistics.median(self.sign_hours) if self.sign_hours else None

    @property
    def sign_p90(self) -> float | None:
        return percentile(self.sign_hours, 90)

    @property
    def reply_median(self) -> float | None:
        return statistics.median(self.reply_hours) if self.reply_hours else None

    @property
    def reply_p90(self) -> float | None:
        return percentile(self.reply_hours, 90)


def _share(part: float, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], pct: int) -> float | None:
    """Nearest rank: the smallest value at or below which `pct`% of the values lie."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def _assignments(filters: AuditFilters) -> QuerySet[Assignment]:
    leads = (
        Assignment.objects.lead()
        .filter(dispatched_at__gte=filters.start, dispatched_at__lt=filters.end)
        .exclude(demand_id__in=excluded_demand_ids())
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


def _assignment_counts(filters: AuditFilters, dimension: str, now: datetime) -> list[dict[str, Any]]:
    key, name = _group_fields(dimension)
    reopened_after = Assignment.objects.lead().filter(
        demand_id=OuterRef("demand_id"), dispatched_at__gt=OuterRef("finished_at")
    )
    signed_in_time = Q(signed_at__isnull=False, signed_at__lte=F("sign_deadline"))
    responded = Q(contacted=True) | (Q(contacted__isnull=True) & signed_in_time)
    known = Q(contacted__isnull=False) | Q(signed_at__isnull=False) | Q(sign_deadline__lt=now)
    answered = answered_q()
    rows = (
        _assignments(filters)
        .annotate(next_lead_at=Coalesce(_next_lead_at(), Value(NEVER)))
        .annotate(
            contacted=_visit_contacted(),
            was_returned=Exists(ReturnRequest.objects.filter(assignment_id=OuterRef("pk"))),
            was_reopened=Exists(reopened_after),
            was_supervised=Exists(Supervision.objects.filter(assignment_id=OuterRef("pk"))),
        )
        .values(group_key=key if isinstance(key, Case) else F(key), group_name=Value("") if name is None else F(name))
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


def _visit_counts(filters: AuditFilters, dimension: str) -> list[dict[str, Any]]:
    key, name = _group_fields(dimension)
    visits = (
        CallbackVisit.objects.filter(
            answered_at__gte=filters.start,
            answered_at__lt=filters.end,
            status__in=(*ANSWERED_VISIT_STATUSES, VisitStatus.UNREACHABLE),
        )
        .exclude(demand_id__in=excluded_demand_ids())
        .exclude(upheld_on_appeal())
    )
    if filters.department_ids:
        visits = visits.filter(department_id__in=filters.department_ids)
    if filters.street_ids:
        visits = visits.filter(demand__street_id__in=filters.street_ids)
    answered = Q(status__in=ANSWERED_VISIT_STATUSES)
    rows = (
        visits.values(
            group_key=key if isinstance(key, Case) else F(key), group_name=Value("") if name is None else F(name)
        )
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


def _working_hours(filters: AuditFilters, dimension: str, rows: dict[Any, RateRow]) -> None:
    """Working hours from dispatch to signing and to the reply, per assignment, computed in Python
    over the period's rows: the working-time clock (holidays, 调休, the day's periods) is not
    something SQL can count. Paused time counts: the citizen waited through it. At city scale
    this is the part to move into the daily aggregate tables."""
    key, _name = _group_fields(dimension)
    clock = current_clock()
    moments = (
        _assignments(filters)
        .filter(Q(signed_at__isnull=False) | Q(finished_at__isnull=False))
        .annotate(group_key=key if isinstance(key, Case) else F(key))
        .values_list("group_key", "dispatched_at", "signed_at", "finished_at", "status")
    )
    for group_key, dispatched_at, signed_at, finished_at, status in moments:
        row = rows.get(group_key)
        if row is None:
            continue
        if signed_at is not None:
            row.sign_hours.append(clock.working_hours_between(dispatched_at, signed_at))
        if status == AssignmentStatus.DONE and finished_at is not None:
            row.reply_hours.append(clock.working_hours_between(dispatched_at, finished_at))


def rate_rows(
    filters: AuditFilters, dimension: str = Dimension.DEPARTMENT, *, now: datetime | None = None
) -> list[RateRow]:
    """The figures per group of `dimension`: two grouped queries (assignments, visits) and one
    read of the assignments' moments for the working times. Largest groups first."""
    now = now or timezone.now()
    rows: dict[Any, RateRow] = {}

    def row_for(values: dict[str, Any]) -> RateRow:
        group_key = values.pop("group_key")
        name = values.pop("group_name") or ""
        if group_key not in rows:
            if dimension == Dimension.DEPARTMENT_TYPE and group_key is not None:
                name = str(DepartmentType(group_key).label)
            rows[group_key] = RateRow(key=group_key, name=name)
        return rows[group_key]

    for values in _assignment_counts(filters, dimension, now):
        row = row_for(values)
        for attribute, count in values.items():
            setattr(row, attribute, count)
    for values in _visit_counts(filters, dimension):
        row = row_for(values)
        for attribute, count in values.items():
            setattr(row, attribute, count)
    _working_hours(filters, dimension, rows)
    return sorted(rows.values(), key=lambda r: (-r.received, -r.visits_answered, r.key is None, r.name))


# Written next to the figures on the page and returned by the API: what each figure counts.
DEFINITIONS: dict[str, Any] = {
    "response_rate": _(
        "响应率：期间派出的主办派单中，回访时群众确认部门及时联系的，或无回访答复时在签收期限内签收的，"
        "占已知响应情况（有回访答复、已签收或签收期限已过）的派单的比例。"
    ),
    "resolution_rate": _(
        "解决率：（解决 + 部分解决 × 0.5）÷ 期间答复的回访中记录了解决情况的件数；无法联系的回访不计入。"
    ),
    "satisfaction_rate": _("满意率：（满意 + 基本满意）÷ 期间答复的回访中记录了满意程度的件数；无法联系的回访不计入。"),
    "on_time_rate": _(
        "按时办结率：在办理期限（含批准的延期和暂停计时）内答复的 ÷（已答复 + 当前超期未答复）。暂停计时中的不算超期。"
    ),
    "return_rate": _("退单率：期间派出的主办派单中提出过退单的比例（不论裁定结果）。"),
    "redispatch_rate": _("二次分拨率：期间派出的主办派单中，退单后再次派出的比例。"),
    "reopen_rate": _("重办率：已答复的主办派单中，答复后诉求又被派出重办的比例。"),
    "supervised": _("督办：期间派出的主办派单中被列入督办的件数。"),
    "working_time": _(
        "签收、答复用时：从派出到签收、到答复的工作时长（小时，按工作日历计算，暂停计时的时间也计入），取中位数和第90百分位。"
    ),
    "excluded": _("已合并的重复诉求和不予受理的诉求不计入任何数字。"),
}
