"""A supervisor puts a case under supervision by hand (人工督办) from its page; the department sees
it in its supervision list and on the case, and answers it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import log_in, shot, submit_demand


def test_supervisor_supervises_a_case_by_hand_and_the_department_answers(new_context):
    receipt = submit_demand(
        new_context().new_page(),
        "handsupervision",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    number = receipt["tracking_number"]

    supervisor = new_context().new_page()
    log_in(supervisor, "supervisor", "handsupervision")
    supervisor.goto(f"/desk/demands/{number}/")
    supervisions = supervisor.locator("#supervisions")
    expect(supervisions).to_contain_text("该诉求未被督办。")
    supervisions.get_by_text("列入督办", exact=True).first.click()  # the folded form's summary
    supervisor.get_by_label("督办意见").fill("群众多次反映夜间施工，请立即核查并说明整改措施。")
    supervisor.get_by_label("反馈时限（工作小时）").fill("7")
    shot(supervisor, "handsupervision-form")
    supervisor.get_by_role("button", name="列入督办").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已列入督办，承办部门已收到通知。")
    expect(supervisions).to_contain_text("人工督办")
    expect(supervisions).to_contain_text("尚未反馈")
    expect(supervisor.locator("#timeline")).to_contain_text("人工督办")
    shot(supervisor, "handsupervision-supervised")

    handler = new_context().new_page()
    log_in(handler, "zjj_handler", "handsupervision")
    handler.get_by_role("link", name="督办", exact=True).click()
    row = handler.locator("tr", has_text=number)
    expect(row).to_contain_text("人工督办")
    shot(handler, "handsupervision-department-list")
    row.get_by_role("link", name=number).click()
    expect(handler.locator("#supervision")).to_contain_text("群众多次反映夜间施工")
    expect(handler.locator("#supervision-kind")).to_have_text("人工督办")
    handler.get_by_label("督办反馈").fill("已约谈施工单位，夜间停止施工，三个工作日内完成整改。")
    handler.get_by_role("button", name="提交督办反馈").click()
    expect(handler.get_by_role("status")).to_contain_text("已反馈督办")
    shot(handler, "handsupervision-answered")

    supervisor.reload()
    expect(supervisions).to_contain_text("已约谈施工单位")
