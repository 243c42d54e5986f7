"""Waiting for the citizen stops the clock; supervised departments answer the supervision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Assignment, InfoRequest, InfoRequestStatus, Notification, Supervision
from dispatch.services import (
    assignment_contribute,
    assignment_reply,
    assignment_sign,
    extension_request,
    info_request_answer,
    info_request_ask,
    info_request_withdraw,
    supervision_answer,
)
from dispatch.services.citizen_info import info_requests_lapse, pending_info_request
from dispatch.services.escalation import sweep_deadlines
from tests.citizens import STALL
from tests.factories import make_user


@pytest.fixture
def signed(district, submit):
    demand = submit(**STALL).demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    lead.refresh_from_db()
    return lead


def _ask(district, lead) -> InfoRequest:
    return info_request_ask(
        assignment_id=lead.pk, actor=district.users["cgj"], question="请提供摊贩出现的具体路段和时间"
    )


def _backdate_pause(lead, working_days: int) -> float:
    """Pretend the wait began `working_days` earlier; returns the working hours waited."""
    clock = current_clock()
    began = lead.paused_since - timedelta(days=working_days * 2)
    Assignment.objects.filter(pk=lead.pk).update(paused_since=began)
    return clock.working_hours_between(began, timezone.now())


def test_asking_the_citizen_stops_the_ladder_and_the_answer_gives_the_time_back(district, signed):
    request = _ask(district, signed)
    paused = Assignment.objects.get(pk=signed.pk)
    assert paused.paused_since is not None and request.lapses_at > request.asked_at
    # Long past every deadline while the citizen is asked: no rung is taken.
    assert sum(sweep_deadlines(now=signed.escalate_at + timedelta(days=5)).values()) == 0

    waited = _backdate_pause(paused, 1)
    demand = info_request_answer(demand=signed.demand, answer="每天傍晚六点后在坪山大道东段")
    resumed = Assignment.objects.get(pk=signed.pk)
    expected = current_clock().add_working_hours(signed.handle_deadline, waited)
    assert resumed.paused_since is None
    assert abs((resumed.handle_deadline - expected).total_seconds()) < 120
    assert demand.due_at == resumed.handle_deadline and demand.status == Status.IN_PROGRESS
    request.refresh_from_db()
    assert request.status == InfoRequestStatus.ANSWERED and "东段" in request.answer
    answer_event = DemandEvent.objects.filter(demand=demand, action=Action.CITIZEN_SUPPLEMENT).get()
    assert answer_event.actor_label == "citizen" and answer_event.is_public
    assert Notification.objects.filter(user=district.users["cgj"], message__contains="已补充信息").exists()
    # The clock runs again: the ladder takes its rungs once more.
    assert sweep_deadlines(now=resumed.handle_deadline)[Action.OVERDUE] == 1


def test_one_pause_at_a_time_and_only_for_a_signed_lead(district, submit, signed):
    _ask(district, signed)
    with pytest.raises(IllegalTransition, match="计时已暂停"):
        extension_request(assignment_id=signed.pk, actor=district.users["cgj"], extra_days=2, reason="需要联合执法")
    with pytest.raises(NotAllowed):
        info_request_ask(assignment_id=signed.pk, actor=district.users["zjj"], question="请提供具体位置和时间")
    unsigned = Assignment.objects.get(demand=submit(**STALL).demand, role="lead")
    with pytest.raises(IllegalTransition, match="已签收的主办"):
        info_request_ask(assignment_id=unsigned.pk, actor=district.users["cgj"], question="请提供具体位置和时间")
    with pytest.raises(ValidationFailed):
        info_request_answer(demand=signed.demand, answer="好")


def test_the_citizen_cannot_answer_what_was_not_asked(signed):
    with pytest.raises(IllegalTransition, match="没有在等待"):
        info_request_answer(demand=signed.demand, answer="补充一些不需要的信息")


def test_the_department_can_go_on_without_the_answer(district, signed):
    _ask(district, signed)
    waited = _backdate_pause(Assignment.objects.get(pk=signed.pk), 2)
    info_request_withdraw(assignment_id=signed.pk, actor=district.users["cgj"])
    resumed = Assignment.objects.get(pk=signed.pk)
    assert resumed.paused_since is None and waited > 0
    assert resumed.handle_deadline > signed.handle_deadline
    assert DemandEvent.objects.filter(demand=signed.demand, action=Action.RESUME_CLOCK).count() == 1
    assert pending_info_request(signed.demand) is None


def test_an_unanswered_wait_lapses_once(district, signed):
    request = _ask(district, signed)
    assert info_requests_lapse(now=request.lapses_at - timedelta(seconds=1)) == 0
    assert info_requests_lapse(now=request.lapses_at) == 1
    assert info_requests_lapse(now=request.lapses_at + timedelta(days=1)) == 0
    request.refresh_from_db()
    assert request.status == InfoRequestStatus.LAPSED
    assert Assignment.objects.get(pk=signed.pk).paused_since is None


def test_replying_ends_the_wait(district, signed):
    request = _ask(district, signed)
    assignment_reply(assignment_id=signed.pk, actor=district.users["cgj"], body="已联合街道清理占道摊贩，并加强巡查。")
    request.refresh_from_db()
    assert request.status == InfoRequestStatus.WITHDRAWN
    # Nothing left for the lapse sweep to trip over.
    assert info_requests_lapse(now=request.lapses_at + timedelta(days=1)) == 0


def test_the_supervised_department_answers_the_supervision_once(district, signed):
    supervisor = make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    sweep_deadlines(now=signed.supervise_at + timedelta(minutes=1))
    supervision = Supervision.objects.get(assignment=signed)
    with pytest.raises(ValidationFailed):
        supervision_answer(supervision_id=supervision.pk, actor=district.users["cgj"], response="在办")
    with pytest.raises(NotAllowed):
        supervision_answer(
            supervision_id=supervision.pk, actor=district.users["zjj"], response="已联合执法，三日内办结。"
        )
    supervision_answer(supervision_id=supervision.pk, actor=district.users["cgj"], response="已联合执法，三日内办结。")
    supervision.refresh_from_db()
    assert supervision.responded_at is not None and supervision.responded_by == district.users["cgj"]
    assert Notification.objects.filter(user=supervisor, kind=Action.ANSWER_SUPERVISION).exists()
    with pytest.raises(IllegalTransition, match="已反馈"):
        supervision_answer(
            supervision_id=supervision.pk, actor=district.users["cgj"], response="再反馈一次：仍在联合执法中。"
        )


def _co_handled_and_asked(district, submit, *, assist_signed: bool = False):
    """(demand, lead, assist) of a construction-noise case (住建 leads, 生态环境 assists) whose
    signed lead has asked the citizen; lead and assist as they were before the question."""
    demand = submit().demand
    lead = Assignment.objects.get(demand=demand, role="lead")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    if assist_signed:
        assignment_sign(
            assignment_id=Assignment.objects.get(demand=demand, role="assist").pk, actor=district.users["shj"]
        )
    assist = Assignment.objects.get(demand=demand, role="assist")
    info_request_ask(assignment_id=lead.pk, actor=district.users["zjj"], question="请提供施工的具体时间段和位置")
    return demand, lead, assist


def test_the_assisting_departments_clocks_stand_with_the_leads(district, submit):
    # Signed: signing late is a rung the question does not pause (the next test).
    demand, lead, assist = _co_handled_and_asked(district, submit, assist_signed=True)
    standing = Assignment.objects.get(pk=assist.pk)
    assert standing.paused_since is not None
    assert Notification.objects.filter(user=district.users["shj"], message__contains="协办计时暂停").exists()
    # Long past the assisting department's limits while the citizen is asked: no rung is taken.
    assert sum(sweep_deadlines(now=lead.escalate_at + timedelta(days=5)).values()) == 0

    waited = _backdate_pause(standing, 1)
    _backdate_pause(Assignment.objects.get(pk=lead.pk), 1)
    info_request_answer(demand=demand, answer="每晚十点以后在六和城北侧工地")
    resumed = Assignment.objects.get(pk=assist.pk)
    expected = current_clock().add_working_hours(assist.handle_deadline, waited)
    assert resumed.paused_since is None and abs((resumed.handle_deadline - expected).total_seconds()) < 120
    assert Notification.objects.filter(user=district.users["shj"], message__contains="协办计时恢复").exists()


def test_an_assisting_answer_given_while_the_case_waits_is_not_resumed_later(district, submit):
    _, lead, assist = _co_handled_and_asked(district, submit)
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="已安排夜间噪声监测。")
    done = Assignment.objects.get(pk=assist.pk)
    assert done.status == "done" and done.paused_since is None
    info_request_withdraw(assignment_id=lead.pk, actor=district.users["zjj"])
    assert Assignment.objects.get(pk=assist.pk).handle_deadline == assist.handle_deadline
    assert not Notification.objects.filter(user=district.users["shj"], message__contains="协办计时恢复").exists()


def test_an_unsigned_assisting_department_is_still_late_to_sign_while_the_case_waits(district, submit):
    from dispatch.workbench_queries import inbox

    _, _, assist = _co_handled_and_asked(district, submit)
    assert Assignment.objects.get(pk=assist.pk).paused_since is not None
    taken = sweep_deadlines(now=assist.sign_deadline + timedelta(minutes=1))
    assert taken[Action.SIGN_OVERDUE] == 1 and Assignment.objects.get(pk=assist.pk).sign_overdue_at is not None
    Assignment.objects.filter(pk=assist.pk).update(sign_deadline=timezone.now() - timedelta(minutes=1))
    assert inbox(district.users["shj"]).get(pk=assist.pk).mark == "red"


def test_a_returned_case_takes_its_question_to_the_citizen_with_it(district, signed):
    from dispatch.services import assignment_return

    request = _ask(district, signed)
    assignment_return(
        assignment_id=signed.pk,
        actor=district.users["cgj"],
        reason_code="not_ours",
        reason="这是街道的事项，不属于城管",
    )
    request.refresh_from_db()
    assert request.status == InfoRequestStatus.WITHDRAWN and request.closed_at is not None
    assert pending_info_request(signed.demand) is None
    assert Assignment.objects.get(pk=signed.pk).paused_since is None
    with pytest.raises(IllegalTransition, match="没有在等待"):
        info_request_answer(demand=signed.demand, answer="每天傍晚六点后在坪山大道东段")
