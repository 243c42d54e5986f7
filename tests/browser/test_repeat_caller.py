"""A caller who reports the same thing again: told on the form, adds a follow-up (催办) instead
of a second demand; the dispatcher merges what was still sent as new, a whole group at once."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import NOISE, fill_demand_form, log_in, receipt_shown, shot, submit_demand

AGAIN = {
    **NOISE,
    "title": "六和城工地半夜施工噪音大",
    "content": "六和城旁边工地每天半夜施工打桩，吵得无法入睡，希望处理。",
}


def test_a_repeat_caller_follows_up_and_the_dispatcher_merges_the_group(new_context):
    citizen = new_context().new_page()
    first = submit_demand(citizen, "repeat", **NOISE)["tracking_number"]

    # Back on the form, the same thing again: told, and nothing made yet.
    fill_demand_form(citizen, "repeat", **AGAIN)
    citizen.get_by_role("button", name="提交诉求").click()
    notice = citizen.get_by_role("alert").filter(has_text="你已反映过此事")
    expect(notice).to_contain_text(f"你已反映过此事：{first}")
    expect(notice).not_to_contain_text(NOISE["title"])
    shot(citizen, "repeat-notice")
    citizen.get_by_role("button", name=f"作为催办记入 {first}").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("已记入催办")
    expect(citizen.locator("#followed-up")).to_contain_text(f"{first}（第 1 次催办）")
    shot(citizen, "repeat-followed-up")

    # A third time, and this time the caller insists it is new; a neighbour reports it too.
    fill_demand_form(citizen, "repeat", **AGAIN)
    citizen.get_by_role("button", name="提交诉求").click()
    citizen.get_by_role("button", name="仍作为新诉求提交").click()
    second = receipt_shown(citizen, "repeat")["tracking_number"]
    neighbour = submit_demand(new_context().new_page(), "repeat", phone="13900001111", **NOISE)["tracking_number"]

    desk = new_context().new_page()
    log_in(desk, "dispatcher", "repeat")
    desk.get_by_role("navigation", name="队列").get_by_role("link", name="疑似重复").click()
    expect(desk.locator("#count-duplicates")).to_have_text("1")
    group = desk.get_by_role("table", name="疑似重复诉求").locator("tr[data-row]")
    expect(group).to_have_count(1)
    expect(group).to_contain_text(first)
    expect(group.get_by_role("checkbox")).to_have_count(2)
    expect(group.get_by_role("checkbox", name=second)).to_be_checked()
    expect(group.locator("li").filter(has_text=second)).to_contain_text("同一来电人")
    expect(group.locator("li").filter(has_text=neighbour)).not_to_contain_text("同一来电人")
    shot(desk, "repeat-duplicates-group")
    group.get_by_role("button", name=f"合并所选到 {first}").click()
    expect(desk.get_by_role("status")).to_contain_text(f"已把 2 件合并到 {first}，答复将告知这 2 位群众。")
    expect(desk.locator("#count-duplicates")).to_have_text("0")
    shot(desk, "repeat-duplicates-merged")

    # The demand kept shows the follow-up, counted and on its timeline.
    desk.get_by_role("table", name="疑似重复诉求").get_by_text("没有疑似重复的诉求").wait_for()
    desk.goto(f"/desk/demands/{first}/")
    expect(desk.locator("#follow-ups")).to_contain_text("已催办 1 次")
    expect(desk.get_by_text(AGAIN["content"])).to_be_visible()
    shot(desk, "repeat-kept-demand")
