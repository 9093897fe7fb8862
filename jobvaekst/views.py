"""Pages of the site itself: login, the accessibility statement and the health check."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("jobvaekst.health")


class LoginView(auth_views.LoginView):
    """Django's login, plus the single-sign-on button when SSO is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            sso_enabled=settings.OIDC_ENABLED, sso_label=settings.OIDC_LOGIN_LABEL, **kwargs
        )


@login_not_required
@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    ctx = {"contact": settings.ACCESSIBILITY_CONTACT}
    return render(request, "accessibility.html", ctx)


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the type says why
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": True, "mode": "eager"}  # the embedded default: no broker to reach
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # any failure means "down"; the type says why
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_workers() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager"}
    from jobvaekst.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # any failure means "no answer"; the type says why
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": bool(replies), "workers": len(replies)}


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and at least one worker answer; 503 otherwise.

    Saves never depend on the broker or the worker, so those only make the status
    "degraded"; without the database the application is down.
    """
    checks = {"database": _check_database()}
    checks["broker"] = _check_broker() if checks["database"]["ok"] else {"ok": None}
    checks["workers"] = _check_workers() if checks["broker"].get("ok") else {"ok": False}
    if not checks["database"]["ok"]:
        status = "down"
    elif all(c.get("ok") for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    if status != "ok":
        logger.warning("health %s: %s", status, checks)
    return JsonResponse({"status": status, "checks": checks}, status=200 if status == "ok" else 503)
