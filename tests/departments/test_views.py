"""The calendar page: which years are official, a fallback, or entered by administrators."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from config.demo_clock import clock_at
from departments.models import CalendarOverride
from departments.services import calendar_notice_enter
from departments.working_time import official_years
from tests.staff import logged_in

LAST_OFFICIAL = official_years().stop - 1
FIRST_FALLBACK = LAST_OFFICIAL + 1
# Today as the issue met it: December of the last year the package knows.
TODAY = datetime(LAST_OFFICIAL, 12, 6, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def page(user, language: str = ""):
    client = logged_in(user)
    if language:
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    with clock_at(TODAY):
        return client.get("/calendar/")


def shown(response) -> dict[int, str]:
    return {y.year: y.source for y in response.context["years"]}


def test_the_page_tells_official_from_fallback_years_and_asks_for_the_notice(district):
    response = page(district.users["maintainer"])
    assert response.status_code == 200
    assert shown(response) == {
        LAST_OFFICIAL - 1: "official",
        LAST_OFFICIAL: "official",
        FIRST_FALLBACK: "fallback",
        FIRST_FALLBACK + 1: "fallback",
    }
    html = response.content.decode()
    # The coming year is 26 days away: it is flagged; the one after is not yet.
    assert html.count("请尽快录入") == 1
    assert "没有调休上班日" in html
    spring = [b for b in response.context["years"][2].breaks if any("春节" in name for name in b.names)]
    assert len(spring) == 1 and spring[0].days >= 4
    # The official year shows its make-up Saturdays and Sundays with the holiday they serve.
    official = response.context["years"][1]
    assert official.makeup_workdays and all(day.weekday() >= 5 for day, _name in official.makeup_workdays)


def test_an_entered_notice_and_local_exceptions_show_on_the_page(district):
    saturday = next(date(FIRST_FALLBACK, 2, d) for d in range(1, 29) if date(FIRST_FALLBACK, 2, d).weekday() == 5)
    calendar_notice_enter(
        year=FIRST_FALLBACK,
        days_off=[date(FIRST_FALLBACK, 2, d) for d in range(10, 17)],
        workdays=[saturday],
        note="国务院办公厅通知",
    )
    CalendarOverride.objects.create(date=date(FIRST_FALLBACK, 7, 1), is_workday=False, note="台风停工")
    response = page(district.users["maintainer"])
    assert shown(response)[FIRST_FALLBACK] == "overridden"
    year = response.context["years"][2]
    assert saturday in [day for day, _name in year.makeup_workdays]
    # Each break is named by its holidays, not by the title of the notice it was entered from.
    spring = next(b for b in year.breaks if b.first <= date(FIRST_FALLBACK, 2, 12) <= b.last)
    assert "国务院办公厅通知" not in spring.names
    assert [o.note for o in year.local_exceptions] == ["台风停工"]
    html = response.content.decode()
    assert "管理员录入" in html and "台风停工" in html and "请尽快录入" not in html


def test_in_english(district):
    response = page(district.users["maintainer"], language="en")
    html = response.content.decode()
    assert "Working calendar" in html
    assert "Statutory holidays only (no make-up workdays)" in html
    assert "Spring Festival" in html


@pytest.mark.parametrize("who", ["cgj", "nobody"])
def test_only_district_wide_roles_and_administrators_read_it(district, who):
    assert page(district.users[who]).status_code == 403
    assert page(User.objects.create_superuser("root", password="pw-for-tests-only")).status_code == 200
    assert Client().get("/calendar/").status_code == 302  # to the login page
