"""Writes on the organisation: the State Council's holiday notice for the working-time calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from departments.models import CalendarOverride, OverrideKind


def _listed(days: Iterable[date]) -> str:
    return "、".join(day.isoformat() for day in sorted(days))


def calendar_notice_enter(*, year: int, days_off: Iterable[date], workdays: Iterable[date], note: str = "") -> int:
    """Enter a year's holiday notice (放假 and 调休上班 days) as the calendar in force for that year;
    returns how many days it holds. A corrected notice replaces the one entered before, whole, so
    no day of the old one lingers. Local exceptions are left alone, and a day that has one is
    refused rather than overwritten: which of the two is right is for a person to say."""
    off, on = set(days_off), set(workdays)
    problems: list[str] = []
    if not off:
        problems.append(_("请填写放假日期。"))
    outside = {day for day in off | on if day.year != year}
    if outside:
        problems.append(_("不在%(year)s年内：%(days)s") % {"year": year, "days": _listed(outside)})
    if off & on:
        problems.append(_("既填为放假又填为上班：%(days)s") % {"days": _listed(off & on)})
    weekdays = {day for day in on if day.weekday() < 5}
    if weekdays:
        problems.append(_("调休上班日应是周六或周日：%(days)s") % {"days": _listed(weekdays)})
    local = set(
        CalendarOverride.objects.filter(date__in=off | on, kind=OverrideKind.LOCAL).values_list("date", flat=True)
    )
    if local:
        problems.append(_("这些日期已有本地调整，请先修改或删除：%(days)s") % {"days": _listed(local)})
    if problems:
        raise ValidationFailed(problems[0], extra={"rows": problems[1:]})
    note = note.strip()[: CalendarOverride._meta.get_field("note").max_length]
    with transaction.atomic():
        CalendarOverride.objects.filter(kind=OverrideKind.NOTICE, date__year=year).delete()
        CalendarOverride.objects.bulk_create(
            CalendarOverride(date=day, is_workday=day in on, kind=OverrideKind.NOTICE, note=note)
            for day in sorted(off | on)
        )
    return len(off | on)
