"""Deadlines of an assignment, from the matter's time limits and the demand's urgency, counted on
the working-time clock. They are stored on the row, where the sweeps find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from departments.working_time import current_clock
from responsibility_lists.models import Matter


@dataclass(frozen=True)
class Deadlines:
    sign: datetime
    handle: datetime


def deadlines_for(*, start: datetime, matter: Matter | None, urgency: str) -> Deadlines:
    clock = current_clock()
    if matter is not None:
        sign_hours = float(matter.sign_hours(urgency))
        handle_days = float(matter.handle_days(urgency))
    else:
        sign_hours, handle_days = settings.DEFAULT_SIGN_FOR_HOURS, settings.DEFAULT_HANDLING_DAYS
    return Deadlines(sign=clock.add_working_hours(start, sign_hours), handle=clock.add_working_days(start, handle_days))
