"""Pages that look at the list through what happened to demands: the disputed matters since the
version in force took effect, and the impact a draft would have on recent demands."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.selectors import matter_disputes
from dispatch.views.common import role_required
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import version_in_force
from routing.impact import MAX_DEMANDS, ImpactReport, impact_inputs
from routing.impact_runs import (
    MONTHS_MAX,
    UNFINISHED,
    impact_baseline,
    impact_preview_latest,
    impact_preview_request,
    is_current,
)
from routing.models import ImpactStatus

DEFAULT_MONTHS = 3
reviewer_required = role_required(Role.LIST_MAINTAINER, Role.DISPATCH_OFFICER, Role.AUDITOR, Role.ADMIN)


@reviewer_required
def hotspots(request: StaffRequest) -> HttpResponse:
    current = version_in_force()
    since = current.effective_from if current and current.effective_from else timezone.now() - timedelta(days=365)
    return render(
        request,
        "dispatch/list_hotspots.html",
        {"rows": matter_disputes(since=since)[:100], "since": since, "version": current},
    )


def _months(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else DEFAULT_MONTHS
    except ValueError:
        return None


@role_required(Role.LIST_MAINTAINER, Role.ADMIN)
def impact(request: StaffRequest, number: int) -> HttpResponse:
    """The draft's impact preview: the one kept for it when it is current, its progress while a
    worker computes it, or the button that asks for it. Opening the page computes nothing."""
    draft = get_object_or_404(ListVersion, number=number)
    try:
        baseline = impact_baseline(draft)
    except DomainError as error:
        raise Http404 from error
    if request.method == "POST":
        months = _months(request.POST.get("months"))
        if months is None:
            messages.error(request, _("回看月数须是整数。"))
            return redirect("list-impact", number=number)
        try:
            impact_preview_request(
                actor=request.user, draft_id=draft.pk, months=months, fresh=bool(request.POST.get("fresh"))
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("list-impact", number=number)
        return redirect(f"{reverse('list-impact', args=[number])}?months={months}")
    months = _months(request.GET.get("months"))
    if months is None or not 1 <= months <= MONTHS_MAX:
        months = DEFAULT_MONTHS
    preview = impact_preview_latest(draft=draft, months=months)
    current = preview is not None and is_current(preview, impact_inputs(draft=draft, baseline=baseline))
    if request.headers.get("Accept", "").startswith("application/json"):
        if preview is None:
            raise Http404
        return JsonResponse(
            {
                "status": preview.status,
                "label": preview.get_status_display(),
                "percent": preview.percent,
                "done": preview.demands_done,
                "total": preview.demands_total,
                "current": current,
            }
        )
    # An out-of-date result is not shown: it would pass for what the draft does now.
    done = current and preview is not None and preview.status == ImpactStatus.DONE
    report = ImpactReport.from_json(preview.result) if done and preview is not None else None
    return render(
        request,
        "dispatch/list_impact.html",
        {
            "draft": draft,
            "baseline": baseline,
            "months": months,
            "months_max": MONTHS_MAX,
            "preview": preview,
            "current": current,
            "report": report,
            "polling": current and preview is not None and preview.status in UNFINISHED,
            "max_demands": MAX_DEMANDS,
        },
    )
