"""Hand-built cases for the assessment's figures: lead assignments and callback visits written
directly with chosen moments (no workflow), so that every expected count is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from assessment.figures import AuditFilters
from assessment.models import CallbackVisit, VisitStatus
from demands.models import Demand
from demands.workflow import Status
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = AuditFilters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
# Monday 2 November 2026, a working day; the working day runs 09:00–12:00 and 14:00–18:00.
MONDAY_9 = datetime(2026, 11, 2, 9, tzinfo=TZ)
NOW = datetime(2026, 12, 7, 10, tzinfo=TZ)
_numbers = count(1)


def at(hours: float = 0, *, day: datetime = MONDAY_9) -> datetime:
    return day + timedelta(hours=hours)


def make_demand(district, *, status: str = Status.REPLIED, street: str = "PSJD", matter: str = "stall") -> Demand:
    n = next(_numbers)
    return Demand.objects.create(
        tracking_number=f"PS-T-{n:06d}",
        query_code_hash="x",
        citizen_name="张三",
        citizen_phone="13800000000",
        title="占道经营",
        content="路口有流动摊贩。",
        status=status,
        street=district.streets[street],
        matter=district.matters[matter],
        submitted_at=MONDAY_9,
        **({"duplicate_of": Demand.objects.first()} if status == Status.MERGED else {}),
    )


def lead(
    district,
    department: str = "CGJ",
    *,
    demand: Demand | None = None,
    dispatched: datetime = MONDAY_9,
    signed: float | None = 1,
    answered: float | None = 5,
    sign_limit: float = 2,
    handle_limit: float = 48,
    **extra,
) -> Assignment:
    """A lead assignment dispatched at `dispatched`, signed and answered that many hours later."""
    status = AssignmentStatus.DONE if answered is not None else AssignmentStatus.SIGNED
    if signed is None:
        status = AssignmentStatus.PENDING_SIGN
    return Assignment.objects.create(
        demand=demand or make_demand(district),
        department=district.departments[department],
        role=AssignmentRole.LEAD,
        status=extra.pop("status", status),
        dispatched_at=dispatched,
        sign_deadline=dispatched + timedelta(hours=sign_limit),
        handle_deadline=dispatched + timedelta(hours=handle_limit),
        signed_at=None if signed is None else dispatched + timedelta(hours=signed),
        finished_at=None if answered is None else dispatched + timedelta(hours=answered),
        **extra,
    )


def visit(assignment: Assignment, *, status: str = VisitStatus.DONE, round_: int = 0, **answers) -> CallbackVisit:
    answered_at = assignment.finished_at or assignment.dispatched_at
    return CallbackVisit.objects.create(
        demand=assignment.demand,
        answer_round=round_,
        department=assignment.department,
        answered_at=answered_at,
        due_at=answered_at + timedelta(days=2),
        status=status,
        **answers,
    )
