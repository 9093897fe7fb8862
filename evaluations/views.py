from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from initiatives.access import AuthenticatedHttpRequest, programme_for_user, programmes_for_user

from . import services
from .forms import AssessmentForm, ParameterScoreForm, score_levels
from .models import Assessment, ImplementationParameter, ParameterScore, ScoreSnapshot


@require_safe
def assessment_index(request: HttpRequest) -> HttpResponse:
    """The assessments of the user's programme; a choice when they have several."""
    programmes = list(programmes_for_user(request.user).order_by("name"))
    if len(programmes) == 1:
        return redirect("evaluations:assessments", programme=programmes[0].slug)
    return render(request, "evaluations/programme_choice.html", {"programmes": programmes})


@require_safe
def assessment_list(request: HttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    assessments = (
        Assessment.objects.filter(programme=prog)
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=ParameterScore.objects.select_related("parameter", "initiative"),
            ),
            Prefetch("snapshots", queryset=ScoreSnapshot.objects.select_related("initiative")),
        )
        .order_by("-date")
    )
    ctx = {
        "programme": prog,
        "assessments": assessments,
        "may_record": request.user.has_perm("evaluations.record_scores", prog),
    }
    return render(request, "evaluations/assessment_list.html", ctx)


@require_http_methods(["GET", "POST"])
def assessment_new(request: AuthenticatedHttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    if not request.user.has_perm("evaluations.record_scores", prog):
        raise PermissionDenied("Kun programlederen kan registrere vurderinger.")
    levels = score_levels()
    parameters = list(ImplementationParameter.objects.filter(active=True).order_by("order"))
    data = request.POST if request.method == "POST" else None
    form = AssessmentForm(data, programme=prog)
    score_forms = [
        ParameterScoreForm(data, prefix=f"p{p.pk}", parameter=p, levels=levels) for p in parameters
    ]
    if data is not None and form.is_valid() and all(f.is_valid() for f in score_forms):
        services.assessment_record(
            programme=prog,
            user=request.user,
            title=form.cleaned_data["title"],
            date=form.cleaned_data["date"],
            assessor=form.cleaned_data["assessor"],
            kind=form.cleaned_data["kind"],
            initiative=form.cleaned_data["initiative"],
            scores=[
                (f.parameter, f.cleaned_data["score"], f.cleaned_data["justification"])
                for f in score_forms
            ],
        )
        messages.success(request, "Vurderingen er gemt.")
        return redirect("evaluations:assessments", programme=prog.slug)
    has_errors = data is not None and (form.errors or any(f.errors for f in score_forms))
    ctx = {"programme": prog, "form": form, "score_forms": score_forms, "has_errors": has_errors}
    return render(
        request, "evaluations/assessment_form.html", ctx, status=400 if has_errors else 200
    )
