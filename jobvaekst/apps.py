from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

logger = logging.getLogger("jobvaekst.auth")


def _ip(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


def _logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # Django has already given the session a new key (no session fixation); note when, for
    # the 12-hour limit in SessionLifetimeMiddleware.
    if request is not None and hasattr(request, "session"):
        request.session["login_at"] = request.session["seen_at"] = time.time()
    logger.info("login: user=%s ip=%s", user.pk, _ip(request))


def _login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django masks the password in `credentials`; only the username is logged. A failed
    # single sign-on has no username (its reason is logged by jobvaekst.sso).
    if "username" not in credentials:
        logger.warning("login failed: sso ip=%s", _ip(request))
        return
    logger.warning("login failed: username=%r ip=%s", credentials.get("username"), _ip(request))


def _logged_out(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    logger.info("logout: user=%s ip=%s", getattr(user, "pk", None), _ip(request))


class JobvaekstConfig(AppConfig):
    name = "jobvaekst"
    verbose_name = "Jobvækst monitor"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        user_logged_in.connect(_logged_in, dispatch_uid="jobvaekst-login")
        user_login_failed.connect(_login_failed, dispatch_uid="jobvaekst-login-failed")
        user_logged_out.connect(_logged_out, dispatch_uid="jobvaekst-logout")
