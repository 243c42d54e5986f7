"""Every transition of the demand's lifecycle (demands/workflow.py), through the services, with its
one event."""

from __future__ import annotations

import pytest

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.services import demand_auto_close, demand_rate
from demands.workflow import Action, Status
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus, ExtensionStatus, RulingStatus
from dispatch.services import (
    assignment_contribute,
    assignment_release,
    assignment_reply,
    assignment_return,
    assignment_sign,
    demand_dispatch,
    demand_merge,
    demand_reject,
    demand_reopen,
    extension_decide,
    extension_request,
    return_rule,
)
from tests.citizens import STALL, VAGUE
from tests.staff import answered, open_lead


def events(demand) -> list[str]:
    return list(DemandEvent.objects.filter(demand=demand).order_by("pk").values_list("action", flat=True))


def test_clear_demand_is_routed_and_dispatched_without_a_person(district, submit):
    demand = submit().demand
    assert demand.status == Status.DISPATCHED
    assert demand.matter == district.matters["noise"]
    assert demand.list_version == district.version
    assert demand.lead_department == district.departments["ZJJ"]
    assert demand.community == district.communities["六和社区"]
    assert demand.due_at is not None
    assert events(demand) == [Action.SUBMIT, Action.AUTO_DISPATCH]
    assisting = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    assert assisting.department == district.departments["SHJ"]


def test_vague_demand_goes_to_triage_with_reason(district, submit):
    demand = submit(**VAGUE).demand
    assert demand.status == Status.TRIAGE
    event = demand.events.last()
    assert event.action == Action.SEND_TO_TRIAGE
    assert "人工" in event.reason


def test_territorial_matter_goes_to_the_street_office_where_it_happened(district, submit):
    demand = submit(
        title="秀新村有人违建", content="秀新村有人私搭乱建，违章搭建三层铁皮房。", location_text="坑梓秀新村"
    ).demand
    assert demand.status == Status.DISPATCHED
    assert demand.lead_department == district.departments["KZJD"]


def test_full_journey_sign_reply_rate_close(district, submit):
    demand = submit().demand
    users = district.users
    lead = open_lead(demand)
    assistant = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    assignment_sign(assignment_id=lead.pk, actor=users["zjj"])
    assignment_contribute(assignment_id=assistant.pk, actor=users["shj"], body="已对工地夜间施工噪声监测，超标。")
    demand = assignment_reply(
        assignment_id=lead.pk,
        actor=users["zjj"],
        body="已责令施工单位停止夜间施工，并处以罚款，后续加强巡查。",
    )
    assert demand.status == Status.REPLIED
    demand = demand_rate(demand=demand, rating=5, comment="处理及时")
    assert demand.status == Status.CLOSED
    assert demand.rating == 5
    assert events(demand) == [
        Action.SUBMIT, Action.AUTO_DISPATCH, Action.SIGN, Action.CONTRIBUTE, Action.REPLY, Action.RATE,
    ]  # fmt: skip


def test_lead_cannot_reply_while_an_assisting_department_has_not_contributed(district, submit):
    demand = submit().demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    with pytest.raises(IllegalTransition, match="协办部门尚未反馈"):
        assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已处理完毕，谢谢您的反映。")
    assistant = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    assignment_release(assignment_id=assistant.pk, actor=district.users["dispatcher"], reason="噪声监测不再需要")
    demand = assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已处理完毕，谢谢您的反映。")
    assert demand.status == Status.REPLIED


def test_triage_then_manual_dispatch(district, submit):
    demand = submit(**VAGUE).demand
    demand = demand_dispatch(
        demand_id=demand.pk,
        actor=district.users["dispatcher"],
        department_id=district.departments["CGJ"].pk,
        matter_id=district.matters["stall"].pk,
        note="按占道经营派单",
    )
    assert demand.status == Status.DISPATCHED
    assert open_lead(demand).department == district.departments["CGJ"]
    assert events(demand)[-1] == Action.DISPATCH


def test_reopen_once_sends_back_to_the_same_department(district, submit):
    demand = answered(district, submit(**STALL).demand, by="cgj")
    demand = demand_reopen(demand=demand, reason="摊贩第二天又回来了", rating=2)
    assert demand.status == Status.REOPENED
    assert demand.reopen_count == 1
    again = open_lead(demand)
    assert again.department == district.departments["CGJ"]
    assignment_sign(assignment_id=again.pk, actor=district.users["cgj"])
    demand = assignment_reply(
        assignment_id=again.pk, actor=district.users["cgj"], body="已安排每日固定巡查，长效管理。"
    )
    with pytest.raises(IllegalTransition, match="重办过一次"):
        demand_reopen(demand=demand, reason="还是不满意这个结果")


def test_auto_close_only_after_the_waiting_period(district, submit, settings):
    demand = answered(district, submit(**STALL).demand, by="cgj")
    assert demand_auto_close(demand_id=demand.pk) is False
    settings.AUTO_CLOSE_AFTER_DAYS = 0
    assert demand_auto_close(demand_id=demand.pk) is True
    demand.refresh_from_db()
    assert demand.status == Status.CLOSED
    assert demand_auto_close(demand_id=demand.pk) is False  # idempotent
    assert events(demand).count(Action.AUTO_CLOSE) == 1


