"""Review before the citizen sees it (答复审核): 住建局 asks its head to approve every reply. The
handler replies, the head sends it back with a note, the handler edits and submits it again, the
head approves, and only then does the citizen see the reply."""

from __future__ import annotations

from playwright.sync_api import expect

from departments.models import Department
from tests.browser.pages import give_assisting_opinion, log_in, open_case_on_workbench, shot, submit_demand
from tests.browser.test_citizen import track
from tests.citizens import NOISE

FIRST = "已责令施工单位停止夜间施工。"
BETTER = "已责令施工单位停止夜间施工，并依法处以罚款；今后夜间施工须经审批并公示。"
NOTE = "请写明处罚结果和今后的管理措施。"


def test_a_reply_sent_back_by_the_head_is_edited_approved_and_then_seen_by_the_citizen(new_context):
    Department.objects.filter(code="ZJJ").update(reply_needs_review=True)
    citizen = new_context().new_page()
    receipt = submit_demand(citizen, "review", **NOISE)
    number = receipt["tracking_number"]
    give_assisting_opinion(new_context(), "shj_handler", number, "review")

    handler = new_context().new_page()
    log_in(handler, "zjj_handler", "review")
    open_case_on_workbench(handler, number, "review")
    handler.get_by_role("button", name="签收", exact=True).click()
    handler.get_by_label("答复内容").fill(FIRST)
    handler.get_by_role("button", name="提交", exact=True).click()
    expect(handler.get_by_role("status")).to_contain_text("待部门负责人审核")
    expect(handler.locator("#review")).to_contain_text(FIRST)
    expect(handler.locator("#status")).to_have_text("办理中")
    shot(handler, "review-held")

    # The citizen hears nothing yet.
    track(citizen, receipt, "review")
    expect(citizen.locator("#status")).not_to_have_text("已答复")
    expect(citizen.get_by_text(FIRST)).to_have_count(0)

    head = new_context().new_page()
    log_in(head, "zjj_head", "review")
    head.get_by_role("link", name="部门工作台").click()
    queue = head.locator("#reviews")
    expect(queue).to_contain_text("待我审核的答复")
    shot(head, "review-queue")
    queue.get_by_role("link", name=number).click()
    expect(head.locator("#review")).to_contain_text(FIRST)
    head.get_by_label("退回修改").check()
    head.get_by_label("审核意见").fill(NOTE)
    head.get_by_role("button", name="提交审核").click()
    expect(head.get_by_role("status")).to_contain_text("退回修改")
    shot(head, "review-sent-back")

    handler.reload()
    expect(handler.locator("#sent-back")).to_contain_text(NOTE)
    expect(handler.get_by_label("答复内容")).to_have_value(FIRST)
    handler.get_by_label("答复内容").fill(BETTER)
    handler.get_by_role("button", name="提交", exact=True).click()
    expect(handler.get_by_role("status")).to_contain_text("待部门负责人审核")

    head.get_by_role("link", name="部门工作台").click()
    head.locator("#reviews").get_by_role("link", name=number).click()
    expect(head.locator("#review")).to_contain_text(BETTER)
    head.get_by_role("button", name="提交审核").click()  # 通过 is chosen already
    expect(head.get_by_role("status")).to_contain_text("已发送群众")
    expect(head.locator("#status")).to_have_text("已答复")
    expect(head.locator("#timeline")).to_contain_text("答复审核通过")
    shot(head, "review-approved")

    citizen.reload()
    expect(citizen.locator("#status")).to_have_text("已答复")
    expect(citizen.get_by_text(BETTER)).to_be_visible()
    expect(citizen.get_by_text(FIRST, exact=True)).to_have_count(0)
    expect(citizen.locator("#timeline")).not_to_contain_text("审核")
    shot(citizen, "review-citizen")
