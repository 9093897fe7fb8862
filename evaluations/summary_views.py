"""Printable committee summaries (/udskrift/): print view, PDF and frozen editions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from initiatives.access import AuthenticatedHttpRequest, programme_for_user, programmes_for_user
from initiatives.models import Initiative, Programme, ReportingRound

from . import services, summaries
from .dashboards import chosen_round, shown_rounds
from .models import Edition


@require_safe
def summary_index(request: HttpRequest) -> HttpResponse:
    programmes = list(programmes_for_user(request.user).order_by("name"))
    if len(programmes) == 1:
        return redirect("summaries:list", programme=programmes[0].slug)
    return render(request, "evaluations/summary_choice.html", {"programmes": programmes})


class EditionChoiceField(forms.ModelChoiceField):
    """An edition named by number, title, committee and date, as Django documents: by
    overriding label_from_instance (typed, where assigning a lambda to the instance is not)."""

    def label_from_instance(self, obj: Edition) -> str:
        return f"#{obj.pk} {obj.title} – {obj.get_committee_display()} {obj.meeting_date:%d.%m.%Y}"


class PublishForm(forms.Form):
    scope = forms.ChoiceField(label="Opsamling")
    runde = forms.ChoiceField(label="Runde")
    committee = forms.ChoiceField(label="Udvalg", choices=Edition.Committee.choices)
    meeting_date = forms.DateField(
        label="Mødedato",
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        help_text="Skriv datoen som 15.05.2018.",
        error_messages={
            "required": "Skriv mødets dato.",
            "invalid": "Skriv datoen som dd.mm.åååå, fx 15.05.2018.",
        },
    )
    supersedes = EditionChoiceField(
        label="Erstatter tidligere udgave",
        queryset=Edition.objects.none(),
        required=False,
        empty_label="Ingen – en ny udgave",
    )

    def __init__(
        self,
        *args: Any,
        programme: Programme,
        rounds: Sequence[ReportingRound],
        initiatives: Iterable[Initiative],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        # self.fields holds copies of the fields declared above.
        scope = cast(forms.ChoiceField, self.fields["scope"])
        scope.choices = [("", f"Hele programmet ({programme.name})")] + [
            (i.slug, i.name) for i in initiatives
        ]
        scope.required = False
        cast(forms.ChoiceField, self.fields["runde"]).choices = [
            (r.code, str(r)) for r in reversed(rounds)
        ]
        cast(EditionChoiceField, self.fields["supersedes"]).queryset = Edition.objects.filter(
            programme=programme, superseded_by__isnull=True
        ).select_related("round")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns; its stub says "or None"
        old = data.get("supersedes")
        scope = data.get("scope") or ""
        if old is not None and (old.initiative.slug if old.initiative else "") != scope:
            self.add_error("supersedes", "Den erstattede udgave skal gælde den samme opsamling.")
        return data


def _summary_context(request: HttpRequest, programme: Programme) -> dict:
    rounds = shown_rounds(programme=programme)
    return {
        "programme": programme,
        "rounds": rounds,
        "initiatives": list(Initiative.objects.filter(programme=programme).order_by("number")),
    }


@require_safe
def summary_list(request: HttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    ctx = _summary_context(request, prog)
    round_ = chosen_round(ctx["rounds"], request.GET.get("runde"))
    may_publish = request.user.has_perm("evaluations.publish_edition", prog)
    form = None
    if may_publish and round_ is not None:
        form = PublishForm(
            programme=prog,
            rounds=ctx["rounds"],
            initiatives=ctx["initiatives"],
            initial={
                "runde": round_.code,
                "meeting_date": timezone.localdate().strftime("%d.%m.%Y"),
            },
        )
    ctx.update(
        round=round_,
        is_history=bool(ctx["rounds"]) and round_ != ctx["rounds"][-1],
        may_publish=may_publish,
        form=form,
        n_editions=Edition.objects.filter(programme=prog).count(),
    )
    return render(request, "evaluations/summary_list.html", ctx)


def _build(request: HttpRequest, programme: str, slug: str | None) -> summaries.Summary:
    prog = programme_for_user(request, programme)
    initiative = None
    if slug is not None:
        initiative = get_object_or_404(Initiative, programme=prog, slug=slug)
    return summaries.build(
        programme=prog, initiative=initiative, round_code=request.GET.get("runde")
    )


def _page(request: HttpRequest, summary: summaries.Summary) -> HttpResponse:
    return render(request, "evaluations/summary_page.html", {"summary": summary})


def _pdf(summary: summaries.Summary) -> HttpResponse:
    response = HttpResponse(summaries.render_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{summary.filename}"'
    return response


@require_safe
def programme_summary(request: HttpRequest, programme: str) -> HttpResponse:
    return _page(request, _build(request, programme, None))


@require_safe
def programme_summary_pdf(request: HttpRequest, programme: str) -> HttpResponse:
    return _pdf(_build(request, programme, None))


@require_safe
def initiative_summary(request: HttpRequest, programme: str, slug: str) -> HttpResponse:
    return _page(request, _build(request, programme, slug))


@require_safe
def initiative_summary_pdf(request: HttpRequest, programme: str, slug: str) -> HttpResponse:
    return _pdf(_build(request, programme, slug))


@require_safe
def edition_archive(request: HttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    editions = (
        Edition.objects.filter(programme=prog)
        .select_related("round", "initiative", "published_by", "supersedes", "superseded_by")
        .defer("pdf")
    )
    ctx = {
        "programme": prog,
        "editions": editions,
        "may_publish": request.user.has_perm("evaluations.publish_edition", prog),
    }
    return render(request, "evaluations/edition_archive.html", ctx)


@require_safe
def edition_download(request: HttpRequest, pk: int) -> HttpResponse:
    edition = Edition.objects.select_related("programme").filter(pk=pk).first()
    if edition is None:
        raise Http404("Udgaven findes ikke.")
    programme_for_user(request, edition.programme.slug)  # 403 without a role in it
    response = HttpResponse(bytes(edition.pdf), content_type="application/pdf")
    name = f"udgave-{edition.pk}-{edition.round.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
def edition_new(request: AuthenticatedHttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    if not request.user.has_perm("evaluations.publish_edition", prog):
        raise PermissionDenied("Kun programlederen kan udgive til udvalg.")
    ctx = _summary_context(request, prog)
    form = PublishForm(
        request.POST, programme=prog, rounds=ctx["rounds"], initiatives=ctx["initiatives"]
    )
    if not form.is_valid():
        try:
            round_ = chosen_round(ctx["rounds"], request.POST.get("runde") or None)
        except Http404:  # an unknown round is one of the form's errors, not a missing page
            round_ = ctx["rounds"][-1] if ctx["rounds"] else None
        ctx.update(
            round=round_,
            may_publish=True,
            form=form,
            is_history=False,
            n_editions=Edition.objects.filter(programme=prog).count(),
        )
        return render(request, "evaluations/summary_list.html", ctx, status=400)
    scope = form.cleaned_data["scope"]
    edition = services.edition_publish(
        programme=prog,
        initiative=get_object_or_404(Initiative, programme=prog, slug=scope) if scope else None,
        round_code=form.cleaned_data["runde"],
        committee=form.cleaned_data["committee"],
        meeting_date=form.cleaned_data["meeting_date"],
        user=request.user,
        supersedes=form.cleaned_data["supersedes"],
    )
    messages.success(
        request, f"Udgave #{edition.pk} er udgivet til {edition.get_committee_display()}."
    )
    return redirect("summaries:archive", programme=prog.slug)
