"""The working-time calendar's page: which years are official, a fallback, or entered by hand."""

from __future__ import annotations

import chinese_calendar
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from departments.access import has_role
from departments.models import DISTRICT_WIDE_ROLES, CalendarOverride
from departments.selectors import CALENDAR_NOTICE_DAYS_AHEAD, calendar_years
from departments.signed_in import StaffRequest
from departments.working_time import official_years


@login_required
def working_calendar(request: StaffRequest) -> HttpResponse:
    # Every deadline in the district is counted on this calendar: those who act for the district
    # read it, and administrators (staff of the admin site) keep it.
    if not (request.user.is_staff or has_role(request.user, *DISTRICT_WIDE_ROLES)):
        raise PermissionDenied
    user = request.user
    context = {
        "years": calendar_years(today=timezone.localdate()),
        "official_first": official_years().start,
        "official_last": official_years().stop - 1,
        "package_version": chinese_calendar.__version__,
        "days_ahead": CALENDAR_NOTICE_DAYS_AHEAD,
        "can_enter": user.is_staff and user.has_perm("departments.add_calendaroverride"),
        "can_view_entries": user.is_staff and user.has_perm("departments.view_calendaroverride"),
        "entry_model": CalendarOverride,
    }
    return render(request, "departments/working_calendar.html", context)
