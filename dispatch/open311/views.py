"""The GeoReport v2 operations. Reading is open to anyone, as the specification means it to be;
submitting needs a source system's `api_key` (demands.sources), whose channel the demand records.
Every answer is JSON or XML by the URL's suffix; a refusal is the specification's error list."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.throttle import SourceSystemThrottle
from demands.models import TITLE_MAX_LENGTH, Demand, DemandType, SourceSystem
from demands.services import demand_submit
from demands.sources import source_system_for_key
from dispatch.api.idempotency import IdempotentCreate
from dispatch.open311 import representation, schemas
from dispatch.open311.renderers import Open311JSONRenderer, Open311XMLRenderer
from responsibility_lists.models import Matter, Urgency
from responsibility_lists.selectors import matters_of, version_in_force

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# GET requests: the default window and the widest one asked for, and the rows per answer.
WINDOW = timedelta(days=90)
PAGE_ROWS = 1000
FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["json", "xml"], description="answer in JSON or XML"
)
API_KEY = OpenApiParameter(
    "api_key", OpenApiTypes.STR, description="optional; the sending system reads its own demands' description and place"
)
JURISDICTION = OpenApiParameter(
    "jurisdiction_id", OpenApiTypes.STR, description="optional; when given, this district's (OPEN311_JURISDICTION_ID)"
)


class _Refused(exceptions.APIException):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status_code = status


class ApiKeyInBody(BaseAuthentication):
    """GeoReport's `api_key` parameter (in the body or the query) names the source system."""

    def authenticate(self, request: Request) -> tuple[Any, SourceSystem] | None:
        key = request.data.get("api_key") or request.query_params.get("api_key")
        if not key:
            return None
        system = source_system_for_key(str(key))
        if system is None:
            raise _Refused(403, _("api_key 无效或已停用。"))
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), system


class ApiKeyInBodyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyInBody
    name = "Open311ApiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "query",
            "name": "api_key",
            "description": "A source system's key, in the query or as a field of the body (GeoReport v2).",
        }


class Open311View(APIView):
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    authentication_classes: list = []
    permission_classes = [AllowAny]
    xml_root = "response"
    xml_item = "item"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        asked = request.query_params.get("jurisdiction_id") or request.data.get("jurisdiction_id")
        if asked and asked != settings.OPEN311_JURISDICTION_ID:
            raise _Refused(404, _("jurisdiction_id %(asked)s 不是本区。") % {"asked": asked})

    def handle_exception(self, exc: Exception) -> Response:
        """Every refusal as GeoReport's error list: [{code, description}]."""
        if isinstance(exc, Http404):
            exc = _Refused(404, _("没有找到。"))
        if isinstance(exc, DomainError):
            errors = [{"code": exc.status_code, "description": exc.message}]
            status = exc.status_code
        elif isinstance(exc, exceptions.ValidationError):
            status = 400
            errors = [{"code": 400, "description": f"{field}: {message}"} for field, message in _messages(exc.detail)]
        elif isinstance(exc, exceptions.APIException):
            status = exc.status_code
            errors = [{"code": status, "description": str(exc.detail)}]
        else:
            return super().handle_exception(exc)
        response = Response(errors, status=status)
        if wait := getattr(exc, "wait", None):
            response["Retry-After"] = str(int(wait))
        return response


def _messages(detail: Any, field: str = "") -> list[tuple[str, str]]:
    if isinstance(detail, dict):
        return [pair for key, inner in detail.items() for pair in _messages(inner, str(key))]
    if isinstance(detail, list):
        return [pair for inner in detail for pair in _messages(inner, field)]
    return [(field or "request", str(detail))]


def _services() -> QuerySet[Matter]:
    version = version_in_force()
    if version is None:
        return Matter.objects.none()
    return matters_of(version)


class DiscoveryView(Open311View):
    xml_root = "discovery"

    @extend_schema(
        parameters=[FORMAT],
        responses=schemas.Discovery,
        summary="GeoReport v2 service discovery",
        operation_id="open311_discovery",
    )
    def get(self, request: Request, format: str) -> Response:
        version = version_in_force()
        changeset = representation.w3c(version.published_at if version else None)
        return Response(
            {
                "changeset": changeset,
                "contact": settings.OPEN311_CONTACT,
                "key_service": _("来源系统的 api_key 由平台管理员登记发放（manage.py create_source_system）。"),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": request.build_absolute_uri("/open311/v2"),
                        "changeset": changeset,
                        "type": "production",
                        "formats": ["application/json", "text/xml"],
                    }
                ],
            }
        )


