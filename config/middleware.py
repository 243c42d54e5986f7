from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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
