from django.conf import settings
from django.http import HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from config.uploads import request_max_bytes, too_large_message


class ChosenLanguageMiddleware:
    """Chinese first: pages are in the language the person picked with the switch (kept in the
    language cookie), never guessed from the browser's Accept-Language, which on many office
    machines says English although their users read Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = dict(settings.LANGUAGES)

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Every page, file and API answer the application itself serves is `no-store`: most carry a
    citizen's details or a case (staff pages, tracking pages, attachments, exports, the API), and a
    list of the ones that do would let a new view slip through. Browsers and proxies then keep no
    copy on a shared office computer or in a cache along the way. Static files are served before
    this runs (WhiteNoise, or runserver's static handler) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class NulCookiesMiddleware:
    """Reads a cookie holding NUL as absent, as a cookie the server never set. Before the session
    middleware: a forged session id holding NUL would otherwise fail the session's own query
    (PostgreSQL cannot compare text holding NUL) on every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value for name, value in request.COOKIES.items() if "\x00" not in name and "\x00" not in value
            }
        return self.get_response(request)


class InputLimitsMiddleware:
    """Refuses, before any view runs, input that no view could take: a body longer than the upload
    limits allow (413, without reading it) and NUL characters in the path, the query string or
    form fields (400). PostgreSQL cannot store or compare text holding NUL, so such a value would
    end in a server error wherever it reached a query; forms already refuse it field by field,
    but query parameters and path segments go to the database unchecked."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_bytes():
            message = _("提交的内容过大：%(limit)s请减少或压缩附件后重新提交。") % {"limit": too_large_message()}
            return refused(request, message, status=413)
        if self._has_nul(request):
            return refused(request, _("请求中含有不允许的空字符（NUL），请删除后重试。"), status=400)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if "\x00" in request.path_info or _nul_in(request.GET):
            return True
        return request.content_type in self.FORM_TYPES and _nul_in(request.POST)


def _nul_in(query: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def refused(request, message: str, *, status: int) -> HttpResponse:
    """A refusal in the form the caller reads: JSON like the API's own errors, else a page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "invalid", "detail": message}, status=status)
    return HttpResponse(render_to_string("request_refused.html", {"message": message}), status=status)
