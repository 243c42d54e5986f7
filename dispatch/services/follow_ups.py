"""A citizen who reports their open demand again urges it on (催办) instead of making a second
demand that would be dispatched again: the repeat is recorded on the open demand's timeline,
counted, and told to the departments handling it.

Who may add to a demand: the phone number is the caller's own input, so anyone who types
another's number could try. A follow-up is therefore taken only for a submission the platform
itself found to repeat that phone's open demand (the same number and a text at least
REPEAT_SIMILARITY alike, checked again here, never taken on the caller's word); it gives no
access to the demand (its page still asks for the query code); its words are kept from the
citizen's timeline, which shows only that a follow-up came; and the phone's owner is texted
that it came, so one made by someone else does not go unseen."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import ValidationFailed
from demands.models import Channel, Demand
from demands.services import CITIZEN, demand_transition, submission_errors
from demands.workflow import Action
from dispatch.duplicates import repeats
from dispatch.models import Assignment
from dispatch.services.assignments import notify_department

NOT_A_REPEAT = gettext_noop(
    "这次反映不能记入 %(number)s：它不是这个电话号码反映过、仍在办理的同一件事。请作为新诉求提交。"
)


def demand_follow_up(
    *,
    tracking_number: str,
    citizen_name: str,
    citizen_phone: str,
    title: str,
    content: str,
    channel: str = Channel.WEB,
    entered_by: User | None = None,
) -> Demand:
    """Record a repeated report as a follow-up on the caller's open demand it repeats, or refuse
    and change nothing. The same refusal whether the number is unknown, another caller's, closed
    or about something else: it must not tell a stranger which of these it was."""
    number = tracking_number.strip().upper()
    errors = submission_errors(title=title, content=content, name=citizen_name, phone=citizen_phone)
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})
    with transaction.atomic():
        demand = Demand.objects.select_for_update().filter(tracking_number=number).first()
        if demand is None or not repeats(demand, phone=citizen_phone, title=title, content=content):
            raise ValidationFailed(_(NOT_A_REPEAT) % {"number": number})
        count = demand.follow_up_count + 1
        demand = demand_transition(
            demand_id=demand.pk,
            action=Action.FOLLOW_UP,
            actor=entered_by,
            actor_label=entered_by.get_username() if entered_by else CITIZEN,
            # The citizen's words, for the staff; the citizen's timeline shows the event alone.
            reason=content.strip(),
            data={"title": title.strip(), "channel": channel, "count": count},
            changes={"follow_up_count": count},
        )
        handling = Assignment.objects.of_demand(demand.pk).open().select_related("department")
        for assignment in handling:
            notify_department(
                assignment.department,
                demand,
                gettext_noop("群众再次反映诉求 %(number)s（第 %(count)s 次催办），请抓紧办理。"),
                kind="follow_up",
                number=demand.tracking_number,
                count=count,
            )
    return demand
