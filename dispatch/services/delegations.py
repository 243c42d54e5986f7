"""Down and up the territory (下派 / 上报) and inside a department (内部派单).

A street office that holds a case in hand passes it to one of its own communities with a note and
a deadline inside its own; the community answers the street (答复街道) or sends it back up (上报)
with a reason. A department head gives a case to one of the department's handlers or sections.
Either way the department's own assignment stays in hand: its clock keeps running, and it alone
answers the centre and the citizen (through `assignment_reply`), with the holder's answer before it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.access import DEPARTMENT_ROLES, works_in
from departments.models import Department, DepartmentKind, Membership, Role
from departments.working_time import current_clock
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    Delegation,
    DelegationKind,
    DelegationStatus,
    Notification,
)
from dispatch.services.assignments import notify_department
from dispatch.services.case_locks import assignment_under_lock, lock_case

DELEGATED = gettext_noop("街道下派：%(number)s %(title)s，请于 %(deadline)s 前答复街道。")
ASSIGNED = gettext_noop("内部派单：%(number)s %(title)s，请于 %(deadline)s 前办理。")
ANSWERED = gettext_noop("%(number)s：%(holder)s 已答复：%(body)s")
SENT_UP = gettext_noop("%(number)s：%(holder)s 上报，无法解决：%(reason)s")
WITHDRAWN = gettext_noop("%(number)s：%(department)s 已撤回下派。")

MIN_ANSWER = 10
MIN_REASON = 5


def _deadline_text(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def delegation_deadline(*, assignment: Assignment, now: datetime, respond_by: date | None) -> datetime:
    """When the holder must answer: by the close of office hours on `respond_by` (no later than the
    department's own deadline that day), or by default one working day before the department's
    deadline (half the remaining working time when less than two working days remain). Refused
    when it would not lie inside the department's own deadline."""
    own = assignment.handle_deadline
    clock = current_clock()
    if respond_by is not None:
        if respond_by > timezone.localdate(own):
            raise ValidationFailed(
                _("答复期限须在本单位办理期限（%(deadline)s）之内。") % {"deadline": _deadline_text(own)},
                extra={"fields": {"respond_by": _("超出本单位办理期限。")}},
            )
        deadline = min(datetime.combine(respond_by, clock.periods[-1][1], clock.tz), own)
        if deadline <= now:
            raise ValidationFailed(_("答复期限须晚于现在。"), extra={"fields": {"respond_by": _("须晚于现在。")}})
        return deadline
    remaining = clock.working_hours_between(now, own)
    if remaining <= 0:
        raise IllegalTransition(
            _("本单位办理期限（%(deadline)s）已过，不能再下派，请直接办理。") % {"deadline": _deadline_text(own)}
        )
    keep = clock.hours_per_day if remaining >= 2 * clock.hours_per_day else remaining / 2
    return clock.add_working_hours(now, remaining - keep)


def _locked_in_hand(assignment_id: int) -> Assignment:
    assignment = assignment_under_lock(assignment_id)
    if assignment.status not in (AssignmentStatus.PENDING_SIGN, AssignmentStatus.SIGNED):
        raise IllegalTransition(
            _("该派单当前为「%(status)s」，不能再派出。") % {"status": assignment.get_status_display()}
        )
    return assignment


def _end_open(assignment: Assignment, kind: str, *, now: datetime, actor: User, reason: str) -> Delegation | None:
    """The open delegation of this kind, if any, withdrawn (a new holder replaces it)."""
    current = Delegation.objects.select_for_update().filter(assignment=assignment, kind=kind, status="open").first()
    if current is not None:
        current.status, current.closed_by, current.closed_at, current.reason = (
            DelegationStatus.WITHDRAWN,
            actor,
            now,
            reason,
        )
        current.save(update_fields=["status", "closed_by", "closed_at", "reason"])
    return current


def delegation_pass_down(
    *, assignment_id: int, actor: User, community_id: int, note: str = "", respond_by: date | None = None
) -> Delegation:
    """A street office's staff pass the case they hold in hand to one of the street's communities."""
    note = note.strip()
    with transaction.atomic():
        assignment = _locked_in_hand(assignment_id)
        street = assignment.department
        if not works_in(actor, street, *DEPARTMENT_ROLES):
            raise NotAllowed(_("这不是您所在部门的诉求。"))
        if street.kind != DepartmentKind.STREET:
            raise NotAllowed(_("只有街道办事处可以下派社区。"))
        if assignment.status != AssignmentStatus.SIGNED:
            raise IllegalTransition(_("请先签收再下派社区。"))
        community = Department.objects.filter(pk=community_id, is_active=True).select_related("community").first()
        if (
            community is None
            or community.kind != DepartmentKind.COMMUNITY
            or community.community is None
            or community.community.street_id != street.street_id
        ):
            raise ValidationFailed(
                _("只能下派给本街道的社区工作站。"), extra={"fields": {"community": _("不是本街道的社区。")}}
            )
        if Delegation.objects.filter(assignment=assignment, kind=DelegationKind.DOWN, status="open").exists():
            raise IllegalTransition(_("该诉求已下派社区，尚未答复：请先撤回，再改派其他社区。"))
        now = timezone.now()
        deadline = delegation_deadline(assignment=assignment, now=now, respond_by=respond_by)
        delegation = Delegation.objects.create(
            assignment=assignment,
            kind=DelegationKind.DOWN,
            to_department=community,
            delegated_by=actor,
            delegated_at=now,
            deadline=deadline,
            note=note,
        )
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.DELEGATE,
            actor=actor,
            department=street,
            reason=note,
            data={"delegation": delegation.pk, "to": community.name, "deadline": deadline.isoformat()},
            is_public=False,
        )
        notify_department(
            community,
            demand,
            DELEGATED,
            kind=Action.DELEGATE,
            number=demand.tracking_number,
            title=demand.title,
            deadline=_deadline_text(deadline),
        )
    return delegation


