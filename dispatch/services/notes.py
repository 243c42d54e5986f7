"""Talk about a case between the departments on it and the dispatch centre (协办沟通): internal
notes on the demand's timeline, each a notice to the other departments on the case."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import NotAllowed, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.workflow import Action
from departments.access import DEPARTMENT_ROLES, DISPATCH_ROLES, department_ids_for, has_role
from dispatch.models import Assignment
from dispatch.services.assignments import notify_department


def case_note(*, demand_id: int, actor: User, body: str) -> Demand:
    body = body.strip()
    if len(body) < 2:
        raise ValidationFailed(_("请填写沟通内容。"), extra={"fields": {"body": _("内容为空。")}})
    with transaction.atomic():
        on_case = Assignment.objects.of_demand(demand_id).open().select_related("department")
        own = set(department_ids_for(actor, *DEPARTMENT_ROLES))
        author = next((a.department for a in on_case if a.department_id in own), None)
        if author is None and not has_role(actor, *DISPATCH_ROLES):
            raise NotAllowed(_("只有承办、协办部门和分拨中心可以参与办理沟通。"))
        demand = demand_transition(
            demand_id=demand_id, action=Action.NOTE, actor=actor, department=author, reason=body, is_public=False
        )
        speaker = author.display_name if author else "分拨中心"
        for assignment in on_case:
            if assignment.department_id not in own:
                notify_department(
                    assignment.department,
                    demand,
                    gettext_noop("%(speaker)s就诉求 %(number)s 留言：%(body)s"),
                    speaker=speaker,
                    number=demand.tracking_number,
                    body=body,
                )
    return demand
