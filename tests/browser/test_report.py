"""The periodic report journey: the auditor previews the month just closed, publishes it, reads
the frozen report with its chart and downloads the PDF. The clock is moved past the month's end."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

from django.utils import timezone
from playwright.sync_api import expect

from assessment.reports import last_closed_period
from tests.browser.pages import log_in, shot, submit_demand


def test_the_auditor_publishes_the_monthly_report_and_downloads_it(new_context):
    submit_demand(
        new_context().new_page(),
        "report",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    after_the_month = timezone.make_aware(datetime.combine(next_month, time(9)))
    assert last_closed_period("monthly", next_month)[0] == this_month
    # The live server runs in this process: the moved clock is its clock too.
    with mock.patch("django.utils.timezone.now", return_value=after_the_month):
        auditor = new_context().new_page()
        log_in(auditor, "auditor", "report")
        auditor.get_by_role("link", name="统计考核").click()
        auditor.get_by_role("link", name="考核报告（周报、月报）").click()
        expect(auditor.get_by_role("heading", level=1)).to_have_text("考核报告")
        pending = auditor.locator("#pending-monthly")
        expect(pending).to_contain_text(this_month.strftime("%Y-%m-%d"))
        pending.get_by_role("link", name="预览").click()
        expect(auditor.locator("#report-preview")).to_contain_text("尚未发布")
        expect(auditor.locator("#report-ranking-bureau")).to_contain_text("坪山区住房和建设局")
        shot(auditor, "report-preview")
        auditor.get_by_role("button", name="发布并冻结").click()
        expect(auditor.get_by_text("报告已发布，数字已冻结。")).to_be_visible()
        expect(auditor.locator("#report-published")).to_contain_text("发布")
        expect(auditor.locator("#report-weights")).to_contain_text("响应率 × 10")
        expect(auditor.locator("#report-comparison")).to_contain_text("没有更早发布的同类报告")
        shot(auditor, "report-published")
        with auditor.expect_download() as download:
            auditor.get_by_role("link", name="下载 PDF").click()
        pdf = download.value
        assert pdf.suggested_filename == f"report-monthly-{this_month:%Y%m%d}.pdf"
        with open(pdf.path(), "rb") as file:
            assert file.read(4) == b"%PDF"

        auditor.get_by_role("link", name="返回考核报告").click()
        expect(auditor.locator("#published-reports")).to_contain_text(this_month.strftime("%Y-%m-%d"))
        expect(auditor.locator("#pending-monthly")).to_have_count(0)
