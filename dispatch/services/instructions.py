"""Leaders' instructions on cases (领导批示) and the lead department's answers to them (批示反馈).

There is no leader's account of its own: a supervisor or an administrator records the instruction
a leader gave (in writing or dictated), naming the leader. The case's lead department is told at
once, and answers by the deadline; the supervisors follow the open and overdue ones on the desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import DEPARTMENT_ROLES, has_role, works_in
from dispatch.models import Assignment, LeaderInstruction, Notification
from dispatch.services.assignments import notify_department
from dispatch.services.supervision import SUPERVISOR_ROLES, locked_with_open_lead, response_deadline

INSTRUCTED = gettext_noop("诉求 %(number)s 有%(leader)s的批示：%(instruction)s 请于 %(deadline)s 前反馈。")
INSTRUCTION_ANSWERED = gettext_noop("诉求 %(number)s 的领导批示已反馈：%(answer)s")
# Those who record a leader's instruction: the supervisors and administrators.
INSTRUCTION_ROLES = SUPERVISOR_ROLES


def instruction_record(
    *,
    demand_id: int,
    actor: User,
    leader_name: str,
    text: str,
    working_hours: Decimal | None = None,
    respond_by: date | None = None,
) -> LeaderInstruction:
    """Record a leader's instruction on a case in hand, and tell its lead department. Refused where
    no department has the case in hand (there would be no one to answer it)."""
    if not has_role(actor, *INSTRUCTION_ROLES):
        raise NotAllowed(_("只有督办员或管理员可以录入领导批示。"))
    leader_name = leader_name.strip()
    if len(leader_name) < 2:
        raise ValidationFailed(
            _("请写明作出批示的领导（如：区长 张某）。"), extra={"fields": {"leader_name": _("请填写批示领导。")}}
        )
    text = text.strip()
    if len(text) < 5:
        raise ValidationFailed(_("请写明批示内容（至少5个字）。"), extra={"fields": {"text": _("内容太短。")}})
    deadline = response_deadline(now=timezone.now(), working_hours=working_hours, by_date=respond_by)
    with transaction.atomic():
        demand, lead = locked_with_open_lead(
            demand_id, refusal=_("诉求 %(number)s 当前为「%(status)s」，没有在办的主办部门，不能录入领导批示。")
        )
        instruction = LeaderInstruction.objects.create(
            demand=demand, leader_name=leader_name, text=text, deadline=deadline, recorded_by=actor
        )
        demand_transition(
            demand_id=demand.pk,
            action=Action.INSTRUCT,
            actor=actor,
            department=lead.department,
            reason=text,
            data={"instruction": instruction.pk, "leader": leader_name, "deadline": deadline.isoformat()},
            is_public=False,
        )
        notify_department(
            lead.department,
            demand,
            INSTRUCTED,
            kind=Action.INSTRUCT,
            number=demand.tracking_number,
            leader=leader_name,
            instruction=text,
            deadline=f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
        )
    return instruction


def instruction_answer(*, instruction_id: int, actor: User, answer: str) -> LeaderInstruction:
    """The case's lead department answers a leader's instruction: the department that leads it now
    (the latest lead assignment, open or answered), whoever led it when the instruction came."""
    answer = answer.strip()
    if len(answer) < 10:
        raise ValidationFailed(_("请说明落实批示的情况（至少10个字）。"), extra={"fields": {"answer": _("内容太短。")}})
    with transaction.atomic():
        instruction = LeaderInstruction.objects.select_for_update().filter(pk=instruction_id).first()
        if instruction is None:
            raise NotFound(_("该批示不存在。"))
        lead = answering_lead(instruction.demand_id)
        if lead is None or not works_in(actor, lead.department, *DEPARTMENT_ROLES):
            raise NotAllowed(_("领导批示由诉求的主办部门反馈。"))
        if instruction.answered_at is not None:
            raise IllegalTransition(_("该批示已反馈。"))
        now = timezone.now()
        instruction.answer, instruction.answered_by, instruction.answered_at = answer, actor, now
        instruction.answered_department = lead.department
        instruction.save(update_fields=["answer", "answered_by", "answered_at", "answered_department"])
        demand = demand_transition(
            demand_id=instruction.demand_id,
            action=Action.ANSWER_INSTRUCTION,
            actor=actor,
            department=lead.department,
            reason=answer,
            data={"instruction": instruction.pk, "late": now > instruction.deadline},
            is_public=False,
        )
        message, wording = worded(INSTRUCTION_ANSWERED, number=demand.tracking_number, answer=answer)
        Notification.objects.create(
            user_id=instruction.recorded_by_id,
            demand=demand,
            kind=Action.ANSWER_INSTRUCTION,
            message=message[:255],
            data=wording,
        )
    return instruction


def answering_lead(demand_id: int) -> Assignment | None:
    """The lead assignment that answers the case's instructions: its latest."""
    return (
        Assignment.objects.of_demand(demand_id)
        .lead()
        .select_related("department")
        .order_by("-dispatched_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class InstructionFigures:
    """The report on instructions (批示办理情况) under the desk's filters."""

    total: int
    answered_on_time: int
    answered_late: int
    open: int
    overdue: int


def instruction_figures(instructions: QuerySet[LeaderInstruction]) -> InstructionFigures:
    now = timezone.now()
    answered = Q(answered_at__isnull=False)
    counts = instructions.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=answered & Q(answered_at__lte=F("deadline"))),
        late=Count("pk", filter=answered & Q(answered_at__gt=F("deadline"))),
        open=Count("pk", filter=Q(answered_at__isnull=True)),
        overdue=Count("pk", filter=Q(answered_at__isnull=True, deadline__lt=now)),
    )
    return InstructionFigures(
        total=counts["total"],
        answered_on_time=counts["on_time"],
        answered_late=counts["late"],
        open=counts["open"],
        overdue=counts["overdue"],
    )
