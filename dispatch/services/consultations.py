"""Convening a hard case (疑难件会商): a dispatcher brings the departments of a case nobody will
take, or that keeps going round, to one table; the record says who took part and what they decided
(who leads, who assists), and the decision re-dispatches the case. Where the list named the wrong
lead, the decision may propose that it name the new one (a list amendment, as a return ruling may)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import NotFound, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.workflow import Action
from departments.models import Department
from dispatch.models import Assignment, HardCaseConsultation
from dispatch.services.assignments import create_assignments, require_dispatcher, withdraw_waiting
from dispatch.services.transitions import let_go
from responsibility_lists.amendments import amendment_file
from responsibility_lists.models import AmendmentKind


def consultation_convene(
    *,
    demand_id: int,
    actor: User,
    participant_ids: Iterable[int],
    lead_id: int,
    assisting_ids: Iterable[int] = (),
    decision: str,
    propose_amendment: bool = False,
) -> HardCaseConsultation:
    """Record the consultation and apply its decision: the case's open work is let go (what waited
    on it withdrawn) and it is dispatched afresh to the lead and assisting departments decided."""
    require_dispatcher(actor)
    decision = decision.strip()
    if len(decision) < 10:
        raise ValidationFailed(_("请写明会商意见（至少10个字）。"), extra={"fields": {"decision": _("内容太短。")}})
    participants = {d.pk: d for d in Department.objects.filter(pk__in=list(participant_ids), is_active=True)}
    if len(participants) < 2:
        raise ValidationFailed(
            _("会商须有至少两个参会部门。"), extra={"fields": {"participants": _("请选择参会部门。")}}
        )
    lead = participants.get(lead_id)
    if lead is None:
        raise ValidationFailed(_("主办部门须是参会部门之一。"), extra={"fields": {"lead": _("请在参会部门中选择。")}})
    assisting_set = set(assisting_ids)
    if lead_id in assisting_set:
        raise ValidationFailed(_("主办部门不能同时协办。"), extra={"fields": {"assisting": _("请去掉主办部门。")}})
    if not assisting_set <= participants.keys():
        raise ValidationFailed(_("协办部门须是参会部门。"), extra={"fields": {"assisting": _("请在参会部门中选择。")}})
    assisting = [participants[pk] for pk in sorted(assisting_set)]
    now = timezone.now()
    with transaction.atomic():
        demand = Demand.objects.select_for_update(of=("self",)).filter(pk=demand_id).select_related("matter").first()
        if demand is None:
            raise NotFound(_("该诉求不存在。"))
        matter = demand.matter
        if propose_amendment and matter is None:
            raise ValidationFailed(_("该诉求没有清单事项，不能据此提出清单修订建议。"))
        held = Assignment.objects.of_demand(demand.pk)
        was_dispatched = held.exists()
        consultation = HardCaseConsultation.objects.create(
            demand=demand, convened_by=actor, lead=lead, decision=decision
        )
        consultation.participants.set(participants.values())
        consultation.assisting.set(assisting)
        demand = demand_transition(
            demand_id=demand.pk,
            action=Action.CONVENE,
            actor=actor,
            department=lead,
            reason=decision,
            data={
                "consultation": consultation.pk,
                "participants": [d.name for d in participants.values()],
                "lead": lead.name,
                "assisting": [d.name for d in assisting],
            },
            changes={"lead_department": lead},
            is_public=False,
        )
        withdraw_waiting(held.values_list("pk", flat=True), now, gettext_noop("疑难件会商后重新派单，申请随之撤回。"))
        let_go(held, now)
        # The matter stays the case's: its time limits; the decision, not the list, names the lead.
        create_assignments(
            demand=demand, lead=lead, matter=matter, assisting=assisting, actor=actor, is_redispatch=was_dispatched
        )
        if propose_amendment and matter is not None and matter.lead_department_id != lead.pk:
            consultation.proposal = amendment_file(
                actor=actor,
                version_id=matter.version_id,
                matter_code=matter.code,
                kind=AmendmentKind.CHANGE_LEAD,
                department_id=lead.pk,
                reason=f"疑难件会商（{demand.tracking_number}）：{decision}",
                demand_id=demand.pk,
            )
            consultation.save(update_fields=["proposal"])
    return consultation
