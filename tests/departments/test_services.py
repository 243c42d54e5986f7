"""Entering the State Council's holiday notice for a year the official calendar does not know."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.errors import ValidationFailed
from departments.models import CalendarOverride, OverrideKind
from departments.services import calendar_notice_enter
from departments.working_time import YearSource, current_clock, official_years, year_source

TZ = ZoneInfo("Asia/Shanghai")
YEAR = official_years().stop  # the first year the installed package has no notice for


def days(first: int, last: int, month: int = 2) -> list[date]:
    return [date(YEAR, month, day) for day in range(first, last + 1)]


def saturdays(month: int) -> list[date]:
    return [date(YEAR, month, day) for day in range(1, 29) if date(YEAR, month, day).weekday() == 5]


pytestmark = pytest.mark.django_db


def test_an_entered_notice_is_the_calendar_of_its_year():
    weekdays_off = [day for day in days(10, 16) if day.weekday() < 5]
    makeup = saturdays(2)[-1]
    count = calendar_notice_enter(year=YEAR, days_off=days(10, 16), workdays=[makeup], note="国务院办公厅通知")
    assert count == 8
    clock = current_clock()
    assert all(not clock.is_workday(day) for day in weekdays_off)
    assert clock.is_workday(makeup)
    assert year_source(YEAR, clock.notice_years) == YearSource.OVERRIDDEN
    assert set(CalendarOverride.objects.values_list("kind", flat=True)) == {OverrideKind.NOTICE}
    # A deadline running through the entered break skips it and takes the make-up Saturday.
    start = datetime.combine(days(9, 9)[0], datetime.min.time(), TZ).replace(hour=17)
    assert clock.add_working_hours(start, 2).date() > days(16, 16)[0]


def test_a_corrected_notice_replaces_the_old_one_whole_and_leaves_local_exceptions():
    typhoon = date(YEAR, 7, 1)
    CalendarOverride.objects.create(date=typhoon, is_workday=False, note="台风停工")
    calendar_notice_enter(year=YEAR, days_off=days(10, 16), workdays=saturdays(2)[-1:])
    calendar_notice_enter(year=YEAR, days_off=days(11, 17), workdays=[])
    entered = set(CalendarOverride.objects.filter(kind=OverrideKind.NOTICE).values_list("date", flat=True))
    assert entered == set(days(11, 17))
    assert CalendarOverride.objects.filter(date=typhoon, kind=OverrideKind.LOCAL).exists()


@pytest.mark.parametrize(
    ("days_off", "workdays", "says"),
    [
        ([], [], "请填写放假日期"),
        ([date(YEAR + 1, 1, 1)], [], f"不在{YEAR}年内"),
        ([date(YEAR, 5, 1)], [date(YEAR, 5, 1)], "既填为放假又填为上班"),
        (
            [date(YEAR, 5, 1)],
            [next(date(YEAR, 4, d) for d in range(1, 8) if date(YEAR, 4, d).weekday() == 2)],
            "周六或周日",
        ),
        ([date(YEAR, 7, 1)], [], "已有本地调整"),
    ],
)
def test_a_bad_notice_is_refused_and_changes_nothing(days_off, workdays, says):
    CalendarOverride.objects.create(date=date(YEAR, 7, 1), is_workday=False, note="台风停工")
    calendar_notice_enter(year=YEAR, days_off=days(10, 16), workdays=[])
    before = list(CalendarOverride.objects.values_list("date", "is_workday", "kind"))
    with pytest.raises(ValidationFailed) as refused:
        calendar_notice_enter(year=YEAR, days_off=days_off, workdays=workdays)
    assert says in " ".join([refused.value.message, *refused.value.extra["rows"]])
    assert list(CalendarOverride.objects.values_list("date", "is_workday", "kind")) == before
