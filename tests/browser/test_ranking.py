"""The auditor's ranking (三率考核排名): from the audit page to the ranked tables of a month, with the
weights and the definition of each figure beside them, and the breakdown switched from one
dimension to another. The month's cases are written by hand, so every rank is known."""

from __future__ import annotations

from types import SimpleNamespace

from playwright.sync_api import expect

from departments.models import Department, Street
from responsibility_lists.models import Matter
from tests.assessment_cases import lead, make_demand, visit
from tests.browser.pages import log_in, shot


def _sample_district() -> SimpleNamespace:
    """The sample district's rows that tests.assessment_cases builds its cases on."""
    return SimpleNamespace(
        departments={d.code: d for d in Department.objects.filter(code__in=["CGJ", "ZJJ", "SHJ", "PSJD", "KZJD"])},
        streets={s.code: s for s in Street.objects.filter(code__in=["PSJD", "KZJD"])},
        matters={"stall": Matter.objects.filter(code="PS-0101-001").order_by("-version__number").first()},
    )


def _november(district) -> None:
    """Cases of November 2026, each answered and visited: 城管局 pleases everyone, 住建局 three in
    five, 生态环境局 has too few cases to be ranked; two streets handle their own."""

    def cases(code: str, n: int, satisfied: int, street: str = "PSJD") -> None:
        for i in range(n):
            visit(
                lead(district, code, demand=make_demand(district, street=street)),
                contacted_in_time=True,
                resolution="solved",
                satisfaction="satisfied" if i < satisfied else "unsatisfied",
            )

    cases("CGJ", 5, satisfied=5)
    cases("ZJJ", 5, satisfied=3)
    cases("SHJ", 2, satisfied=2)
    cases("PSJD", 5, satisfied=4)
    cases("KZJD", 5, satisfied=5, street="KZJD")


def test_auditor_reads_the_ranking_with_its_definitions_and_switches_the_breakdown(new_context):
    _november(_sample_district())
    page = new_context().new_page()
    log_in(page, "auditor", "ranking")
    page.get_by_role("link", name="统计考核").click()
    page.get_by_role("link", name="三率考核与部门排名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("三率考核排名")

    page.get_by_label("开始日期").fill("2026-11-01")
    page.get_by_label("结束日期").fill("2026-11-30")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#ranking-weights")).to_contain_text("期间 2026-11-01 至 2026-11-30（含）")
    expect(page.locator("#ranking-weights")).to_contain_text("响应率 × 10 + 解决率 × 45 + 满意率 × 45")

    # Ranked within each department type: the bureaus apart from the streets.
    bureaus = page.locator("#ranking-bureau tbody tr")
    expect(bureaus.filter(has_text="坪山区城市管理和综合执法局").locator("td").first).to_have_text("1")
    expect(bureaus.filter(has_text="坪山区城市管理和综合执法局")).to_contain_text("100.0")
    expect(bureaus.filter(has_text="坪山区住房和建设局").locator("td").first).to_have_text("2")
    # 10 + 45 + 45 × 3/5 = 82: response and resolution whole, three in five satisfied.
    expect(bureaus.filter(has_text="坪山区住房和建设局")).to_contain_text("82.0")
    expect(bureaus.filter(has_text="深圳市生态环境局坪山管理局").locator("td").first).to_have_text("不排名")
    streets = page.locator("#ranking-territory tbody tr")
    expect(streets.filter(has_text="坪山区坑梓街道办事处").locator("td").first).to_have_text("1")
    expect(streets.filter(has_text="坪山区坪山街道办事处").locator("td").first).to_have_text("2")

    # Each figure's definition is written beside the tables.
    definitions = page.locator("#definitions")
    expect(definitions.locator("#definition-satisfaction_rate")).to_contain_text(
        "满意率：（满意 + 基本满意）÷ 期间答复的回访中记录了满意程度的件数"
    )
    expect(definitions.locator("#definition-response_rate")).to_contain_text("响应率")
    expect(definitions.locator("#definition-resolution_rate")).to_contain_text("部分解决 × 0.5")
    shot(page, "ranking-month")

    # The breakdown, by department type at first, then by street, then by matter.
    expect(page.get_by_role("heading", name="按部门类型统计")).to_be_visible()
    page.get_by_label("分项统计维度").select_option(label="街道")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="按街道统计")).to_be_visible()
    breakdown = page.locator("#breakdown-table tbody")
    # 17 cases in 坪山街道 (all but 坑梓街道's own five), 5 in 坑梓街道.
    expect(breakdown.locator("tr", has_text="坪山街道").locator("td").first).to_have_text("17")
    expect(breakdown.locator("tr", has_text="坑梓街道").locator("td").first).to_have_text("5")
    # The period chosen stays chosen when the breakdown changes.
    expect(page.locator("#ranking-weights")).to_contain_text("2026-11-01 至 2026-11-30")
    shot(page, "ranking-by-street")

    page.get_by_label("分项统计维度").select_option(label="事项")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="按事项统计")).to_be_visible()
    expect(page.locator("#breakdown-table tbody tr")).to_have_count(1)
    expect(page.locator("#breakdown-table tbody")).to_contain_text("占道经营查处")
    shot(page, "ranking-by-matter")
