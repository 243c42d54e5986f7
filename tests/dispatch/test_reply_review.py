"""Review before the citizen sees it (答复审核): a department that asks for it has its head approve
each reply, the centre reviews the replies its rules name; the citizen hears nothing until the
last approval, which sends the reply as any reply goes, and the clock counts the review time."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from assessment.figures import AuditFilters, department_rows
from config.demo_clock import clock_at
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import CitizenMessage, Reply
from demands.selectors import public_timeline
from demands.workflow import Action, Status
from departments.models import Department, Role
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    CentreReviewRule,
    Notification,
    ReplyReview,
    ReviewStage,
    ReviewStatus,
)
from dispatch.services import assignment_reply, assignment_return, assignment_sign, supervision_open
from dispatch.services.reply_reviews import reply_review_approve, reply_review_send_back, reviews_for
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import open_lead

BODY = "已安排执法队员清理占道摊贩，并将每日巡查该路段。"
BETTER = "已安排执法队员清理占道摊贩，设置了禁止摆卖标识，并将每日傍晚巡查该路段。"


@pytest.fixture
def head(district):
    """The city management bureau (CGJ) asks its head to approve every reply."""
    cgj = district.departments["CGJ"]
    cgj.reply_needs_review = True
    cgj.save(update_fields=["reply_needs_review"])
    return make_user("cgj_head", Role.HEAD, cgj)


@pytest.fixture
def signed(district, submit):
    """A stall on the pavement, dispatched to CGJ and signed for by its handler."""
    demand = submit(**STALL).demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    return lead


def _reply(district, lead, body=BODY):
    return assignment_reply(assignment_id=lead.pk, actor=district.users["cgj"], body=body)


def _pending(lead) -> ReplyReview:
    return ReplyReview.objects.get(assignment=lead, status=ReviewStatus.PENDING)


def test_a_reply_under_review_is_held_the_citizen_sees_nothing_and_the_head_is_told(district, head, signed):
    demand = _reply(district, signed)

    assert demand.status == Status.IN_PROGRESS and demand.replied_at is None
    assert not Reply.objects.filter(demand=demand).exists()
    assert not CitizenMessage.objects.filter(demand=demand, kind=Action.REPLY).exists()
    review = _pending(signed)
    assert (review.stage, review.body, review.submitted_by) == (ReviewStage.DEPARTMENT, BODY, district.users["cgj"])
    signed.refresh_from_db()
    assert signed.status == AssignmentStatus.SIGNED and signed.finished_at is None
    # On the staff's timeline, not the citizen's.
    event = demand.events.get(action=Action.REPLY_SUBMITTED)
    assert not event.is_public and event.reason == BODY
    assert not public_timeline(demand).filter(action__startswith="reply").exists()
    assert Notification.objects.filter(user=head, kind=Action.REPLY_SUBMITTED, demand=demand).exists()
    assert list(reviews_for(head)) == [review]
    assert list(reviews_for(district.users["cgj"])) == []
    # One reply waits at a time.
    with pytest.raises(IllegalTransition, match="审核中"):
        _reply(district, signed, BETTER)


def test_the_heads_approval_sends_the_reply_as_any_reply_goes(district, head, signed):
    _reply(district, signed)
    review = reply_review_approve(review_id=_pending(signed).pk, actor=head)

    assert (review.status, review.reviewer) == (ReviewStatus.APPROVED, head)
    signed.refresh_from_db()
    demand = signed.demand
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED and signed.status == AssignmentStatus.DONE
    reply = Reply.objects.get(demand=demand)
    assert (reply.body, reply.author) == (BODY, district.users["cgj"])
    assert CitizenMessage.objects.filter(demand=demand, kind=Action.REPLY).exists()
    assert public_timeline(demand).filter(action=Action.REPLY).exists()
    actions = list(demand.events.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == [Action.REPLY_SUBMITTED, Action.REPLY_APPROVED, Action.REPLY]
    assert Notification.objects.filter(user=district.users["cgj"], kind="reply_review").exists()


def test_sending_back_needs_a_note_and_returns_the_reply_to_the_handler_who_resubmits(district, head, signed):
    _reply(district, signed)
    review = _pending(signed)
    with pytest.raises(ValidationFailed, match="意见"):
        reply_review_send_back(review_id=review.pk, actor=head, note=" ")

    reply_review_send_back(review_id=review.pk, actor=head, note="请写明设置了哪些长效措施。")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SENT_BACK and review.note == "请写明设置了哪些长效措施。"
    demand = signed.demand
    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS
    assert not demand.events.get(action=Action.REPLY_SENT_BACK).is_public
    notice = Notification.objects.get(user=district.users["cgj"], kind="reply_review")
    assert "长效措施" in notice.message
    with pytest.raises(IllegalTransition, match="无需审核"):
        reply_review_approve(review_id=review.pk, actor=head)

    _reply(district, signed, BETTER)
    reply_review_approve(review_id=_pending(signed).pk, actor=head)
    assert Reply.objects.get(demand=demand).body == BETTER


def test_only_the_departments_own_head_approves_at_its_stage(district, head, signed):
    make_user("zjj_head", Role.HEAD, district.departments["ZJJ"])
    _reply(district, signed)
    review = _pending(signed)
    for name in ("cgj", "zjj_head", "dispatcher"):
        with pytest.raises(NotAllowed):
            reply_review_approve(review_id=review.pk, actor=User.objects.get(username=name))
    with pytest.raises(NotAllowed):
        reply_review_send_back(review_id=review.pk, actor=district.users["cgj"], note="自己退回自己的答复")


def test_a_heads_own_reply_and_a_reply_where_no_review_applies_go_at_once(district, head, signed):
    demand = assignment_reply(assignment_id=signed.pk, actor=head, body=BODY)
    assert demand.status == Status.REPLIED and not ReplyReview.objects.exists()


def test_a_department_without_a_head_has_its_replies_sent_at_once(district, signed):
    Department.objects.filter(pk=signed.department_id).update(reply_needs_review=True)
    demand = _reply(district, signed)
    assert demand.status == Status.REPLIED and not ReplyReview.objects.exists()


def test_without_review_a_reply_goes_at_once(district, signed):
    demand = _reply(district, signed)
    assert demand.status == Status.REPLIED and Reply.objects.filter(demand=demand).exists()
    assert not ReplyReview.objects.exists()


def test_a_centre_rule_on_a_category_sends_the_reply_to_the_centre_after_the_head(district, head, signed):
    supervisor = make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])
    # By the top category's name: the rule holds whatever version the matter is of.
    CentreReviewRule.objects.create(category_name="城市管理")
    _reply(district, signed)
    reply_review_approve(review_id=_pending(signed).pk, actor=head)

    centre = _pending(signed)
    assert centre.stage == ReviewStage.CENTRE and centre.body == BODY
    demand = signed.demand
    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS and not Reply.objects.filter(demand=demand).exists()
    assert list(reviews_for(head)) == [] and list(reviews_for(district.users["dispatcher"])) == [centre]
    with pytest.raises(NotAllowed):
        reply_review_approve(review_id=centre.pk, actor=head)
    reply_review_approve(review_id=centre.pk, actor=supervisor)
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED


def test_a_centre_rule_on_a_matter_holds_a_reply_of_a_department_without_its_own_review(district, signed):
    CentreReviewRule.objects.create(matter_code=district.matters["stall"].code)
    _reply(district, signed)
    review = _pending(signed)
    assert review.stage == ReviewStage.CENTRE
    reply_review_send_back(review_id=review.pk, actor=district.users["dispatcher"], note="请补充处理结果的照片说明。")
    assert ReplyReview.objects.get(pk=review.pk).status == ReviewStatus.SENT_BACK


@override_settings(CENTRE_REVIEWS_SUPERVISED_REPLIES=True)
def test_with_the_setting_the_centre_reviews_the_replies_of_supervised_cases(district, signed):
    supervisor = make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])
    supervision_open(demand_id=signed.demand_id, actor=supervisor, note="请尽快清理并反馈。", working_hours=Decimal(8))
    _reply(district, signed)
    assert _pending(signed).stage == ReviewStage.CENTRE


def test_the_clock_counts_review_time_the_reply_is_on_time_only_if_approved_by_the_deadline(district, head, signed):
    deadline = signed.handle_deadline
    with clock_at(deadline - timedelta(hours=1)):
        _reply(district, signed)
    with clock_at(deadline + timedelta(hours=1)):
        reply_review_approve(review_id=_pending(signed).pk, actor=head)
    signed.refresh_from_db()
    assert signed.finished_at == deadline + timedelta(hours=1)
    signed.demand.refresh_from_db()
    assert signed.demand.replied_at == deadline + timedelta(hours=1)
    # What assessment counts as answered on time (dispatch.querysets.answered_on_time).
    assert not Assignment.objects.filter(pk=signed.pk).answered_on_time().exists()
    assert Assignment.objects.filter(pk=signed.pk).answered().exists()
    # And the auditors' figures for the department: answered, not on time.
    (row,) = [r for r in department_rows(AuditFilters.default()) if r.name == signed.department.name]
    assert (row.answered, row.on_time) == (1, 0)


def test_approved_by_the_deadline_counts_as_on_time(district, head, signed):
    with clock_at(signed.handle_deadline - timedelta(hours=2)):
        _reply(district, signed)
        reply_review_approve(review_id=_pending(signed).pk, actor=head)
    assert Assignment.objects.filter(pk=signed.pk).answered_on_time().exists()
    (row,) = [r for r in department_rows(AuditFilters.default()) if r.name == signed.department.name]
    assert (row.answered, row.on_time) == (1, 1)


def test_a_return_withdraws_the_reply_waiting_for_review(district, head, signed):
    _reply(district, signed)
    assignment_return(
        assignment_id=signed.pk,
        actor=district.users["cgj"],
        reason_code="not_ours",
        reason="不属于本局职责范围，应由街道办理。",
    )
    assert ReplyReview.objects.get(assignment=signed).status == ReviewStatus.WITHDRAWN
    assert list(reviews_for(head)) == []
