"""Asking the citizen for more information (补充材料). The case's clocks stand still while it
waits, the lead's and those of its assisting departments; they run again when the citizen
answers, when the lead goes on without the answer, or when the wait lapses, and the waiting
working time is given back."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, ValidationFailed
from demands.models import Demand
from demands.services import CITIZEN, demand_transition
from demands.workflow import Action
from departments.working_time import current_clock
from dispatch.assignment_workflow import AssignmentMove
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    InfoRequest,
    InfoRequestStatus,
)
from dispatch.services.assignments import notify_department
from dispatch.services.case_locks import lock_case, locked_assignment, locked_request
from dispatch.services.deadlines import clock_pause, clock_resume
from dispatch.services.transitions import check_move

MIN_TEXT = 5


def info_request_ask(*, assignment_id: int, actor: User, question: str) -> InfoRequest:
    question = question.strip()
    if len(question) < MIN_TEXT:
        raise ValidationFailed(_("请写明需要群众补充的内容。"), extra={"fields": {"question": _("内容太短。")}})
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        check_move(
            assignment=assignment,
            move=AssignmentMove.ASK_CITIZEN,
            refusal=_("只有已签收的主办部门可以请群众补充信息。"),
        )
        now = timezone.now()
        clock_pause(assignment, now)
        request = InfoRequest.objects.create(
            assignment=assignment,
            question=question,
            asked_by=actor,
            asked_at=now,
            lapses_at=current_clock().add_working_days(now, settings.INFO_REQUEST_WAIT_WORKING_DAYS),
        )
        _pause_assists(request, now)
        demand_transition(
            demand_id=assignment.demand_id,
            action=Action.ASK_CITIZEN,
            actor=actor,
            department=assignment.department,
            reason=question,
            data={"info_request": request.pk, "lapses_at": request.lapses_at.isoformat()},
        )
    return request


def _open_assists(demand_id: int) -> QuerySet[Assignment]:
    return Assignment.objects.of_demand(demand_id).assisting().open().select_related("department", "demand")


def _pause_assists(request: InfoRequest, now: datetime) -> None:
    # An assisting department waits for the same answer: its time limit must not run out while
    # the case stands still.
    assists = list(_open_assists(request.assignment.demand_id).select_for_update(of=("self",)))
    for assist in assists:
        clock_pause(assist, now)
        _tell(assist, gettext_noop("诉求 %(number)s 正在等待群众补充信息，协办计时暂停。"))
    request.paused_assists.set(assists)


def _resume_assists(request: InfoRequest, now: datetime) -> None:
    for assist in (
        _open_assists(request.assignment.demand_id)
        .filter(pk__in=request.paused_assists.values("pk"), paused_since__isnull=False)
        .select_for_update(of=("self",))
    ):
        clock_resume(assist, at=now)
        _tell(assist, gettext_noop("诉求 %(number)s 的补充信息等待已结束，协办计时恢复。"))


def _tell(assist: Assignment, text: str) -> None:
    notify_department(assist.department, assist.demand, text, kind="assist", number=assist.demand.tracking_number)


def _pending(demand: Demand) -> QuerySet[InfoRequest]:
    """The demand's question still waiting for the citizen, while its assignment is being handled."""
    return InfoRequest.objects.filter(
        assignment__demand=demand, assignment__status=AssignmentStatus.SIGNED, status=InfoRequestStatus.PENDING
    ).select_related("assignment")


def pending_info_request(demand: Demand) -> InfoRequest | None:
    return _pending(demand).first()


def info_request_answer(*, demand: Demand, answer: str) -> Demand:
    """The citizen's answer, from the tracking page: the clock runs again with the time given back."""
    answer = answer.strip()
    if len(answer) < MIN_TEXT:
        raise ValidationFailed(_("请填写补充的内容。"), extra={"fields": {"answer": _("内容太短。")}})
    with transaction.atomic():
        request = _locked_pending(demand)
        if request is None:
            raise IllegalTransition(_("承办部门没有在等待您补充信息。"))
        demand = _close(request, status=InfoRequestStatus.ANSWERED, answer=answer, action=Action.CITIZEN_SUPPLEMENT)
        notify_department(
            request.assignment.department,
            demand,
            gettext_noop("诉求 %(number)s 的群众已补充信息，计时恢复。"),
            number=demand.tracking_number,
        )
    return demand


def info_request_withdraw(*, assignment_id: int, actor: User) -> Demand:
    """The department goes on without the citizen's answer."""
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        request = _locked_pending(assignment.demand)
        if request is None or request.assignment_id != assignment.pk:
            raise IllegalTransition(_("没有等待中的补充信息请求。"))
        return _close(request, status=InfoRequestStatus.WITHDRAWN, actor=actor, action=Action.RESUME_CLOCK)


def info_requests_lapse(*, now: datetime | None = None) -> int:
    """Run the clock again wherever the wait for the citizen has lapsed. Few rows at a time, each
    in its own transaction so one failure does not hold back the others."""
    moment = now or timezone.now()
    due = InfoRequest.objects.filter(
        status=InfoRequestStatus.PENDING, lapses_at__lte=moment, assignment__status=AssignmentStatus.SIGNED
    )
    lapsed = 0
    for request_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = locked_request(InfoRequest, request_id)
            if request.status == InfoRequestStatus.PENDING and request.assignment.status == AssignmentStatus.SIGNED:
                _close(request, status=InfoRequestStatus.LAPSED, action=Action.RESUME_CLOCK)
                lapsed += 1
    return lapsed


def _locked_pending(demand: Demand) -> InfoRequest | None:
    lock_case(demand.pk)
    return _pending(demand).select_for_update(of=("self", "assignment")).first()


def _close(request: InfoRequest, *, status: str, action: str, answer: str = "", actor: User | None = None) -> Demand:
    now = timezone.now()
    assignment = request.assignment
    moved = clock_resume(assignment, at=now)
    _resume_assists(request, now)
    request.status, request.answer, request.closed_at = status, answer, now
    request.save(update_fields=["status", "answer", "closed_at"])
    data = {"info_request": request.pk, "outcome": status, "paused_hours": moved["paused_hours"]}
    if "new_deadline" in moved:
        data["new_deadline"] = moved["new_deadline"].isoformat()
    return demand_transition(
        demand_id=assignment.demand_id,
        action=action,
        actor=actor,
        actor_label=CITIZEN if action == Action.CITIZEN_SUPPLEMENT else "",
        department=assignment.department,
        reason=answer,
        data=data,
        changes={"due_at": moved["new_deadline"]} if "new_deadline" in moved else None,
    )