def internal_assign(
    *,
    assignment_id: int,
    actor: User,
    user_id: int | None = None,
    section_id: int | None = None,
    note: str = "",
    respond_by: date | None = None,
) -> Delegation:
    """A department head gives the department's case to one of its handlers, or to one of its
    sections (a child department). A new holder replaces the one before."""
    if (user_id is None) == (section_id is None):
        raise ValidationFailed(_("请选择承办人或科室，二者选一。"))
    note = note.strip()
    with transaction.atomic():
        assignment = _locked_in_hand(assignment_id)
        department = assignment.department
        if not works_in(actor, department, Role.HEAD):
            raise NotAllowed(_("只有本部门负责人可以内部派单。"))
        holder_user: User | None = None
        section: Department | None = None
        if user_id is not None:
            member = Membership.objects.filter(
                user_id=user_id, department=department, role__in=DEPARTMENT_ROLES, user__is_active=True
            ).select_related("user")
            found = member.first()
            if found is None:
                raise ValidationFailed(
                    _("只能派给本部门的承办人。"), extra={"fields": {"holder": _("不是本部门人员。")}}
                )
            holder_user = found.user
        elif section_id is not None:
            section = Department.objects.filter(pk=section_id, parent=department, is_active=True).first()
            if section is None:
                raise ValidationFailed(
                    _("只能派给本部门的科室。"), extra={"fields": {"holder": _("不是本部门的科室。")}}
                )
        now = timezone.now()
        # The holder works for the department: by default its deadline is the department's own.
        deadline = (
            assignment.handle_deadline
            if respond_by is None
            else delegation_deadline(assignment=assignment, now=now, respond_by=respond_by)
        )
        _end_open(assignment, DelegationKind.INTERNAL, now=now, actor=actor, reason=gettext_noop("已改派他人。"))
        delegation = Delegation.objects.create(
            assignment=assignment,
            kind=DelegationKind.INTERNAL,
            to_department=section,
            to_user=holder_user,
            delegated_by=actor,
            delegated_at=now,
            deadline=deadline,
            note=note,
        )
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.INTERNAL_ASSIGN,
            actor=actor,
            department=department,
            reason=note,
            data={"delegation": delegation.pk, "to": delegation.holder_name, "deadline": deadline.isoformat()},
            is_public=False,
        )
        params = {"number": demand.tracking_number, "title": demand.title, "deadline": _deadline_text(deadline)}
        if section is not None:
            notify_department(section, demand, ASSIGNED, kind=Action.INTERNAL_ASSIGN, **params)
        else:
            assert holder_user is not None
            message, wording = worded(ASSIGNED, **params)
            Notification.objects.create(
                user=holder_user, demand=demand, kind=Action.INTERNAL_ASSIGN, message=message[:255], data=wording
            )
    return delegation


def holds(actor: User | None, delegation: Delegation) -> bool:
    """Whether the actor is the delegation's holder: its handler, or staff of its community/section."""
    if actor is None or not actor.is_authenticated:
        return False
    if delegation.to_user_id is not None:
        return delegation.to_user_id == actor.pk
    assert delegation.to_department is not None
    return works_in(actor, delegation.to_department, *DEPARTMENT_ROLES)