def test_return_upheld_redispatches_to_another_department(district, submit):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = open_lead(demand)
    request = assignment_return(
        assignment_id=lead.pk,
        actor=district.users["cgj"],
        reason_code="not_ours",
        reason="该路段属于街道管辖范围",
        suggested_department_id=district.departments["PSJD"].pk,
    )
    demand.refresh_from_db()
    assert demand.status == Status.RETURNED
    demand = return_rule(
        return_id=request.pk,
        actor=district.users["dispatcher"],
        uphold=True,
        department_id=district.departments["PSJD"].pk,
        note="属街道巡查范围",
    )
    assert demand.status == Status.DISPATCHED
    new_lead = open_lead(demand)
    assert new_lead.department == district.departments["PSJD"]
    assert new_lead.is_redispatch
    request.refresh_from_db()
    assert request.status == RulingStatus.UPHELD
    assert events(demand)[-2:] == [Action.RETURN, Action.RULE_UPHOLD]


NOISE = {"title": "工地半夜施工噪音", "content": "六和城旁边的工地每天半夜打桩"}


def _returned(district, demand, user: str):
    return assignment_return(
        assignment_id=open_lead(demand).pk,
        actor=district.users[user],
        reason_code="not_ours",
        reason="不属于本部门职责",
    )


def _upheld(district, request, code: str, **extra):
    return return_rule(
        return_id=request.pk, actor=district.users["dispatcher"], uphold=True,
        department_id=district.departments[code].pk, note="改派", **extra,
    )  # fmt: skip


def test_a_case_reassigned_to_a_department_the_matter_does_not_name_loses_that_matter(district, submit):
    """城管 returns a stall case; the dispatcher sends it to 住建局, which the stall matter does not
    name and the router did not suggest: it is handled with the default limits, under no matter,
    not as 城管's matter with its limits and in its figures."""
    demand = submit(**STALL).demand
    assert open_lead(demand).matter == district.matters["stall"]
    demand = _upheld(district, _returned(district, demand, "cgj"), "ZJJ")
    assert demand.matter is None and open_lead(demand).matter is None
    assert DemandEvent.objects.filter(demand=demand).latest("pk").data["matter"] is None


def test_a_reassignment_takes_the_matter_the_router_suggested_for_the_new_department(district, submit, settings):
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01  # a person dispatches it first
    demand = submit(**NOISE).demand
    demand_dispatch(
        demand_id=demand.pk, actor=district.users["dispatcher"], department_id=district.departments["CGJ"].pk
    )
    assert open_lead(demand).matter is None
    demand = _upheld(district, _returned(district, demand, "cgj"), "ZJJ")
    # The router's suggestion for 住建局 was the construction-noise matter, assisted by 生态环境.
    assert open_lead(demand).matter == district.matters["noise"] == demand.matter
    assert demand.list_version == district.version  # the version the matter belongs to
    assist = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    assert assist.department == district.departments["SHJ"] and assist.status == AssignmentStatus.PENDING_SIGN


def test_a_reassignment_keeps_the_matter_its_new_department_may_lead(district, submit):
    # A 属地 matter goes from one street office to another as the same matter.
    demand = submit(
        title="小区楼顶有人违章搭建", content="坪山街道六和城楼顶私搭乱建", location_text="坪山街道六和城"
    ).demand
    assert open_lead(demand).matter == district.matters["illegal_building"]
    demand = _upheld(district, _returned(district, demand, "psjd"), "KZJD")
    assert open_lead(demand).matter == district.matters["illegal_building"]
    # A ruling that proposes the new department as the matter's lead keeps the matter it is about.
    demand = submit(**STALL).demand
    demand = _upheld(district, _returned(district, demand, "cgj"), "PSJD", propose_amendment=True)
    assert open_lead(demand).matter == district.matters["stall"]


def test_assisting_departments_come_back_with_an_overruled_case_unless_they_gave_their_part(district, submit):
    demand = submit(**NOISE).demand
    assist = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST)
    request = _returned(district, demand, "zjj")
    assist.refresh_from_db()
    assert assist.status == AssignmentStatus.RELEASED
    demand = return_rule(return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="清单明确")
    again = Assignment.objects.get(demand=demand, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING_SIGN)
    assert again.department == district.departments["SHJ"]

    # Once it has contributed, a later ruling does not ask it again.
    assignment_sign(assignment_id=again.pk, actor=district.users["shj"])
    assignment_contribute(assignment_id=again.pk, actor=district.users["shj"], body="夜间噪声监测超标。")
    demand = return_rule(
        return_id=_returned(district, demand, "zjj").pk,
        actor=district.users["dispatcher"],
        uphold=False,
        note="仍属住建",
    )
    assert not Assignment.objects.filter(
        demand=demand, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING_SIGN
    ).exists()


