"""The auditor pages: figures per department and street over a period, the charts, the exports
(CSV and XLSX, masked) and the background export job with its progress and its download."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assessment.export_jobs import export_job_request, export_job_run
from assessment.figures import AuditFilters, demand_series, department_rows, department_series, street_rows
from assessment.models import ExportJob, ExportStatus
from demands.models import DemandEvent
from demands.services import demand_rate
from departments.models import Role
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import assignment_contribute, assignment_reply, assignment_return, assignment_sign, return_rule
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import latest_lead, logged_in

REPLY = "已处理完毕并回访群众，群众认可。"


@pytest.fixture
def scenario(district, submit):
    """Four demands:
    - answered: stall in 坪山街道, CGJ answers on time, the citizen rates it 4;
    - returned: stall in 坑梓街道, CGJ returns it, the return is upheld, KZJD (second dispatch) has it open;
    - overdue: stall in 坪山街道, open at CGJ past its deadline;
    - late: noise in 坪山街道, ZJJ leads with SHJ assisting, answered after its deadline."""
    users = district.users
    answered = submit(**STALL).demand
    assignment_sign(assignment_id=latest_lead(answered).pk, actor=users["cgj"])
    assignment_reply(assignment_id=latest_lead(answered).pk, actor=users["cgj"], body=REPLY)
    demand_rate(demand=answered, rating=4)

    returned = submit(**STALL, location_text="坑梓街道秀新村").demand
    request = assignment_return(
        assignment_id=latest_lead(returned).pk,
        actor=users["cgj"],
        reason_code="wrong_territory",
        reason="属于街道管理范围",
    )
    return_rule(
        return_id=request.pk, actor=users["dispatcher"], uphold=True, department_id=district.departments["KZJD"].pk,
        note="街道负责",
    )  # fmt: skip

    overdue = submit(**STALL).demand
    Assignment.objects.filter(pk=latest_lead(overdue).pk).update(handle_deadline=timezone.now() - timedelta(hours=1))

    late = submit().demand
    zjj_lead = latest_lead(late)
    assignment_sign(assignment_id=zjj_lead.pk, actor=users["zjj"])
    assist = Assignment.objects.get(demand=late, role=AssignmentRole.ASSIST)
    assignment_contribute(assignment_id=assist.pk, actor=users["shj"], body="夜间噪声监测结果超标。")
    Assignment.objects.filter(pk=zjj_lead.pk).update(handle_deadline=timezone.now() - timedelta(minutes=5))
    assignment_reply(assignment_id=zjj_lead.pk, actor=users["zjj"], body=REPLY)
    return {"answered": answered, "returned": returned, "overdue": overdue, "late": late}


def _table(rows) -> dict[str, tuple]:
    return {
        r.name: (r.received, r.open, r.answered, r.on_time, r.overdue, r.returns, r.rating)
        for r in rows
    }  # fmt: skip


def test_figures_per_department(district, scenario):
    rows = {r.name: r for r in department_rows(AuditFilters.default())}
    cgj, kzjd, zjj, shj = (rows[district.departments[code].name] for code in ("CGJ", "KZJD", "ZJJ", "SHJ"))
    # received, open, answered, on time, overdue now, returns, rating
    assert _table([cgj])[cgj.name] == (3, 1, 1, 1, 1, 1, 4.0)
    assert (cgj.upheld, cgj.redispatched) == (1, 0)
    assert _table([kzjd])[kzjd.name] == (1, 1, 0, 0, 0, 0, None)
    assert kzjd.redispatched == 1
    assert _table([zjj])[zjj.name] == (1, 0, 1, 0, 0, 0, None)
    # On time over what fell due: CGJ answered one case on time and has one overdue and open.
    assert zjj.on_time_rate == 0.0 and (cgj.due, cgj.on_time_rate) == (2, 0.5)
    assert (shj.received, shj.assists) == (0, 1)

    only_zjj = department_rows(replace(AuditFilters.default(), department_ids=(district.departments["ZJJ"].pk,)))
    assert [r.name for r in only_zjj] == [zjj.name]


def test_figures_per_street(district, scenario):
    rows = _table(street_rows(AuditFilters.default()))
    assert rows["坪山街道"] == (3, 1, 2, 1, 1, 0, 4.0)
    assert rows["坑梓街道"] == (1, 1, 0, 0, 0, 1, None)


def test_a_period_before_the_demands_has_no_figures(district, scenario):
    today = timezone.localdate()
    past = AuditFilters(date_from=today - timedelta(days=30), date_to=today - timedelta(days=1))
    assert department_rows(past) == [] and street_rows(past) == []


def test_series_per_week_and_per_month(district, scenario):
    filters = AuditFilters.default()
    district_series = demand_series(filters, title="全区")
    assert not district_series.monthly and len(district_series.buckets) in (13, 14)
    this_week = district_series.buckets[-1]
    assert (this_week.received, this_week.answered, this_week.on_time) == (4, 2, 1)
    assert sum(b.received for b in district_series.buckets[:-1]) == 0

    cgj = department_series(filters, title="城管", department_id=district.departments["CGJ"].pk)
    assert (cgj.received, cgj.answered, cgj.on_time, cgj.overdue) == (3, 1, 1, 1)
    assert sum(b.due for b in cgj.buckets) == 2

    today = timezone.localdate()
    year = AuditFilters(date_from=today - timedelta(days=364), date_to=today)
    monthly = demand_series(year, title="全区")
    assert monthly.monthly and len(monthly.buckets) in (12, 13)
    assert monthly.buckets[-1].received == 4 and monthly.received == 4


def test_audit_page_shows_tables_and_accessible_charts(district, scenario):
    auditor = logged_in(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert 'role="img"' in page and '<title id="chart-district-vt">' in page and "<desc" in page
    assert 'id="by-department"' in page and 'id="by-street"' in page
    # The headline's on-time share counts the overdue open cases beside it: never "100%" next to them.
    headline = page[page.index('id="district-figures"') : page.index('id="routing"')]
    assert re.search(r'<b id="overdue-now">[1-9]', headline)
    assert re.search(r'<b id="on-time">(\d+)%</b>', headline).group(1) != "100"
    assert "坑梓街道" in page and "<rect" in page and "<polyline" in page
    # The period shows in the date inputs, which take ISO dates only.
    assert re.search(r'name="date_from" value="\d{4}-\d{2}-\d{2}"', page), "period start not shown"

    cgj = district.departments["CGJ"]
    filtered = auditor.get("/audit/", {"department": cgj.pk, "street": district.streets["KZJD"].pk})
    html = filtered.content.decode()
    assert f'id="chart-department-{cgj.pk}-h"' in html and f'id="chart-street-{district.streets["KZJD"].pk}-h"' in html
    assert [r.name for r in filtered.context["department_rows"]] == [cgj.name]
    assert [r.name for r in filtered.context["street_rows"]] == ["坑梓街道"]
    assert logged_in(district.users["cgj"]).get("/audit/").status_code == 403


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_exports_are_masked_and_filtered(district, scenario):
    auditor = logged_in(district.users["auditor"])
    rows = _csv(auditor.get("/audit/export/demands.csv"))
    assert rows[0][0] == "受理编号" and len(rows) == 5
    assert all(r[-1] == "138****5678" for r in rows[1:])
    assert "13812345678" not in str(rows)

    kzjd = _csv(auditor.get("/audit/export/demands.csv", {"street": district.streets["KZJD"].pk}))
    assert [r[0] for r in kzjd[1:]] == [scenario["returned"].tracking_number]

    figures = _csv(auditor.get("/audit/export/figures.csv"))
    assert figures[0][5:8] == ["按时答复", "到期（已答复 + 当前超期）", "按时率（%）"]
    by_name = {(r[0], r[1]): r for r in figures[1:]}
    assert by_name[("部门", district.departments["CGJ"].name)][2:9] == ["3", "1", "1", "1", "2", "50.0", "1"]
    assert by_name[("街道", "坪山街道")][2] == "3"

    events = _csv(auditor.get("/audit/export/events.csv"))
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
    rows = _csv(auditor.get("/audit/export/dispatch_quality.csv"))
    # Shares are percentages, and their columns say so, as in every export.
    assert rows[0][:3] == ["维度", "名称", "首派件数"] and rows[0][-1] == "退单率（%）"
    by_name = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_name[("全区", "全区")] == ["4", "2", "2", "100.0", "1", "25.0", "1", "25.0"]
    assert by_name[("首派部门", district.departments["CGJ"].name)] == ["3", "1", "1", "100.0", "1", "33.3", "1", "33.3"]
    assert by_name[("首派部门", district.departments["ZJJ"].name)][:3] == ["1", "1", "1"]
    assert ("首派部门", district.departments["KZJD"].name) not in by_name  # never a first dispatch
    assert by_name[("首派事项", "PS-0101-001 占道经营查处")][0] == "3"
    # A chosen department narrows the department rows, as on the page; the district stays whole.
    only_zjj = _csv(auditor.get("/audit/export/dispatch_quality.csv", {"department": district.departments["ZJJ"].pk}))
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
    rows = _csv(auditor.get("/audit/export/demands.csv"))
    assert rows[1][2] == "'" + demand.title
    response = auditor.get("/audit/export/demands.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = book.active.cell(row=2, column=3)
    assert cell.value == demand.title and cell.data_type == "s"


@pytest.fixture
def big_exports(settings, monkeypatch):
    """Everything above two rows goes to the background; progress is written every row."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    monkeypatch.setattr("assessment.export_jobs.PROGRESS_EVERY", 1)


