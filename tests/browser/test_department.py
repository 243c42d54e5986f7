"""A department handler's journey: workbench, the case, signing, replying."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import give_assisting_opinion, log_in, open_case_on_workbench, shot, submit_demand


def test_handler_signs_and_replies(new_context):
    receipt = submit_demand(
        new_context().new_page(),
        "department",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    number = receipt["tracking_number"]
    page = new_context().new_page()
    log_in(page, "zjj_handler", "department")
    open_case_on_workbench(page, number, "department")
    expect(page.locator("#status")).to_have_text("已派单")
    expect(page.locator("#citizen")).to_contain_text("138****5678")

    page.get_by_role("button", name="签收", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已签收")
    expect(page.locator("#status")).to_have_text("办理中")
    shot(page, "department-signed")

    # The lead answers only once the assisting department has given its opinion.
    page.get_by_label("答复内容").fill("已责令施工单位停止夜间施工，并依法处以罚款。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("协办部门尚未反馈")
    shot(page, "department-reply-refused")
    give_assisting_opinion(new_context(), "shj_handler", number, "department")

    page.reload()
    page.get_by_label("答复内容").fill("已责令施工单位停止夜间施工，并依法处以罚款。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已答复群众")
    expect(page.locator("#status")).to_have_text("已答复")
    expect(page.locator("#timeline")).to_contain_text("答复")
    shot(page, "department-replied")
