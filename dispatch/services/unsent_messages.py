"""A citizen not told is followed up by phone. Someone is asked to call when a text message
failed for good, or when a department's question could not be texted at all (a landline, or
texts declined): the department whose answer or question it carried, or the dispatch officers
for the centre's own steps and for citizens whose demand was merged into another."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from demands.citizen_messages import needs_a_call
from demands.models import CitizenMessage, MessageStatus
from demands.wording import worded
from departments.access import DEPARTMENT_ROLES
from departments.models import Membership, Role
from dispatch.models import Notification

KIND = "message_failed"
PHONE_INSTEAD = gettext_noop("发给群众的短信（%(number)s）%(attempts)s次都未能发出，请电话告知群众。")
QUESTION_BY_PHONE = gettext_noop("诉求%(number)s的群众收不到短信（非手机号码或不接收短信），请电话告知您的问题。")


def notify_unsent_message(*, message_id: int) -> int:
    """Notices to the people who should phone the citizen; returns how many. Once per message."""
    with transaction.atomic():
        message = CitizenMessage.objects.select_for_update().select_related("demand", "event").get(pk=message_id)
        if message.followed_up_at is not None or not needs_a_call(message):
            return 0
        # Only a department with an assignment on the demand can open it and reveal the number:
        # a message to a merged citizen (about the demand it was merged into) is the centre's.
        department_id = message.event.department_id if message.event.demand_id == message.demand_id else None
        members = (
            Membership.objects.filter(department_id=department_id, role__in=DEPARTMENT_ROLES)
            if department_id
            else Membership.objects.filter(role=Role.DISPATCH_OFFICER)
        )
        if message.status == MessageStatus.FAILED:
            text, wording = worded(PHONE_INSTEAD, number=message.demand.tracking_number, attempts=message.attempts)
        else:
            text, wording = worded(QUESTION_BY_PHONE, number=message.demand.tracking_number)
        notices = Notification.objects.bulk_create(
            Notification(
                user_id=user_id, demand=message.demand, kind=KIND, message=text, data={**wording, "message": message.pk}
            )
            for user_id in sorted(set(members.values_list("user_id", flat=True)))
        )
        message.followed_up_at = timezone.now()
        message.save(update_fields=["followed_up_at"])
    return len(notices)
