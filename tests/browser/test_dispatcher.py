"""The dispatch officer's journey: triage, dispatching by hand, ruling on a return."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import log_in, open_case_on_workbench, shot, submit_demand

CGJ = "坪山区城市管理和综合执法局"
MZJ = "坪山区民政局"


def open_from_desk(page, table: str, number: str, journey: str) -> None:
    page.get_by_role("link", name="分拨台").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("分拨台")
    page.get_by_role("navigation", name="队列").get_by_role("link", name=table).click()
    shot(page, f"{journey}-desk")
    page.get_by_role("table", name=table).get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def test_dispatcher_dispatches_from_triage_and_rules_on_a_return(new_context):
    receipt = submit_demand(
        new_context().new_page(), "dispatcher", title="想咨询一件事", content="想咨询一件事，请工作人员联系我。"
    )
    number = receipt["tracking_number"]

    desk = new_context().new_page()
    log_in(desk, "dispatcher", "dispatcher")
    expect(desk.get_by_role("heading", level=1)).to_have_text("分拨台")
    open_from_desk(desk, "待人工分拨", number, "dispatcher")
    expect(desk.locator("#status")).to_have_text("待人工分拨")
    shot(desk, "dispatcher-triage-case")
    # Seventy departments: typing above the list narrows it.
    desk.get_by_role("searchbox").first.fill("城管")
    options = desk.locator("#dispatch_department option")
    assert options.filter(has_text=MZJ).evaluate("option => option.hidden")
    assert not options.filter(has_text=CGJ).evaluate("option => option.hidden")
    desk.get_by_label("主办部门").select_option(label=CGJ)
    # The matters offered are those of the list in force that 城管 leads, searchable by name.
    matters = desk.locator("#dispatch_matter option:not([hidden])")
    expect(matters.filter(has_text="占道经营")).not_to_have_count(0)
    chosen = desk.get_by_label("主办部门").input_value()
    for option in matters.all()[1:]:  # after the empty choice
        assert chosen in option.get_attribute("data-departments").split()
    desk.get_by_label("派单说明").fill("先由城管核实情况。")
    desk.get_by_role("button", name="派单", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("已派单")
    # Opened from the triage queue, the desk goes on to its next item: here the queue is done.
    expect(desk.get_by_role("status").filter(has_text="待人工分拨的诉求已全部处理")).to_be_visible()
    shot(desk, "dispatcher-dispatched")
    desk.goto(f"/desk/demands/{number}/")
    expect(desk.locator("#status")).to_have_text("已派单")

    handler = new_context().new_page()
    log_in(handler, "cgj_handler", "dispatcher")
    open_case_on_workbench(handler, number, "dispatcher")
    # The router was not sure of any other department: the form asks rather than preselects.
    expect(handler.get_by_label("建议承办部门")).to_have_value("")
    handler.get_by_label("退单原因").select_option(label="非本单位职责")
    handler.get_by_label("退单说明").fill("咨询社会救助政策，应由民政部门答复。")
    handler.get_by_label("建议承办部门").select_option(label=MZJ)
    handler.get_by_role("button", name="退单", exact=True).click()
    expect(handler.get_by_role("status")).to_contain_text("已退单")
    shot(handler, "dispatcher-returned-by-department")

    desk.reload()
    # A department the router never named for the case is shown, but not offered in one click.
    desk.get_by_role("link", name="分拨台").click()
    desk.get_by_role("navigation", name="队列").get_by_role("link", name="退单待裁定").click()
    returned = desk.get_by_role("table", name="退单待裁定").get_by_role("row").filter(has_text=number)
    expect(returned.get_by_role("button", name=f"改派至{MZJ}")).to_have_count(0)
    expect(returned.get_by_role("link", name="改派（请选择部门）…")).to_be_visible()
    open_from_desk(desk, "退单待裁定", number, "dispatcher")
    expect(desk.locator("#status")).to_have_text("退单待裁定")
    shot(desk, "dispatcher-return-case")
    desk.get_by_label("退单成立，改派").check()
    desk.get_by_role("combobox", name="改派部门").select_option(label=MZJ)
    desk.get_by_label("裁定意见").fill("属社会救助咨询，改派民政局。")
    desk.get_by_role("button", name="裁定", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("已裁定")
    expect(desk.locator("#status")).to_have_text("已派单")
    expect(desk.get_by_role("definition").filter(has_text=MZJ)).to_be_visible()
    shot(desk, "dispatcher-redispatched")


def test_dispatcher_works_the_triage_queue_from_the_keyboard(new_context, settings):
    settings.ROUTING_AUTO_DISPATCH_THRESHOLD = 1.01  # the router is never sure: everything is triaged
    receipt = submit_demand(
        new_context().new_page(),
        "keyboard",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
    )
    desk = new_context().new_page()
    log_in(desk, "dispatcher", "keyboard")
    queue = desk.get_by_role("table", name="待人工分拨")
    row = queue.get_by_role("row").filter(has_text=receipt["tracking_number"])
    first_suggestion = row.get_by_role("button").first
    department = first_suggestion.inner_text().split("\n")[0]
    shot(desk, "keyboard-triage")

    desk.keyboard.press("j")  # select the first row …
    expect(row).to_have_class("selected")
    desk.keyboard.press("1")  # … and dispatch it to the router's first suggestion
    expect(desk.get_by_role("status")).to_contain_text("已派单")
    expect(desk.locator("#count-triage")).to_have_text("0")
    shot(desk, "keyboard-dispatched")

    desk.keyboard.press("g")
    desk.keyboard.press("r")  # to the returns queue
    expect(desk.get_by_role("heading", level=2, name="退单待裁定")).to_be_visible()
    desk.keyboard.press("/")
    desk.keyboard.type(receipt["tracking_number"])
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(receipt["tracking_number"])
    expect(desk.locator("#status")).to_have_text("已派单")
    assert department.strip("0123456789 .") in desk.locator("main").inner_text()
