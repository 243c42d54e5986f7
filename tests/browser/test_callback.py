"""The callback officer's journey (回访): the queue after an answer, the phone shown on asking (the
view recorded), a call recorded with what the citizen said."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import expect

from assessment.models import CallbackVisit, VisitStatus
from demands.models import ContactDisclosure, Demand
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import assignment_contribute, assignment_reply, assignment_sign
from tests.browser.pages import log_in, shot, submit_demand

REPLY = "已责令施工单位停止夜间施工，并依法处以罚款。"


def _answered(tracking_number: str) -> Demand:
    """The case answered by its departments, as the department journey does on its pages."""
    demand = Demand.objects.get(tracking_number=tracking_number)
    for assist in Assignment.objects.filter(demand=demand, role=AssignmentRole.ASSIST):
        helper = User.objects.filter(memberships__department=assist.department).first()
        assignment_contribute(assignment_id=assist.pk, actor=helper, body="夜间噪声监测结果超标，已立案。")
    lead = Assignment.objects.get(demand=demand, role=AssignmentRole.LEAD)
    handler = User.objects.filter(memberships__department=lead.department).first()
    assignment_sign(assignment_id=lead.pk, actor=handler)
    return assignment_reply(assignment_id=lead.pk, actor=handler, body=REPLY)


def test_callback_officer_records_a_visit_from_the_queue(new_context):
    receipt = submit_demand(
        new_context().new_page(),
        "callback",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    number = receipt["tracking_number"]
    demand = _answered(number)  # the answer queues its visit (Celery runs in process here)
    assert CallbackVisit.objects.get(demand=demand).status == VisitStatus.DUE

    page = new_context().new_page()
    log_in(page, "callback", "callback")
    expect(page.get_by_role("heading", level=1)).to_have_text("回访")  # staff home sends them here
    expect(page.locator("#visit-queue")).to_contain_text(number)
    shot(page, "callback-queue")

    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator("#answer")).to_contain_text(REPLY)
    expect(page.locator("#citizen-phone")).to_have_text("138****5678")
    page.get_by_role("button", name="查看联系电话（将被记录）").click()
    expect(page.locator("#citizen-phone")).to_have_text("13812345678")
    assert ContactDisclosure.objects.filter(demand=demand, user__username="callback").count() == 1
    shot(page, "callback-visit")

    page.get_by_label("已联系上群众").check()
    page.get_by_label("是", exact=True).check()
    page.get_by_label("解决", exact=True).check()
    # The visit's own answer (the page also offers, folded, to record the citizen's stars).
    page.locator("#record").get_by_label("满意", exact=True).check()
    page.get_by_label("回访记录").fill("群众表示工地已停止夜间施工，很满意。")
    page.get_by_role("button", name="提交回访记录").click()
    expect(page.get_by_role("status")).to_contain_text("回访已记录：已回访")
    expect(page.locator("#visit-queue")).not_to_contain_text(number)
    expect(page.locator("#visits-finished")).to_contain_text(number)
    shot(page, "callback-recorded")

    visit = CallbackVisit.objects.get(demand=demand)
    assert (visit.status, visit.resolution, visit.satisfaction, visit.contacted_in_time) == (
        VisitStatus.DONE,
        "solved",
        "satisfied",
        True,
    )