def test_large_export_runs_as_a_job_with_progress_and_a_guarded_download(
    district, scenario, big_exports, monkeypatch, django_capture_on_commit_callbacks
):
    from assessment import export_jobs as service

    seen: list[int] = []
    write = service.WRITERS["xlsx"]

    def watching(source, out, rows, language):
        def observed():
            for row in rows:
                yield row
                seen.append(ExportJob.objects.get().rows_done)

        write(source, out, observed(), language)

    monkeypatch.setitem(service.WRITERS, "xlsx", watching)
    auditor = logged_in(district.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post("/audit/export/events.xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audit/exports/{job.pk}/"
    events = DemandEvent.objects.count()
    assert job.status == ExportStatus.DONE and job.rows_total == events and job.rows_done == events
    assert job.requested_by == district.users["auditor"] and job.finished_at is not None
    # Progress was in the database while the file was being written (one row behind the writer,
    # which is handed a row before the row is counted).
    assert seen == list(range(events))
    assert job.file.name.startswith("exports/")

    page = auditor.get(f"/audit/exports/{job.pk}/").content.decode()
    assert "<progress" in page and 'value="100"' in page and f"已写入 {events} / {events} 行" in page
    assert 'http-equiv="refresh"' not in page and 'id="download"' in page

    download = auditor.get(f"/audit/exports/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "受理编号" and len(rows) == events + 1

    supervisor = make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])
    assert logged_in(supervisor).get(f"/audit/exports/{job.pk}/download/").status_code == 404
    assert logged_in(supervisor).get(f"/audit/exports/{job.pk}/").status_code == 404
    assert logged_in(district.users["cgj"]).get(f"/audit/exports/{job.pk}/download/").status_code == 403

    assert export_job_run(job_id=job.pk) is None  # done: running it again changes nothing
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempt == 1


def test_a_queued_job_page_refreshes_itself(district, scenario, big_exports):
    job = export_job_request(
        actor=district.users["auditor"], kind="demands", fmt="csv", filters=AuditFilters.default(), rows_total=4
    )  # not committed in the test's transaction, so not run yet
    page = logged_in(district.users["auditor"]).get(f"/audit/exports/{job.pk}/").content.decode()
    assert job.status == ExportStatus.QUEUED
    assert 'http-equiv="refresh"' in page and 'value="0"' in page and "已写入 0 / 4 行" in page
    assert 'id="download"' not in page
    assert logged_in(district.users["auditor"]).get(f"/audit/exports/{job.pk}/download/").status_code == 404


def test_a_large_export_by_get_makes_no_job(district, scenario, big_exports):
    response = logged_in(district.users["auditor"]).get("/audit/export/demands.csv", follow=True)
    assert ExportJob.objects.count() == 0
    assert "请点击页面上的导出按钮" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-13-01"}, "date_from", "有效的日期"),
        ({"department": "99999"}, "department", "99999"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "__all__", "开始日期不能晚于结束日期"),
    ],
)
def test_an_export_with_a_bad_filter_is_refused(district, scenario, big_exports, params, field, message):
    response = logged_in(district.users["auditor"]).post(f"/audit/export/demands.csv?{urlencode(params)}")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in str(errors[field])
    assert message in response.content.decode()
    assert ExportJob.objects.count() == 0


