"""The REST API: one view per operation, each calling the same service as the pages.

Citizens submit and follow their demand without an account (the query code is the proof, sent
in the body, never in the URL). Staff authenticate by session or token."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import IllegalTransition, NotAllowed
from config.throttle import CitizenThrottle, SubmissionAddressThrottle, SubmissionCallerThrottle
from demands.merges import original_of
from demands.models import CONTENT_MAX_LENGTH, TITLE_MAX_LENGTH, Channel, CitizenMessage, Demand, DemandEvent
from demands.phones import phone_hash
from demands.privacy import mask_name, mask_phone
from demands.selectors import demand_for_citizen, public_timeline
from demands.services import demand_rate, demand_submit
from demands.workflow import Status
from departments.access import DISPATCH_ROLES, READ_ALL_ROLES, has_role
from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.duplicates import open_repeat_of
from dispatch.models import Assignment, ReturnReason, Supervision
from dispatch.selectors import assignment_for_user, demands_visible_to, department_inbox, latest_routing
from dispatch.services import (
    assignment_contribute,
    assignment_release,
    assignment_reply,
    assignment_return,
    assignment_sign,
    demand_dispatch,
    demand_follow_up,
    demand_merge,
    demand_reject,
    demand_reopen,
    extension_decide,
    extension_request,
    info_request_answer,
    info_request_ask,
    info_request_withdraw,
    return_rule,
    supervision_answer,
)
from responsibility_lists.models import Urgency
from routing.models import RoutingResult

# --- Output -------------------------------------------------------------------------------------


class EventOutput(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default=None)

    class Meta:
        model = DemandEvent
        fields = ["action", "from_status", "to_status", "actor_label", "department", "reason", "created_at"]


class PublicEventOutput(EventOutput):
    """What a citizen sees of an event: the wording written to them or by them, nothing internal."""

    reason = serializers.SerializerMethodField()

    def get_reason(self, event: DemandEvent) -> str:
        return event.reason if event.reason_is_for_citizens else ""


class PublicDemandOutput(serializers.ModelSerializer):
    """What a citizen sees of their own demand."""

    status_label = serializers.CharField(source="status_for_citizen")  # as the tracking page says it
    lead_department = serializers.CharField(source="lead_department.name", default=None)
    timeline = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "tracking_number", "title", "content", "status", "status_label", "lead_department",
            "submitted_at", "due_at", "replied_at", "closed_at", "rating", "timeline", "replies",
        ]  # fmt: skip

    def get_timeline(self, demand: Demand) -> list[dict[str, Any]]:
        return [PublicEventOutput(event).data for event in public_timeline(demand)]

    def get_replies(self, demand: Demand) -> list[dict[str, Any]]:
        # A merged demand shares the answer of the demand it repeats (at the end of any chain).
        answers = (original_of(demand) or demand).replies.filter(is_contribution=False).select_related("department")
        return [{"department": r.department.name, "body": r.body, "created_at": r.created_at} for r in answers]


class StaffDemandOutput(serializers.ModelSerializer):
    """What staff see: citizen contact details masked, as everywhere outside the contact action."""

    citizen_name = serializers.SerializerMethodField()
    citizen_phone = serializers.SerializerMethodField()
    street = serializers.CharField(source="street.name", default=None)
    community = serializers.CharField(source="community.name", default=None)
    matter = serializers.CharField(source="matter.code", default=None)
    lead_department = serializers.CharField(source="lead_department.name", default=None)
    list_version = serializers.IntegerField(source="list_version.number", default=None)

    class Meta:
        model = Demand
        fields = [
            "tracking_number", "channel", "title", "content", "location_text", "street", "community", "urgency",
            "status", "matter", "list_version", "lead_department", "due_at", "rating", "reopen_count",
            "submitted_at", "replied_at", "closed_at", "citizen_name", "citizen_phone", "wants_text_messages",
        ]  # fmt: skip

    def get_citizen_name(self, demand: Demand) -> str:
        return mask_name(demand.citizen_name)

    def get_citizen_phone(self, demand: Demand) -> str:
        return mask_phone(demand.citizen_phone)


class TextMessageOutput(serializers.ModelSerializer):
    class Meta:
        model = CitizenMessage
        fields = ["kind", "status", "attempts", "last_error", "body", "created_at", "sent_at"]


class RoutingOutput(serializers.ModelSerializer):
    """The router's latest answer: up to three candidates (matter, lead department, confidence,
    matched words, reasons as data and as a sentence, the most similar past cases), under which
    list and router version, and whether it dispatched by itself."""

    list_version = serializers.IntegerField(source="list_version.number", default=None)

    class Meta:
        model = RoutingResult
        fields = ["router_version", "list_version", "confidence", "auto_dispatched", "candidates", "created_at"]


class StaffDemandDetailOutput(StaffDemandOutput):
    """One demand, with the text messages its citizen was sent and how their sending went, and,
    for the dispatch centre, what the router answered for it."""

    text_messages = TextMessageOutput(many=True, read_only=True)
    routing = serializers.SerializerMethodField()

    class Meta(StaffDemandOutput.Meta):
        fields = [*StaffDemandOutput.Meta.fields, "text_messages", "routing"]

    @extend_schema_field(RoutingOutput(allow_null=True))
    def get_routing(self, demand: Demand) -> dict | None:
        # Departments are not shown the suggestions: they name other demands (the similar cases).
        request = self.context.get("request")
        if request is None or not has_role(request.user, *READ_ALL_ROLES):
            return None
        routing = latest_routing(demand)
        return RoutingOutput(routing).data if routing else None


class AssignmentOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="demand.tracking_number")
    title = serializers.CharField(source="demand.title")
    department = serializers.CharField(source="department.name")

    class Meta:
        model = Assignment
        fields = [
            "id", "tracking_number", "title", "department", "role", "status",
            "dispatched_at", "sign_deadline", "handle_deadline", "signed_at", "finished_at",
        ]  # fmt: skip


# --- Citizens -----------------------------------------------------------------------------------


class CitizenApi(APIView):
    """A citizen's operation on a demand of theirs: each try of a query code counts against the
    address's lookups (submitting is counted apart, see DemandSubmitApi)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [CitizenThrottle]
    throttle_scope = "citizen-track"


class SubmissionOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    query_code = serializers.CharField(
        required=False, help_text="shown once; keep it to follow the demand (none for a follow-up: no new demand)"
    )
    status = serializers.CharField()
    repeat_of = serializers.CharField(
        allow_null=True,
        help_text="the tracking number of the same phone's open demand this submission closely repeats, if any",
    )
    followed_up = serializers.BooleanField(
        help_text="true when the submission was recorded as a follow-up (催办) on `tracking_number`"
    )


class SubmissionPhoneThrottle(SubmissionCallerThrottle):
    """A caller is the phone's keyed hash, read as the repeat check reads it (demands.phones)."""

    def caller(self, request) -> str:
        phone = request.data.get("citizen_phone", "") if hasattr(request.data, "get") else ""
        return phone_hash(str(phone))


class DemandSubmitApi(CitizenApi):
    """Submit a demand. A submission that closely repeats an open demand left with the same phone
    is still taken in, and `repeat_of` names that demand; with `ask_if_repeat` it is refused
    instead (409, code "repeat", with `repeat_of`), and sent again either with `follow_up_of`
    (recorded there as a follow-up, 200) or without `ask_if_repeat` (a new demand). Only the
    number of the earlier demand is ever returned: the phone is the caller's own input."""

    Output = SubmissionOutput
    throttle_classes = [SubmissionPhoneThrottle, SubmissionAddressThrottle]

    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
        content = serializers.CharField(max_length=CONTENT_MAX_LENGTH)
        location_text = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
        urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
        citizen_name = serializers.CharField(max_length=64)
        citizen_phone = serializers.CharField(max_length=32)
        citizen_address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
        community_id = serializers.IntegerField(
            required=False, allow_null=True, default=None, help_text="the community, when the citizen picked one"
        )
        category_hint = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        text_messages = serializers.BooleanField(
            default=True, help_text="send the citizen text messages about the demand (receipt, question, answer)"
        )
        ask_if_repeat = serializers.BooleanField(
            default=False, help_text="refuse (409, code repeat) a close repeat of the phone's open demand"
        )
        follow_up_of = serializers.CharField(
            max_length=32,
            required=False,
            default="",
            allow_blank=True,
            help_text="add the submission as a follow-up (催办) to this open demand it repeats, not as a new demand",
        )

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ask, follow_up_of = fields.pop("ask_if_repeat"), fields.pop("follow_up_of")
        if follow_up_of:
            demand = demand_follow_up(
                tracking_number=follow_up_of,
                citizen_name=fields["citizen_name"],
                citizen_phone=fields["citizen_phone"],
                title=fields["title"],
                content=fields["content"],
                channel=Channel.API,
            )
            body = {"tracking_number": demand.tracking_number, "status": demand.status}
            return Response({**body, "repeat_of": demand.tracking_number, "followed_up": True})
        repeat = open_repeat_of(phone=fields["citizen_phone"], title=fields["title"], content=fields["content"])
        if repeat is not None and ask:
            raise RepeatSubmission(
                _("你已反映过此事：%(number)s") % {"number": repeat.tracking_number},
                extra={"repeat_of": repeat.tracking_number},
            )
        submission = demand_submit(**fields, channel=Channel.API)
        return Response(
            {
                "tracking_number": submission.demand.tracking_number,
                "query_code": submission.query_code,
                "status": submission.demand.status,
                "repeat_of": repeat.tracking_number if repeat else None,
                "followed_up": False,
            },
            status=201,
        )


class RepeatSubmission(IllegalTransition):
    code = "repeat"


class TrackInput(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=32)
    query_code = serializers.CharField(max_length=16)


