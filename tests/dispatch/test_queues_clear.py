"""No desk queue keeps an item forever: merging or refusing a demand settles what waited on it
(withdrawn, with the reason), and every item left in every queue can be cleared by some action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Role
from dispatch.desk_queues import QUEUE_KEYS, DeskFilters, queue_items
from dispatch.models import Assignment, CentreReviewRule, ExtensionStatus, InfoRequestStatus, RulingStatus
from dispatch.services import (
    assignment_reply,
    assignment_return,
    assignment_sign,
    demand_dispatch,
    demand_merge,
    demand_reject,
    duplicate_group_decide,
    extension_decide,
    extension_request,
    info_request_ask,
    instruction_answer,
    instruction_record,
    return_rule,
)
from dispatch.services.escalation import sweep_deadlines
from dispatch.services.reply_reviews import reply_review_approve
from tests.citizens import STALL, VAGUE
from tests.factories import make_user
from tests.staff import open_lead


def _signed(district, submit):
    demand = submit(**STALL).demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    return demand, lead


def _returned(district, submit):
    demand, lead = _signed(district, submit)
    assignment_return(
        assignment_id=lead.pk, actor=district.users["cgj"], reason_code="not_ours", reason="不属于本单位职责范围"
    )
    return demand, lead.returns.get()


def _items(key: str) -> list:
    """What the officer sees in queue `key`: its rows, or (duplicates) its groups."""
    return list(queue_items(key, DeskFilters()))


def _row_ids(key: str) -> list[int]:
    return [item.original.pk if key == "duplicates" else item.pk for item in _items(key)]


@pytest.mark.parametrize("end", ["merge", "reject"])
def test_a_merged_or_refused_demand_leaves_no_return_waiting(district, submit, end):
    demand, request = _returned(district, submit)
    original = submit(**STALL).demand
    dispatcher = district.users["dispatcher"]
    if end == "merge":
        demand_merge(demand_id=demand.pk, original_id=original.pk, actor=dispatcher)
    else:
        demand_reject(demand_id=demand.pk, actor=dispatcher, reason="不属于政府职能范围的诉求")

    request.refresh_from_db()
    assert request.status == RulingStatus.WITHDRAWN and request.ruled_at is not None
    expected = original.tracking_number if end == "merge" else "不予受理"
    assert expected in request.ruling_note
    assert request.pk not in _row_ids("returns")


def test_a_merged_demand_leaves_no_extension_or_question_waiting(district, submit):
    asking, lead = _signed(district, submit)
    asked = info_request_ask(assignment_id=lead.pk, actor=district.users["cgj"], question="请补充具体的摆摊位置")
    waiting, lead = _signed(district, submit)
    extension = extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=2, reason="需联合执法")
    original = submit(**STALL).demand

    for demand in (asking, waiting):
        demand_merge(demand_id=demand.pk, original_id=original.pk, actor=district.users["dispatcher"])

    extension.refresh_from_db()
    asked.refresh_from_db()
    assert extension.status == ExtensionStatus.WITHDRAWN and original.tracking_number in extension.decision_note
    assert asked.status == InfoRequestStatus.WITHDRAWN
    assert extension.pk not in _row_ids("extensions")


def test_an_answer_withdraws_the_extension_it_no_longer_needs(district, submit):
    _, lead = _signed(district, submit)
    extension = extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=2, reason="需联合执法")
    assignment_reply(assignment_id=lead.pk, actor=district.users["cgj"], body="已安排执法队员清理占道摊贩。")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.WITHDRAWN and "已答复" in extension.decision_note
    assert _row_ids("extensions") == []


def _clear(key: str, row, district) -> None:
    """The action a dispatch officer (or the department) takes on an item of queue `key`."""
    dispatcher, handler = district.users["dispatcher"], district.users["cgj"]
    if key == "triage":
        demand_dispatch(demand_id=row.pk, actor=dispatcher, department_id=district.departments["CGJ"].pk)
    elif key == "returns":
        return_rule(return_id=row.pk, actor=dispatcher, uphold=False, note="属于本单位职责，请继续办理")
    elif key == "extensions":
        extension_decide(extension_id=row.pk, actor=dispatcher, approve=True, note="同意")
    elif key == "duplicates":
        duplicate_group_decide(
            actor=dispatcher, original_id=row.original.pk, merge_ids=[], dismiss_ids=[m.demand.pk for m in row.members]
        )
    elif key in ("overdue", "supervised"):
        assignment = row if key == "overdue" else row.assignment
        if assignment.status == "pending_sign":
            assignment_sign(assignment_id=assignment.pk, actor=handler)
        assignment_reply(assignment_id=assignment.pk, actor=handler, body="已安排执法队员清理占道摊贩。")
    elif key == "instructions":  # the lead department answers it, whatever became of the case
        instruction_answer(instruction_id=row.pk, actor=handler, answer="已清理占道摊贩并安排每日巡查。")
    elif key == "reviews":  # the centre approves the reply, which goes to the citizen
        reply_review_approve(review_id=row.pk, actor=dispatcher)
    else:  # a new queue must say how its items are cleared
        raise AssertionError(f"no action known for the {key} queue")


def test_every_item_of_every_queue_can_be_cleared(district, submit, settings):
    dispatcher = district.users["dispatcher"]
    # Returns, extensions and questions on live, merged and refused demands.
    _returned(district, submit)
    merged, _ = _returned(district, submit)
    refused, _ = _returned(district, submit)
    live = submit(**STALL).demand
    demand_merge(demand_id=merged.pk, original_id=live.pk, actor=dispatcher)
    demand_reject(demand_id=refused.pk, actor=dispatcher, reason="不属于政府职能范围的诉求")
    _, lead = _signed(district, submit)
    extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=2, reason="需联合执法")
    # Duplicates of one another, one of them merged by hand meanwhile.
    first, _second, third = (submit(**STALL).demand for _ in range(3))
    demand_merge(demand_id=third.pk, original_id=first.pk, actor=dispatcher)
    # Late cases: one overdue, one under supervision.
    late, supervised = submit(**STALL).demand, submit(**STALL).demand
    sweep_deadlines(now=open_lead(supervised).supervise_at + timedelta(minutes=1))
    Assignment.objects.filter(pk=open_lead(late).pk).update(
        supervised_at=None, handle_deadline=timezone.now() - timedelta(hours=1)
    )
    # A leader's instruction on a case in hand.
    supervisor = make_user("dubanyuan", Role.SUPERVISOR, district.departments["ZXZX"])
    instruction_record(
        demand_id=live.pk, actor=supervisor, leader_name="区长", text="请尽快解决并报告结果", working_hours=8
    )
    # A reply held for the centre's review (its rule dropped again, so the other replies go at once).
    rule = CentreReviewRule.objects.create(matter_code=district.matters["stall"].code)
    _, held = _signed(district, submit)
    assignment_reply(assignment_id=held.pk, actor=district.users["cgj"], body="已安排执法队员清理占道摊贩。")
    rule.delete()
    # Triage.
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01
    submit(**VAGUE)

    seen = {key: _row_ids(key) for key in QUEUE_KEYS}
    assert all(seen[key] for key in QUEUE_KEYS), f"every queue has work to clear: {seen}"
    for key in QUEUE_KEYS:
        for item in _items(key):
            if key == "duplicates" or item.pk in _row_ids(key):  # an earlier action may have cleared it
                _clear(key, item, district)
    assert {key: _row_ids(key) for key in QUEUE_KEYS} == {key: [] for key in QUEUE_KEYS}
