"""Pages that look at the list through what happened to demands: the disputed matters since the
version in force took effect, and the impact a draft would have on recent demands."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from departments.models import Role
from dispatch.impact import preview_impact
from dispatch.selectors import matter_disputes
from dispatch.views.common import role_required
from responsibility_lists.models import ListVersion
from responsibility_lists.selectors import version_in_force

reviewer_required = role_required(Role.LIST_MAINTAINER, Role.DISPATCH_OFFICER, Role.AUDITOR, Role.ADMIN)


@reviewer_required
def hotspots(request: HttpRequest) -> HttpResponse:
    current = version_in_force()
    since = current.effective_from if current and current.effective_from else timezone.now() - timedelta(days=365)
    return render(
        request,
        "dispatch/list_hotspots.html",
        {"rows": matter_disputes(since=since)[:100], "since": since, "version": current},
    )


@role_required(Role.LIST_MAINTAINER, Role.ADMIN)
def impact(request: HttpRequest, number: int) -> HttpResponse:
    draft = get_object_or_404(ListVersion, number=number)
    baseline = version_in_force()
    if baseline is None or baseline.pk == draft.pk:
        raise Http404
    try:
        months = max(1, min(24, int(request.GET.get("months", "3"))))
    except ValueError:
        months = 3
    report = preview_impact(draft=draft, baseline=baseline, since=timezone.now() - timedelta(days=30 * months))
    return render(request, "dispatch/list_impact.html", {"report": report, "months": months})
