from django.conf import settings
from django.utils import translation


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
