"""Text messages to the citizens whose demands were merged into another: told of the merge, of the
answer (along a chain of merges too), of a refusal, and a failed message is for the dispatch officers."""

from __future__ import annotations

import pytest

from config.errors import ValidationFailed
from demands.citizen_messages import citizen_messages_resend
from demands.models import CitizenMessage
from dispatch.models import Assignment, Notification
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign, demand_merge, demand_reject
from tests.citizens import citizen_of, resend_is_due


def test_merged_citizens_are_told_of_the_merge_and_of_the_answer(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。", citizen_phone="13900001111").demand
    with django_capture_on_commit_callbacks(execute=True):
        demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    lead = Assignment.objects.get(demand=first, role="lead")
    assist = Assignment.objects.get(demand=first, role="assist")
    with django_capture_on_commit_callbacks(execute=True):
        assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
        assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
        assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工。")
    told = [(m["to"], m["text"].removeprefix("【坪山区民生诉求】")) for m in gateway.received[2:]]
    assert told == [
        ("13900001111", f"您的诉求{second.tracking_number}与诉求{first.tracking_number}反映同一问题，已合并办理，答复后将通知您。"),
        ("13812345678", f"您的诉求{first.tracking_number}已答复，请凭受理编号和查询码查看答复并评价。"),
        ("13900001111", f"与您的诉求{second.tracking_number}合并办理的诉求{first.tracking_number}已答复，请凭您的受理编号和查询码查看答复。"),
    ]  # fmt: skip
    # Signing and the assisting opinion are the departments' business: no message.
    assert CitizenMessage.objects.filter(kind__in=["sign", "contribute"]).count() == 0


def test_a_demand_merged_into_an_answered_one_is_told_the_answer_is_there(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    lead = Assignment.objects.get(demand=first, role="lead")
    assist = Assignment.objects.get(demand=first, role="assist")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    with django_capture_on_commit_callbacks(execute=True):
        demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    assert gateway.received[-1]["text"].endswith(
        f"您的诉求{second.tracking_number}与已答复的诉求{first.tracking_number}反映同一问题，已合并，请凭受理编号和查询码查看答复。"
    )


def _answer(district, demand) -> None:
    lead = Assignment.objects.get(demand=demand, role="lead")
    assist = Assignment.objects.get(demand=demand, role="assist")
    assignment_sign(assignment_id=lead.pk, actor=district.users["zjj"])
    assignment_contribute(assignment_id=assist.pk, actor=district.users["shj"], body="噪声监测超标，已立案。")
    assignment_reply(assignment_id=lead.pk, actor=district.users["zjj"], body="已责令工地停止夜间施工并处罚款。")


def _tracking_page(demand) -> str:
    return citizen_of(demand).get(f"/track/{demand.tracking_number}/").content.decode()


def test_merges_that_chain_share_the_final_answer_and_its_message(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    noise = "六和城工地又在半夜打桩施工，噪音扰民严重。"
    a, b, c = submit(content=noise + "（一）").demand, submit(content=noise + "（二）").demand, submit().demand
    dispatcher = district.users["dispatcher"]
    demand_merge(demand_id=a.pk, original_id=b.pk, actor=dispatcher)
    demand_merge(demand_id=b.pk, original_id=c.pk, actor=dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        _answer(district, c)
    told = {m.demand_id: m.body for m in CitizenMessage.objects.filter(kind="reply")}
    assert (
        told[a.pk]
        == f"与您的诉求{a.tracking_number}合并办理的诉求{c.tracking_number}已答复，请凭您的受理编号和查询码查看答复。"
    )
    assert set(told) == {a.pk, b.pk, c.pk}
    assert "已责令工地停止夜间施工并处罚款" in _tracking_page(a)


def test_when_the_original_is_refused_its_merged_citizens_are_told_why(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    vague = "我想问一下关于孩子户口的事情应该去哪里办理"
    original = submit(title="想咨询一件事", content=vague).demand
    again = submit(title="还想咨询一件事", content=vague + "，谢谢").demand
    dispatcher = district.users["dispatcher"]
    demand_merge(demand_id=again.pk, original_id=original.pk, actor=dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        demand_reject(demand_id=original.pk, actor=dispatcher, reason="属于市公安局户籍业务，请拨打110咨询")
    told = CitizenMessage.objects.get(kind="reject", demand=again)
    assert (
        told.body
        == f"与您的诉求{again.tracking_number}合并办理的诉求{original.tracking_number}不予受理，请凭您的受理编号和查询码查看原因。"
    )
    page = _tracking_page(again)
    assert 'id="original-refused"' in page and "属于市公安局户籍业务，请拨打110咨询" in page
    # Nothing more can be merged into a refused demand: its citizen would wait for an answer in vain.
    later = submit(title="再咨询一件事", content=vague + "。").demand
    with pytest.raises(ValidationFailed, match="已不予受理"):
        demand_merge(demand_id=later.pk, original_id=original.pk, actor=dispatcher)


def test_a_failed_message_to_a_merged_citizen_is_for_the_dispatch_officers(
    gateway, district, submit, django_capture_on_commit_callbacks
):
    first = submit().demand
    second = submit(content="六和城工地又在半夜打桩施工，噪音扰民严重。").demand
    demand_merge(demand_id=second.pk, original_id=first.pk, actor=district.users["dispatcher"])
    gateway.answer = 500
    with django_capture_on_commit_callbacks(execute=True):
        _answer(district, first)
    for _ in range(4):
        resend_is_due()
        with django_capture_on_commit_callbacks(execute=True):
            citizen_messages_resend()
    to_merged = CitizenMessage.objects.get(kind="reply", demand=second)
    notified = {n.user for n in Notification.objects.filter(kind="message_failed", data__message=to_merged.pk)}
    assert to_merged.status == "failed" and notified == {district.users["dispatcher"]}
