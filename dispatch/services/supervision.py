"""The supervised department's answer to a supervision (督办反馈)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotFound, ValidationFailed
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from dispatch.models import Notification, Supervision
from dispatch.services.case_locks import locked_assignment

ANSWERED = gettext_noop("诉求 %(number)s 的督办已反馈：%(response)s")


def supervision_answer(*, supervision_id: int, actor: User, response: str) -> Supervision:
    response = response.strip()
    if len(response) < 10:
        raise ValidationFailed(
            _("请说明办理进展和预计办结时间（至少10个字）。"), extra={"fields": {"response": _("内容太短。")}}
        )
    with transaction.atomic():
        supervision = Supervision.objects.select_for_update().filter(pk=supervision_id).first()
        if supervision is None:
            raise NotFound(_("该督办不存在。"))
        assignment = locked_assignment(supervision.assignment_id, actor)
        if supervision.responded_at is not None:
            raise IllegalTransition(_("该督办已反馈。"))
        now = timezone.now()
        supervision.response, supervision.responded_by, supervision.responded_at = response, actor, now
        supervision.save(update_fields=["response", "responded_by", "responded_at"])
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.ANSWER_SUPERVISION,
            actor=actor,
            department=assignment.department,
            reason=response,
            data={"supervision": supervision.pk, "late": now > supervision.response_deadline},
            is_public=False,
        )
        if supervision.supervisor_id:
            message, wording = worded(ANSWERED, number=demand.tracking_number, response=response)
            Notification.objects.create(
                user_id=supervision.supervisor_id,
                demand=demand,
                kind=Action.ANSWER_SUPERVISION,
                message=message[:255],
                data=wording,
            )
    return supervision
