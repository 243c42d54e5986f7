"""The ranking in the API: the same rows as the ranking page, with the weights used; and the
figures by any dimension, as the page's breakdown."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessment.assists import assist_rows
from assessment.forms import AuditFilterForm
from assessment.ranking import figures_json, ranking, ranking_json
from assessment.ranking_views import RANKING_ROLES
from assessment.rates import DEFINITIONS, Dimension, rate_rows
from config.db_routing import reading_reports
from config.errors import NotAllowed
from departments.access import has_role
from departments.signed_in import SignedInApi, StaffApiRequest


class WeightsOutput(serializers.Serializer):
    name = serializers.CharField()
    response = serializers.IntegerField()
    resolution = serializers.IntegerField()
    satisfaction = serializers.IntegerField()
    minimum_cases = serializers.IntegerField()


def _rate(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, **kwargs)


class FiguresFields(serializers.Serializer):
    """The figures of a group (ranking.figures_json), as a ranked department or any breakdown has them."""

    received = serializers.IntegerField()
    response_rate = _rate()
    resolution_rate = _rate()
    satisfaction_rate = _rate()
    on_time_rate = _rate()
    return_rate = _rate()
    redispatch_rate = _rate()
    reopen_rate = _rate()
    supervised = serializers.IntegerField()
    visits_answered = serializers.IntegerField()
    visits_unreachable = serializers.IntegerField()
    sign_hours_median = _rate()
    sign_hours_p90 = _rate()
    reply_hours_median = _rate()
    reply_hours_p90 = _rate()


class RankedRowOutput(FiguresFields):
    department_id = serializers.IntegerField()
    department = serializers.CharField()
    ranked = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    score = _rate(help_text="0–100")
    previous_score = _rate()
    previous_rank = serializers.IntegerField(allow_null=True)
    score_change = _rate()


class RankingTableOutput(serializers.Serializer):
    department_type = serializers.CharField()
    title = serializers.CharField()
    rows = RankedRowOutput(many=True)


class RankingOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    previous_date_from = serializers.DateField()
    previous_date_to = serializers.DateField()
    weights = WeightsOutput()
    tables = RankingTableOutput(many=True)


class RankingApi(SignedInApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="inclusive; default: 90 days to date_to"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="inclusive; default: today"),
        ],
        responses={200: RankingOutput},
    )
    def get(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, *RANKING_ROLES):
            raise NotAllowed(_("您无权查看考核排名。"))
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        with reading_reports():
            return Response(ranking_json(ranking(form.audit_filters())))


class RateFiguresOutput(FiguresFields):
    key = serializers.JSONField(help_text="the group's id (its code for department_type); null: not classified")
    name = serializers.CharField()


class AssistFiguresOutput(serializers.Serializer):
    department_id = serializers.IntegerField()
    name = serializers.CharField()
    received = serializers.IntegerField(help_text="assisting parts dispatched to the department in the period")
    contributed = serializers.IntegerField(help_text="parts given to the lead")
    on_time = serializers.IntegerField(help_text="parts given by their own deadline (a share of the lead's)")
    late = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="parts still owed past their own deadline now")
    released = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="on_time / (contributed + overdue)")


class FiguresOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    by = serializers.ChoiceField(choices=Dimension.choices)
    definitions = serializers.DictField(child=serializers.CharField(), help_text="each figure's definition")
    rows = RateFiguresOutput(many=True)
    assists = AssistFiguresOutput(many=True, help_text="by department only: how assisting parts kept their deadlines")


class FiguresApi(SignedInApi):
    """The three rates and the figures beside them grouped by one dimension, as the ranking page's
    breakdown shows them (departments, department types, streets, communities, categories, matters)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("by", OpenApiTypes.STR, enum=Dimension.values, description="default: department"),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="inclusive; default: 90 days to date_to"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="inclusive; default: today"),
            OpenApiParameter("department", OpenApiTypes.INT, many=True),
            OpenApiParameter("street", OpenApiTypes.INT, many=True),
        ],
        responses={200: FiguresOutput},
    )
    def get(self, request: StaffApiRequest) -> Response:
        if not has_role(request.user, *RANKING_ROLES):
            raise NotAllowed(_("您无权查看考核排名。"))
        by = request.query_params.get("by", Dimension.DEPARTMENT)
        if by not in Dimension.values:
            raise ValidationError({"by": [_("没有这个统计维度。")]})
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        filters = form.audit_filters()
        with reading_reports():
            rows = rate_rows(filters, by)
            assists = AssistFiguresOutput(assist_rows(filters), many=True).data if by == Dimension.DEPARTMENT else []
        return Response(
            {
                "date_from": filters.date_from.isoformat(),
                "date_to": filters.date_to.isoformat(),
                "by": by,
                "definitions": {key: str(text) for key, text in DEFINITIONS.items()},
                "rows": [{"key": row.key, "name": str(row.name or ""), **figures_json(row)} for row in rows],
                "assists": assists,
            }
        )
