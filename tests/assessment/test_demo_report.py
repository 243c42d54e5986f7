"""The demo's published monthly report: last month's, published once by the demo auditor."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from assessment.models import PeriodicReport, ReportKind
from config.demo_clock import clock_at
from tests.assessment_cases import lead, visit
from tests.factories import build_district

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)


def _demo() -> str:
    out = StringIO()
    with clock_at(TODAY):
        call_command("load_demo_report", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_publishes_last_months_report_once():
    district = build_district()
    visit(lead(district, "CGJ"), contacted_in_time=True, resolution="solved", satisfaction="satisfied")

    assert "2026-11-01–2026-11-30 published by auditor" in _demo()
    report = PeriodicReport.objects.get()
    assert (report.kind, report.published_by, report.published_at) == (
        ReportKind.MONTHLY,
        district.users["auditor"],
        TODAY,
    )
    bureaus = next(t for t in report.figures["ranking"]["tables"] if t["department_type"] == "bureau")
    assert [r["department"] for r in bureaus["rows"]] == ["坪山区城市管理和综合执法局"]
    assert "already published" in _demo()
    assert PeriodicReport.objects.count() == 1
