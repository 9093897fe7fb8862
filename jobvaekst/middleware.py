"""Small middleware of our own."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Danish unless the user has chosen another language (the set_language cookie).

    Django's LocaleMiddleware also follows the browser's Accept-Language. A municipal
    employee with an English browser would then get English number formats (4,000,000)
    around Danish text, so the browser's wish is ignored: see docs/decisions.md.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