class ServicesView(Open311View):
    xml_root, xml_item = "services", "service"

    @extend_schema(
        parameters=[FORMAT, JURISDICTION],
        responses=schemas.Service(many=True),
        summary="GeoReport v2 services",
        operation_id="open311_services_list",
    )
    def get(self, request: Request, format: str) -> Response:
        return Response([representation.service(matter) for matter in _services()])


class ServiceDefinitionView(Open311View):
    xml_root = "service_definition"

    @extend_schema(
        parameters=[FORMAT, JURISDICTION],
        responses=schemas.ServiceDefinition,
        summary="GeoReport v2 service definition",
        operation_id="open311_service_definition",
    )
    def get(self, request: Request, service_code: str, format: str) -> Response:
        matter = _services().filter(code=service_code).first()
        if matter is None:
            raise _Refused(404, _("没有编码为 %(code)s 的事项。") % {"code": service_code})
        return Response(representation.service_definition(matter))


class RequestsView(IdempotentCreate, Open311View):
    """GET: the demands, newest first; POST: a new one, from a source system."""

    xml_root, xml_item = "service_requests", "request"

    authentication_classes = [ApiKeyInBody]

    def get_throttles(self):
        return [SourceSystemThrottle()] if isinstance(getattr(self.request, "auth", None), SourceSystem) else []

    @extend_schema(
        parameters=[
            FORMAT,
            JURISDICTION,
            OpenApiParameter(
                "service_request_id", OpenApiTypes.STR, description="ids, comma separated; overrides the rest"
            ),
            OpenApiParameter("service_code", OpenApiTypes.STR, description="service codes, comma separated"),
            OpenApiParameter("start_date", OpenApiTypes.DATETIME, description="earliest requested_datetime"),
            OpenApiParameter(
                "end_date",
                OpenApiTypes.DATETIME,
                description="latest requested_datetime (at most 90 days after start_date)",
            ),
            OpenApiParameter("status", OpenApiTypes.STR, description="open, closed or both, comma separated"),
            OpenApiParameter("page", OpenApiTypes.INT, description="1000 rows a page; the Link header names the next"),
        ],
        responses=schemas.ServiceRequest(many=True),
        summary="GeoReport v2 service requests",
        operation_id="open311_requests_list",
    )
    def get(self, request: Request, format: str) -> Response:
        params = request.query_params
        demands = _demands().order_by("-submitted_at", "-pk")
        if ids := _split(params.get("service_request_id")):
            demands = demands.filter(tracking_number__in=ids)
        else:
            demands = _filtered(demands, params)
        page = _page_number(params.get("page"))
        rows = list(demands[(page - 1) * PAGE_ROWS : page * PAGE_ROWS + 1])
        response = Response([_request_of(demand, request) for demand in rows[:PAGE_ROWS]])
        if len(rows) > PAGE_ROWS:
            following = params.copy()
            following["page"] = str(page + 1)
            response["Link"] = f'<{request.build_absolute_uri(request.path)}?{following.urlencode()}>; rel="next"'
        return response

    @extend_schema(
        parameters=[FORMAT],
        request=schemas.ServiceRequestInput,
        responses={201: schemas.Created(many=True)},
        summary="GeoReport v2 create a service request",
        operation_id="open311_requests_create",
    )
    def post(self, request: Request, format: str) -> Response:
        if not isinstance(request.auth, SourceSystem):
            raise _Refused(403, _("提交诉求须带来源系统的 api_key。"))
        data = schemas.ServiceRequestInput(data=_with_attributes(request.data))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        matter = _services().filter(code=fields["service_code"]).first()
        if matter is None:
            raise _Refused(400, _("service_code %(code)s 不是现行清单的事项。") % {"code": fields["service_code"]})
        point = _point(fields.get("lat"), fields.get("long"))
        place = fields.get("address_string", "").strip() or fields.get("address_id", "").strip()
        if point is None and not place:
            raise _Refused(400, _("请给出位置：lat 和 long，或 address_string，或 address_id。"))
        description = fields["description"].strip()
        submission = demand_submit(
            title=_title(description, matter),
            content=description,
            citizen_name=f"{fields.get('last_name', '')}{fields.get('first_name', '')}".strip(),
            citizen_phone=fields.get("phone", ""),
            location_text=place,
            urgency=fields.get("urgency") or Urgency.NORMAL,
            demand_type=fields.get("demand_type") or DemandType.UNKNOWN,
            category_hint=matter.name,
            source=request.auth,
            point=point,
            media_url=fields.get("media_url", ""),
            requested_service_code=matter.code,
        )
        demand = submission.demand
        notice = _("已受理，受理编号 %(number)s；群众将收到短信查询码。") % {"number": demand.tracking_number}
        return Response(
            [{"service_request_id": demand.tracking_number, "service_notice": notice, "account_id": None}], status=201
        )


