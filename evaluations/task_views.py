"""Mine opgaver: where everyone lands after logging in."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from initiatives.access import AuthenticatedHttpRequest, programmes_for_user

from . import selectors


@require_safe
def my_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A tovholder's reports to write or fix, a programleder's reports to review, missing
    reports and rounds to open, and for everyone the newest committee editions."""
    programmes = programmes_for_user(request.user)
    tasks = selectors.tasks_for(
        user=request.user, programmes=programmes, today=timezone.localdate()
    )
    ctx = {"tasks": tasks, "programmes": list(programmes)}
    return render(request, "evaluations/my_tasks.html", ctx)
