"""The working-time clock: official holidays and make-up workdays (调休) from chinese-calendar,
local overrides from the database, and the working periods of a day.

chinese-calendar only knows the years whose State Council notice it has shipped (the notice comes
out late in the year before). For a later year the clock falls back to the statutory holidays of
the `holidays` package, which computes the lunar dates and gives a weekday off in lieu of a
holiday on a weekend, but knows no make-up workdays; until administrators enter the notice
(CalendarOverride entries of the "official notice" kind), that is the best guess there is, and
they are told so.

A working day counts as the sum of its periods (by default 09:00–12:00 and 14:00–18:00, seven
hours), so "N working days" is N times that many working hours. That keeps the clock additive:
adding a then b working hours lands where adding a + b does."""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as statutory_tables
from chinese_calendar import constants as official_tables
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(18)))
# Past this many calendar days of searching, a deadline is a configuration error, not a date.
_SEARCH_LIMIT_DAYS = 3660


class YearSource(models.TextChoices):
    """Where a year's holidays and make-up workdays come from."""

    OFFICIAL = "official", _("官方日历")
    OVERRIDDEN = "overridden", _("管理员录入")
    FALLBACK = "fallback", _("法定节假日推算（无调休）")


@functools.cache
def official_years() -> range:
    """The years chinese-calendar has the notices of: it refuses any other, with the same bounds."""
    known = official_tables.holidays
    return range(min(known).year, max(known).year + 1)


def statutory_days_off(year: int, language: str = "zh_CN") -> dict[date, str]:
    """The statutory holidays of a year (with days in lieu) by name, as the `holidays` package
    computes them: no 调休, which only the State Council's notice can tell."""
    return dict(_statutory_days_off(year, language))


@functools.cache
def _statutory_days_off(year: int, language: str) -> tuple[tuple[date, str], ...]:
    table = statutory_tables.country_holidays("CN", years=year, language=language, categories=statutory_tables.PUBLIC)
    return tuple(sorted(table.items()))


@functools.lru_cache(maxsize=4096)
def _officially_a_workday(day: date) -> bool:
    """chinese-calendar's answer, remembered: it validates every date it is asked about (about
    0.1 ms), and measuring a month's working times asks about each day thousands of times."""
    return bool(chinese_calendar.is_workday(day))


@functools.cache
def _statutory_dates(year: int) -> frozenset[date]:
    return frozenset(day for day, _name in _statutory_days_off(year, "zh_CN"))


def year_source(year: int, notice_years: frozenset[int] | set[int] = frozenset()) -> YearSource:
    """Entered notice dates outrank the package: they are how a correction or a new year arrives."""
    if year in notice_years:
        return YearSource.OVERRIDDEN
    if year in official_years():
        return YearSource.OFFICIAL
    return YearSource.FALLBACK


_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def _warn_fallback(year: int) -> None:
    """Once per process and year: every deadline computed into such a year asks about dozens of
    its days, and a warning per day buried the one line that mattered."""
    if year in _warned_years:
        return
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "The official calendar (chinese-calendar %s, years %s–%s) does not cover %s: counting its statutory "
        "holidays without 调休 make-up workdays until administrators enter the State Council's notice.",
        chinese_calendar.__version__,
        official_years().start,
        official_years().stop - 1,
        year,
    )


@dataclass(frozen=True)
class WorkingClock:
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    overrides: dict[date, bool] = field(default_factory=dict)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))
    # Years whose State Council notice administrators entered as overrides: no fallback warning.
    notice_years: frozenset[int] = frozenset()

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(start, end) for start, end in self.periods) / 3600

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in official_years():
            return _officially_a_workday(day)
        if day.year not in self.notice_years:
            _warn_fallback(day.year)
        return day.weekday() < 5 and day not in _statutory_dates(day.year)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        if hours < 0:
            raise ValueError("Working time cannot be negative.")
        if hours == 0:
            # No time to add: the same instant (not the next opening, which would break a + 0 = a).
            return start
        remaining = hours * 3600
        moment = start.astimezone(self.tz)
        for _day in range(_SEARCH_LIMIT_DAYS):
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
        """The first and last days are clipped to the moments; the days between count whole. (Asked
        of every assignment when the assessment's days are built: a reply months late used to walk
        its months period by period.)"""
        if end <= start:
            return 0.0
        start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        first, last = start.date(), end.date()
        if first == last:
            return self._working_seconds(first, start, end) / 3600
        total = self._working_seconds(first, start, None) + self._working_seconds(last, None, end)
        whole_day = sum(_seconds(opens, closes) for opens, closes in self.periods)
        day = first + timedelta(days=1)
        while day < last:
            if self.is_workday(day):
                total += whole_day
            day += timedelta(days=1)
        return total / 3600

    def _working_seconds(self, day: date, since: datetime | None, until: datetime | None) -> float:
        """Working seconds of `day`, from `since` and to `until` where given."""
        if not self.is_workday(day):
            return 0.0
        total = 0.0
        for period_start, period_end in self.periods:
            begin = datetime.combine(day, period_start, self.tz)
            finish = datetime.combine(day, period_end, self.tz)
            if since is not None:
                begin = max(begin, since)
            if until is not None:
                finish = min(finish, until)
            if finish > begin:
                total += (finish - begin).total_seconds()
        return total


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def current_clock() -> WorkingClock:
    """The clock as configured in the database (periods and overrides), for one computation."""
    from departments.models import CalendarOverride, OverrideKind, WorkingPeriod

    periods = tuple(WorkingPeriod.objects.values_list("starts_at", "ends_at")) or DEFAULT_PERIODS
    overrides: dict[date, bool] = {}
    notice_years: set[int] = set()
    for day, is_workday, kind in CalendarOverride.objects.values_list("date", "is_workday", "kind"):
        overrides[day] = is_workday
        if kind == OverrideKind.NOTICE:
            notice_years.add(day.year)
    return WorkingClock(periods=periods, overrides=overrides, notice_years=frozenset(notice_years))
