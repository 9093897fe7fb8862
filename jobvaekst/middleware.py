"""Small middleware of our own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

if TYPE_CHECKING:
    from django.http import HttpResponse, HttpResponseBase

    GetResponse = Callable[[HttpRequest], HttpResponseBase]


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

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
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


# --- The database is unreachable: a Danish 503, not a bare 500 ----------------------------

DATABASE_UNAVAILABLE = "Databasen er midlertidigt utilgængelig. Prøv igen om lidt."
_UNAVAILABLE_ATTR = "_jobvaekst_database_unavailable"


def _database_error(exc: BaseException | None) -> bool:
    """``exc``, or an exception it was raised from or during, is a lost/refused connection."""
    from django.db import InterfaceError, OperationalError

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _note_database_error(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception: remember on the request that the database failed it."""
    import sys

    if request is not None and _database_error(sys.exc_info()[1]):
        setattr(request, _UNAVAILABLE_ATTR, True)


class DatabaseUnavailableMiddleware:
    """Turn a 500 caused by an unreachable database into a Danish 503 with Retry-After.

    During a PostgreSQL restart or failover, requests fail with OperationalError (the
    server refuses connections, or is "starting up") or InterfaceError (the connection
    was closed under us). Django answers those with its bare English "Server Error
    (500)". The user should instead read that this is temporary and to try again, and a
    proxy or monitor should see 503 with Retry-After.

    Django turns an exception into a 500 response at the layer that raised it (a view,
    or a middleware such as the session or login one, which also read the database), so
    the exception never reaches an outer middleware. Every such conversion sends
    ``got_request_exception`` while the exception is being handled; the receiver marks
    the request, and this middleware, placed near the top of MIDDLEWARE, replaces the
    marked 500. Django has logged the error with its traceback by then, as for any 500.

    SQLite also raises OperationalError for a locked database; that is transient too.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response: GetResponse) -> None:
        from django.core.signals import got_request_exception

        self.get_response = get_response
        got_request_exception.connect(
            _note_database_error, dispatch_uid="jobvaekst.database_unavailable"
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _UNAVAILABLE_ATTR, False):
            return self.unavailable(request, response)
        return response

    def unavailable(self, request: HttpRequest, failed: HttpResponseBase) -> HttpResponse:
        from django.http import HttpResponse, JsonResponse
        from django.template.loader import render_to_string
        from django.utils.html import escape

        response: HttpResponse
        html: str
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
        else:
            try:
                # No request: context processors would read the user, i.e. the database.
                html = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
            except Exception:  # the page must be shown whatever else is broken
                html = f'<!DOCTYPE html><html lang="da"><p>{escape(DATABASE_UNAVAILABLE)}</p>'
            response = HttpResponse(html, status=503)
        # Keep what the inner middleware set on the 500 (CSP, X-Frame-Options, ...).
        for header, value in failed.items():
            if header.lower() not in {"content-type", "content-length"}:
                response.headers.setdefault(header, value)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
