"""A caller's question answered at once (直接答复): the intake operator takes it down, looks up the
knowledge base, picks the suggested article and registers and answers it in one go; the citizen's
tracking page shows the answer and takes their rating."""

from __future__ import annotations

from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.pages import log_in, shot


def test_operator_answers_a_question_directly_and_the_citizen_rates_it(new_context):
    call_command("load_demo_knowledge", verbosity=0)  # the demo's articles

    operator = new_context().new_page()
    log_in(operator, "intake", "directanswer")
    operator.get_by_role("link", name="代客登记").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("登记电话、来信、来访诉求")
    operator.get_by_label("标题").fill("咨询办理居住证")
    operator.get_by_label("诉求内容").fill("我在坪山租房上班，想办居住证，请问需要带什么材料，去哪里办？")
    operator.get_by_label("诉求类型").select_option(label="咨询")
    operator.get_by_label("受理渠道").select_option(label="12345热线")
    operator.get_by_label("来电人姓名").fill("陈女士")
    operator.get_by_label("来电人联系电话").fill("13700005678")
    operator.get_by_role("button", name="查找知识库答案").click()

    suggestions = operator.locator("#knowledge")
    expect(suggestions).to_contain_text("居住证怎么办理")
    expect(suggestions).to_contain_text("社区工作站或派出所办理")
    expect(operator.get_by_label("来电人姓名")).to_have_value("陈女士")  # what was typed stays
    shot(operator, "directanswer-suggested")
    operator.get_by_label("居住证怎么办理").check()
    operator.get_by_role("button", name="登记并直接答复").click()
    expect(operator.get_by_role("status")).to_contain_text("已登记并直接答复")
    expect(operator.locator("#answered")).to_contain_text("已直接答复")
    number = operator.locator(".receipt strong").nth(0).inner_text().strip()
    code = operator.locator(".receipt strong").nth(1).inner_text().strip()
    shot(operator, "directanswer-receipt")

    citizen = new_context().new_page()
    citizen.goto("/track/")
    citizen.get_by_label("受理编号").fill(number)
    citizen.get_by_label("查询码").fill(code)
    citizen.get_by_role("button", name="查询", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("咨询办理居住证")
    expect(citizen.locator("#status")).to_have_text("已答复")
    expect(citizen.get_by_text("社区工作站或派出所办理", exact=False)).to_be_visible()
    expect(citizen.locator("#timeline")).to_contain_text("直接答复")
    shot(citizen, "directanswer-citizen-answer")
    citizen.get_by_label("满意", exact=True).check()
    citizen.get_by_label("评价意见").fill("电话里就说清楚了，谢谢。")
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.get_by_role("status")).to_contain_text("感谢您的评价，诉求已办结。")
    expect(citizen.locator("#status")).to_have_text("已办结")
    shot(citizen, "directanswer-citizen-rated")
