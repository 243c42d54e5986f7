"""The working-time clock around real 2025/2026 holidays and their 调休 make-up workdays."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from departments.models import CalendarOverride
from departments.working_time import WorkingClock, current_clock

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def clock():
    return WorkingClock(tz=TZ)


def test_spring_festival_2026_is_skipped_and_makeup_saturdays_count(clock):
    assert clock.is_workday(date(2026, 2, 14))  # Saturday, 调休 workday
    assert not clock.is_workday(date(2026, 2, 16))
    assert clock.is_workday(date(2026, 2, 28))  # Saturday, 调休 workday
    # Friday 13 Feb 17:00 + 2 working hours: 1 h on Friday, then Saturday 14 Feb (a workday).
    assert clock.add_working_hours(at("2026-02-13T17:00"), 2) == at("2026-02-14T10:00")
    # Saturday 14 Feb 17:00 + 2 h: the holiday runs 15–23 Feb, work resumes on the 24th.
    assert clock.add_working_hours(at("2026-02-14T17:00"), 2) == at("2026-02-24T10:00")


def test_national_day_2025(clock):
    assert clock.is_workday(date(2025, 9, 28))  # Sunday, 调休 workday
    assert not clock.is_workday(date(2025, 10, 3))
    assert clock.is_workday(date(2025, 10, 11))  # Saturday, 调休 workday
    assert not clock.is_workday(date(2025, 10, 8))  # the eight-day break ends on the 8th
    assert clock.add_working_days(at("2025-09-30T18:00"), 1) == at("2025-10-09T18:00")
    assert clock.add_working_days(at("2025-09-30T18:00"), 3) == at("2025-10-11T18:00")


def test_lunch_break_and_day_length(clock):
    assert clock.hours_per_day == 7
    assert clock.add_working_hours(at("2026-11-27T11:00"), 2) == at("2026-11-27T15:00")
    assert clock.working_hours_between(at("2026-11-27T08:00"), at("2026-11-27T20:00")) == 7


def test_unknown_year_falls_back_to_weekdays(clock, caplog):
    assert clock.is_workday(date(2031, 3, 3))  # a Monday
    assert not clock.is_workday(date(2031, 3, 1))  # a Saturday
    assert "does not cover 2031" in caplog.text


@pytest.mark.django_db
def test_overrides_change_the_answer():
    CalendarOverride.objects.create(date=date(2026, 11, 30), is_workday=False, note="台风停工")
    clock = current_clock()
    assert not clock.is_workday(date(2026, 11, 30))
    assert clock.add_working_hours(at("2026-11-27T17:00"), 2) == at("2026-12-01T10:00")
