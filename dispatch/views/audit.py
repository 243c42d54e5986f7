"""Auditor pages: figures per department and street over a period, with charts; CSV exports of
demands and events."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand, DemandEvent
from demands.privacy import mask_phone
from demands.workflow import Status
from departments.models import Department, Role, Street
from dispatch import audit_figures as af
from dispatch.charts import rate_chart, volume_chart
from dispatch.figures import dispatch_figures, return_rates_by_matter
from dispatch.forms import AuditFilterForm
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
        "street_rows": af.street_rows(filters),
        "district": _charted(af.demand_series(filters, title=_("全区")), "chart-district"),
        "selected_charts": selected,
        "return_by_matter": return_rates_by_matter(filters)[:40],
    }


def _page(request: HttpRequest, form: AuditFilterForm, filters: af.AuditFilters, status: int = 200) -> HttpResponse:
    context = {
        **_figures(filters),
        "form": form,
        "query": request.GET.urlencode(),
    }
    return render(request, "dispatch/audit.html", context, status=status)


@auditor_required
def audit(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    # Refused values are shown on the form; the figures below stay those of the default period.
    return _page(request, form, filters or af.AuditFilters.default())


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, rows: Iterator[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def body() -> Iterator[str]:
        yield "\ufeff"  # so that Excel, which most district offices open these in, reads the Chinese right
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@auditor_required
def export_demands(request: HttpRequest) -> StreamingHttpResponse:
    header = [
        "受理编号", "渠道", "标题", "状态", "紧急程度", "街道", "社区", "事项编码", "清单版本",
        "主办部门", "提交时间", "办理期限", "答复时间", "办结时间", "满意度", "重办次数", "联系电话（脱敏）",
    ]  # fmt: skip
    demands = Demand.objects.select_related("street", "community", "matter", "list_version", "lead_department")

    def rows() -> Iterator[list]:
        yield header
        for d in demands.order_by("submitted_at").iterator(chunk_size=1000):
            yield [
                d.tracking_number, d.get_channel_display(), d.title, d.get_status_display(), d.get_urgency_display(),
                d.street.name if d.street else "", d.community.name if d.community else "",
                d.matter.code if d.matter else "", d.list_version.number if d.list_version else "",
                d.lead_department.name if d.lead_department else "", _ts(d.submitted_at), _ts(d.due_at),
                _ts(d.replied_at), _ts(d.closed_at), d.rating or "", d.reopen_count, mask_phone(d.citizen_phone),
            ]  # fmt: skip

    return _csv_response(f"demands-{timezone.localdate():%Y%m%d}.csv", rows())


@auditor_required
def export_events(request: HttpRequest) -> StreamingHttpResponse:
    events = DemandEvent.objects.select_related("demand", "department").order_by("created_at", "pk")

    def rows() -> Iterator[list]:
        yield ["受理编号", "时间", "动作", "原状态", "新状态", "操作人", "部门", "原因"]
        for e in events.iterator(chunk_size=2000):
            yield [
                e.demand.tracking_number, _ts(e.created_at), e.get_action_display(), e.from_status, e.to_status,
                e.actor_label, e.department.name if e.department else "", e.reason,
            ]  # fmt: skip

    return _csv_response(f"events-{timezone.localdate():%Y%m%d}.csv", rows())


def _ts(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""