def _locked_delegation(delegation_id: int) -> Delegation:
    demand_id = Delegation.objects.filter(pk=delegation_id).values_list("assignment__demand_id", flat=True).first()
    if demand_id is None:
        raise NotFound(_("该下派不存在。"))
    lock_case(demand_id)
    return (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("assignment__department", "assignment__demand", "to_department", "to_user")
        .get(pk=delegation_id)
    )


def _close_by_holder(
    *, delegation_id: int, actor: User, status: str, action: str, text: str, news: str, key: str
) -> Delegation:
    with transaction.atomic():
        delegation = _locked_delegation(delegation_id)
        if not holds(actor, delegation):
            raise NotAllowed(_("这不是派给您或您所在单位的诉求。"))
        if delegation.status != DelegationStatus.OPEN:
            raise IllegalTransition(
                _("该下派当前为「%(status)s」，不能再答复或上报。") % {"status": delegation.get_status_display()}
            )
        assignment = delegation.assignment
        if not assignment.is_open:
            raise IllegalTransition(_("上级单位已办结该诉求，无需再答复。"))
        now = timezone.now()
        delegation.status, delegation.closed_by, delegation.closed_at = status, actor, now
        setattr(delegation, key, text)
        delegation.save(update_fields=["status", "closed_by", "closed_at", key])
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=action,
            actor=actor,
            department=delegation.to_department or assignment.department,
            reason=text,
            data={"delegation": delegation.pk, "late": now > delegation.deadline},
            is_public=False,
        )
        notify_department(
            assignment.department,
            demand,
            news,
            kind=action,
            number=demand.tracking_number,
            holder=delegation.holder_name,
            body=text,
            reason=text,
        )
    return delegation


def delegation_answer(*, delegation_id: int, actor: User, body: str) -> Delegation:
    """The community (or section, or handler) answers the department that passed the case down."""
    body = body.strip()
    if len(body) < MIN_ANSWER:
        raise ValidationFailed(_("请写明办理结果（至少10个字）。"), extra={"fields": {"body": _("内容太短。")}})
    return _close_by_holder(
        delegation_id=delegation_id,
        actor=actor,
        status=DelegationStatus.ANSWERED,
        action=Action.DELEGATION_ANSWER,
        text=body,
        news=ANSWERED,
        key="answer",
    )


def delegation_send_up(*, delegation_id: int, actor: User, reason: str) -> Delegation:
    """The holder cannot solve it: the case goes back up (上报) to the department, with the reason."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed(_("请说明上报理由（至少5个字）。"), extra={"fields": {"reason": _("内容太短。")}})
    return _close_by_holder(
        delegation_id=delegation_id,
        actor=actor,
        status=DelegationStatus.SENT_UP,
        action=Action.SEND_UP,
        text=reason,
        news=SENT_UP,
        key="reason",
    )


def delegation_withdraw(*, delegation_id: int, actor: User, reason: str = "") -> Delegation:
    """The department takes back an open delegation (to pass it elsewhere, or to handle it itself).
    A head withdraws an internal one; any of the street's staff a delegation to a community."""
    with transaction.atomic():
        delegation = _locked_delegation(delegation_id)
        assignment = delegation.assignment
        roles = (Role.HEAD,) if delegation.kind == DelegationKind.INTERNAL else DEPARTMENT_ROLES
        if not works_in(actor, assignment.department, *roles):
            raise NotAllowed(_("只有派出单位可以撤回。"))
        if delegation.status != DelegationStatus.OPEN:
            raise IllegalTransition(
                _("该下派当前为「%(status)s」，无需撤回。") % {"status": delegation.get_status_display()}
            )
        now = timezone.now()
        delegation.status, delegation.closed_by, delegation.closed_at = DelegationStatus.WITHDRAWN, actor, now
        delegation.reason = reason.strip()
        delegation.save(update_fields=["status", "closed_by", "closed_at", "reason"])
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.WITHDRAW_DELEGATION,
            actor=actor,
            department=assignment.department,
            reason=delegation.reason,
            data={"delegation": delegation.pk},
            is_public=False,
        )
        if delegation.to_department is not None:
            notify_department(
                delegation.to_department,
                demand,
                WITHDRAWN,
                kind=Action.WITHDRAW_DELEGATION,
                number=demand.tracking_number,
                department=assignment.department.display_name,
            )
    return delegation


def latest_answer(assignment: Assignment) -> Delegation | None:
    """The holder's latest answer to the department, to put beside (or into) its own reply."""
    return (
        Delegation.objects.filter(assignment=assignment, status=DelegationStatus.ANSWERED)
        .select_related("to_department", "to_user")
        .order_by("-closed_at", "-pk")
        .first()
    )
