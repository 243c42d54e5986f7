"""Deadlines of an assignment, from the matter's time limits and the demand's urgency, counted on
the working-time clock, with the moments of each rung of the escalation ladder. They are stored
on the row, where the sweep finds them with indexed, set-based queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import IllegalTransition
from departments.working_time import WorkingClock, current_clock
from dispatch.models import Assignment
from responsibility_lists.models import DEFAULT_ASSIST_SHARE_PERCENT, Matter


@dataclass(frozen=True)
class Deadlines:
    sign: datetime
    handle: datetime
    warn: datetime
    # None for an assisting department: supervision and escalation are the lead's rungs.
    supervise: datetime | None
    escalate: datetime | None


def ladder_after(clock: WorkingClock, start: datetime, handle: datetime) -> tuple[datetime, datetime, datetime]:
    """(warn, supervise, escalate) for a handling period from `start` to `handle`."""
    total = clock.working_hours_between(start, handle)
    warn = clock.add_working_hours(start, total * settings.ESCALATION_WARN_SHARE)
    supervise = clock.add_working_hours(handle, settings.SUPERVISE_AFTER_WORKING_HOURS)
    escalate = clock.add_working_hours(supervise, settings.ESCALATE_AFTER_WORKING_HOURS)
    return warn, supervise, escalate


def deadlines_for(*, start: datetime, matter: Matter | None, urgency: str, bound: datetime | None = None) -> Deadlines:
    """The deadlines of an assignment dispatched at `start`. `bound` is a higher platform's
    deadline for a case it handed down (上级转办): ours never run past it, the ladder's rungs
    are counted to it, and signing is due by it at the latest."""
    clock = current_clock()
    if matter is not None:
        sign_hours = float(matter.sign_hours(urgency))
        handle_days = float(matter.handle_days(urgency))
    else:
        sign_hours, handle_days = settings.DEFAULT_SIGN_FOR_HOURS, settings.DEFAULT_HANDLING_DAYS
    handle = clock.add_working_days(start, handle_days)
    if bound is not None:
        handle = min(handle, bound)
    warn, supervise, escalate = ladder_after(clock, start, handle)
    return Deadlines(
        sign=min(clock.add_working_hours(start, sign_hours), handle),
        handle=handle,
        warn=warn,
        supervise=supervise,
        escalate=escalate,
    )


def assist_share(matter: Matter | None) -> int:
    """The per cent of the lead's handling time an assisting department gets, by the matter."""
    return matter.assist_share_percent if matter is not None else DEFAULT_ASSIST_SHARE_PERCENT


def assist_deadlines_for(*, start: datetime, lead: Deadlines, share_percent: int) -> Deadlines:
    """An assisting department's own deadlines: its part is due after `share_percent` of the lead's
    working time from `start`, so the lead has the contribution before its own deadline. It is
    warned at the same share of its own time as a lead is; supervising and escalating stay with
    the lead, which answers for the whole case."""
    clock = current_clock()
    hours = clock.working_hours_between(start, lead.handle) * share_percent / 100
    handle = min(clock.add_working_hours(start, hours), lead.handle)
    return Deadlines(
        sign=min(lead.sign, handle),
        handle=handle,
        warn=clock.add_working_hours(start, hours * settings.ESCALATION_WARN_SHARE),
        supervise=None,
        escalate=None,
    )


def clock_pause(assignment: Assignment, at: datetime) -> None:
    """Stop the assignment's clock: the ladder's rungs wait until `clock_resume`."""
    if assignment.paused_since is not None:
        raise IllegalTransition(_("计时已暂停：正在等待群众补充信息或延期审批，请待其结束后再操作。"))
    assignment.paused_since = at
    assignment.save(update_fields=["paused_since"])


def deadline_if_resumed(
    assignment: Assignment, *, at: datetime, extra_hours: float = 0.0, clock: WorkingClock | None = None
) -> datetime:
    """The handling deadline clock_resume() would set at `at`, without changing anything: what a
    dispatch officer is shown before approving an extension. Pass `clock` for many at once (it
    reads the calendar from the database)."""
    return _resumption(clock or current_clock(), assignment, at, extra_hours)[1]


def _resumption(
    clock: WorkingClock, assignment: Assignment, at: datetime, extra_hours: float
) -> tuple[float, datetime]:
    """(the working hours the clock stood still, the handling deadline once they and `extra_hours`
    are given back): one arithmetic for resuming and for showing what resuming would do."""
    paused_hours = clock.working_hours_between(assignment.paused_since, at) if assignment.paused_since else 0.0
    given_back = paused_hours + extra_hours
    if given_back <= 0:
        return paused_hours, assignment.handle_deadline
    return paused_hours, clock.add_working_hours(assignment.handle_deadline, given_back)


def clock_resume(assignment: Assignment, *, at: datetime, extra_hours: float = 0.0) -> dict[str, Any]:
    """Start the clock again. The working time it stood still is given back, plus `extra_hours`
    (an approved extension): the handling deadline and the rungs not yet taken move by that much;
    rungs already taken stay taken. Returns what changed, for the demand's event."""
    clock = current_clock()
    paused_hours, deadline = _resumption(clock, assignment, at, extra_hours)
    assignment.paused_since = None
    fields = ["paused_since"]
    moved: dict[str, Any] = {"paused_hours": round(paused_hours, 2)}
    if paused_hours + extra_hours > 0:
        moved["previous_deadline"] = assignment.handle_deadline
        assignment.handle_deadline = deadline
        warn, supervise, escalate = ladder_after(clock, assignment.dispatched_at, assignment.handle_deadline)
        if assignment.warned_at is None:
            assignment.warn_at = warn
        # An assisting department's ladder stops at overdue: it has no later rungs to move.
        if assignment.supervised_at is None and not assignment.is_assisting:
            assignment.supervise_at = supervise
        if assignment.escalated_at is None and not assignment.is_assisting:
            assignment.escalate_at = escalate
        fields += ["handle_deadline", "warn_at", "supervise_at", "escalate_at"]
        moved["new_deadline"] = assignment.handle_deadline
    assignment.save(update_fields=fields)
    return moved
