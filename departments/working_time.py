"""The working-time clock: official holidays and make-up workdays (调休) from chinese-calendar,
local overrides from the database, and the working periods of a day.

A working day counts as the sum of its periods (by default 09:00–12:00 and 14:00–18:00, seven
hours), so "N working days" is N times that many working hours. That keeps the clock additive:
adding a then b working hours lands where adding a + b does."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(18)))
# Past this many calendar days of searching, a deadline is a configuration error, not a date.
_SEARCH_LIMIT_DAYS = 3660


@dataclass(frozen=True)
class WorkingClock:
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    overrides: dict[date, bool] = field(default_factory=dict)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(start, end) for start, end in self.periods) / 3600

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # The State Council announces each year's holidays late in the year before; until the
            # package knows a year, weekdays are the best guess and staff are told so.
            logger.warning("The official calendar does not cover %s yet: counting weekdays.", day.year)
            return day.weekday() < 5

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        if hours < 0:
            raise ValueError("Working time cannot be negative.")
        if hours == 0:
            # No time to add: the same instant (not the next opening, which would break a + 0 = a).
            return start
        remaining = hours * 3600
        moment = start.astimezone(self.tz)
        for _ in range(_SEARCH_LIMIT_DAYS):
            day = moment.date()
            if self.is_workday(day):
                for period_start, period_end in self.periods:
                    opens = datetime.combine(day, period_start, self.tz)
                    closes = datetime.combine(day, period_end, self.tz)
                    begin = max(opens, moment)
                    if begin >= closes:
                        continue
                    available = (closes - begin).total_seconds()
                    if remaining <= available:
                        return begin + timedelta(seconds=remaining)
                    remaining -= available
            moment = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        raise ValueError("No working time found within ten years: check the calendar overrides.")

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_hours(start, days * self.hours_per_day)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        total = 0.0
        moment = start.astimezone(self.tz)
        end = end.astimezone(self.tz)
        while moment < end:
            day = moment.date()
            if self.is_workday(day):
                for period_start, period_end in self.periods:
                    opens = datetime.combine(day, period_start, self.tz)
                    closes = datetime.combine(day, period_end, self.tz)
                    begin, finish = max(opens, moment), min(closes, end)
                    if finish > begin:
                        total += (finish - begin).total_seconds()
            moment = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        return total / 3600


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def current_clock() -> WorkingClock:
    """The clock as configured in the database (periods and overrides), for one computation."""
    from departments.models import CalendarOverride, WorkingPeriod

    periods = tuple(WorkingPeriod.objects.values_list("starts_at", "ends_at")) or DEFAULT_PERIODS
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    return WorkingClock(periods=periods, overrides=overrides)
