"""The bimonthly reporting pages: rounds, a round's reports, and the status form."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_text_list
from django.views.decorators.http import require_http_methods, require_safe

from . import selectors, services
from .access import (
    AuthenticatedHttpRequest,
    initiative_for_user,
    programme_for_user,
    programmes_for_user,
)
from .forms import ReportForm, ReviewForm, TargetStatusForm
from .models import Initiative, ReportingRound, StatusReport, Target
from .rules import initiatives_led_by

logger = logging.getLogger("jobvaekst.access")

# The submit button of the "Bekræft, at disse mål er uændrede" question.
CONFIRMED_SUBMIT = "indsend-uaendret"


def _round_for_user(request: HttpRequest, programme: str, code: str) -> ReportingRound:
    try:
        year, number = (int(part) for part in code.split("-"))
    except ValueError:
        raise Http404("Runden findes ikke.") from None
    round_ = (
        ReportingRound.objects.select_related("programme")
        .filter(
            programme__slug=programme,
            programme__in=programmes_for_user(request.user),
            year=year,
            number=number,
        )
        .first()
    )
    if round_ is None:
        programme_for_user(request, programme)  # 403 if the programme is not theirs
        raise Http404("Runden findes ikke.")
    return round_


@require_http_methods(["GET", "POST"])
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = programmes_for_user(request.user)
    if request.method == "POST":
        programme = programme_for_user(request, request.POST.get("programme", ""))
        try:
            year, number = (int(x) for x in request.POST.get("round", "").split("-"))
            round_ = services.round_open(
                programme=programme, year=year, number=number, user=request.user
            )
        except ValueError:
            messages.error(request, "Vælg en runde som år-nummer, f.eks. 2019-1.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Runde {round_} er åben for indberetning.")
            missing = selectors.rounds_missing_before(round_)
            if missing:
                messages.warning(
                    request,
                    f"Bemærk: runde {get_text_list(missing, 'og')} mangler mellem den forrige "
                    f"runde og {round_.code}. Åbn {'den' if len(missing) == 1 else 'dem'}, "
                    "hvis der skal indberettes for perioden.",
                )
        return redirect("reporting:rounds")
    manageable = [p for p in programmes if request.user.has_perm("initiatives.open_round", p)]
    ctx = {
        "rows": selectors.reporting_rounds(programmes=programmes),
        "manageable": manageable,
    }
    return render(request, "initiatives/round_list.html", ctx)


@require_safe
def round_detail(request: AuthenticatedHttpRequest, programme: str, code: str) -> HttpResponse:
    round_ = _round_for_user(request, programme, code)
    overdue_possible = (
        round_.state == ReportingRound.State.OPEN and timezone.localdate() > round_.deadline
    )
    done = {StatusReport.State.SUBMITTED, StatusReport.State.APPROVED}
    ctx = {
        "round": round_,
        "rows": [
            {
                "initiative": initiative,
                "report": report,
                "own": initiative.pk in initiatives_led_by(request.user, round_.programme),
                "overdue": overdue_possible and (report is None or report.state not in done),
            }
            for initiative, report in selectors.round_reports(round_=round_)
        ],
    }
    return render(request, "initiatives/round_detail.html", ctx)


def _plain(value: Decimal | None) -> Decimal | None:
    """60.00 → 60 and 0.50 → 0,5 in the form: show what was meant, not the column scale."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _target_forms(
    request: HttpRequest, initiative: Initiative, round_: ReportingRound, *, bound: bool
) -> list[TargetStatusForm]:
    forms = []
    for target, update, previous in selectors.form_targets(initiative=initiative, round_=round_):
        if update is not None:
            initial = {
                "value": _plain(update.value),
                "assessment": update.assessment,
                "not_measurable": update.not_measurable,
                "comment": update.comment,
                "confirm_unchanged": update.unchanged_confirmed,
            }
        else:  # prefilled from the previous round; keeping it must be confirmed
            initial = {"value": _plain(previous)}
        forms.append(
            TargetStatusForm(
                request.POST if bound else None,
                prefix=f"t{target.pk}",
                target=target,
                previous=previous,
                initial=initial,
            )
        )
    return forms


