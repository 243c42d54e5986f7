"""The working-time clock around real 2025/2026 holidays and their 调休 make-up workdays, and past
the years the official calendar package knows."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from departments import working_time
from departments.models import CalendarOverride, OverrideKind
from departments.working_time import WorkingClock, YearSource, current_clock, official_years, year_source

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


@pytest.fixture
def first_uncovered_year():
    """The first year the installed chinese-calendar has no notice for (asked, not assumed), with
    the once-per-year warnings forgotten so each test sees its own."""
    working_time._warned_years.clear()
    yield official_years().stop
    working_time._warned_years.clear()


def fallback_warnings(caplog, year):
    return [r for r in caplog.records if r.levelno == logging.WARNING and f"does not cover {year}" in r.getMessage()]


@pytest.mark.skipif(2027 in official_years(), reason="chinese-calendar now has the 2027 notice")
def test_spring_festival_2027_is_not_worked_before_the_notice_is_known(clock, first_uncovered_year):
    # 6 Feb 2027 is the lunar new year: 除夕 Friday 5th to 初三 Monday 8th, and the two weekend
    # days in lieu on Tuesday 9th and Wednesday 10th. The old fallback counted all weekdays.
    for day in (5, 8, 9, 10):
        assert not clock.is_workday(date(2027, 2, day))
    assert clock.is_workday(date(2027, 2, 4))
    assert clock.is_workday(date(2027, 2, 11))
    # Thursday 4 Feb 17:00 + 2 working hours: 1 h that day, the next on Thursday the 11th.
    assert clock.add_working_hours(at("2027-02-04T17:00"), 2) == at("2027-02-11T10:00")
    # A ten-day limit set on 1 Feb ends after the festival: 4 days that week, 6 from the 11th.
    assert clock.add_working_days(at("2027-02-01T09:00"), 10) == at("2027-02-18T18:00")


def test_a_year_the_package_does_not_know_keeps_its_statutory_holidays(clock, first_uncovered_year, caplog):
    for year in (first_uncovered_year, first_uncovered_year + 3):
        new_year = date(year, 1, 1)
        assert not clock.is_workday(new_year)
        assert not clock.is_workday(date(year, 10, 1)) and not clock.is_workday(date(year, 10, 2))
        # The lunar festivals move: they are computed, and whichever weekdays they take are off.
        days_off = working_time.statutory_days_off(year)
        spring = [day for day, name in days_off.items() if "春节" in name or "除夕" in name]
        assert len(spring) >= 4 and all(not clock.is_workday(day) for day in spring)
        assert clock.is_workday(date(year, 3, 10)) == (date(year, 3, 10).weekday() < 5)
        assert year_source(year) == YearSource.FALLBACK
    assert year_source(first_uncovered_year - 1) == YearSource.OFFICIAL


def test_the_fallback_is_logged_once_per_year_not_per_day(clock, first_uncovered_year, caplog):
    caplog.set_level(logging.WARNING, logger="departments.working_time")
    start = at(f"{first_uncovered_year}-01-04T09:00")
    for _ in range(20):
        clock.add_working_days(start, 30)
        clock.working_hours_between(start, at(f"{first_uncovered_year}-03-31T18:00"))
    assert len(fallback_warnings(caplog, first_uncovered_year)) == 1
    clock.add_working_days(at(f"{first_uncovered_year + 1}-06-01T09:00"), 3)
    assert len(fallback_warnings(caplog, first_uncovered_year + 1)) == 1
    assert len(caplog.records) == 2


@pytest.mark.django_db
def test_an_entered_notice_brings_its_make_up_workdays_and_silences_the_fallback(first_uncovered_year, caplog):
    year = first_uncovered_year
    saturday = next(date(year, 2, d) for d in range(1, 29) if date(year, 2, d).weekday() == 5)
    monday = saturday + timedelta(days=2)
    CalendarOverride.objects.create(date=saturday, is_workday=True, kind=OverrideKind.NOTICE, note="春节调休上班")
    CalendarOverride.objects.create(date=monday, is_workday=False, kind=OverrideKind.NOTICE, note="春节")
    clock = current_clock()
    assert clock.is_workday(saturday) and not clock.is_workday(monday)
    assert clock.notice_years == frozenset({year})
    assert year_source(year, clock.notice_years) == YearSource.OVERRIDDEN
    clock.add_working_days(at(f"{year}-01-04T09:00"), 40)
    assert fallback_warnings(caplog, year) == []
    # A local exception (a typhoon day) changes a day without claiming the year's notice.
    CalendarOverride.objects.create(date=date(year + 1, 7, 1), is_workday=False, note="台风停工")
    assert current_clock().notice_years == frozenset({year})


@pytest.mark.django_db
def test_overrides_change_the_answer():
    CalendarOverride.objects.create(date=date(2026, 11, 30), is_workday=False, note="台风停工")
    clock = current_clock()
    assert not clock.is_workday(date(2026, 11, 30))
    assert clock.add_working_hours(at("2026-11-27T17:00"), 2) == at("2026-12-01T10:00")


# --- Laws of the clock, for any moment and any duration -----------------------------------------


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