def _citizen_demand(request: Request, serializer_class: type[serializers.Serializer] = TrackInput):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    demand = demand_for_citizen(
        tracking_number=data.validated_data["tracking_number"], query_code=data.validated_data["query_code"]
    )
    if demand is None:
        raise NotAllowed(_("受理编号或查询码不正确。"))
    return demand, data.validated_data


class CitizenTrackApi(CitizenApi):
    Input = TrackInput
    Output = PublicDemandOutput

    def post(self, request: Request) -> Response:
        demand, _ = _citizen_demand(request)
        return Response(PublicDemandOutput(demand).data)


class CitizenRateApi(CitizenApi):
    Output = PublicDemandOutput

    class Input(TrackInput):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(required=False, default="", allow_blank=True)

    def post(self, request: Request) -> Response:
        demand, data = _citizen_demand(request, self.Input)
        demand = demand_rate(demand=demand, rating=data["rating"], comment=data["comment"])
        return Response(PublicDemandOutput(demand).data)


class CitizenReopenApi(CitizenApi):
    Output = PublicDemandOutput

    class Input(TrackInput):
        reason = serializers.CharField()
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)

    def post(self, request: Request) -> Response:
        demand, data = _citizen_demand(request, self.Input)
        demand = demand_reopen(demand=demand, reason=data["reason"], rating=data.get("rating"))
        return Response(PublicDemandOutput(demand).data)


class CitizenSupplementApi(CitizenApi):
    """The citizen's answer when the handling department asked for more information."""

    Output = PublicDemandOutput

    class Input(TrackInput):
        answer = serializers.CharField(max_length=2000)

    def post(self, request: Request) -> Response:
        demand, data = _citizen_demand(request, self.Input)
        demand = info_request_answer(demand=demand, answer=data["answer"])
        return Response(PublicDemandOutput(demand).data)


# --- Staff: demands -----------------------------------------------------------------------------


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


# --- Staff: assignments -------------------------------------------------------------------------


class AssignmentListApi(SignedInApi, generics.ListAPIView):
    serializer_class = AssignmentOutput

    def get_queryset(self):
        return department_inbox(self.request.user, open_only=self.request.query_params.get("all") != "1")


class AssignmentActionApi(SignedInApi):
    """A department's action on one of its own assignments; another department's is a 404."""

    Input: type[serializers.Serializer] | None = None
    Output = AssignmentOutput

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        raise NotImplementedError

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        assignment = assignment_for_user(request.user, assignment_id)
        if assignment is None:
            return Response({"detail": "Not found."}, status=404)
        validated: dict[str, Any] = {}
        if self.Input is not None:
            data = self.Input(data=request.data)
            data.is_valid(raise_exception=True)
            validated = data.validated_data
        self.act(assignment, validated)
        assignment.refresh_from_db()
        return Response(AssignmentOutput(assignment).data)


class AssignmentSignApi(AssignmentActionApi):
    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_sign(assignment_id=assignment.pk, actor=self.request.user)


class AssignmentReplyApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        body = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_reply(assignment_id=assignment.pk, actor=self.request.user, body=data["body"])


class AssignmentContributeApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        body = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_contribute(assignment_id=assignment.pk, actor=self.request.user, body=data["body"])


class AssignmentReturnApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        reason_code = serializers.ChoiceField(choices=ReturnReason.choices)
        reason = serializers.CharField()
        suggested_department_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return assignment_return(assignment_id=assignment.pk, actor=self.request.user, **data)


class AssignmentExtensionApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        extra_days = serializers.DecimalField(max_digits=4, decimal_places=1)
        reason = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return extension_request(assignment_id=assignment.pk, actor=self.request.user, **data)


class AssignmentAskCitizenApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        question = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return info_request_ask(assignment_id=assignment.pk, actor=self.request.user, question=data["question"])


class AssignmentStopWaitingApi(AssignmentActionApi):
    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        return info_request_withdraw(assignment_id=assignment.pk, actor=self.request.user)


class AssignmentSupervisionAnswerApi(AssignmentActionApi):
    class Input(serializers.Serializer):
        response = serializers.CharField()

    def act(self, assignment: Assignment, data: dict[str, Any]) -> object:
        supervision = Supervision.objects.filter(assignment=assignment).first()
        if supervision is None:
            raise IllegalTransition(_("该派单没有督办。"))
        return supervision_answer(supervision_id=supervision.pk, actor=self.request.user, response=data["response"])


class AssignmentReleaseApi(SignedInApi):
    Output = AssignmentOutput

    class Input(serializers.Serializer):
        reason = serializers.CharField()

    def post(self, request: StaffApiRequest, assignment_id: int) -> Response:
        if not has_role(request.user, *DISPATCH_ROLES):
            raise NotAllowed(_("只有分拨员可以解除协办。"))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_release(
            assignment_id=assignment_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(AssignmentOutput(assignment).data)
