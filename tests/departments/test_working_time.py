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


# --- Laws of the clock, for any moment and any duration -----------------------------------------

from datetime import timedelta  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 20)).map(
    lambda moment: moment.replace(tzinfo=TZ)
)
hours = st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
LAW = settings(max_examples=150, deadline=None)
CLOCK = WorkingClock(tz=TZ)


@LAW
@given(moments, hours, hours)
def test_adding_is_monotone(start, a, b):
    low, high = sorted((a, b))
    assert CLOCK.add_working_hours(start, low) <= CLOCK.add_working_hours(start, high)


@LAW
@given(moments, hours, hours)
def test_adding_is_additive(start, a, b):
    in_two_steps = CLOCK.add_working_hours(CLOCK.add_working_hours(start, a), b)
    at_once = CLOCK.add_working_hours(start, a + b)
    # The same point of working time: a closing time and the next opening are one instant of it.
    earlier, later = sorted((in_two_steps, at_once))
    assert CLOCK.working_hours_between(earlier, later) < 1e-3


@LAW
@given(moments, hours)
def test_adding_then_measuring_gives_back_the_hours(start, a):
    end = CLOCK.add_working_hours(start, a)
    assert abs(CLOCK.working_hours_between(start, end) - a) < 1e-6


@LAW
@given(moments, st.floats(min_value=0.01, max_value=100, allow_nan=False))
def test_deadlines_fall_in_working_time_on_working_days(start, a):
    end = CLOCK.add_working_hours(start, a)
    assert CLOCK.is_workday(end.date())
    assert any(open_ <= end.timetz().replace(tzinfo=None) <= close for open_, close in CLOCK.periods)


@LAW
@given(moments)
def test_holidays_and_weekends_off_the_calendar_add_no_time(start):
    day_after = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), TZ)
    if not CLOCK.is_workday(start.date()):
        assert CLOCK.working_hours_between(datetime.combine(start.date(), datetime.min.time(), TZ), day_after) == 0
