"""Auditor pages: figures per department and street over a period, with charts; exports of demands,
events and figures (CSV or XLSX), written in the background when they are large."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment import figures as af
from assessment.assists import assist_rows
from assessment.charts import rate_chart, volume_chart
from assessment.dispatch_quality import (
    active_model_summary,
    dispatch_figures,
    first_dispatch_rows,
    of_chosen_departments,
)
from assessment.export_jobs import export_job_request
from assessment.exports import CONTENT_TYPES, WRITERS, csv_lines, filename, source_for
from assessment.forms import AuditFilterForm
from assessment.models import ExportFormat, ExportJob, ExportKind, ExportStatus
from assessment.scorecard import published_versions
from config.db_routing import reading_reports, reads_reports, reporting_while_iterated
from demands.models import Demand
from demands.workflow import Status
from departments.access import has_role
from departments.models import Department, Role, Street
from departments.signed_in import StaffRequest
from dispatch.selectors import status_counts
from dispatch.views.common import role_required

auditor_required = role_required(Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
# Each selected department or street adds two charts (two grouped queries); past this many the
# page would be a wall of charts, so the rest keep their row in the tables only.
MAX_SELECTED_CHARTS = 8


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, af.AuditFilters | None]:
    """The form and, when its values are good (or absent), the filters; None when refused."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, af.AuditFilters.default()
    return form, form.audit_filters() if form.is_valid() else None


def _charted(series: af.Series, cid: str) -> dict:
    """A series with its two charts; `cid` keeps the SVG title ids unique on the page."""
    return {"series": series, "volume": volume_chart(series), "rate": rate_chart(series), "cid": cid}


def _figures(filters: af.AuditFilters) -> dict:
    counts = status_counts(Demand.objects.filter(submitted_at__gte=filters.start, submitted_at__lt=filters.end))
    names = dict(Department.objects.filter(pk__in=filters.department_ids).values_list("pk", "name"))
    streets = dict(Street.objects.filter(pk__in=filters.street_ids).values_list("pk", "name"))
    selected = [
        _charted(af.department_series(filters, title=names[pk], department_id=pk), f"chart-department-{pk}")
        for pk in filters.department_ids[:MAX_SELECTED_CHARTS]
    ] + [
        _charted(af.demand_series(filters, title=streets[pk], street_id=pk), f"chart-street-{pk}")
        for pk in filters.street_ids[:MAX_SELECTED_CHARTS]
    ]
    return {
        "filters": filters,
        "total": sum(counts.values()),
        "status_rows": [(Status(code).label, n) for code, n in sorted(counts.items(), key=lambda item: -item[1])],
        "figures": dispatch_figures(filters),
        "department_rows": af.department_rows(filters),
        "assist_rows": assist_rows(filters),
        "district_row": af.district_row(filters),
        "direct_answers": af.direct_answers(filters),
        "street_rows": af.street_rows(filters),
        "district": _charted(af.demand_series(filters, title=_("全区")), "chart-district"),
        "selected_charts": selected,
        "first_by_department": of_chosen_departments(first_dispatch_rows(filters, by="department"), filters),
        "first_by_matter": first_dispatch_rows(filters, by="matter")[:40],
        "routing_model": active_model_summary(),
        "list_versions": published_versions(),
    }


def _page(request: StaffRequest, form: AuditFilterForm, filters: af.AuditFilters, status: int = 200) -> HttpResponse:
    context = {
        **_figures(filters),
        "form": form,
        "query": request.GET.urlencode(),
        "kinds": ExportKind.choices,
        "formats": ExportFormat.choices,
        "jobs": ExportJob.objects.filter(requested_by=request.user)[:10],
    }
    return render(request, "assessment/audit.html", context, status=status)


@auditor_required
@reads_reports
def audit(request: StaffRequest) -> HttpResponse:
    form, filters = _filters(request)
    # Refused values are shown on the form; the figures below stay those of the default period.
    return _page(request, form, filters or af.AuditFilters.default())


@auditor_required
def export(request: StaffRequest, kind: str, fmt: str) -> HttpResponseBase:
    """Small exports come straight back; large ones (over EXPORT_INLINE_MAX_ROWS) become a job a
    worker writes while the auditor watches its progress. Small ones skip the job because a
    round trip through the queue and a second click would only slow down the common case.

    Only the rows are read as reports (from the replica when there is one): a job is made on the
    primary, and queued from outside the mark (an in-process worker would inherit it)."""
    if kind not in ExportKind.values or fmt not in ExportFormat.values:
        raise Http404
    form, filters = _filters(request)
    if filters is None:
        with reading_reports():
            return _page(request, form, af.AuditFilters.default(), status=400)
    source = source_for(kind, filters)
    with reading_reports():
        rows = source.count()
    if rows > settings.EXPORT_INLINE_MAX_ROWS:
        if request.method != "POST":
            # A job is a thing made on the server: only a form post (with its CSRF token) makes one.
            messages.info(request, _("导出共 %(rows)d 行，较大，请点击页面上的导出按钮在后台生成。") % {"rows": rows})
            return redirect(f"{reverse('audit')}?{request.GET.urlencode()}")
        job = export_job_request(
            actor=request.user, kind=kind, fmt=fmt, filters=filters, rows_total=rows, language=get_language()
        )
        return redirect("audit-export-job", job_id=job.pk)
    name = filename(kind, fmt, filters)
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            reporting_while_iterated(csv_lines(source, language=get_language())), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    with reading_reports():
        WRITERS[fmt](source, out, None, get_language())
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])


def _job_for(request: HttpRequest, job_id: int) -> ExportJob:
    """The job for its requester, and for auditors and administrators; for anyone else it does not exist."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or not (job.requested_by_id == request.user.pk or has_role(request.user, Role.AUDITOR, Role.ADMIN)):
        raise Http404
    return job


@auditor_required
def export_job(request: StaffRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    finished = job.status in (ExportStatus.DONE, ExportStatus.FAILED)
    return render(request, "assessment/export_job.html", {"job": job, "finished": finished})


@auditor_required
def export_job_download(request: StaffRequest, job_id: int) -> FileResponse:
    job = _job_for(request, job_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    name = filename(job.kind, job.format, af.AuditFilters.from_json(job.filters))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format])
