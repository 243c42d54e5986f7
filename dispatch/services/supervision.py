"""Supervision (督办) by a supervisor's hand, and the supervised department's answer (督办反馈).
The ladder opens supervisions of its own when a case runs late (dispatch/services/escalation.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import has_role
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Assignment, Notification, Supervision
from dispatch.services.assignments import notify_department
from dispatch.services.case_locks import locked_assignment

ANSWERED = gettext_noop("诉求 %(number)s 的督办已反馈：%(response)s")
SUPERVISED_BY_HAND = gettext_noop("诉求 %(number)s 已列入督办：%(note)s 请于 %(deadline)s 前反馈。")
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)
# The longest response time a supervisor may give in working hours (a month of working days);
# a later deadline is given as a date.
MAX_RESPONSE_WORKING_HOURS = Decimal(8 * 22)


def response_deadline(*, now: datetime, working_hours: Decimal | None, by_date: date | None) -> datetime:
    """When the department must answer: after so many working hours, or by the close of office
    hours on a date after today. Exactly one of the two is given."""
    if (working_hours is None) == (by_date is None):
        raise ValidationFailed(
            _("请填写反馈时限（工作小时）或反馈日期，二者选一。"),
            extra={"fields": {"working_hours": _("请二者选一。")}},
        )
    clock = current_clock()
    if working_hours is not None:
        if not Decimal(0) < working_hours <= MAX_RESPONSE_WORKING_HOURS:
            raise ValidationFailed(
                _("反馈时限须大于0且不超过 %(most)s 个工作小时。") % {"most": MAX_RESPONSE_WORKING_HOURS},
                extra={"fields": {"working_hours": _("超出范围。")}},
            )
        return clock.add_working_hours(now, float(working_hours))
    assert by_date is not None
    if by_date <= timezone.localdate(now):
        raise ValidationFailed(_("反馈日期须在今天之后。"), extra={"fields": {"respond_by": _("须在今天之后。")}})
    # By the close of office hours that day.
    return datetime.combine(by_date, clock.periods[-1][1], clock.tz)


def locked_with_open_lead(demand_id: int, *, refusal: str, lock_lead: bool = False) -> tuple[Demand, Assignment]:
    """The demand, locked, and its open lead assignment (locked too with `lock_lead`), for an
    action from above on a case in hand. `refusal` names the case's number and status when no
    department has it in hand. Call inside a transaction."""
    demand = Demand.objects.select_for_update().filter(pk=demand_id).first()
    if demand is None:
        raise NotFound(_("该诉求不存在。"))
    leads = Assignment.objects.of_demand(demand.pk).lead().open().select_related("department")
    lead = (leads.select_for_update(of=("self",)) if lock_lead else leads).first()
    if lead is None:
        raise IllegalTransition(refusal % {"number": demand.tracking_number, "status": demand.get_status_display()})
    return demand, lead


def supervision_open(
    *,
    demand_id: int,
    actor: User,
    note: str,
    working_hours: Decimal | None = None,
    respond_by: date | None = None,
) -> Supervision:
    """A supervisor puts a case under supervision by hand (人工督办), whether or not it runs late:
    its open lead assignment must answer by the deadline given. Refused where no department has
    the case in hand, or where a supervision of it still waits for its answer."""
    if not has_role(actor, *SUPERVISOR_ROLES):
        raise NotAllowed(_("只有督办员或管理员可以督办。"))
    note = note.strip()
    if len(note) < 5:
        raise ValidationFailed(_("请写明督办意见（至少5个字）。"), extra={"fields": {"note": _("内容太短。")}})
    now = timezone.now()
    deadline = response_deadline(now=now, working_hours=working_hours, by_date=respond_by)
    with transaction.atomic():
        demand, lead = locked_with_open_lead(
            demand_id, refusal=_("诉求 %(number)s 当前为「%(status)s」，没有在办的主办部门，不能督办。"), lock_lead=True
        )
        waiting = Supervision.objects.filter(assignment=lead, responded_at__isnull=True).first()
        if waiting is not None:
            raise IllegalTransition(
                _("诉求 %(number)s 已在督办中（%(kind)s，反馈期限 %(deadline)s），待承办部门反馈后才能再次督办。")
                % {
                    "number": demand.tracking_number,
                    "kind": waiting.kind_label,
                    "deadline": f"{timezone.localtime(waiting.response_deadline):%Y-%m-%d %H:%M}",
                }
            )
        supervision = Supervision.objects.create(
            assignment=lead, supervisor=actor, note=note, response_deadline=deadline, by_hand=True
        )
        demand_transition(
            demand_id=demand.pk,
            action=Action.SUPERVISE,
            actor=actor,
            department=lead.department,
            reason=note,
            data={
                "assignment": lead.pk,
                "role": lead.role,
                "supervision": supervision.pk,
                "by_hand": True,
                "response_deadline": deadline.isoformat(),
            },
        )
        notify_department(
            lead.department,
            demand,
            SUPERVISED_BY_HAND,
            kind=Action.SUPERVISE,
            number=demand.tracking_number,
            note=note,
            deadline=f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
        )
    return supervision


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
