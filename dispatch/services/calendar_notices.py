"""Administrators are told, ahead of time, when a coming year's deadlines will be counted without
its official holiday notice.

chinese-calendar learns a year only in a release after the State Council publishes the notice
(usually in November or December). Until then the clock counts that year's statutory holidays
without 调休 make-up workdays, so administrators are asked to enter the notice themselves from
60 days before the year begins, and for as long as the year stays a fallback once it has begun.
One notice per administrator per year, however often the check runs."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from demands.wording import worded
from departments.models import Role
from departments.selectors import CALENDAR_NOTICE_DAYS_AHEAD
from departments.working_time import YearSource, current_clock, official_years, year_source
from dispatch.models import Notification
from dispatch.services.notice_emails import email_notices

KIND = "calendar_fallback"
UNCOVERED = gettext_noop(
    "%(year)s年的放假安排尚未录入：官方日历只收录到%(last)s年，%(year)s年的办理时限现按法定节假日推算，"
    "没有调休上班日。国务院公布放假安排后，请在管理后台“日历调整”中录入。"
)


def years_needing_a_notice(*, today: date) -> list[int]:
    """This year and the next, where they are no more than 60 days off and still a fallback."""
    notice_years = current_clock().notice_years
    return [
        year
        for year in (today.year, today.year + 1)
        if (date(year, 1, 1) - today).days <= CALENDAR_NOTICE_DAYS_AHEAD
        and year_source(year, notice_years) == YearSource.FALLBACK
    ]


def calendar_fallback_notify(*, today: date) -> int:
    """Notices to administrators who have not had one for each such year; returns how many."""
    years = years_needing_a_notice(today=today)
    if not years:
        return 0
    administrators = set(
        User.objects.filter(Q(is_superuser=True) | Q(memberships__role=Role.ADMIN), is_active=True).values_list(
            "pk", flat=True
        )
    )
    notices: list[Notification] = []
    with transaction.atomic():
        for year in years:
            told = set(Notification.objects.filter(kind=KIND, data__year=year).values_list("user_id", flat=True))
            message, wording = worded(UNCOVERED, year=year, last=official_years().stop - 1)
            notices += [
                Notification(user_id=user_id, kind=KIND, message=message, data={**wording, "year": year})
                for user_id in sorted(administrators - told)
            ]
        created = Notification.objects.bulk_create(notices)
        email_notices(created)
    return len(created)
