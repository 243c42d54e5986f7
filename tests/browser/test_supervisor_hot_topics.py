"""The supervisor's hot topics: the cluster's notice, the page, and the month's key problem adopted
and followed to its end."""

from __future__ import annotations

from collections import Counter

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assessment.management.commands.load_demo_hot_topic import PLACE
from demands.models import Demand
from tests.browser.pages import log_in, shot


def _month_holding_most_reports() -> str:
    months = Counter(
        f"{timezone.localtime(moment):%Y-%m}"
        for moment in Demand.objects.filter(location_text=PLACE).values_list("submitted_at", flat=True)
    )
    return months.most_common(1)[0][0]


def test_supervisor_adopts_a_cluster_as_the_months_key_problem(new_context, settings):
    settings.NOTIFICATION_EMAILS = False
    call_command("load_demo_hot_topic", verbosity=0)  # six residents, one estate, one problem
    page = new_context().new_page()
    log_in(page, "supervisor", "hottopics")

    page.get_by_role("link", name="通知").click()
    # The notice leads to the cluster itself: every demand in it, not the first alone.
    page.get_by_role("link", name="热点聚集：六和社区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("热点聚集：六和社区")
    told = Demand.objects.filter(location_text=PLACE).values_list("tracking_number", flat=True)
    assert len(told) >= 3
    for number in told:
        expect(page.locator("#cluster-demands").get_by_role("link", name=number)).to_be_visible()
    shot(page, "hottopics-cluster")

    page.get_by_role("link", name="返回热点与预警").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("热点与预警")
    # Early in a month most of the six fell in the month before: its shortlist holds the cluster.
    month = _month_holding_most_reports()
    page.get_by_label("每月一题月份").fill(month)
    page.get_by_role("button", name="查看").click()
    clusters = page.locator("#cluster-list")
    expect(clusters).to_contain_text("六和社区")
    expect(page.get_by_text("平均数 + 3 倍标准差", exact=False)).to_be_visible()
    shot(page, "hottopics-page")

    items = page.locator("#shortlist-items")
    items.locator("tr", has_text="聚集").get_by_role("button", name="选定为每月一题").click()
    expect(page.get_by_role("status")).to_contain_text("已选定为本月的每月一题")
    problem = page.locator("#key-problem")
    expect(problem).to_contain_text("跟踪中")
    shot(page, "hottopics-adopted")

    problem.get_by_label("状态").select_option("resolved")
    problem.get_by_label("跟踪说明").fill("供水公司已更换小区加压泵，回访四户均表示水压正常。")
    problem.get_by_role("button", name="更新").click()
    expect(page.locator("#key-problem")).to_contain_text("已解决")
    expect(page.locator("#key-problem")).to_contain_text("加压泵")
    shot(page, "hottopics-resolved")
