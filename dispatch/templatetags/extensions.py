"""What an extension request would do if approved now, for the dispatcher deciding it."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from departments.working_time import WorkingClock
from dispatch.models import ExtensionRequest
from dispatch.services.deadlines import deadline_if_resumed

register = template.Library()


@register.filter
def deadline_if_approved(request: ExtensionRequest, clock: WorkingClock) -> datetime:
    # The paused time is given back and the extra working days added, as extension_decide does.
    # One clock for the whole queue: reading the calendar costs queries.
    extra_hours = float(request.extra_days) * clock.hours_per_day
    return deadline_if_resumed(request.assignment, at=timezone.now(), extra_hours=extra_hours, clock=clock)
