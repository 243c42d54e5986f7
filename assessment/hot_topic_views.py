"""The hot-topic page (热点与预警): volume by matter, category and place, spikes, clusters and the
month's shortlist for 每月一题, with adopting an item and following the adopted one."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import figures as af
from assessment.clusters import CLUSTER_MIN_CALLERS, CLUSTER_WINDOW_DAYS, told_cluster
from assessment.hot_topic_forms import AdoptForm, HotTopicFilterForm, KeyProblemForm
from assessment.hot_topic_report import hot_topic_report
from assessment.hot_topics import SPIKE_HISTORY_WEEKS, SPIKE_MIN_COUNT, SPIKE_SIGMAS
from assessment.models import ClusterNotice, KeyProblem, KeyProblemStatus
from assessment.shortlist import ADOPTERS, DEMANDS_SHOWN, TOP_MATTERS, key_problem_adopt, key_problem_update
from config.db_routing import reads_reports
from departments.access import has_role
from departments.models import Role
from departments.signed_in import StaffRequest
from dispatch.views.common import perform_form, role_required

readers_required = role_required(Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
adopters_required = role_required(*ADOPTERS)

DEFINITIONS = {
    "spike_history_weeks": SPIKE_HISTORY_WEEKS,
    "spike_sigmas": SPIKE_SIGMAS,
    "spike_min_count": SPIKE_MIN_COUNT,
    "cluster_window_days": CLUSTER_WINDOW_DAYS,
    "cluster_min_callers": CLUSTER_MIN_CALLERS,
    "top_matters": TOP_MATTERS,
    "demands_shown": DEMANDS_SHOWN,
}


@readers_required
@reads_reports
def hot_topics(request: StaffRequest) -> HttpResponse:
    form = HotTopicFilterForm(request.GET or None)
    filters = form.audit_filters() if form.is_bound and form.is_valid() else af.AuditFilters.default()
    report = hot_topic_report(filters, form.chosen_month())
    context = {
        "form": form,
        "report": report,
        "can_adopt": has_role(request.user, *ADOPTERS),
        "key_problem_statuses": KeyProblemStatus.choices,
        "recent_problems": KeyProblem.objects.exclude(month=report.month)[:12],
        **DEFINITIONS,
    }
    # Refused values are shown on the form; the figures stay those of the default period.
    return render(request, "assessment/hot_topics.html", context)


@readers_required
def cluster(request: StaffRequest, notice_id: int) -> HttpResponse:
    """One cluster the supervisors were told of: where its notice leads, with every demand in it."""
    notice = get_object_or_404(ClusterNotice, pk=notice_id)
    return render(request, "assessment/hot_topic_cluster.html", {"cluster": told_cluster(notice), **DEFINITIONS})


def _back(request: StaffRequest) -> HttpResponse:
    month = request.POST.get("month", "")
    query = f"?month={month}" if len(month) == 7 and month[:4].isdigit() and month[5:].isdigit() else ""
    return redirect(f"{reverse('audit-hot-topics')}{query}#shortlist")


@adopters_required
@require_POST
def adopt(request: StaffRequest) -> HttpResponse:
    perform_form(
        request,
        AdoptForm,
        lambda data: key_problem_adopt(actor=request.user, month=data["month"], item_key=data["item"]),
        _("已选定为本月的每月一题。"),
    )
    return _back(request)


@adopters_required
@require_POST
def key_problem(request: StaffRequest) -> HttpResponse:
    perform_form(
        request,
        KeyProblemForm,
        lambda data: key_problem_update(
            actor=request.user, problem_id=data["problem"], status=data["status"], note=data["note"]
        ),
        _("每月一题的跟踪情况已更新。"),
    )
    return _back(request)
