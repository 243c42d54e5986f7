"""Dispatch officers' operations on demands, returns and extensions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import generics, serializers
from rest_framework.response import Response

from config.errors import NotAllowed
from demands.models import Channel, Demand
from demands.workflow import Status
from departments.access import READ_ALL_ROLES, has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.outputs import (
    StaffDemandDetailOutput,
    StaffDemandOutput,
)
from dispatch.selectors import demands_visible_to
from dispatch.services import (
    demand_dispatch,
    demand_merge,
    demand_reject,
    extension_decide,
    return_rule,
)
from responsibility_lists.models import Urgency


class DemandFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    street = django_filters.CharFilter(field_name="street__code")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Demand
        fields = ["status", "channel", "urgency", "street"]


class DemandListApi(SignedInApi, generics.ListAPIView):
    serializer_class = StaffDemandOutput
    filterset_class = DemandFilter

    def get_queryset(self):
        return demands_visible_to(self.request.user).order_by("-submitted_at")


class DemandDetailApi(SignedInApi, generics.RetrieveAPIView):
    serializer_class = StaffDemandDetailOutput
    lookup_field = "tracking_number"

    def get_queryset(self):
        return demands_visible_to(self.request.user)


class DemandActionApi(SignedInApi):
    """A dispatch officer's action on a demand: validate the input, call one service."""

    Input: type[serializers.Serializer]
    Output = StaffDemandOutput

    def act(self, demand: Demand, data: dict[str, Any]) -> Demand:
        raise NotImplementedError

    def post(self, request: StaffApiRequest, tracking_number: str) -> Response:
        if not has_role(request.user, *READ_ALL_ROLES):
            raise NotAllowed(_("您无权处理该诉求。"))
        demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        demand = self.act(demand, data.validated_data)
        demand.refresh_from_db()
        return Response(StaffDemandOutput(demand).data)


class DemandDispatchApi(DemandActionApi):
    class Input(serializers.Serializer):
        department_id = serializers.IntegerField()
        matter_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        assisting_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def act(self, demand: Demand, data: dict[str, Any]) -> Demand:
        return demand_dispatch(demand_id=demand.pk, actor=self.request.user, **data)


class DemandRejectApi(DemandActionApi):
    class Input(serializers.Serializer):
        reason = serializers.CharField()

    def act(self, demand: Demand, data: dict[str, Any]) -> Demand:
        return demand_reject(demand_id=demand.pk, actor=self.request.user, reason=data["reason"])


class DemandMergeApi(DemandActionApi):
    class Input(serializers.Serializer):
        original = serializers.CharField(help_text="tracking number of the demand this one repeats")
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def act(self, demand: Demand, data: dict[str, Any]) -> Demand:
        original = get_object_or_404(Demand, tracking_number=data["original"].strip().upper())
        return demand_merge(demand_id=demand.pk, original_id=original.pk, actor=self.request.user, note=data["note"])


class ReturnRuleApi(SignedInApi):
    Output = StaffDemandOutput

    class Input(serializers.Serializer):
        uphold = serializers.BooleanField()
        # May be left out only to uphold in favour of the department the return suggested.
        note = serializers.CharField(required=False, default="", allow_blank=True)
        department_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    def post(self, request: StaffApiRequest, return_id: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        demand = return_rule(return_id=return_id, actor=request.user, **data.validated_data)
        return Response(StaffDemandOutput(demand).data)


class ExtensionDecideApi(SignedInApi):
    Output = StaffDemandOutput

    class Input(serializers.Serializer):
        approve = serializers.BooleanField()
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def post(self, request: StaffApiRequest, extension_id: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        demand = extension_decide(extension_id=extension_id, actor=request.user, **data.validated_data)
        return Response(StaffDemandOutput(demand).data)
