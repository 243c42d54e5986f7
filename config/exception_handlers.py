"""One error body on the whole API (/api/v1/): `{"code": ..., "detail": ...}`, and for a request
that does not validate `"fields": {field: [messages]}` beside them. Domain errors (config.errors)
add what they carry (`extra`); a refused token, a missing permission, a throttle, a 404 and a 405
read the same way. Open311 answers GeoReport's own error list (dispatch.open311.views)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from config.errors import DomainError


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for inner in detail.values():
            if found := _first_message(inner):
                return found
        return ""
    if isinstance(detail, list):
        for inner in detail:
            if found := _first_message(inner):
                return found
        return ""
    return str(detail)


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    """The body of an API refusal that is not a domain error."""
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
        return {"code": "invalid", "detail": _first_message(detail), "fields": fields}
    code = getattr(exc.detail, "code", None) or exc.default_code
    body: dict[str, Any] = {"code": str(code), "detail": _first_message(exc.detail)}
    if isinstance(exc, exceptions.Throttled) and (wait := getattr(exc, "wait", None)) is not None:
        body["retry_after"] = int(wait)
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API refusal: a server error, raised on
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response.data = error_body(exc)
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 (a URL no pattern takes, such as /api/v1/assignments/-1/): the API's error
    body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("没有找到。")}, status=404)
    return defaults.page_not_found(request, exception)
