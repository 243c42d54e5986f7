"""The background export job: a large export runs as one, with its progress and a guarded download,
in the language it was asked in, and old ones are deleted with their files."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from assessment.export_jobs import export_job_request, export_job_run
from assessment.figures import AuditFilters
from assessment.models import ExportJob, ExportStatus
from demands.models import DemandEvent
from departments.models import Role
from tests.factories import make_user
from tests.staff import csv_rows, in_english, logged_in


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


def test_a_background_export_keeps_the_language_it_was_asked_in(
    district, scenario, big_exports, django_capture_on_commit_callbacks
):
    english = in_english(logged_in(district.users["auditor"]))
    with django_capture_on_commit_callbacks(execute=True):
        english.post("/audit/export/demands.csv")
    job = ExportJob.objects.get()
    # The worker has no request and no page: the file is still the English one asked for.
    assert job.language == "en" and job.status == ExportStatus.DONE
    rows = csv_rows(english.get(f"/audit/exports/{job.pk}/download/"))
    assert rows[0][0] == "Tracking number" and "Closed" in {r[3] for r in rows[1:]}
    assert "English" in english.get("/audit/").content.decode()  # the job list says which language

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(district.users["auditor"]).post("/audit/export/demands.csv")
    chinese = ExportJob.objects.exclude(pk=job.pk).get()
    assert chinese.language == "zh-hans"
    rows = csv_rows(logged_in(district.users["auditor"]).get(f"/audit/exports/{chinese.pk}/download/"))
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
