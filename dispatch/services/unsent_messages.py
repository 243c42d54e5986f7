"""A text message that could not be sent is a citizen not told. Someone is asked to phone
instead: the department whose step it told of (its answer, its question), or the dispatch
officers for the centre's own steps (taking in, merging, refusing)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from demands.models import CitizenMessage, MessageStatus
from demands.wording import worded
from departments.access import DEPARTMENT_ROLES
from departments.models import Membership, Role
from dispatch.models import Notification

KIND = "message_failed"
PHONE_INSTEAD = gettext_noop("发给群众的短信（%(number)s）%(attempts)s次都未能发出，请电话告知群众。")


def notify_unsent_message(*, message_id: int) -> int:
    """Notices to the people who should phone the citizen; returns how many. Once per message."""
    message = CitizenMessage.objects.select_related("demand", "event").get(pk=message_id)
    if message.status != MessageStatus.FAILED:
        return 0
    if Notification.objects.filter(demand=message.demand, kind=KIND, data__message=message.pk).exists():
        return 0
    department_id = message.event.department_id
    members = (
        Membership.objects.filter(department_id=department_id, role__in=DEPARTMENT_ROLES)
        if department_id
        else Membership.objects.filter(role=Role.DISPATCH_OFFICER)
    )
    text, wording = worded(PHONE_INSTEAD, number=message.demand.tracking_number, attempts=message.attempts)
    notices = Notification.objects.bulk_create(
        Notification(
            user_id=user_id, demand=message.demand, kind=KIND, message=text, data={**wording, "message": message.pk}
        )
        for user_id in sorted(set(members.values_list("user_id", flat=True)))
    )
    return len(notices)