@require_http_methods(["GET", "POST"])
def status_report(
    request: AuthenticatedHttpRequest, programme: str, code: str, slug: str
) -> HttpResponse:
    round_ = _round_for_user(request, programme, code)
    initiative = initiative_for_user(request, slug)
    if initiative.programme_id != round_.programme_id:
        raise Http404("Indsatsen hører ikke til denne runde.")
    report = services.status_report_for(initiative=initiative, round_=round_)
    may_edit = (
        request.user.has_perm("initiatives.edit_report", report)
        and round_.state == ReportingRound.State.OPEN
        and (report.pk is None or report.state in services.EDITABLE)
    )
    may_review = (
        request.user.has_perm("initiatives.review_report", report)
        and report.state == StatusReport.State.SUBMITTED
    )
    may_withdraw = (
        request.user.has_perm("initiatives.edit_report", report)
        and round_.state == ReportingRound.State.OPEN
        and report.state == StatusReport.State.SUBMITTED
    )
    if request.method == "GET" and not _may_read_values(request, report):
        return render(
            request, "initiatives/report_not_approved.html", {"report": report, "round": round_}
        )
    conflict = None
    review: ReviewForm | None
    if request.method == "POST" and "withdraw" in request.POST:
        if not may_withdraw:
            logger.warning("denied withdraw: user=%s report=%s", request.user.pk, report.pk)
            raise PermissionDenied("Du kan ikke trække denne rapport tilbage.")
        version = request.POST.get("version", "")
        try:
            services.status_report_withdraw(
                report=report, user=request.user, version=int(version) if version.isdigit() else -1
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except services.ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Rapporten er trukket tilbage og er en kladde igen.")
        return redirect("reporting:report", programme=programme, code=code, slug=slug)
    if request.method == "POST" and "review" in request.POST:
        if not may_review:
            logger.warning("denied review: user=%s report=%s", request.user.pk, report.pk)
            raise PermissionDenied("Du kan ikke behandle denne rapport.")
        review = ReviewForm(request.POST)
        if review.is_valid():
            try:
                services.status_report_review(
                    report=report,
                    user=request.user,
                    version=review.cleaned_data["version"],
                    approve=request.POST["review"] == "godkend",
                    comment=review.cleaned_data["comment"],
                )
            except services.ConflictError as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                for message in exc.messages:
                    review.add_error("comment", message)
            else:
                verb = "godkendt" if request.POST["review"] == "godkend" else "returneret"
                messages.success(request, f"Rapporten for {initiative.name} er {verb}.")
                return redirect("reporting:round", programme=programme, code=code)
        form, target_forms = _unbound(request, report, initiative, round_)
        return _render(request, report, form, target_forms, review, may_edit, may_review)

    if request.method == "POST":
        if not may_edit:
            logger.warning("denied report edit: user=%s initiative=%s", request.user.pk, slug)
            raise PermissionDenied("Du kan ikke redigere denne rapport.")
        form = ReportForm(request.POST)
        target_forms = _target_forms(request, initiative, round_, bound=True)
        if form.is_valid() and all(f.is_valid() for f in target_forms):
            action = request.POST.get("action")
            submit = action in ("indsend", CONFIRMED_SUBMIT)
            carried = [f for f in target_forms if f.carries_previous()]
            if submit and carried and action != CONFIRMED_SUBMIT:
                # Nothing is saved yet: the page asks once to confirm these values.
                return _render(
                    request,
                    report,
                    form,
                    target_forms,
                    None,
                    may_edit,
                    may_review,
                    unchanged=[f.target for f in carried],
                )
            data = services.ReportInput(
                progress=form.cleaned_data["progress"],
                challenges=form.cleaned_data["challenges"],
                next_steps=form.cleaned_data["next_steps"],
                budget_spent=form.cleaned_data["budget_spent"],
                # Submitted after the question: the values carried forward are confirmed.
                updates=[
                    replace(f.as_input(), confirm_unchanged=True)
                    if action == CONFIRMED_SUBMIT and f in carried
                    else f.as_input()
                    for f in target_forms
                ],
            )
            try:
                report = services.status_report_save(
                    report=report,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    data=data,
                    submit=submit,
                )
            except services.ConflictError as exc:
                conflict = exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    "Rapporten er indsendt til programlederen." if submit else "Kladden er gemt.",
                )
                return redirect("reporting:report", programme=programme, code=code, slug=slug)
    else:
        form, target_forms = _unbound(request, report, initiative, round_)
    review = ReviewForm(initial={"version": report.version}) if may_review else None
    return _render(
        request,
        report,
        form,
        target_forms,
        review,
        may_edit,
        may_review,
        conflict=conflict,
        may_withdraw=may_withdraw,
    )