class RequestView(Open311View):
    xml_root, xml_item = "service_requests", "request"
    authentication_classes = [ApiKeyInBody]

    @extend_schema(
        parameters=[FORMAT, JURISDICTION, API_KEY],
        responses=schemas.ServiceRequest(many=True),
        summary="GeoReport v2 one service request",
        operation_id="open311_request_retrieve",
    )
    def get(self, request: Request, service_request_id: str, format: str) -> Response:
        demand = _demands().filter(tracking_number=service_request_id).first()
        if demand is None:
            raise _Refused(404, _("没有受理编号为 %(number)s 的诉求。") % {"number": service_request_id})
        return Response([_request_of(demand, request)])


class TokenView(Open311View):
    xml_root, xml_item = "service_requests", "request"

    @extend_schema(
        parameters=[FORMAT, JURISDICTION],
        responses=schemas.Token(many=True),
        summary="GeoReport v2 request id from a token",
        operation_id="open311_token_retrieve",
    )
    def get(self, request: Request, token: str, format: str) -> Response:
        # Requests are taken in at once (type "realtime"): POST answers with the id itself, and no
        # token is ever handed out.
        raise _Refused(404, _("没有这个 token：本平台实时受理，提交时即返回受理编号。"))


def _demands() -> QuerySet[Demand]:
    return Demand.objects.select_related("matter", "lead_department", "street", "community")


def _request_of(demand: Demand, request: Request) -> dict[str, Any]:
    own = isinstance(request.auth, SourceSystem) and demand.source_system_id == request.auth.pk
    return representation.service_request(demand, own=own)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise _Refused(400, _("%(name)s 须为W3C时间格式，如 2026-01-01T00:00:00Z。") % {"name": name})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _filtered(demands: QuerySet[Demand], params: Any) -> QuerySet[Demand]:
    start, end = _moment(params.get("start_date"), "start_date"), _moment(params.get("end_date"), "end_date")
    if start and end and end - start > WINDOW:
        raise _Refused(400, _("start_date 与 end_date 相隔不能超过90天。"))
    if start and end is None:
        end = start + WINDOW
    if end and start is None:
        start = end - WINDOW
    if start is None and end is None:
        end = timezone.now()
        start = end - WINDOW
    demands = demands.filter(submitted_at__gte=start, submitted_at__lte=end)
    if codes := _split(params.get("service_code")):
        demands = demands.filter(Q(matter__code__in=codes) | Q(matter__isnull=True, requested_service_code__in=codes))
    statuses = set(_split(params.get("status")))
    if statuses - {"open", "closed"}:
        raise _Refused(400, _("status 只能是 open 或 closed。"))
    if statuses == {"open"}:
        demands = demands.exclude(status__in=representation.CLOSED_STATUSES)
    elif statuses == {"closed"}:
        demands = demands.filter(status__in=representation.CLOSED_STATUSES)
    return demands


def _page_number(value: str | None) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        page = 0
    if not 1 <= page <= 100_000:
        raise _Refused(400, _("page 须为正整数。"))
    return page


def _with_attributes(data: Any) -> dict[str, Any]:
    """GeoReport sends attributes as attribute[code]=value form fields."""
    plain = {key: data.get(key) for key in data}
    for code, _label, _choices in representation.ATTRIBUTES:
        if f"attribute[{code}]" in plain:
            plain[code] = plain.pop(f"attribute[{code}]")
    return plain


def _point(lat: Any, long: Any) -> tuple[Decimal, Decimal] | None:
    if lat in (None, "") and long in (None, ""):
        return None
    try:
        step = Decimal("0.000001")
        return Decimal(str(lat)).quantize(step), Decimal(str(long)).quantize(step)
    except (InvalidOperation, TypeError) as error:
        raise _Refused(400, _("lat 和 long 须同时给出，且为数字。")) from error


def _title(description: str, matter: Matter) -> str:
    first = description.replace("\n", " ").split("。")[0].strip()
    return (first or matter.name)[:TITLE_MAX_LENGTH]
