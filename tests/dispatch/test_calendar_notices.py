"""Administrators are told once, 60 days ahead, that a coming year has no official holiday notice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core import mail

from config.demo_clock import clock_at
from departments.models import Membership, Role
from departments.services import calendar_notice_enter
from departments.working_time import official_years
from dispatch.models import Notification
from dispatch.services.calendar_notices import KIND, calendar_fallback_notify
from dispatch.tasks import warn_uncovered_calendar
from tests.staff import logged_in

YEAR = official_years().stop  # the first year the installed package has no notice for
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def administrators(district):
    root = User.objects.create_superuser("root", email="root@example.cn", password="pw-for-tests-only")
    admin = User.objects.create_user("sysadmin", email="sysadmin@example.cn", password="pw-for-tests-only")
    Membership.objects.create(user=admin, department=district.departments["ZXZX"], role=Role.ADMIN)
    return [root, admin]


def told(user) -> list[str]:
    return list(Notification.objects.filter(user=user, kind=KIND).values_list("message", flat=True))


def test_sixty_days_ahead_each_administrator_is_told_once(district, administrators, django_capture_on_commit_callbacks):
    assert calendar_fallback_notify(today=date(YEAR - 1, 11, 1)) == 0  # 61 days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert calendar_fallback_notify(today=date(YEAR - 1, 11, 2)) == 2
    for user in administrators:
        assert told(user) == [
            f"{YEAR}年的放假安排尚未录入：官方日历只收录到{YEAR - 1}年，{YEAR}年的办理时限现按法定节假日推算，"
            "没有调休上班日。国务院公布放假安排后，请在管理后台“日历调整”中录入。"
        ]
    assert sorted(m.to[0] for m in mail.outbox) == ["root@example.cn", "sysadmin@example.cn"]
    # The check runs every few hours: nobody is told twice, and the dispatch centre not at all.
    for day in (date(YEAR - 1, 11, 3), date(YEAR - 1, 12, 6), date(YEAR, 1, 10)):
        assert calendar_fallback_notify(today=day) == 0
    assert told(district.users["dispatcher"]) == []


def test_nobody_is_told_once_the_notice_is_entered(district, administrators):
    calendar_notice_enter(year=YEAR, days_off=[date(YEAR, 1, 1)], workdays=[])
    assert calendar_fallback_notify(today=date(YEAR - 1, 12, 6)) == 0
    assert calendar_fallback_notify(today=date(YEAR, 3, 1)) == 0
    assert Notification.objects.filter(kind=KIND).count() == 0


def test_an_official_year_needs_no_notice(district, administrators):
    assert calendar_fallback_notify(today=date(YEAR - 2, 12, 6)) == 0


def test_the_beat_task_tells_them_and_the_notice_opens_the_calendar(district, administrators):
    with clock_at(datetime(YEAR - 1, 12, 6, 9, tzinfo=TZ)):
        assert warn_uncovered_calendar.apply().get() == 2
    client = logged_in(administrators[1])
    page = client.get("/notifications/").content.decode()
    assert '<a href="/calendar/">' in page and f"{YEAR}年的放假安排尚未录入" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    Notification.objects.update(read_at=None)
    english = client.get("/notifications/").content.decode()
    assert f"The {YEAR} holiday notice has not been entered" in english
