"""Managing an initiative's targets. The initiative page itself, which shows the
computed figures, is ``evaluations.initiative_views``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from . import selectors, services
from .access import AuthenticatedHttpRequest, initiative_for_user
from .forms import TargetForm
from .models import Target


@require_http_methods(["GET", "POST"])
def target_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int | None = None
) -> HttpResponse:
    initiative = initiative_for_user(request, slug)
    if not request.user.has_perm("initiatives.manage_targets", initiative):
        raise PermissionDenied("Kun programlederen kan oprette og ændre mål.")
    target = (
        get_object_or_404(Target, pk=pk, initiative=initiative)
        if pk is not None
        else Target(initiative=initiative)
    )
    needs_reason = target.pk is not None and target.updates.exists()
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        instance=target,
        needs_reason=needs_reason,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_save(
                target=form.save(commit=False),
                user=request.user,
                phases=form.cleaned_data["phases_text"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Målet er gemt; tallene genberegnes.")
            return redirect(initiative)
    ctx = {"initiative": initiative, "form": form, "target": target, "needs_reason": needs_reason}
    status = 400 if request.method == "POST" else 200
    return render(request, "initiatives/target_form.html", ctx, status=status)


@require_safe
def target_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_for_user(request, slug)
    target = get_object_or_404(Target, pk=pk, initiative=initiative)
    ctx = {
        "initiative": initiative,
        "target": target,
        "entries": selectors.target_history(target=target),
    }
    return render(request, "initiatives/target_history.html", ctx)
