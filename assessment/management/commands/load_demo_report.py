"""The demo's published monthly report (月报): last month's figures of the demo data, frozen by
the sample district's auditor, so that `make run` shows a report with its downloads.

Idempotent: a demo whose last month's report is published is left alone."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from assessment.models import PeriodicReport, ReportKind
from assessment.reports import last_closed_period, report_publish
from departments.models import Role


class Command(BaseCommand):
    help = "Publish last month's monthly report of the demo data, unless it is published."

    def handle(self, *args, **options):
        start, end = last_closed_period(ReportKind.MONTHLY)
        if PeriodicReport.objects.filter(kind=ReportKind.MONTHLY, period_start=start).exists():
            self.stdout.write(f"The monthly report of {start:%Y-%m} is already published.")
            return
        auditor = get_user_model().objects.filter(memberships__role=Role.AUDITOR).order_by("pk").first()
        if auditor is None:
            self.stdout.write("No demo report: the sample district has no auditor.")
            return
        report = report_publish(actor=auditor, kind=ReportKind.MONTHLY, period_start=start)
        rows = sum(len(table["rows"]) for table in report.figures["ranking"]["tables"])
        self.stdout.write(
            f"Demo monthly report {start:%Y-%m-%d}–{end:%Y-%m-%d} published by {auditor.username} ({rows} departments)."
        )
