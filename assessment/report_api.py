"""The periodic reports in the API: the published reports, each with its frozen figures, its two
downloads, and publication, as on the report pages."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from assessment.api import RankingOutput, WeightsOutput
from assessment.models import PeriodicReport, ReportKind
from assessment.report_files import XLSX_CONTENT_TYPE
from assessment.report_views import download
from assessment.reports import PUBLISHERS, READERS, report_publish
from config.errors import NotAllowed, NotFound
from departments.access import has_role
from departments.signed_in import SignedInApi, StaffApiRequest


class ReportOutput(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.username")
    weights = WeightsOutput()

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "kind",
            "period_start",
            "period_end",
            "published_at",
            "published_by",
            "weights",
            "open_appeals",
            "appeals_close_at",
        ]


class BreakdownRowOutput(serializers.Serializer):
    key = serializers.JSONField(help_text="the group's id (a department type's code); null: not classified")
    name = serializers.CharField()
    received = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    return_rate = serializers.FloatField(allow_null=True)
    redispatch_rate = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    supervised = serializers.IntegerField()
    visits_answered = serializers.IntegerField()
    visits_unreachable = serializers.IntegerField()
    sign_hours_median = serializers.FloatField(allow_null=True)
    sign_hours_p90 = serializers.FloatField(allow_null=True)
    reply_hours_median = serializers.FloatField(allow_null=True)
    reply_hours_p90 = serializers.FloatField(allow_null=True)


class BreakdownOutput(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=["department_type", "street", "category"])
    title = serializers.CharField()
    rows = BreakdownRowOutput(many=True)


class DefinitionOutput(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class FrozenFiguresOutput(serializers.Serializer):
    ranking = RankingOutput()
    breakdowns = BreakdownOutput(many=True)
    definitions = DefinitionOutput(many=True)


class ReportDetailOutput(ReportOutput):
    figures = FrozenFiguresOutput(help_text="as frozen at publication; never recomputed")

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "figures"]


def _readable(request: StaffApiRequest, report_id: int) -> PeriodicReport:
    if not has_role(request.user, *READERS):
        raise NotAllowed(_("您无权查看考核报告。"))
    report = PeriodicReport.objects.select_related("published_by").filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("没有这份报告。"))
    return report


class ReportListApi(SignedInApi, generics.ListAPIView):
    """The published reports, latest period first."""

    serializer_class = ReportOutput
    cursor_ordering = ("-period_start", "kind", "-pk")  # latest period first

    def list(self, request, *args, **kwargs):
        if not has_role(request.user, *READERS):
            raise NotAllowed(_("您无权查看考核报告。"))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return PeriodicReport.objects.select_related("published_by")


class ReportDetailApi(SignedInApi):
    """A published report with its frozen figures."""

    Output = ReportDetailOutput

    def get(self, request: StaffApiRequest, report_id: int) -> Response:
        return Response(ReportDetailOutput(_readable(request, report_id)).data)


class ReportPublishApi(SignedInApi):
    """Freeze the figures of a closed week (from its Monday) or month (from its first day)."""

    output_statuses = (201,)
    Output = ReportDetailOutput

    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ReportKind.choices)
        period_start = serializers.DateField()

    def post(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, *PUBLISHERS):
            raise NotAllowed(_("只有考核员和管理员可以发布考核报告。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        report = report_publish(actor=request.user, **data.validated_data)
        return Response(ReportDetailOutput(report).data, status=201)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type; a refusal still comes as JSON text."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class _XlsxRenderer(_FileRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class _PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class _FileApi(SignedInApi):
    """A report as a file; a refusal is the API's error body, in JSON, whatever type was asked for
    (`?format=xlsx` or an Accept header), so a client never reads an error as a spreadsheet."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ReportXlsxApi(_FileApi):
    """The report as a spreadsheet: a sheet per ranking table (with a bar chart of the scores),
    per breakdown, the comparison with the previous report and the definitions."""

    renderer_classes = [JSONRenderer, _XlsxRenderer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: StaffApiRequest, report_id: int) -> HttpResponse:
        return download(_readable(request, report_id), "xlsx")


class ReportPdfApi(_FileApi):
    """The report as a printable A4 PDF with bar charts of the scores."""

    renderer_classes = [JSONRenderer, _PdfRenderer]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: StaffApiRequest, report_id: int) -> HttpResponse:
        return download(_readable(request, report_id), "pdf")
