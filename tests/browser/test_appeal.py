"""The appeal journey: a department head appeals a case of the month just closed, and the auditor
upholds it. The clock is moved to the first day after the month closes (the appeal window)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone
from playwright.sync_api import expect

from assessment.appeals import appeal_window, last_closed_month
from tests.browser.pages import log_in, shot, submit_demand, tiny_png


def test_a_head_appeals_a_case_and_the_auditor_upholds_it(new_context):
    receipt = submit_demand(
        new_context().new_page(),
        "appeal",
        title="工地半夜施工噪音太大",
        content="六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location="坪山街道六和城",
    )
    this_month = timezone.localdate().replace(day=1)
    opens, _closes = appeal_window(this_month)
    in_the_window = opens + timedelta(hours=10)
    assert last_closed_month(in_the_window) == this_month
    # The live server runs in this process: the moved clock is its clock too.
    with mock.patch("django.utils.timezone.now", return_value=in_the_window):
        head = new_context().new_page()
        log_in(head, "zjj_head", "appeal")
        head.get_by_role("link", name="考核申诉").click()
        expect(head.get_by_role("heading", level=1)).to_have_text("考核申诉")
        case = head.get_by_label("申诉的诉求").locator("option", has_text=receipt["tracking_number"])
        head.get_by_label("申诉的诉求").select_option(case.get_attribute("value"))
        head.get_by_label("申诉理由").fill("该工地夜间施工已取得夜间施工许可，属合法施工，不应计入本局考核。")
        head.get_by_label("证明材料").set_input_files(
            files=[{"name": "permit.png", "mimeType": "image/png", "buffer": tiny_png()}]
        )
        shot(head, "appeal-filled")
        head.get_by_role("button", name="提交申诉").click()
        expect(head.get_by_text("申诉已提交，等待考核员裁定。")).to_be_visible()
        expect(head.locator("#appeal-list")).to_contain_text("待裁定")

        auditor = new_context().new_page()
        log_in(auditor, "auditor", "appeal")
        auditor.get_by_role("link", name="考核申诉").click()
        row = auditor.locator("#appeal-list tbody tr").filter(has_text=receipt["tracking_number"])
        # The auditor rules with the evidence in hand.
        with auditor.expect_download() as download_info:
            row.get_by_role("link", name="下载证明材料").click()
        assert download_info.value.suggested_filename.endswith(".png")
        row.get_by_label("申诉成立").check()
        row.get_by_label("裁定理由").fill("经核实已取得夜间施工许可。")
        shot(auditor, "appeal-ruling")
        row.get_by_role("button", name="裁定").click()
        expect(auditor.get_by_text("已裁定。")).to_be_visible()
        expect(auditor.locator("#appeal-list")).to_contain_text("申诉成立")
        shot(auditor, "appeal-upheld")
