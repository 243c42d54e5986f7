"""The citizen's journey: form, confirmation, tracking by number and code, the answer, rating."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import NOISE, give_assisting_opinion, log_in, open_case_on_workbench, shot, submit_demand


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
    summary = page.locator("#error-summary")
    # The summary takes the focus and names each field in words.
    expect(summary).to_be_focused()
    for message in ("请填写标题。", "请填写诉求内容。", "请填写姓名。", "请填写联系电话。"):
        expect(summary).to_contain_text(message)
    expect(page.get_by_text("该字段是必填项")).to_have_count(0)
    title = page.get_by_label("标题")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_css("border-top-color", "rgb(179, 38, 30)")
    expect(page.get_by_label("事发地点")).not_to_have_attribute("aria-invalid", "true")
    shot(page, "invalid-form-errors")
    # A link of the summary takes the citizen to the field; the counter follows what they type.
    summary.get_by_role("link", name="请填写标题。").click()
    expect(title).to_be_focused()
    title.fill("工地半夜施工")
    expect(page.locator("#id_title_counter")).to_have_text("已输入 6 / 200 字")
    expect(page.locator("#id_content_counter")).to_have_text("已输入 0 / 10000 字")
    shot(page, "invalid-form-counter")


def test_form_feedback_on_a_phone(new_context):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto("/")
    page.get_by_label("您的姓名").fill("张三")
    page.get_by_label("联系电话").fill("12ab")
    page.get_by_role("button", name="提交诉求").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("请填写有效的联系电话。")
    expect(page.get_by_label("联系电话")).to_have_attribute("aria-invalid", "true")
    shot(page, "mobile-invalid-form")


def test_the_receipt_and_the_demand_page_tell_the_citizen_what_they_gave(new_context):
    citizen = new_context().new_page()
    submit_demand(citizen, "receipt", photo=True, **NOISE)
    expect(citizen.locator("#answer-expected")).to_contain_text("预计")
    expect(citizen.locator("#answer-expected")).to_contain_text("个工作日")
    expect(citizen.locator("#texted-to")).to_contain_text("可凭这个手机号接收验证码查询")
    citizen.get_by_role("link", name="查看办理进度").click()
    expect(citizen.locator("#place")).to_have_text("六和城旁边的工地（六和社区）")
    photo = citizen.get_by_role("img", name="site.png")
    expect(photo).to_be_visible()
    # The photo itself, loaded (waited for: the page may show before the image has arrived).
    loaded_width = """img => img.complete ? img.naturalWidth : new Promise(done => {
        img.addEventListener("load", () => done(img.naturalWidth));
        img.addEventListener("error", () => done(0));
    })"""
    assert photo.evaluate(loaded_width) == 8
    shot(citizen, "receipt-demand-page")


def test_a_citizen_who_lost_the_code_finds_the_demand_by_phone(new_context, phones):
    receipt = submit_demand(new_context().new_page(), "phone", photo=True, **NOISE)

    # Another device, with only a saved link: the page offers the phone.
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto(f"/track/{receipt['tracking_number']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询办理进度")
    expect(page.locator("#by-phone")).to_contain_text("座机号码的收不到短信验证码")
    shot(page, "phone-saved-link-elsewhere")
    page.get_by_role("link", name="凭手机号查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("凭手机号查询")
    page.get_by_label("手机号码").fill("138 1234 5678")
    shot(page, "phone-ask-code")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("输入短信验证码")
    expect(page.locator("#code-sent")).to_contain_text("138****5678")
    page.get_by_label("短信验证码").fill("000000" if phones.last_code("13812345678") != "000000" else "111111")
    page.get_by_role("button", name="验证并查看我的诉求").click()
    expect(page.locator(".errorlist")).to_contain_text("验证码不正确或已失效")
    expect(page.get_by_label("短信验证码")).to_have_attribute("aria-invalid", "true")
    shot(page, "phone-wrong-code")
    page.get_by_label("短信验证码").fill(phones.last_code("13812345678"))
    page.get_by_role("button", name="验证并查看我的诉求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的诉求")
    expect(page.locator("#phone-demands")).to_contain_text(NOISE["title"])
    shot(page, "phone-my-demands")
    page.get_by_role("link", name=receipt["tracking_number"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOISE["title"])
    expect(page.get_by_role("img", name="site.png")).to_be_visible()
    shot(page, "phone-demand-page")
    page.get_by_role("link", name="返回我的诉求").click()
    page.get_by_role("button", name="退出手机号查询").click()
    expect(page.get_by_role("status")).to_contain_text("已退出手机号查询。")
    page.goto(f"/track/{receipt['tracking_number']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询办理进度")
