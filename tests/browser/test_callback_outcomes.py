"""The callback visit's other endings (回访): three calls with no answer make it "not reachable",
and an unsatisfied citizen's case reopened (重办) from the call with the reason."""

from __future__ import annotations

from playwright.sync_api import expect

from assessment.models import VISIT_ATTEMPTS, CallbackVisit, VisitStatus
from demands.models import Demand, DemandEvent
from demands.workflow import Action, Status
from tests.browser.pages import log_in, shot, submit_demand
from tests.browser.test_callback import _answered


def _visit_page(new_context, journey: str, title: str) -> tuple[object, str]:
    receipt = submit_demand(
        new_context().new_page(),
        journey,
        title=title,
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    number = receipt["tracking_number"]
    _answered(number)
    page = new_context().new_page()
    log_in(page, "callback", journey)
    page.locator("#visit-queue").get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    return page, number


def test_three_calls_with_no_answer_make_the_visit_not_reachable(new_context):
    page, number = _visit_page(new_context, "unreachable", "工地半夜施工噪音太大")
    for attempt in range(1, VISIT_ATTEMPTS):
        page.locator("#record").get_by_label("未接通").check()
        page.get_by_role("button", name="提交回访记录").click()
        expect(page.get_by_role("status")).to_contain_text(f"已记录未接通（第 {attempt} 次），请稍后再拨。")
        expect(page.locator("#attempts")).to_have_text(f"{attempt} / {VISIT_ATTEMPTS}")
        expect(page.locator("#calls li")).to_have_count(attempt)
    shot(page, "unreachable-second-call")

    page.locator("#record").get_by_label("未接通").check()
    page.get_by_role("button", name="提交回访记录").click()
    expect(page.get_by_role("status")).to_contain_text("回访已记录：无法联系。")
    expect(page.locator("#visit-queue")).not_to_contain_text(number)
    expect(page.locator("#visits-finished")).to_contain_text(number)
    shot(page, "unreachable-done")
    visit = CallbackVisit.objects.get(demand__tracking_number=number)
    assert (visit.status, visit.attempts, visit.satisfaction) == (VisitStatus.UNREACHABLE, VISIT_ATTEMPTS, "")


def test_an_unsatisfied_citizen_s_case_is_reopened_from_the_call(new_context):
    page, number = _visit_page(new_context, "reopen", "工地半夜施工噪音还是很大")
    # The visit's own form: the page also folds a form for a rating given by phone.
    record = page.locator("#record")
    record.get_by_label("已联系上群众").check()
    record.get_by_label("否", exact=True).check()
    record.get_by_label("未解决", exact=True).check()
    record.get_by_label("不满意", exact=True).check()
    record.get_by_label("群众不满意，申请重办").check()
    record.get_by_label("不满意的原因").fill("工地仍在半夜打桩，没有任何改变。")
    shot(page, "reopen-filled")
    page.get_by_role("button", name="提交回访记录").click()
    expect(page.get_by_role("status")).to_contain_text("回访已记录：已回访。")
    shot(page, "reopen-recorded")

    demand = Demand.objects.get(tracking_number=number)
    assert (demand.reopen_count, demand.status) == (1, Status.REOPENED)
    reopening = DemandEvent.objects.get(demand=demand, action=Action.REOPEN)
    assert reopening.actor.username == "callback" and reopening.reason == "工地仍在半夜打桩，没有任何改变。"
    visit = CallbackVisit.objects.get(demand=demand, answer_round=0)
    assert (visit.status, visit.satisfaction, visit.resolution, visit.contacted_in_time) == (
        VisitStatus.DONE,
        "unsatisfied",
        "unsolved",
        False,
    )
