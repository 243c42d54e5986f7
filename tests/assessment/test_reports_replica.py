"""Reports read from the replica when one is configured; every write, and every other page's reads,
stay on the primary. The replica here is a second connection to the test database, read-only on
PostgreSQL as a standby is: a write sent there fails the test."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from assessment.models import ExportJob, ExportStatus
from config.db_routing import reading_reports, reporting_while_iterated
from dispatch.models import Assignment
from tests.staff import csv_rows, logged_in

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica():
    with override_settings(DATABASE_ROUTERS=["config.db_routing.ReportsRouter"], REPORTS_DATABASE="replica"):
        yield


class Reads:
    """The statements each database was sent while the block ran."""

    def __enter__(self) -> Reads:
        self._primary = CaptureQueriesContext(connections["default"]).__enter__()
        self._replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._replica.__exit__(*exc)
        self._primary.__exit__(*exc)

    def on(self, alias: str, table: str) -> int:
        captured = self._primary if alias == "default" else self._replica
        return sum(f'"{table}"' in query["sql"] for query in captured.captured_queries)


def test_the_audit_page_reads_its_figures_from_the_replica(district, scenario, replica):
    auditor = logged_in(district.users["auditor"])
    with Reads() as reads:
        response = auditor.get("/audit/")
    assert response.status_code == 200
    assert response.context["total"] == 4
    assert reads.on("replica", "demands_demand") and not reads.on("default", "demands_demand")
    # Who is signed in is read on the primary: a session made a moment ago is not on the replica yet.
    assert reads.on("default", "django_session") and not reads.on("replica", "django_session")


def test_a_streamed_export_reads_its_rows_from_the_replica_as_it_sends_them(district, scenario, replica):
    auditor = logged_in(district.users["auditor"])
    with Reads() as reads:
        rows = csv_rows(auditor.get("/audit/export/demands.csv"))
    assert sorted(row[0] for row in rows[1:]) == sorted(d.tracking_number for d in scenario.values())
    assert reads.on("replica", "demands_demand") and not reads.on("default", "demands_demand")


def test_a_background_export_reads_on_the_replica_and_keeps_its_job_on_the_primary(
    district, scenario, big_exports, replica
):
    auditor = logged_in(district.users["auditor"])
    with Reads() as reads:
        response = auditor.post("/audit/export/demands.csv")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportStatus.DONE
    assert job.rows_done == job.rows_total == 4
    assert reads.on("replica", "demands_demand") and not reads.on("default", "demands_demand")
    # Claimed, counted and finished on the primary (the replica refuses writes on PostgreSQL).
    assert reads.on("default", "dispatch_exportjob") and not reads.on("replica", "dispatch_exportjob")


def test_the_figures_api_reads_from_the_replica(district, scenario, replica):
    auditor = logged_in(district.users["auditor"])
    with Reads() as reads:
        response = auditor.get("/api/v1/assessment/figures/", {"by": "department"})
    assert response.status_code == 200 and response.json()["rows"]
    assert reads.on("replica", "dispatch_assignment") and not reads.on("default", "dispatch_assignment")


def test_the_staff_pages_read_only_the_primary(district, scenario, replica):
    handler = logged_in(district.users["cgj"])
    with Reads() as reads:
        inbox = handler.get("/workbench/")
        case = handler.get(f"/workbench/{Assignment.objects.filter(department__code='CGJ').first().pk}/")
    assert inbox.status_code == case.status_code == 200
    assert not reads._replica.captured_queries
    assert reads.on("default", "dispatch_assignment")


def test_without_a_replica_reports_read_the_primary(district, scenario):
    auditor = logged_in(district.users["auditor"])
    with Reads() as reads:
        assert auditor.get("/audit/").status_code == 200
    assert reads.on("default", "demands_demand") and not reads._replica.captured_queries


def test_a_streamed_responses_mark_is_on_only_while_each_row_is_fetched():
    from config.db_routing import _reading_reports

    def rows():
        for n in range(3):
            yield n, _reading_reports.get()

    seen = [(n, marked_inside, _reading_reports.get()) for n, marked_inside in reporting_while_iterated(rows())]
    assert seen == [(0, True, False), (1, True, False), (2, True, False)]
    with reading_reports():
        assert _reading_reports.get()
    assert not _reading_reports.get()
