"""The list maintainer opens the scorecard of the sample list's revision: the demo's two versions,
with demands routed under each."""

from __future__ import annotations

from django.core.management import call_command
from playwright.sync_api import expect

from demands.models import Demand
from tests.browser.pages import log_in, shot


def test_maintainer_opens_the_scorecard_of_the_latest_revision(new_context):
    # As `make sample` loads the demo: the revision is published before the demo demands are
    # played over the past weeks, so the older ones fall under V1 and the newer under V2.
    call_command("load_demo_list_revision", verbosity=0)
    call_command("load_demo_demands", "--count", "16", verbosity=0)
    assert set(Demand.objects.values_list("list_version__number", flat=True)) == {1, 2}

    page = new_context().new_page()
    log_in(page, "maintainer", "scorecard")
    page.goto("/list/v2/")
    page.get_by_role("link", name="版本评估").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("清单版本评估")
    figures = page.locator("#scorecard-figures")
    expect(figures.get_by_role("columnheader", name="V2")).to_be_visible()
    expect(figures.get_by_role("columnheader", name="V1（上一版本）")).to_be_visible()
    expect(figures.locator("#row-return")).to_contain_text("第一次派给的主办部门提出退单的比例")
    # The matters the revision changed, each with what changed and its rates before and after.
    matters = page.locator("#scorecard-matters")
    expect(matters.get_by_role("rowheader", name="PS-0101-001 占道经营查处")).to_be_visible()
    expect(matters).to_contain_text("关键词")
    expect(matters).to_contain_text("办理时限")
    shot(page, "scorecard-revision")

    # The first version has nothing before it to be compared with.
    page.get_by_role("navigation", name="其他版本的评估").get_by_role("link", name="V1").click()
    expect(page.locator("#no-previous")).to_have_text("这是第一个发布的版本，没有可对比的上一版本。")
    shot(page, "scorecard-first-version")
