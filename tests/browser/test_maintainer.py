"""The list maintainer's journey: a draft of the sample list, a search on it, a matter's
assisting departments, and the draft's impact preview."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import log_in, shot, submit_demand

VIEWPORT_HEIGHT = 900


def test_maintainer_searches_a_draft_edits_a_matter_and_previews_the_impact(new_context):
    submit_demand(
        new_context().new_page(),
        "maintainer",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    page = new_context().new_page()
    log_in(page, "maintainer", "maintainer")
    page.goto("/list/versions/")
    page.get_by_role("button", name="新建草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("草稿")

    # The sample list's keyword conflicts are folded below the matters found, which come first.
    page.get_by_label("搜索事项（名称、编码、关键词）").fill("夜间噪音")
    page.get_by_role("button", name="筛选").click()
    conflicts = page.locator("#keyword-conflicts")
    expect(conflicts).to_be_visible()
    expect(conflicts).not_to_have_attribute("open", re.compile(".*"))
    found = page.get_by_role("link", name="PS-0201-001")
    expect(found).to_be_visible()
    box = found.bounding_box()
    assert box is not None and box["y"] < VIEWPORT_HEIGHT  # on the first screen, not 2,000 px down
    assert page.locator("#matters").bounding_box()["y"] < conflicts.bounding_box()["y"]
    shot(page, "maintainer-draft-search")

    # The assisting picker: a filter box above the list, and the current choice named under it.
    found.click()
    picker = page.locator("#id_assisting")
    chosen = page.locator("#id_assisting_chosen")
    expect(chosen).to_contain_text("已选：")
    everyone = picker.locator("option").count()
    page.get_by_role("searchbox", name="输入名称筛选").nth(1).fill("城管")
    shown = picker.evaluate("select => [...select.options].filter(o => !o.hidden).map(o => o.text)")
    assert 0 < len(shown) < everyone and any("城市管理" in name for name in shown)
    city = next(name for name in shown if "城市管理" in name)
    picker.select_option(label=city)
    expect(chosen).to_have_text(f"已选：{city}")
    shot(page, "maintainer-matter-picker")
    # And the draft gives night-time building noise to the city management bureau.
    page.locator("#id_lead").select_option(label=city)
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("已保存 PS-0201-001。")).to_be_visible()

    # The impact preview: nothing computed on opening; asked for, it is computed and kept.
    page.get_by_role("link", name=re.compile("^← V")).click()
    page.get_by_role("link", name="影响预览").click()
    expect(page.locator("#impact-state")).to_contain_text("尚未计算")
    shot(page, "maintainer-impact-empty")
    page.get_by_role("button", name="计算影响").click()
    expect(page.locator("#impact-state")).to_contain_text("计算于")
    expect(page.locator("#moved")).to_have_text("1")
    expect(page.locator("#moved-demands")).to_contain_text(city)
    shot(page, "maintainer-impact")
