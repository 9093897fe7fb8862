from __future__ import annotations

import logging
import time

from django.apps import AppConfig

logger = logging.getLogger("jobvaekst.auth")


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


def _logged_in(sender, request, user, **kwargs) -> None:
    # Django has already given the session a new key (no session fixation); note when, for
    # the 12-hour limit in SessionLifetimeMiddleware.
    if request is not None and hasattr(request, "session"):
        request.session["login_at"] = request.session["seen_at"] = time.time()
    logger.info("login: user=%s ip=%s", user.pk, _ip(request))


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in `credentials`; only the username is logged. A failed
    # single sign-on has no username (its reason is logged by jobvaekst.sso).
    if "username" not in credentials:
        logger.warning("login failed: sso ip=%s", _ip(request))
        return
    logger.warning("login failed: username=%r ip=%s", credentials.get("username"), _ip(request))


def _logged_out(sender, request, user, **kwargs) -> None:
    logger.info("logout: user=%s ip=%s", getattr(user, "pk", None), _ip(request))


class JobvaekstConfig(AppConfig):
    name = "jobvaekst"
    verbose_name = "Jobvækst monitor"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        user_logged_in.connect(_logged_in, dispatch_uid="jobvaekst-login")
        user_login_failed.connect(_login_failed, dispatch_uid="jobvaekst-login-failed")
        user_logged_out.connect(_logged_out, dispatch_uid="jobvaekst-logout")
