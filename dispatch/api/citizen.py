"""Citizens submit and follow their demand without an account: the query code, sent in the body and
never in the URL, is the proof."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from config.throttle import (
    CitizenThrottle,
    SourceSystemThrottle,
    SubmissionAddressThrottle,
    SubmissionCallerThrottle,
)
from demands.models import (
    CONTENT_MAX_LENGTH,
    HIGHEST_RATING,
    LOWEST_RATING,
    TITLE_MAX_LENGTH,
    Channel,
    DemandType,
)
from demands.models.sources import SOURCE_REFERENCE_MAX_LENGTH
from demands.phones import phone_hash
from demands.selectors import demand_for_citizen
from demands.services import demand_rate, demand_submit
from dispatch.api.idempotency import IdempotentCreate
from dispatch.api.outputs import (
    PublicDemandOutput,
)
from dispatch.api.sources import SourceSystemAuthentication, source_of
from dispatch.duplicates import open_repeat_of
from dispatch.services import (
    demand_follow_up,
    demand_reopen,
    info_request_answer,
)
from responsibility_lists.models import Urgency


class CitizenApi(IdempotentCreate, APIView):
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

    output_statuses = (200, 201)  # a follow-up to an open demand adds to it: 200
    Output = SubmissionOutput
    # A source system (the city's 12345 platform, an app) names itself with its key; a citizen
    # sends none.
    authentication_classes = [SourceSystemAuthentication]
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
        latitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=Decimal("-90"),
            max_value=Decimal("90"),
            required=False,
            allow_null=True,
            default=None,
            help_text="where it happens, WGS84 latitude (with longitude); places the demand in its community",
        )
        longitude = serializers.DecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=Decimal("-180"),
            max_value=Decimal("180"),
            required=False,
            allow_null=True,
            default=None,
            help_text="where it happens, WGS84 longitude (with latitude)",
        )
        category_hint = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        demand_type = serializers.ChoiceField(
            choices=DemandType.choices,
            required=False,
            default=DemandType.UNKNOWN,
            allow_blank=True,
            help_text="question 咨询, help 求助, complaint 投诉, report 举报, suggestion 建议 or praise 表扬; "
            "blank leaves it to the dispatcher",
        )
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
        attachments = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            default=list,
            help_text="photos or documents (multipart/form-data), checked as the web form checks them",
        )
        source_reference = serializers.CharField(
            max_length=SOURCE_REFERENCE_MAX_LENGTH,
            required=False,
            default="",
            allow_blank=True,
            help_text="a source system's own number for the case; one demand per number (409 names the first)",
        )
        upstream_deadline = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="for a case a higher platform hands down (上级转办): its deadline, which bounds ours",
        )

    def get_throttles(self):
        if source_of(self.request) is not None:
            return [SourceSystemThrottle()]
        return super().get_throttles()

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        source = source_of(request)
        if source is None and (fields["source_reference"] or fields["upstream_deadline"]):
            raise NotAllowed(_("只有来源系统（凭密钥）可以提交来源编号和上级办理期限。"))
        ask, follow_up_of = fields.pop("ask_if_repeat"), fields.pop("follow_up_of")
        latitude, longitude = fields.pop("latitude"), fields.pop("longitude")
        if (latitude is None) != (longitude is None):
            raise ValidationFailed(
                _("纬度和经度须同时提供。"), extra={"fields": {"point": _("纬度和经度须同时提供。")}}
            )
        point = (latitude, longitude) if latitude is not None and longitude is not None else None
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
        submission = demand_submit(**fields, channel=Channel.API, source=source, point=point)
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
        rating = serializers.IntegerField(min_value=LOWEST_RATING, max_value=HIGHEST_RATING)
        comment = serializers.CharField(required=False, default="", allow_blank=True)

    def post(self, request: Request) -> Response:
        demand, data = _citizen_demand(request, self.Input)
        demand = demand_rate(demand=demand, rating=data["rating"], comment=data["comment"])
        return Response(PublicDemandOutput(demand).data)


class CitizenReopenApi(CitizenApi):
    Output = PublicDemandOutput

    class Input(TrackInput):
        reason = serializers.CharField()
        rating = serializers.IntegerField(min_value=LOWEST_RATING, max_value=HIGHEST_RATING, required=False)

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
