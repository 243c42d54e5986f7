"""The ranking in the API: the same rows as the ranking page, with the weights used."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessment.forms import AuditFilterForm
from assessment.ranking import ranking, ranking_json
from assessment.ranking_views import RANKING_ROLES
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


class RankedRowOutput(serializers.Serializer):
    department_id = serializers.IntegerField()
    department = serializers.CharField()
    ranked = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    score = _rate(help_text="0–100")
    previous_score = _rate()
    previous_rank = serializers.IntegerField(allow_null=True)
    score_change = _rate()
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
        return Response(ranking_json(ranking(form.audit_filters())))