def test_old_exports_are_deleted_with_their_files(district, scenario, big_exports, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from assessment.export_jobs import export_jobs_purge

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(district.users["auditor"]).post("/audit/export/events.csv")
    job = ExportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert export_jobs_purge(older_than=timedelta(days=7)) == 0
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(days=8))
    assert export_jobs_purge(older_than=timedelta(days=7)) == 1
    assert not ExportJob.objects.exists() and not storage.exists(name)


def test_the_audit_and_desk_list_departments_in_the_same_order(district):
    from assessment.forms import AuditFilterForm
    from departments.selectors import departments_for_choice
    from dispatch.forms.desk import DispatchForm

    audit = [d.pk for d in AuditFilterForm().fields["department"].queryset if d.is_active]
    desk = [pk for pk, _ in DispatchForm().fields["department"].choices if pk]
    assert audit == desk == [d.pk for d in departments_for_choice()]
    kinds = [d.kind for d in departments_for_choice()]
    assert kinds.index("street") > kinds.index("functional")  # bureaus first, then street offices


def in_english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    return client


def test_an_auditor_reading_english_gets_english_files(district, scenario):
    auditor = in_english(logged_in(district.users["auditor"]))
    demands = _csv(auditor.get("/audit/export/demands.csv"))
    assert demands[0][:3] == ["Tracking number", "Channel", "Title"] and demands[0][-1] == "Phone (masked)"
    answered = next(r for r in demands[1:] if r[0] == scenario["answered"].tracking_number)
    assert answered[3] == "Closed"
    assert answered[2] == scenario["answered"].title  # what the citizen wrote stays as written

    figures = _csv(auditor.get("/audit/export/figures.csv"))
    assert figures[0][-2:] == ["Returns", "Average satisfaction"]
    assert {r[0] for r in figures[1:]} == {"Department", "Street"}

    events = _csv(auditor.get("/audit/export/events.csv"))
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


