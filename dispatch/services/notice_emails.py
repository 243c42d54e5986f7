"""Notices go out by email too, to those of their recipients with an address."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from config.queue import enqueue_on_commit
from dispatch.models import Notification


def email_notices(notices: Iterable[Notification]) -> None:
    """Queue the email of the given saved notices, on commit (`dispatch.email_notifications`
    sends each at most once). Nothing when NOTIFICATION_EMAILS is off."""
    ids = [notice.pk for notice in notices]
    if not settings.NOTIFICATION_EMAILS or not ids:
        return
    emailed = list(Notification.objects.filter(pk__in=ids).exclude(user__email="").values_list("pk", flat=True))
    if emailed:
        enqueue_on_commit("dispatch.email_notifications", emailed)
