"""Deadlines of an assignment, from the matter's time limits and the demand's urgency, counted on
the working-time clock, with the moments of each rung of the escalation ladder. They are stored
on the row, where the sweep finds them with indexed, set-based queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from departments.working_time import WorkingClock, current_clock
from responsibility_lists.models import Matter


@dataclass(frozen=True)
class Deadlines:
    sign: datetime
    handle: datetime
    warn: datetime
    supervise: datetime
    escalate: datetime


def ladder_after(clock: WorkingClock, start: datetime, handle: datetime) -> tuple[datetime, datetime, datetime]:
    """(warn, supervise, escalate) for a handling period from `start` to `handle`."""
    total = clock.working_hours_between(start, handle)
    warn = clock.add_working_hours(start, total * settings.ESCALATION_WARN_SHARE)
    supervise = clock.add_working_hours(handle, settings.SUPERVISE_AFTER_WORKING_HOURS)
    escalate = clock.add_working_hours(supervise, settings.ESCALATE_AFTER_WORKING_HOURS)
    return warn, supervise, escalate


def deadlines_for(*, start: datetime, matter: Matter | None, urgency: str) -> Deadlines:
    clock = current_clock()
    if matter is not None:
        sign_hours = float(matter.sign_hours(urgency))
        handle_days = float(matter.handle_days(urgency))
    else:
        sign_hours, handle_days = settings.DEFAULT_SIGN_FOR_HOURS, settings.DEFAULT_HANDLING_DAYS
    handle = clock.add_working_days(start, handle_days)
    warn, supervise, escalate = ladder_after(clock, start, handle)
    return Deadlines(
        sign=clock.add_working_hours(start, sign_hours),
        handle=handle,
        warn=warn,
        supervise=supervise,
        escalate=escalate,
    )
