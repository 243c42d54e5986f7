"""The auditor's journey: the figures page and the demands export."""

from __future__ import annotations

import csv

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.pages import log_in, shot, submit_demand


def test_auditor_downloads_the_demands_export(new_context, tmp_path):
    receipt = submit_demand(
        new_context().new_page(),
        "auditor",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    page = new_context().new_page()
    log_in(page, "auditor", "auditor")
    page.get_by_role("link", name="统计考核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计考核")
    shot(page, "auditor-audit")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出诉求（CSV）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "受理编号"
    assert len(rows) == 2
    assert rows[1][0] == receipt["tracking_number"]
    assert "13812345678" not in ",".join(rows[1])


def test_auditor_takes_a_large_export_from_its_progress_page(new_context, settings, tmp_path):
    settings.EXPORT_INLINE_MAX_ROWS = 0  # every export is "large": it becomes a background job
    submit_demand(
        new_context().new_page(),
        "export",
        title="小区门口路灯坏了",
        content="和平社区东门口的路灯坏了一个多月，晚上很黑。",
        location="坪山街道和平社区",
    )
    page = new_context().new_page()
    log_in(page, "auditor", "export")
    page.get_by_role("link", name="统计考核").click()
    page.get_by_role("button", name="导出事件日志（Excel (XLSX)）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导出任务")
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    shot(page, "export-job-done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载文件").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "受理编号" and len(rows) >= 3  # submitted and routed: two events at least
