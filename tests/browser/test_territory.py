"""Street → community → street → citizen: the street office passes its case down to one of its
communities, the community answers the street, the street replies with that answer, and the
citizen reads it on the tracking page."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import expect

from demands.models import Demand
from departments.models import Department
from dispatch.management.commands.load_demo_territory import hand_to_street
from tests.browser.pages import log_in, shot, submit_demand

ANSWER = "社区已联系物业，于今日清理楼道杂物并恢复消防通道畅通，已告知居民。"


def test_street_passes_down_the_community_answers_and_the_citizen_reads_it(new_context):
    citizen = new_context().new_page()
    receipt = submit_demand(
        citizen,
        "territory",
        title="小区楼道堆放杂物占用消防通道",
        content="小区3栋楼道长期堆放旧家具和纸箱，占用消防通道，存在安全隐患，请尽快协调清理。",
        location="坪山街道六和社区",
    )
    number = receipt["tracking_number"]
    # The dispatch centre gives it to the street office (from triage, or after a return).
    street_office = Department.objects.get(code="PSJD")
    assert hand_to_street(
        Demand.objects.get(tracking_number=number), street_office, User.objects.get(username="dispatcher")
    )

    street = new_context().new_page()
    log_in(street, "psjd_handler", "territory")
    street.get_by_role("link", name="部门工作台").click()
    street.get_by_role("link", name=number).click()
    street.get_by_role("button", name="签收").click()
    expect(street.get_by_role("status")).to_contain_text("已签收")
    delegations = street.locator("#delegations")
    if street.locator("#pass-down").get_attribute("open") is None:
        delegations.locator("#pass-down summary").click()
    street.get_by_label("下派社区").select_option(label="六和社区")
    street.get_by_label("下派说明").fill("请网格员到现场核实，协调物业清理。")
    shot(street, "territory-pass-down")
    street.get_by_role("button", name="下派", exact=True).click()
    expect(street.get_by_role("status")).to_contain_text("已下派社区")
    expect(delegations).to_contain_text("六和社区")
    expect(delegations).to_contain_text("办理中")

    community = new_context().new_page()
    log_in(community, "psjd_01_handler", "territory")
    community.get_by_role("link", name="部门工作台").click()
    section = community.locator(".delegated-to-us")
    expect(section).to_contain_text("下派给本社区的诉求")
    shot(community, "territory-community-workbench")
    section.get_by_role("link", name=number).click()
    expect(community.locator("#delegation-note")).to_contain_text("请网格员到现场核实")
    expect(community.locator("body")).not_to_contain_text("13812345678")  # the phone stays masked
    community.get_by_label("答复内容").fill(ANSWER)
    shot(community, "territory-community-answer")
    community.get_by_role("button", name="提交答复").click()
    expect(community.get_by_role("status")).to_contain_text("已答复")

    street.reload()
    expect(street.locator("#community-answer")).to_contain_text(ANSWER)
    expect(street.get_by_label("答复内容")).to_have_value(ANSWER)
    shot(street, "territory-street-reply")
    street.locator("#reply").get_by_role("button", name="提交").click()
    expect(street.get_by_role("status")).to_contain_text("已答复群众")

    citizen.goto(f"/track/{number}/")
    expect(citizen.locator("#status")).to_have_text("已答复")
    expect(citizen.locator("body")).to_contain_text("清理楼道杂物")
    shot(citizen, "territory-citizen-answer")
