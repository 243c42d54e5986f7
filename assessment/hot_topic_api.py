"""The hot topics in the API (GET /api/v1/assessment/hot-topics/), as the page shows them; and the
month's key problem adopted and followed, as on the page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from assessment.clusters import CLUSTER_MIN_CALLERS, CLUSTER_WINDOW_DAYS
from assessment.figures import AuditFilters
from assessment.hot_topic_forms import HotTopicFilterForm
from assessment.hot_topic_report import HotTopicReport, hot_topic_report
from assessment.hot_topics import SPIKE_HISTORY_WEEKS, SPIKE_MIN_COUNT, SPIKE_SIGMAS, Spike
from assessment.models import KeyProblem, KeyProblemStatus
from assessment.shortlist import ADOPTERS, key_problem_adopt, key_problem_update
from config.db_routing import reading_reports
from config.errors import NotAllowed
from departments.access import has_role
from departments.models import Role
from departments.signed_in import SignedInApi, StaffApiRequest

DEFINITIONS = {
    "volume": "Demands submitted per week (Monday to Sunday), merged repeats included, refused ones excluded.",
    "spike": (
        f"A week whose count is at least max({SPIKE_MIN_COUNT}, mean + {SPIKE_SIGMAS} x population standard "
        f"deviation) of the same row's {SPIKE_HISTORY_WEEKS} weeks before it; judged only once the platform "
        f"has {SPIKE_HISTORY_WEEKS} weeks of record."
    ),
    "cluster": (
        f"Open or separately answered demands of the last {CLUSTER_WINDOW_DAYS} days at one place (community, "
        f"else location text), linked by duplicate-finder similarity, from at least {CLUSTER_MIN_CALLERS} callers."
    ),
}


def _spike(spike: Spike) -> dict[str, Any]:
    return {
        "dimension": spike.dimension.code,
        "key": spike.key,
        "name": spike.name,
        "week": spike.week.isoformat(),
        "count": spike.count,
        "usual": round(spike.usual, 2),
        "threshold": round(spike.threshold, 2),
    }


def _numbers(report: HotTopicReport, ids: list[int]) -> list[str]:
    return [report.demands[pk].tracking_number for pk in ids if pk in report.demands]


def _payload(report: HotTopicReport) -> dict[str, Any]:
    problem = report.key_problem
    return {
        "filters": report.filters.to_json(),
        "definitions": DEFINITIONS,
        "volume": {
            table.dimension.code: {
                "weeks": [week.isoformat() for week in table.weeks],
                "rows": [
                    {"key": row.key, "name": row.name, "counts": row.counts, "total": row.total} for row in table.rows
                ],
            }
            for table in report.tables
        },
        "spikes": [_spike(spike) for spike in report.spikes],
        "clusters": [
            {
                "key": row.cluster.key,
                "place": row.cluster.place,
                "title": row.cluster.title,
                "callers": row.cluster.callers,
                "open": row.cluster.open_count,
                "notified": row.notified,
                "notice_url": reverse("audit-hot-topic-cluster", args=[row.notice_id]) if row.notice_id else None,
                "demands": [d.tracking_number for d in row.cluster.demands],
            }
            for row in report.clusters
        ],
        "month": f"{report.month:%Y-%m}",
        "shortlist": [
            {
                "key": item.key,
                "kind": item.kind,
                "title": item.title,
                "count": item.count,
                "demands": _numbers(report, item.demand_ids),
            }
            for item in report.shortlist
        ],
        "key_problem": None
        if problem is None
        else {
            "id": problem.pk,
            "item_key": problem.item_key,
            "kind": problem.kind,
            "title": problem.title,
            "status": problem.status,
            "note": problem.note,
            "adopted_at": problem.adopted_at.isoformat(),
            "resolved_at": problem.resolved_at.isoformat() if problem.resolved_at else None,
            "demands": [d.tracking_number for d in problem.demands.all()],
        },
    }


class HotTopicsApi(SignedInApi):
    request: StaffApiRequest

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("street", int, many=True),
            OpenApiParameter("department", int, many=True),
            OpenApiParameter("month", str, description="YYYY-MM, the shortlist's month"),
        ],
        responses={200: dict},
    )
    def get(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN):
            raise PermissionDenied
        form = HotTopicFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        filters = form.audit_filters() if form.is_bound else None
        with reading_reports():
            report = hot_topic_report(filters or AuditFilters.default(), form.chosen_month())
            return Response(_payload(report))


class KeyProblemOutput(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    demands = serializers.SerializerMethodField(help_text="the tracking numbers of the demands behind it")

    class Meta:
        model = KeyProblem
        fields = ["id", "month", "item_key", "kind", "title", "status", "note", "adopted_at", "resolved_at", "demands"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_demands(self, problem: KeyProblem) -> list[str]:
        return sorted(problem.demands.values_list("tracking_number", flat=True))


class KeyProblemAdoptApi(SignedInApi):
    """A supervisor adopts an item of a month's shortlist (its `key` in the hot topics) as the
    month's key problem (每月一题), as on the hot-topics page."""

    output_statuses = (201,)
    Output = KeyProblemOutput

    class Input(serializers.Serializer):
        month = serializers.DateField(input_formats=["%Y-%m"], help_text="YYYY-MM")
        item = serializers.CharField(max_length=120, help_text="the shortlist item's key")

    def post(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, *ADOPTERS):
            raise NotAllowed(_("只有督办员或管理员可以选定每月一题。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        problem = key_problem_adopt(
            actor=request.user, month=data.validated_data["month"], item_key=data.validated_data["item"]
        )
        return Response(KeyProblemOutput(problem).data, status=201)


class KeyProblemUpdateApi(SignedInApi):
    """How the adopted key problem stands: a note, and resolved (or open again)."""

    Output = KeyProblemOutput

    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=KeyProblemStatus.choices)
        note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    def post(self, request: StaffApiRequest, problem_id: int) -> Response:
        if not has_role(request.user, *ADOPTERS):
            raise NotAllowed(_("只有督办员或管理员可以更新每月一题。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        problem = key_problem_update(actor=request.user, problem_id=problem_id, **data.validated_data)
        return Response(KeyProblemOutput(problem).data)