def _error_links(
    form: ReportForm, target_forms: list[TargetStatusForm], review: ReviewForm | None
) -> list[tuple[str, str]]:
    """The error summary's lines, in the page's order: (the id of the field at fault, what
    is wrong there). An error of a target as a whole points at its value."""
    links = []
    for target_form in target_forms:
        for name, errors in target_form.errors.items():
            field = name if name in target_form.fields else "value"
            label = target_form.fields[field].label
            for error in errors:
                links.append(
                    (target_form[field].auto_id, f"{target_form.target.title} – {label}: {error}")
                )
    for other in (form, review):
        if other is None:
            continue
        for name, errors in other.errors.items():
            if name in other.fields and not other.fields[name].widget.is_hidden:
                links.extend(
                    (other[name].auto_id, f"{other.fields[name].label}: {error}")
                    for error in errors
                )
    return links


def _may_read_values(request: HttpRequest, report: StatusReport) -> bool:
    """An approved report is for every reader; the values of any other only for those who
    write and review it."""
    return report.state == StatusReport.State.APPROVED or request.user.has_perm(
        "initiatives.read_unapproved", report
    )


def _unbound(
    request: HttpRequest, report: StatusReport, initiative: Initiative, round_: ReportingRound
) -> tuple[ReportForm, list[TargetStatusForm]]:
    form = ReportForm(
        initial={
            "version": report.version,
            "progress": report.progress,
            "challenges": report.challenges,
            "next_steps": report.next_steps,
            "budget_spent": report.budget_spent,
        }
    )
    return form, _target_forms(request, initiative, round_, bound=False)


def _render(
    request: HttpRequest,
    report: StatusReport,
    form: ReportForm,
    target_forms: list[TargetStatusForm],
    review: ReviewForm | None,
    may_edit: bool,
    may_review: bool,
    conflict: services.ConflictError | None = None,
    unchanged: list[Target] | None = None,
    may_withdraw: bool = False,
) -> HttpResponse:
    ctx = {
        "report": report,
        "round": report.round,
        "initiative": report.initiative,
        "form": form,
        "target_forms": target_forms,
        "review": review,
        "may_edit": may_edit,
        "may_review": may_review,
        "conflict": conflict,
        "unchanged": unchanged or [],
        "confirmed_submit": CONFIRMED_SUBMIT,
        "error_links": _error_links(form, target_forms, review),
        "own_submission": report.submitted_by_id == request.user.pk,
        "may_withdraw": may_withdraw,
        "self_approval": services.SELF_APPROVAL,
        "review_failed": bool(review and review.errors),
        "has_errors": bool(
            form.errors or any(f.errors for f in target_forms) or (review and review.errors)
        ),
    }
    status = 409 if conflict else (400 if ctx["has_errors"] and request.method == "POST" else 200)
    return render(request, "initiatives/status_report.html", ctx, status=status)


@require_safe
def report_history(request: HttpRequest, programme: str, code: str, slug: str) -> HttpResponse:
    round_ = _round_for_user(request, programme, code)
    initiative = initiative_for_user(request, slug)
    if initiative.programme_id != round_.programme_id:
        raise Http404("Indsatsen hører ikke til denne runde.")
    report = services.status_report_for(initiative=initiative, round_=round_)
    if not request.user.has_perm("initiatives.read_unapproved", report):
        # The history holds every value a report had before its approval.
        raise PermissionDenied(
            "Historikken viser værdier, der ikke er godkendt, og er kun for tovholderen og "
            "programlederen."
        )
    ctx = {
        "report": report,
        "round": round_,
        "initiative": initiative,
        "entries": selectors.report_history(report=report),
    }
    return render(request, "initiatives/report_history.html", ctx)
