"""Administrators enter a year's holiday notice in the admin, as the State Council publishes it."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client

from departments.forms import parse_days
from departments.models import CalendarOverride, OverrideKind
from departments.working_time import YearSource, current_clock, official_years, year_source
from tests.staff import logged_in

YEAR = official_years().stop  # the first year the installed package has no notice for
URL = "/admin/departments/calendaroverride/enter-notice/"


@pytest.fixture
def admin_client(db) -> Client:
    return logged_in(User.objects.create_superuser("root", password="pw-for-tests-only"))


def weekend_day(month: int, weekday: int, after: int = 0) -> date:
    return next(date(YEAR, month, d) for d in range(after + 1, 29) if date(YEAR, month, d).weekday() == weekday)


def test_the_notice_is_entered_as_published_and_the_year_is_no_longer_a_fallback(admin_client):
    sunday, saturday = weekend_day(2, 6, after=12), weekend_day(9, 5)
    form = admin_client.get(f"{URL}?year={YEAR}")
    assert form.status_code == 200
    assert f"国务院办公厅关于{YEAR}年部分节假日安排的通知" in form.content.decode()
    response = admin_client.post(
        URL,
        {
            "year": YEAR,
            "days_off": f"{YEAR}-01-01\n{YEAR}-02-05 至 {YEAR}-02-12、{YEAR}-10-01~{YEAR}-10-07",
            "workdays": f"{sunday}\n{saturday}",
            "note": f"国务院办公厅关于{YEAR}年部分节假日安排的通知",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/calendar/#year-{YEAR}"
    assert CalendarOverride.objects.filter(kind=OverrideKind.NOTICE, is_workday=False).count() == 1 + 8 + 7
    clock = current_clock()
    assert clock.is_workday(sunday) and clock.is_workday(saturday)
    assert not clock.is_workday(date(YEAR, 2, 11))
    assert year_source(YEAR, clock.notice_years) == YearSource.OVERRIDDEN


@pytest.mark.parametrize(
    ("days_off", "workdays", "says"),
    [
        (f"{YEAR}-02-30", "", "看不懂"),
        (f"{YEAR}-02-12 至 {YEAR}-02-05", "", "不是一段放假"),
        (f"{YEAR}-02-05 至 {YEAR}-02-12", f"{YEAR + 1}-01-02", f"不在{YEAR}年内"),
    ],
)
def test_a_notice_the_admin_cannot_read_is_refused_saying_why_and_nothing_is_entered(
    admin_client, days_off, workdays, says
):
    response = admin_client.post(URL, {"year": YEAR, "days_off": days_off, "workdays": workdays, "note": ""})
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_the_list_of_overrides_leads_to_the_notice_form_and_the_calendar_page(admin_client):
    page = admin_client.get("/admin/departments/calendaroverride/").content.decode()
    assert f'href="{URL}"' in page and 'href="/calendar/"' in page


def test_staff_without_the_permission_cannot_enter_a_notice(db):
    client = logged_in(User.objects.create_user("clerk", password="pw-for-tests-only", is_staff=True))
    assert client.get(URL).status_code == 403


def test_parse_days():
    assert parse_days("2027-02-05 至 2027-02-07，2027-04-05\n\n") == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 4, 5),
    ]
    assert parse_days("") == []
    with pytest.raises(forms.ValidationError):
        parse_days("2027-02-05 至")