def test_a_background_export_keeps_the_language_it_was_asked_in(
    district, scenario, big_exports, django_capture_on_commit_callbacks
):
    english = in_english(logged_in(district.users["auditor"]))
    with django_capture_on_commit_callbacks(execute=True):
        english.post("/audit/export/demands.csv")
    job = ExportJob.objects.get()
    # The worker has no request and no page: the file is still the English one asked for.
    assert job.language == "en" and job.status == ExportStatus.DONE
    rows = _csv(english.get(f"/audit/exports/{job.pk}/download/"))
    assert rows[0][0] == "Tracking number" and "Closed" in {r[3] for r in rows[1:]}
    assert "English" in english.get("/audit/").content.decode()  # the job list says which language

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(district.users["auditor"]).post("/audit/export/demands.csv")
    chinese = ExportJob.objects.exclude(pk=job.pk).get()
    assert chinese.language == "zh-hans"
    rows = _csv(logged_in(district.users["auditor"]).get(f"/audit/exports/{chinese.pk}/download/"))
    assert rows[0][0] == "受理编号" and "已办结" in {r[3] for r in rows[1:]}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_worker_writes_a_job_in_its_language_whatever_language_is_active(
    district, scenario, file_format, django_capture_on_commit_callbacks
):
    """A worker has no request: the language active in it (here Chinese) must not leak into the
    rows or the sheet of an English job, nor stay changed after the job."""
    from django.utils import translation

    with django_capture_on_commit_callbacks(execute=False):
        job = export_job_request(kind="events", fmt=file_format, filters=AuditFilters.default(),
                                 actor=district.users["auditor"], language="en")  # fmt: skip
    with translation.override("zh-hans"):
        export_job_run(job_id=job.pk)
        assert translation.get_language() == "zh-hans"
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    with job.file.open("rb") as handle:
        content = handle.read()
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        book = load_workbook(io.BytesIO(content), read_only=True)
        assert book.sheetnames == ["Event log"]
        rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Tracking number", "Time", "Action"]
    assert "Submit request" in {row[2] for row in rows[1:]}
    assert not any(re.search(r"[\u4e00-\u9fff]", str(cell)) for row in rows[1:] for cell in row[2:6])


def test_an_unknown_language_writes_the_language_of_record(district, scenario):
    job = export_job_request(
        actor=district.users["auditor"], kind="figures", fmt="csv", filters=AuditFilters.default(), language="fr"
    )
    assert job.language == "zh-hans"


def test_control_characters_in_a_title_leave_every_export_readable(
    district, submit, settings, django_capture_on_commit_callbacks
):
    """A title pasted with control characters (\\x01, a vertical tab) made every XLSX export that
    covered it fail: the page with a server error, the background job for good. They are dropped
    from the cell, in CSV too, and what is left still cannot start a formula."""
    plain = submit(title="路灯\x01不亮\x0b了", content="小区门口路灯坏了\x0b一个星期").demand
    formula = submit(title='\x01=HYPERLINK("http://evil","点我")').demand
    auditor = logged_in(district.users["auditor"])

    rows = {r[0]: r for r in _csv(auditor.get("/audit/export/demands.csv"))[1:]}
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
