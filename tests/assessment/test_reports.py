"""Periodic reports (周报、月报): the periods, publication freezing the figures and the weights,
refusals, the comparison with the previous report, the downloads, who may read and publish, and
the API."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from assessment.models import Appeal, CallbackVisit, PeriodicReport, ReportKind, ScoreWeights
from assessment.reports import (
    last_closed_period,
    period_containing,
    report_comparison,
    report_period,
    report_preview,
    report_publish,
)
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from departments.models import Department, Role
from tests.assessment_cases import NOW, TZ, lead, visit
from tests.factories import make_user
from tests.staff import logged_in

NOVEMBER_1 = date(2026, 11, 1)
OCTOBER_1 = date(2026, 10, 1)
OCTOBER_5 = datetime(2026, 10, 5, 9, tzinfo=TZ)
CGJ = "坪山区城市管理和综合执法局"
ZJJ = "坪山区住房和建设局"
SHJ = "深圳市生态环境局坪山管理局"


def cases(district, code: str, n: int, *, satisfied: int, dispatched: datetime | None = None) -> None:
    """`n` cases answered by `code`, signed in time, solved; `satisfied` of them satisfied."""
    for i in range(n):
        extra = {"dispatched": dispatched} if dispatched else {}
        visit(
            lead(district, code, **extra),
            contacted_in_time=True,
            resolution="solved",
            satisfaction="satisfied" if i < satisfied else "unsatisfied",
        )


def bureau_row(figures: dict, name: str) -> dict:
    table = next(t for t in figures["ranking"]["tables"] if t["department_type"] == "bureau")
    return next(r for r in table["rows"] if r["department"] == name)


@pytest.fixture
def supervisor(district):
    return make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])


def publish_november(district) -> PeriodicReport:
    return report_publish(actor=district.users["auditor"], kind=ReportKind.MONTHLY, period_start=NOVEMBER_1, now=NOW)


def test_weeks_run_monday_to_sunday_and_months_are_calendar_months():
    assert period_containing(ReportKind.WEEKLY, date(2026, 11, 4)) == (date(2026, 11, 2), date(2026, 11, 8))
    assert period_containing(ReportKind.MONTHLY, date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_containing(ReportKind.MONTHLY, date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    # Monday 7 December 2026: the week just closed is the one before; the month, November.
    assert last_closed_period(ReportKind.WEEKLY, date(2026, 12, 7)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert last_closed_period(ReportKind.MONTHLY, date(2026, 12, 7)) == (NOVEMBER_1, date(2026, 11, 30))
    assert last_closed_period(ReportKind.MONTHLY, date(2027, 1, 3)) == (date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ValidationFailed, match="周报从星期一开始"):
        report_period(ReportKind.WEEKLY, date(2026, 11, 4))
    with pytest.raises(ValidationFailed, match="月报从每月1日开始"):
        report_period(ReportKind.MONTHLY, date(2026, 11, 2))


@pytest.mark.django_db
def test_a_published_report_keeps_its_figures_when_a_case_changes_and_the_preview_moves(district):
    cases(district, "CGJ", 5, satisfied=4)
    report = publish_november(district)
    assert bureau_row(report.figures, CGJ)["score"] == 91.0  # 10 + 45 + 45 × 4/5
    assert (report.published_by, report.published_at) == (district.users["auditor"], NOW)

    # The fifth citizen is called back again and is now satisfied: the live figures move.
    CallbackVisit.objects.filter(satisfaction="unsatisfied").update(satisfaction="satisfied")
    live = report_preview(kind=ReportKind.MONTHLY, period_start=NOVEMBER_1, now=NOW)
    assert live.pk is None and bureau_row(live.figures, CGJ)["score"] == 100.0

    kept = PeriodicReport.objects.get(pk=report.pk)
    assert bureau_row(kept.figures, CGJ)["score"] == 91.0
    assert bureau_row(kept.figures, CGJ)["satisfaction_rate"] == 0.8
    page = logged_in(district.users["auditor"]).get(f"/audit/reports/{report.pk}/").content.decode()
    assert "<td>91.0</td>" in page and "<td>100.0</td>" not in page
    assert '<rect class="bar score"' in page and ">91.0</text>" in page  # the chart, from the frozen score


@pytest.mark.django_db
def test_the_report_keeps_the_weights_it_was_published_with(district):
    cases(district, "CGJ", 5, satisfied=4)
    report = publish_november(district)
    ScoreWeights.objects.update(is_active=False)
    ScoreWeights.objects.create(
        name="平均", response_weight=1, resolution_weight=1, satisfaction_weight=1, minimum_cases=2, is_active=True
    )

    kept = PeriodicReport.objects.get(pk=report.pk)
    assert kept.weights == {
        "name": "全区默认",
        "response": 10,
        "resolution": 45,
        "satisfaction": 45,
        "minimum_cases": 5,
    }
    assert bureau_row(kept.figures, CGJ)["score"] == 91.0
    page = logged_in(district.users["auditor"]).get(f"/audit/reports/{report.pk}/").content.decode()
    assert "响应率 × 10 + 解决率 × 45 + 满意率 × 45" in page and "全区默认" in page
    # The preview of the same period scores with the weights in force now.
    live = report_preview(kind=ReportKind.MONTHLY, period_start=NOVEMBER_1, now=NOW)
    assert live.weights_name == "平均"
    assert bureau_row(live.figures, CGJ)["score"] == pytest.approx((1 + 1 + 0.8) / 3 * 100, abs=0.01)


@pytest.mark.django_db
def test_a_period_not_yet_closed_and_a_second_publication_are_refused_and_a_report_never_changes(district):
    auditor = district.users["auditor"]
    with pytest.raises(IllegalTransition, match="本期到 2026-12-31 才结束"):
        report_publish(actor=auditor, kind=ReportKind.MONTHLY, period_start=date(2026, 12, 1), now=NOW)
    # The week of Monday 7 December has not ended on its Monday; the week before has.
    with pytest.raises(IllegalTransition, match="本期到 2026-12-13 才结束"):
        report_publish(actor=auditor, kind=ReportKind.WEEKLY, period_start=date(2026, 12, 7), now=NOW)
    report_publish(actor=auditor, kind=ReportKind.WEEKLY, period_start=date(2026, 11, 30), now=NOW)
    report = publish_november(district)
    with pytest.raises(IllegalTransition, match="月报 2026-11-01 已经发布，不能重复发布"):
        publish_november(district)
    with pytest.raises(NotAllowed):
        report_publish(actor=district.users["cgj"], kind=ReportKind.MONTHLY, period_start=OCTOBER_1, now=NOW)
    assert PeriodicReport.objects.count() == 2

    report.open_appeals = 99
    with pytest.raises(IllegalTransition, match="已发布的报告不能修改"):
        report.save()
    with pytest.raises(IllegalTransition, match="不能删除"):
        report.delete()
    assert PeriodicReport.objects.get(pk=report.pk).open_appeals == 0


@pytest.mark.django_db
def test_a_report_says_how_many_appeals_were_waiting_and_when_the_window_closes(district):
    cases(district, "CGJ", 5, satisfied=5)
    appealed = Appeal.objects.create(
        assignment=lead(district, "CGJ"), department=district.departments["CGJ"], period=NOVEMBER_1,
        reason="不属本部门职责", submitted_by=district.users["auditor"], submitted_at=NOW,
    )  # fmt: skip
    report = publish_november(district)
    assert report.open_appeals == 1
    # November's window closes on the fifth working day of December at 18:00, after NOW.
    assert report.appeals_close_at == datetime(2026, 12, 7, 18, tzinfo=TZ)
    page = logged_in(district.users["auditor"]).get(f"/audit/reports/{report.pk}/").content.decode()
    assert "发布时有 1 件本期诉求的考核申诉待裁定" in page and "2026-12-07 18:00" in page
    assert "本报告保持发布时的数字" in page
    assert appealed.pk


@pytest.mark.django_db
def test_the_comparison_is_with_the_previous_published_report_and_names_new_and_absent_departments(district):
    cases(district, "CGJ", 5, satisfied=1, dispatched=OCTOBER_5)
    cases(district, "SHJ", 5, satisfied=5, dispatched=OCTOBER_5)
    cases(district, "CGJ", 5, satisfied=5)
    cases(district, "ZJJ", 5, satisfied=3)
    auditor = district.users["auditor"]
    october = report_publish(actor=auditor, kind=ReportKind.MONTHLY, period_start=OCTOBER_1, now=NOW)
    november = publish_november(district)
    assert report_comparison(october).previous is None

    comparison = report_comparison(november)
    assert comparison.previous == october
    bureaus = next(t for t in comparison.tables if t.department_type == "bureau")
    rows = {r.department: r for r in bureaus.rows}
    assert (rows[CGJ].presence, rows[CGJ].score, rows[CGJ].previous_score) == ("both", 100.0, 64.0)
    assert rows[CGJ].score_change == 36.0  # satisfaction 1/5 → 5/5, weighed 45
    assert (rows[CGJ].rank, rows[CGJ].previous_rank) == (1, 2)
    assert rows[CGJ].changes["satisfaction_rate"] == pytest.approx(0.8)
    assert rows[CGJ].changes["response_rate"] == 0
    assert (rows[ZJJ].presence, rows[ZJJ].score_change, rows[ZJJ].changes["satisfaction_rate"]) == ("new", None, None)
    assert (rows[SHJ].presence, rows[SHJ].score, rows[SHJ].previous_score) == ("absent", None, 100.0)

    page = logged_in(auditor).get(f"/audit/reports/{november.pk}/").content.decode()
    assert "与上一期（2026-10-01 至 2026-10-31）已发布的报告比较" in page
    assert "+36.0" in page and "+80.0" in page  # score, and satisfaction in percentage points
    assert "本期新增" in page and "本期无派单" in page


@pytest.mark.django_db
def test_the_xlsx_holds_the_rankings_as_numbers_with_percentages_a_chart_and_keeps_formulas_as_text(
    district, supervisor
):
    Department.objects.filter(code="SHJ").update(name='=HYPERLINK("http://x","点我")')
    cases(district, "CGJ", 5, satisfied=4)
    cases(district, "SHJ", 2, satisfied=2)
    report = publish_november(district)
    response = logged_in(supervisor).get(f"/audit/reports/{report.pk}.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-monthly-20261101.xlsx"'
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:2] == ["概要", "排名-条：职能部门"]
    assert {"按街道", "按大类", "较上期", "指标口径"} <= set(book.sheetnames)
    assert "响应率 × 10 + 解决率 × 45 + 满意率 × 45" in book["概要"]["A3"].value
    sheet = book["排名-条：职能部门"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["名次", "部门", "综合评分", "派单", "响应率", "解决率"]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=False)}
    assert (first["名次"].value, first["部门"].value, first["综合评分"].value) == (1, CGJ, 91.0)
    assert (first["满意率"].value, first["满意率"].number_format) == (0.8, "0.0%")
    assert first["派单"].value == 5
    hostile = sheet["B3"]
    assert (hostile.value, hostile.data_type) == ('=HYPERLINK("http://x","点我")', "s")
    assert sheet["A3"].value == "不排名"  # two cases, below the minimum of five
    assert len(sheet._charts) == 1
    definitions = [row[0].value for row in book["指标口径"].iter_rows()]
    assert any(text.startswith("响应率：") for text in definitions)


@pytest.mark.django_db
def test_the_pdf_is_a4_with_the_title_departments_scores_and_page_numbers(district):
    cases(district, "CGJ", 5, satisfied=4)
    cases(district, "ZJJ", 5, satisfied=5)
    report = publish_november(district)
    response = logged_in(district.users["auditor"]).get(f"/audit/reports/{report.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = PdfReader(BytesIO(response.content))
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4, landscape
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "坪山区民生诉求考核月报：2026-11-01 至 2026-11-30" in text
    assert CGJ in text and ZJJ in text and "91.0" in text
    assert "第 1 页" in text and "指标口径" in text


@pytest.mark.django_db
def test_auditors_publish_supervisors_read_and_departments_are_refused(district, supervisor):
    cases(district, "CGJ", 5, satisfied=4)
    cgj = district.users["cgj"]
    auditor = logged_in(district.users["auditor"])
    listing = auditor.get("/audit/reports/").content.decode()
    assert 'id="pending-monthly"' in listing and "发布月报" in listing
    preview = auditor.get("/audit/reports/preview/", {"kind": "monthly", "period_start": "2026-11-01"})
    assert preview.status_code == 200 and "预览：以下为实时数字" in preview.content.decode()

    reader = logged_in(supervisor)
    assert "发布月报" not in reader.get("/audit/reports/").content.decode()
    assert reader.post("/audit/reports/publish/", {"kind": "monthly", "period_start": "2026-11-01"}).status_code == 403
    response = auditor.post("/audit/reports/publish/", {"kind": "monthly", "period_start": "2026-11-01"})
    report = PeriodicReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audit/reports/{report.pk}/"
    again = auditor.post("/audit/reports/publish/", {"kind": "monthly", "period_start": "2026-11-01"}, follow=True)
    assert "已经发布，不能重复发布" in again.content.decode()
    # Once published, the preview of the period is the report.
    assert (
        auditor.get("/audit/reports/preview/", {"kind": "monthly", "period_start": "2026-11-01"})["Location"]
        == f"/audit/reports/{report.pk}/"
    )

    assert reader.get(f"/audit/reports/{report.pk}/").status_code == 200
    assert f"/audit/reports/{report.pk}/" in reader.get("/audit/reports/").content.decode()
    for url in ("/audit/reports/", f"/audit/reports/{report.pk}/", f"/audit/reports/{report.pk}.pdf"):
        assert logged_in(cgj).get(url).status_code == 403
    assert "/audit/reports/" in auditor.get("/audit/ranking/").content.decode()


@pytest.mark.django_db
def test_the_api_lists_publishes_and_downloads_frozen_reports(district, supervisor):
    cases(district, "CGJ", 5, satisfied=4)
    api = APIClient()
    api.force_authenticate(district.users["auditor"])
    created = api.post("/api/v1/assessment/reports/publish/", {"kind": "monthly", "period_start": "2026-11-01"})
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["period_start"], body["period_end"]) == ("monthly", "2026-11-01", "2026-11-30")
    assert body["weights"]["satisfaction"] == 45 and body["published_by"] == "auditor"
    assert bureau_row(body["figures"], CGJ)["score"] == 91.0
    assert [b["dimension"] for b in body["figures"]["breakdowns"]] == ["department_type", "street", "category"]
    again = api.post("/api/v1/assessment/reports/publish/", {"kind": "monthly", "period_start": "2026-11-01"})
    assert again.status_code == 409
    open_period = api.post("/api/v1/assessment/reports/publish/", {"kind": "weekly", "period_start": "2026-12-07"})
    assert open_period.status_code == 409
    assert api.post("/api/v1/assessment/reports/publish/", {"kind": "daily"}).status_code == 400

    reader = APIClient()
    reader.force_authenticate(supervisor)
    listed = reader.get("/api/v1/assessment/reports/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]] and "figures" not in listed["results"][0]
    detail = reader.get(f"/api/v1/assessment/reports/{body['id']}/").json()
    assert detail["figures"] == body["figures"]
    pdf = reader.get(f"/api/v1/assessment/reports/{body['id']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = reader.get(f"/api/v1/assessment/reports/{body['id']}/xlsx/")
    assert xlsx.status_code == 200 and load_workbook(BytesIO(xlsx.content))["排名-条：职能部门"]["B2"].value == CGJ
    assert reader.get("/api/v1/assessment/reports/999/").status_code == 404
    assert reader.post("/api/v1/assessment/reports/publish/", {"kind": "monthly"}).status_code == 403

    outsider = APIClient()
    outsider.force_authenticate(district.users["cgj"])
    assert outsider.get("/api/v1/assessment/reports/").status_code == 403
    assert outsider.get(f"/api/v1/assessment/reports/{body['id']}/").status_code == 403
