"""Dispatch officers' operations on demands, returns and extensions; a supervisor's supervision by
hand; a rating taken by phone."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import generics, serializers
from rest_framework.response import Response

from config.errors import NotAllowed
from demands.models import HIGHEST_RATING, LOWEST_RATING, Channel, Demand, DemandType
from demands.workflow import Status
from departments.access import READ_ALL_ROLES, has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.api.idempotency import IdempotentCreate
from dispatch.api.outputs import (
    StaffDemandDetailOutput,
    StaffDemandOutput,
)
from dispatch.models import Supervision
from dispatch.selectors import demands_visible_to
from dispatch.services import (
    demand_dispatch,
    demand_merge,
    demand_rate_by_phone,
    demand_reject,
    extension_decide,
    return_rule,
    supervision_open,
)
from dispatch.services.closing import PHONE_RATING_ROLES
from dispatch.services.supervision import SUPERVISOR_ROLES
from responsibility_lists.models import Urgency


class DemandFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    demand_type = django_filters.ChoiceFilter(choices=[(v, label) for v, label in DemandType.choices if v])
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    street = django_filters.CharFilter(field_name="street__code")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Demand
        fields = ["status", "channel", "demand_type", "urgency", "street"]


class DemandListApi(SignedInApi, generics.ListAPIView):
    serializer_class = StaffDemandOutput
    filterset_class = DemandFilter
    cursor_ordering = ("-submitted_at", "-pk")  # newest first

    def get_queryset(self):
        return demands_visible_to(self.request.user).order_by("-submitted_at")


class DemandDetailApi(SignedInApi, generics.RetrieveAPIView):
    serializer_class = StaffDemandDetailOutput
    lookup_field = "tracking_number"

    def get_queryset(self):
        return demands_visible_to(self.request.user)


class DemandActionApi(IdempotentCreate, SignedInApi):
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


class ReturnRuleApi(IdempotentCreate, SignedInApi):
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


class ExtensionDecideApi(IdempotentCreate, SignedInApi):
    Output = StaffDemandOutput

    class Input(serializers.Serializer):
        approve = serializers.BooleanField()
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def post(self, request: StaffApiRequest, extension_id: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        demand = extension_decide(extension_id=extension_id, actor=request.user, **data.validated_data)
        return Response(StaffDemandOutput(demand).data)


class SupervisionOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="assignment.demand.tracking_number")
    department = serializers.CharField(source="assignment.department.name")

    class Meta:
        model = Supervision
        fields = [
            "id",
            "tracking_number",
            "department",
            "note",
            "response_deadline",
            "by_hand",
            "created_at",
            "response",
            "responded_at",
        ]


class DemandSuperviseApi(IdempotentCreate, SignedInApi):
    """A supervisor puts a case under supervision by hand (人工督办): a note, and a response
    deadline in working hours or as a date (one of the two)."""

    output_statuses = (201,)
    Output = SupervisionOutput

    class Input(serializers.Serializer):
        note = serializers.CharField(max_length=2000)
        working_hours = serializers.DecimalField(
            max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
        )
        respond_by = serializers.DateField(required=False, allow_null=True, default=None)

    def post(self, request: StaffApiRequest, tracking_number: str) -> Response:
        if not has_role(request.user, *SUPERVISOR_ROLES):
            raise NotAllowed(_("只有督办员或管理员可以督办。"))
        demand = get_object_or_404(demands_visible_to(request.user), tracking_number=tracking_number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        supervision = supervision_open(demand_id=demand.pk, actor=request.user, **data.validated_data)
        return Response(SupervisionOutput(supervision).data, status=201)


class PhoneRatingOutput(serializers.ModelSerializer):
    """What came of a rating taken by phone: the case's state and the rating, nothing of its text
    (the callback staff who take ratings do not read the desk's cases)."""

    class Meta:
        model = Demand
        fields = ["tracking_number", "status", "rating", "rating_comment", "rated_at", "reopen_count"]


class DemandPhoneRatingApi(IdempotentCreate, SignedInApi):
    """The rating a citizen gave by phone, recorded by the staff member who took it, as the
    citizen's own; `reopen` sends an unsatisfied answer back for redoing (the comment is the reason)."""

    Output = PhoneRatingOutput

    class Input(serializers.Serializer):
        rating = serializers.IntegerField(min_value=LOWEST_RATING, max_value=HIGHEST_RATING)
        comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
        reopen = serializers.BooleanField(required=False, default=False)

    def post(self, request: StaffApiRequest, tracking_number: str) -> Response:
        # The callback staff take ratings too, without reading the desk's cases: the role decides.
        if not has_role(request.user, *PHONE_RATING_ROLES):
            raise NotAllowed(_("只有受理员、分拨员和回访员可以记录电话评价。"))
        demand = get_object_or_404(Demand, tracking_number=tracking_number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        demand = demand_rate_by_phone(demand_id=demand.pk, actor=request.user, **data.validated_data)
        demand.refresh_from_db()
        return Response(PhoneRatingOutput(demand).data)
