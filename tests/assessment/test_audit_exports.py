"""The auditors' exports downloaded from the page: CSV and XLSX, masked and filtered, in the reader's
language, and readable whatever a citizen typed into a title."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assessment.models import ExportJob, ExportStatus
from tests.staff import csv_rows, in_english, logged_in


def test_csv_exports_are_masked_and_filtered(district, scenario):
    auditor = logged_in(district.users["auditor"])
    rows = csv_rows(auditor.get("/audit/export/demands.csv"))
    assert rows[0][0] == "受理编号" and len(rows) == 5
    assert all(r[-1] == "138****5678" for r in rows[1:])
    assert "13812345678" not in str(rows)

    kzjd = csv_rows(auditor.get("/audit/export/demands.csv", {"street": district.streets["KZJD"].pk}))
    assert [r[0] for r in kzjd[1:]] == [scenario["returned"].tracking_number]

    figures = csv_rows(auditor.get("/audit/export/figures.csv"))
    assert figures[0][5:8] == ["按时答复", "到期（已答复 + 当前超期）", "按时率（%）"]
    by_name = {(r[0], r[1]): r for r in figures[1:]}
    assert by_name[("部门", district.departments["CGJ"].name)][2:9] == ["3", "1", "1", "1", "2", "50.0", "1"]
    assert by_name[("街道", "坪山街道")][2] == "3"

    events = csv_rows(auditor.get("/audit/export/events.csv"))
    submitted = next(r for r in events[1:] if r[2] == "提交诉求")
    assert submitted[3] == "" and submitted[4] == "已提交"  # states by their names, not their codes


def test_xlsx_export_has_header_rows_and_masks(district, scenario):
    response = logged_in(district.users["auditor"]).get("/audit/export/demands.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["受理编号", "渠道", "标题"] and rows[0][-1] == "联系电话（脱敏）"
    answered = next(r for r in rows[1:] if r[0] == scenario["answered"].tracking_number)
    assert answered[3] == "已办结" and answered[14] == 4 and answered[-1] == "138****5678"
    assert answered[10].tzinfo is None  # a real date cell, in local time
    assert answered[-2] == "未分类"  # taken in before anyone gave it a type
    assert not any("13812345678" in str(v) for r in rows for v in r)


def test_xlsx_columns_are_as_wide_as_their_content(district, scenario):
    response = logged_in(district.users["auditor"]).get("/audit/export/demands.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    width = {name: sheet.column_dimensions[get_column_letter(n)].width for n, name in enumerate(header, start=1)}
    # A date and time needs 19 characters: at 10 wide it showed as ########.
    assert width["提交时间"] >= 19
    assert width["受理编号"] >= len(scenario["answered"].tracking_number)
    # A short code column stays narrow; a long text does not push the sheet past the widest column.
    assert width["渠道"] < 12 and max(width.values()) <= 60


def test_dispatch_quality_exports_the_district_and_each_first_department_and_matter(district, scenario):
    """城管 was first sent the three stall cases: one answered there, one returned and dispatched
    again to 坑梓街道, one still open; 住建局 answered the noise case it was first sent."""
    auditor = logged_in(district.users["auditor"])
    rows = csv_rows(auditor.get("/audit/export/dispatch_quality.csv"))
    # Shares are percentages, and their columns say so, as in every export.
    assert rows[0][:3] == ["维度", "名称", "首派件数"] and rows[0][-1] == "退单率（%）"
    by_name = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_name[("全区", "全区")] == ["4", "2", "2", "100.0", "1", "25.0", "1", "25.0"]
    assert by_name[("首派部门", district.departments["CGJ"].name)] == ["3", "1", "1", "100.0", "1", "33.3", "1", "33.3"]
    assert by_name[("首派部门", district.departments["ZJJ"].name)][:3] == ["1", "1", "1"]
    assert ("首派部门", district.departments["KZJD"].name) not in by_name  # never a first dispatch
    assert by_name[("首派事项", "PS-0101-001 占道经营查处")][0] == "3"
    # A chosen department narrows the department rows, as on the page; the district stays whole.
    only_zjj = csv_rows(
        auditor.get("/audit/export/dispatch_quality.csv", {"department": district.departments["ZJJ"].pk})
    )
    assert [r[1] for r in only_zjj[1:] if r[0] == "首派部门"] == [district.departments["ZJJ"].name]
    assert next(r for r in only_zjj[1:] if r[0] == "全区")[2] == "4"

    response = auditor.get("/audit/export/dispatch_quality.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.title == "分拨质量" and sheet.freeze_panes == "A2"
    district_row = [cell for cell in sheet[2]]
    assert district_row[7].value == 0.25 and district_row[7].number_format == "0.0%"
    assert sheet.column_dimensions["E"].width >= 18  # 仍由首派部门答复, eight wide characters


def test_a_title_that_looks_like_a_formula_stays_text(district, submit):
    demand = submit(title='=HYPERLINK("http://evil","点我查看进度")').demand
    auditor = logged_in(district.users["auditor"])
    rows = csv_rows(auditor.get("/audit/export/demands.csv"))
    assert rows[1][2] == "'" + demand.title
    response = auditor.get("/audit/export/demands.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = book.active.cell(row=2, column=3)
    assert cell.value == demand.title and cell.data_type == "s"


def test_an_auditor_reading_english_gets_english_files(district, scenario):
    auditor = in_english(logged_in(district.users["auditor"]))
    demands = csv_rows(auditor.get("/audit/export/demands.csv"))
    assert demands[0][:3] == ["Tracking number", "Channel", "Title"] and demands[0][-1] == "Phone (masked)"
    answered = next(r for r in demands[1:] if r[0] == scenario["answered"].tracking_number)
    assert answered[3] == "Closed"
    assert answered[2] == scenario["answered"].title  # what the citizen wrote stays as written

    figures = csv_rows(auditor.get("/audit/export/figures.csv"))
    assert figures[0][-2:] == ["Returns", "Average satisfaction"]
    assert {r[0] for r in figures[1:]} == {"Department", "Street"}

    events = csv_rows(auditor.get("/audit/export/events.csv"))
    assert events[0][:3] == ["Tracking number", "Time", "Action"]
    assert not any(re.search(r"[\u4e00-\u9fff]", cell) for row in events for cell in row[2:6])
    assert {"Citizen", "System"} <= {row[5] for row in events[1:]}
    # What the system wrote (the automatic dispatch's reasons) is in the file's language; what a
    # person wrote (the dispatcher's note on the ruling) stays as written.
    reasons = [row[7] for row in events[1:]]
    assert any(reason.startswith("matched keywords:") and "占道经营" in reason for reason in reasons)
    assert not any(reason.startswith("命中关键词") for reason in reasons)
    assert "街道负责" in reasons

    response = auditor.get("/audit/export/demands.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["Requests"]
    assert next(book.active.iter_rows(values_only=True))[:2] == ("Tracking number", "Channel")


def test_control_characters_in_a_title_leave_every_export_readable(
    district, submit, settings, django_capture_on_commit_callbacks
):
    """A title pasted with control characters (\\x01, a vertical tab) made every XLSX export that
    covered it fail: the page with a server error, the background job for good. They are dropped
    from the cell, in CSV too, and what is left still cannot start a formula."""
    plain = submit(title="路灯\x01不亮\x0b了", content="小区门口路灯坏了\x0b一个星期").demand
    formula = submit(title='\x01=HYPERLINK("http://evil","点我")').demand
    auditor = logged_in(district.users["auditor"])

    rows = {r[0]: r for r in csv_rows(auditor.get("/audit/export/demands.csv"))[1:]}
    assert rows[plain.tracking_number][2] == "路灯不亮了"
    assert rows[formula.tracking_number][2] == "'" + '=HYPERLINK("http://evil","点我")'

    def titles(streamed) -> dict:
        sheet = load_workbook(io.BytesIO(b"".join(streamed))).active
        return {sheet.cell(row=n, column=1).value: sheet.cell(row=n, column=3) for n in range(2, sheet.max_row + 1)}

    response = auditor.get("/audit/export/demands.xlsx")
    assert response.status_code == 200
    inline = titles(response.streaming_content)
    assert inline[plain.tracking_number].value == "路灯不亮了"
    assert inline[formula.tracking_number].value == '=HYPERLINK("http://evil","点我")'
    assert inline[formula.tracking_number].data_type == "s"
    assert auditor.get("/audit/export/events.xlsx").status_code == 200

    settings.EXPORT_INLINE_MAX_ROWS = 1  # now the same export runs as a background job
    with django_capture_on_commit_callbacks(execute=True):
        auditor.post("/audit/export/demands.xlsx")
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    in_job = titles(auditor.get(f"/audit/exports/{job.pk}/download/").streaming_content)
    assert in_job[plain.tracking_number].value == "路灯不亮了"
    assert in_job[formula.tracking_number].data_type == "s"
