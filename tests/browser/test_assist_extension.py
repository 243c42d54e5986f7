"""An assisting department (协办) works to its own deadline, a share of the lead's: it asks for more
time for its part, is refused past the lead's deadline, asks for less, the dispatcher approves,
and the lead sees its assisting department's deadline, state and extension on the case."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import NOISE, log_in, open_case_on_workbench, shot, submit_demand


def test_an_assisting_department_asks_for_time_within_the_leads(new_context):
    receipt = submit_demand(new_context().new_page(), "assist", **NOISE)
    number = receipt["tracking_number"]

    helper = new_context().new_page()
    log_in(helper, "shj_handler", "assist")
    open_case_on_workbench(helper, number, "assist")
    helper.get_by_role("button", name="签收", exact=True).click()
    expect(helper.locator("#lead-deadline")).to_be_visible()
    expect(helper.locator("#own-deadline-state")).to_contain_text("正常")
    shot(helper, "assist-signed")

    helper.get_by_text("申请延期", exact=True).first.click()  # the folded form's summary
    helper.get_by_label("延长工作日").fill("20")
    helper.get_by_label("延期理由").fill("需要连续多晚夜间噪声监测")
    helper.get_by_role("button", name="申请延期").click()
    expect(helper.get_by_role("status")).to_contain_text("协办期限不能晚于主办部门的办理期限")
    shot(helper, "assist-refused")
    helper.get_by_text("申请延期", exact=True).first.click()
    helper.get_by_label("延长工作日").fill("1")
    helper.get_by_label("延期理由").fill("需要再做一晚夜间噪声监测")
    helper.get_by_role("button", name="申请延期").click()
    expect(helper.get_by_role("status")).to_contain_text("已提交延期申请")
    expect(helper.locator("#pending-extension")).to_be_visible()

    dispatcher = new_context().new_page()
    log_in(dispatcher, "dispatcher", "assist")
    dispatcher.goto("/desk/?queue=extensions")
    row = dispatcher.locator("tr", has_text=number)
    expect(row).to_contain_text("协办")
    expect(row).to_contain_text("主办办理期限")
    shot(dispatcher, "assist-desk")
    row.get_by_role("button", name="批准").click()
    expect(dispatcher.locator("tr", has_text=number)).to_have_count(0)

    lead = new_context().new_page()
    log_in(lead, "zjj_handler", "assist")
    open_case_on_workbench(lead, number, "assist")
    assists = lead.locator("#assists")
    expect(assists).to_contain_text("深圳市生态环境局坪山管理局")
    expect(assists).to_contain_text("延长 1 个工作日：已批准")
    shot(lead, "assist-lead")
