"""The periodic reports' pages: the list (published reports, and the closed periods still to
publish), a live preview, publication, the frozen report and its XLSX and PDF downloads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment.charts import score_chart
from assessment.models import PeriodicReport, ReportKind
from assessment.report_files import XLSX_CONTENT_TYPE, appeal_lines, filename, report_pdf, report_xlsx
from assessment.reports import (
    PUBLISHERS,
    READERS,
    is_closed,
    last_closed_period,
    pending_periods,
    report_comparison,
    report_preview,
    report_publish,
)
from config.db_routing import reads_reports
from config.errors import DomainError
from departments.access import has_role
from departments.signed_in import StaffRequest
from dispatch.views.common import form_errors, paginate, perform, role_required


class ReportPeriodForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("报告类型"), choices=ReportKind.choices)
    period_start = forms.DateField(label=gettext_lazy("期间起"))


def _report_context(report: PeriodicReport) -> dict[str, Any]:
    """What the report page shows, from the report's figures only (frozen, or a preview's live ones)."""
    tables = report.figures["ranking"]["tables"]
    return {
        "report": report,
        "tables": [(table, score_chart(table["rows"])) for table in tables],
        "comparison": report_comparison(report),
        "appeal_lines": appeal_lines(report),
    }


@role_required(*READERS)
def reports(request: StaffRequest) -> HttpResponse:
    page, query = paginate(request, PeriodicReport.objects.select_related("published_by"))
    context = {
        "page": page,
        "page_query": query,
        "pending": pending_periods(),
        "can_publish": has_role(request.user, *PUBLISHERS),
    }
    return render(request, "assessment/reports.html", context)


@role_required(*READERS)
@reads_reports
def preview(request: StaffRequest) -> HttpResponse:
    """The report of a closed (or running) period as it would be published now; not stored."""
    form = ReportPeriodForm(request.GET or None)
    kind, start = ReportKind.MONTHLY.value, last_closed_period(ReportKind.MONTHLY)[0]
    if form.is_bound:
        if not form.is_valid():
            form_errors(request, form)
            return redirect("audit-reports")
        kind, start = form.cleaned_data["kind"], form.cleaned_data["period_start"]
    published = PeriodicReport.objects.filter(kind=kind, period_start=start).first()
    if published is not None:
        return redirect("audit-report", report_id=published.pk)
    try:
        report = report_preview(kind=kind, period_start=start)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("audit-reports")
    context = {
        **_report_context(report),
        "can_publish": has_role(request.user, *PUBLISHERS) and is_closed(report.period_end),
        "closed": is_closed(report.period_end),
    }
    return render(request, "assessment/report.html", context)


@require_POST
@role_required(*PUBLISHERS)
def publish(request: StaffRequest) -> HttpResponse:
    form = ReportPeriodForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("audit-reports")
    published: list[PeriodicReport] = []
    data = form.cleaned_data
    done = perform(
        request,
        lambda: published.append(
            report_publish(actor=request.user, kind=data["kind"], period_start=data["period_start"])
        ),
        _("报告已发布，数字已冻结。"),
    )
    if done:
        return redirect("audit-report", report_id=published[0].pk)
    return redirect("audit-reports")


@role_required(*READERS)
def detail(request: StaffRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(PeriodicReport.objects.select_related("published_by"), pk=report_id)
    return render(request, "assessment/report.html", _report_context(report))


def download(report: PeriodicReport, extension: str) -> HttpResponse:
    if extension == "pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(report_xlsx(report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, extension)}"'
    return response


@role_required(*READERS)
def report_xlsx_download(request: StaffRequest, report_id: int) -> HttpResponse:
    return download(get_object_or_404(PeriodicReport.objects.select_related("published_by"), pk=report_id), "xlsx")


@role_required(*READERS)
def report_pdf_download(request: StaffRequest, report_id: int) -> HttpResponse:
    return download(get_object_or_404(PeriodicReport.objects.select_related("published_by"), pk=report_id), "pdf")
