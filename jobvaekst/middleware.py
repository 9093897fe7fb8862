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


class SessionLifetimeMiddleware:
    """Idle and absolute session limits (ASVS 3.3.2 and 3.3.4).

    - Idle: the session's expiry is SESSION_COOKIE_AGE (30 minutes) from its last save;
      a request saves it again when the last refresh is older than
      SESSION_REFRESH_SECONDS, so activity keeps it alive without a write per page.
    - Absolute: 12 hours after login the session ends, however active. The login time
      is stored at login (see apps.py).
    """

    KEY = "login_at"
    SEEN = "seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        import time

        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect, resolve_url

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(self.KEY)
            limit = settings.SESSION_ABSOLUTE_SECONDS
            if started is None or time.time() - started > limit:
                logout(request)  # also flushes the session
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # the API answers 401 itself
                messages.info(request, "Du er logget ud, fordi du har været logget ind i 12 timer.")
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
            now = time.time()
            if now - request.session.get(self.SEEN, 0) > settings.SESSION_REFRESH_SECONDS:
                request.session[self.SEEN] = now  # modified: saved with a fresh expiry
        return self.get_response(request)
