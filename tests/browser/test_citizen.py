"""The citizen's journey: form, confirmation, tracking by number and code, the answer, rating."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import give_assisting_opinion, log_in, open_case_on_workbench, shot, submit_demand

NOISE = {
    "title": "工地半夜施工噪音太大",
    "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
    "location": "六和城旁边的工地",
    "community": "六和社区",
}


def track(page, receipt, journey):
    """Open the tracking page by typing the tracking number and query code."""
    page.goto("/")
    page.get_by_role("link", name="查询进度").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("查询办理进度")
    page.get_by_label("受理编号").fill(receipt["tracking_number"])
    page.get_by_label("查询码").fill(receipt["query_code"])
    shot(page, f"{journey}-track-form")
    page.get_by_role("button", name="查询", exact=True).click()


def test_citizen_submits_tracks_and_rates(new_context):
    citizen = new_context().new_page()
    receipt = submit_demand(citizen, "citizen", photo=True, **NOISE)

    # Another device: the number and the code alone open the demand.
    phone = new_context().new_page()
    track(phone, receipt, "citizen")
    expect(phone.get_by_role("heading", level=1)).to_have_text(NOISE["title"])
    expect(phone.locator("#status")).to_have_text("已派单")
    expect(phone.get_by_text("坪山区住房和建设局", exact=True)).to_be_visible()
    timeline = phone.locator("#timeline")
    expect(timeline).to_contain_text("提交诉求")
    expect(timeline).to_contain_text("自动派单")
    expect(phone.get_by_text("13812345678")).to_have_count(0)
    shot(phone, "citizen-tracking-dispatched")

    # The departments answer through their own pages, in their own browsers.
    give_assisting_opinion(new_context(), "shj_handler", receipt["tracking_number"], "citizen")
    handler = new_context().new_page()
    log_in(handler, "zjj_handler", "citizen")
    open_case_on_workbench(handler, receipt["tracking_number"], "citizen")
    expect(handler.get_by_role("link", name="site.png")).to_be_visible()
    handler.get_by_role("button", name="签收", exact=True).click()
    handler.get_by_label("答复内容").fill("已责令施工单位停止夜间施工，并依法处以罚款。")
    handler.get_by_role("button", name="提交", exact=True).click()
    expect(handler.locator("#status")).to_have_text("已答复")

    phone.reload()
    expect(phone.locator("#status")).to_have_text("已答复")
    expect(phone.get_by_text("已责令施工单位停止夜间施工")).to_be_visible()
    shot(phone, "citizen-tracking-replied")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_label("评价意见").fill("处理得很快，谢谢。")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("感谢您的评价，诉求已办结。")
    expect(phone.locator("#status")).to_have_text("已办结")
    expect(phone.get_by_role("button", name="提交评价")).to_have_count(0)
    shot(phone, "citizen-closed")


def test_form_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    receipt = submit_demand(page, "nojs", title=NOISE["title"], content=NOISE["content"], location=NOISE["location"])
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator("#status")).to_have_text("已派单")
    shot(page, "nojs-tracking")
    assert receipt["tracking_number"] in page.url


def test_form_shows_what_is_missing(page):
    page.goto("/")
    page.get_by_role("button", name="提交诉求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("反映民生诉求")
    expect(page.locator(".errorlist").first).to_be_visible()
    shot(page, "invalid-form-errors")
