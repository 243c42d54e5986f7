"""The scorecard of a published list version, as a page for the list's maintainers and auditors and
in the API."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from assessment.scorecard import Scorecard, published_versions, version_scorecard
from config.errors import NotAllowed
from departments.access import has_role
from departments.models import Role
from departments.signed_in import SignedInApi, StaffApiRequest, StaffRequest
from dispatch.views.common import role_required
from responsibility_lists.models import ListVersion

# Those who revise the list, and those who judge the figures it leads to.
SCORECARD_ROLES = (Role.LIST_MAINTAINER, Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)


@role_required(*SCORECARD_ROLES)
def version_scorecard_page(request: StaffRequest, number: int) -> HttpResponse:
    scorecard = version_scorecard(get_object_or_404(ListVersion, number=number))
    return render(
        request,
        "assessment/version_scorecard.html",
        {"card": scorecard, "versions": published_versions()},
    )


class VersionFiguresOutput(serializers.Serializer):
    demands = serializers.IntegerField(help_text="demands routed under the version")
    dispatched = serializers.IntegerField(help_text="of those, dispatched to a department at least once")
    answered = serializers.IntegerField()
    first_dispatch_right = serializers.IntegerField(help_text="answered by the department first dispatched to")
    first_dispatch_accuracy = serializers.FloatField(allow_null=True, help_text="first_dispatch_right / answered")
    returned = serializers.IntegerField(help_text="dispatched demands the first lead department returned")
    return_rate = serializers.FloatField(allow_null=True, help_text="returned / dispatched")
    redispatched = serializers.IntegerField(help_text="dispatched demands dispatched again")
    second_dispatch_rate = serializers.FloatField(allow_null=True, help_text="redispatched / dispatched")
    rulings = serializers.IntegerField(help_text="returns ruled on (upheld or overruled)")
    upheld = serializers.IntegerField(help_text="returns upheld: the case went to another department")
    upheld_rate = serializers.FloatField(allow_null=True, help_text="upheld / rulings")
    due = serializers.IntegerField(help_text="lead assignments answered, or open past their deadline")
    on_time = serializers.IntegerField(help_text="lead assignments answered by their deadline")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="on_time / due")


class MatterRatesOutput(serializers.Serializer):
    dispatched = serializers.IntegerField(help_text="demands first dispatched under the matter")
    returned = serializers.IntegerField()
    return_rate = serializers.FloatField(allow_null=True)
    redispatched = serializers.IntegerField()
    redispatch_rate = serializers.FloatField(allow_null=True)


class MatterChangeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["added", "changed", "removed"])
    columns = serializers.ListField(child=serializers.CharField(), help_text="the list's columns that changed")
    before = MatterRatesOutput(allow_null=True, help_text="under the previous version; null: not in it")
    after = MatterRatesOutput(allow_null=True, help_text="under this version; null: removed by it")


class ScorecardOutput(serializers.Serializer):
    version = serializers.IntegerField(source="version.number")
    title = serializers.CharField(source="version.title")
    status = serializers.CharField(source="version.status", help_text="a draft has routed nothing yet")
    effective_from = serializers.DateTimeField(source="version.effective_from", allow_null=True)
    in_force_until = serializers.DateTimeField(allow_null=True)
    figures = VersionFiguresOutput()
    previous_version = serializers.IntegerField(source="previous.number", allow_null=True, default=None)
    previous_figures = VersionFiguresOutput(allow_null=True)
    matters = MatterChangeOutput(many=True)


class VersionScorecardApi(SignedInApi):
    @extend_schema(responses=ScorecardOutput)
    def get(self, request: StaffApiRequest, number: int) -> Response:
        if not has_role(request.user, *SCORECARD_ROLES):
            raise NotAllowed(_("您无权查看清单版本的评估。"))
        scorecard: Scorecard = version_scorecard(get_object_or_404(ListVersion, number=number))
        return Response(ScorecardOutput(scorecard).data)