def test_a_ruling_brings_back_the_assisting_departments_the_case_had_not_the_lists(district, submit, settings):
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01
    demand = submit(**NOISE).demand
    # The dispatcher chose 坪山街道 to assist, not the list's 生态环境局.
    demand_dispatch(
        demand_id=demand.pk, actor=district.users["dispatcher"], department_id=district.departments["ZJJ"].pk,
        matter_id=district.matters["noise"].pk, assisting_ids=[district.departments["PSJD"].pk],
    )  # fmt: skip
    request = _returned(district, demand, "zjj")
    return_rule(return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="清单明确由住建主责")
    open_assists = Assignment.objects.filter(
        demand=demand, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING_SIGN
    )
    assert [a.department.code for a in open_assists] == ["PSJD"]


def test_return_overruled_goes_back_to_the_same_department(district, submit):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    request = assignment_return(
        assignment_id=open_lead(demand).pk,
        actor=district.users["cgj"],
        reason_code="not_ours",
        reason="不是我们的事情",
    )
    demand = return_rule(
        return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="清单明确由城管主责"
    )
    again = open_lead(demand)
    assert again.department == district.departments["CGJ"]
    assert not again.is_redispatch
    with pytest.raises(IllegalTransition, match="已裁定"):
        return_rule(return_id=request.pk, actor=district.users["dispatcher"], uphold=False, note="再裁一次")


def test_extension_approved_moves_the_deadline(district, submit):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    before = open_lead(demand).handle_deadline
    request = extension_request(
        assignment_id=lead.pk, actor=district.users["cgj"], extra_days="5", reason="需要联合执法"
    )
    with pytest.raises(IllegalTransition, match="审批中"):
        extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days="2", reason="再申请一次")
    demand = extension_decide(extension_id=request.pk, actor=district.users["dispatcher"], approve=True, note="同意")
    after = open_lead(demand).handle_deadline
    assert after > before
    assert demand.due_at == after
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED
    assert request.previous_deadline == before


def test_extension_denied_keeps_the_deadline_and_needs_a_reason(district, submit):
    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = open_lead(demand)
    assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])
    before = open_lead(demand).handle_deadline
    request = extension_request(assignment_id=lead.pk, actor=district.users["cgj"], extra_days=3, reason="需要联合执法")
    with pytest.raises(ValidationFailed):
        extension_decide(extension_id=request.pk, actor=district.users["dispatcher"], approve=False)
    demand = extension_decide(
        extension_id=request.pk, actor=district.users["dispatcher"], approve=False, note="时限充足"
    )
    # Only the moments the request waited are given back (the clock stood still meanwhile).
    assert abs((open_lead(demand).handle_deadline - before).total_seconds()) < 5
    assert events(demand)[-1] == Action.DENY_EXTENSION


def test_merge_duplicate_releases_its_work(district, submit):
    first = submit().demand
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    merged = demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    assert merged.status == Status.MERGED
    assert merged.duplicate_of == first
    assert not Assignment.objects.filter(demand=second, status__in=["pending_sign", "signed"]).exists()
    # One moment: the case closed when its work was let go, which reports compare.
    assert {a.finished_at for a in second.assignments.all()} == {merged.closed_at}
    with pytest.raises(ValidationFailed, match="已被合并"):
        demand_merge(demand_id=first.pk, original_id=second.pk, actor=district.users["dispatcher"])


def test_reject_out_of_scope(district, submit):
    demand = submit(**VAGUE).demand
    demand = demand_reject(
        demand_id=demand.pk, actor=district.users["dispatcher"], reason="属于市公安局户籍业务，请拨打110咨询"
    )
    assert demand.status == Status.REJECTED
    assert events(demand)[-1] == Action.REJECT


def test_role_checks(district, submit):
    demand = submit().demand
    lead = open_lead(demand)
    with pytest.raises(NotAllowed):
        assignment_sign(assignment_id=lead.pk, actor=district.users["cgj"])  # another department
    with pytest.raises(NotAllowed):
        demand_reject(demand_id=demand.pk, actor=district.users["zjj"], reason="不是分拨员也想驳回")
    with pytest.raises(NotAllowed):
        demand_dispatch(
            demand_id=demand.pk, actor=district.users["auditor"], department_id=district.departments["CGJ"].pk
        )


def test_return_only_within_the_window(district, submit, settings):
    from datetime import timedelta

    from django.utils import timezone as tz

    demand = submit(title="路边有流动摊贩占道经营", content="坪山大道上每天傍晚都有小贩摆摊占道经营").demand
    lead = open_lead(demand)
    # Dispatched ten days ago: whatever the calendar, the two working hours have passed.
    Assignment.objects.filter(pk=lead.pk).update(dispatched_at=tz.now() - timedelta(days=10))
    with pytest.raises(IllegalTransition, match="退单时限已过"):
        assignment_return(
            assignment_id=lead.pk, actor=district.users["cgj"], reason_code="not_ours", reason="不是我们的"
        )
    settings.RETURN_WINDOW_WORKING_HOURS = 1000
    assignment_return(assignment_id=lead.pk, actor=district.users["cgj"], reason_code="not_ours", reason="不是我们的")
