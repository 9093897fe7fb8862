"""Import and export pages (/data/): the template, the export, and the upload with preview.

The upload is checked in full and shown as a preview; only "Importér" writes, all or
nothing. Between the two steps the files wait in ``IMPORT_STAGING_DIR`` under a random
token kept in the user's session, never in the database.
"""

from __future__ import annotations

import io
import secrets
import shutil
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from . import importing, indicator_import, services
from .access import AuthenticatedHttpRequest, programmes_for_user
from .forms import IndicatorUploadForm
from .importing import XLSX
from .models import Indicator, Membership

SESSION_KEY = "import_staging"
INDICATOR_SESSION_KEY = "indicator_import_staging"


def _staging() -> Path:
    return Path(getattr(settings, "IMPORT_STAGING_DIR", settings.BASE_DIR / "var" / "imports"))


@require_safe
def transfer_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    ctx = {
        "programmes": list(programmes_for_user(request.user).order_by("name")),
        "may_import": services.may_import_any(request.user),
        "max_mb": getattr(settings, "IMPORT_MAX_BYTES", importing.MAX_BYTES_DEFAULT) // 2**20,
    }
    if ctx["may_import"]:
        ctx["indicator_form"] = IndicatorUploadForm(indicators=_importable_indicators(request.user))
    return render(request, "initiatives/transfer.html", ctx)


@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    """An empty template with the columns, one example row and a guide sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    examples = {
        "Program": ["Mit program", "mit-program", "01.01.2025", "31.12.2027", 4000000, ""],
        "Mål": [
            "Mit program",
            "Mit område",
            "",
            "aktivitet",
            "Antal besøg",
            "besøg",
            "stigende",
            0,
            2024,
            100,
            "",
            2026,
            "",
            "nej",
            "job",
            "kort",
        ],
        "Status": ["Mit program", "Mit område", "Antal besøg", "2025-1", "12,5", "", "nej", ""],
    }
    for name, columns in importing.SHEETS.items():
        ws = workbook.create_sheet(name)
        ws.append(columns)
        ws.append(examples[name])
    guide = workbook.create_sheet("Vejledning")
    for line in importing.GUIDE:
        guide.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="jobvaekst-skabelon.xlsx"'
    return response


@require_POST
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.may_import_any(request.user):
        raise PermissionDenied("Kun programlederen kan importere.")
    uploads = request.FILES.getlist("filer")
    limit = getattr(settings, "IMPORT_MAX_BYTES", importing.MAX_BYTES_DEFAULT)
    # An uploaded file always has its name; UploadedFile.name is typed str | None.
    files = [(cast(str, f.name), f.read(limit + 1)) for f in uploads]
    ctx: dict[str, Any] = {"files": [name for name, _ in files]}
    try:
        data = importing.parse(files)
    except importing.ImportError_ as exc:
        ctx["problems"] = exc.problems
        return render(request, "initiatives/import_preview.html", ctx, status=400)
    services.programme_import_check(user=request.user, data=data)
    token = secrets.token_urlsafe(16)
    folder = _staging() / token
    folder.mkdir(parents=True)
    for i, (name, content) in enumerate(files):
        (folder / f"{i}-{Path(name).name}").write_bytes(content)
    request.session[SESSION_KEY] = token
    ctx.update(data=data, token=token)
    return render(request, "initiatives/import_preview.html", ctx)


@require_POST
def import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.may_import_any(request.user):
        raise PermissionDenied("Kun programlederen kan importere.")
    token = request.session.get(SESSION_KEY)
    if not token or token != request.POST.get("token"):
        messages.error(request, "Importen er udløbet. Vælg filerne igen.")
        return redirect("transfer:index")
    folder = _staging() / token
    files = [(p.name.split("-", 1)[1], p.read_bytes()) for p in sorted(folder.glob("*"))]
    try:
        data = importing.parse(files)
        result = services.programme_import(data=data, user=request.user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Importeret: {result.describe()} Tallene genberegnes.")
    return redirect("dashboard:overview", programme=result.programme.slug)


# --- Indicator observations (CSV) -------------------------------------------------------------


def _importable_indicators(user: User) -> QuerySet[Indicator]:
    """The indicators of the programmes the user leads (all of them for a superuser)."""
    indicators = Indicator.objects.select_related("programme").order_by("programme__name", "name")
    if user.is_superuser:
        return indicators
    led = Membership.objects.filter(user=user, role=Membership.Role.PROGRAMLEDER)
    return indicators.filter(programme__in=led.values("programme"))


def _layout(options: dict) -> indicator_import.Layout:
    return indicator_import.LAYOUTS[options["format"]].mapped(
        area=options["omraade_kolonne"],
        period=options["periode_kolonne"],
        value=options["vaerdi_kolonne"],
        encoding=options["tegnsaet"],
    )


def _preview_counts(indicator: Indicator, data: indicator_import.ObservationsIn) -> dict:
    existing = set(indicator.observations.values_list("area__name", "period_label"))
    replaced = sum((r.area, r.period_label) in existing for r in data.rows)
    return {"new": len(data.rows) - replaced, "replaced": replaced, "skipped": len(data.skipped)}


OPTION_FIELDS = ("format", "omraade_kolonne", "periode_kolonne", "vaerdi_kolonne", "tegnsaet")


@require_POST
def indicator_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: check the whole file and show the errors or a preview; nothing is saved."""
    if not services.may_import_any(request.user):
        raise PermissionDenied("Kun en programleder kan importere indikatortal.")
    indicators = _importable_indicators(request.user)
    form = IndicatorUploadForm(request.POST, request.FILES, indicators=indicators)
    if not form.is_valid():
        return render(request, "initiatives/indicator_preview.html", {"form": form}, status=400)
    indicator = form.cleaned_data["indikator"]
    options = {name: form.cleaned_data[name] for name in OPTION_FIELDS}
    upload = form.cleaned_data["fil"]
    limit = getattr(settings, "IMPORT_MAX_BYTES", importing.MAX_BYTES_DEFAULT)
    name, content = Path(upload.name).name, upload.read(limit + 1)
    ctx = {"form": form, "indicator": indicator, "filename": name}
    try:
        data = indicator_import.parse(
            name, content, indicator=indicator, layout=_layout(options), allow_new_areas=False
        )
    except importing.ImportError_ as exc:
        ctx["problems"] = exc.problems
        form.add_error("fil", f"Filen har {len(exc.problems)} fejl; se listen. Intet er gemt.")
        attrs = form.fields["fil"].widget.attrs
        attrs["aria-describedby"] += " indikator-fil-raekkefejl"  # the table of row errors
        return render(request, "initiatives/indicator_preview.html", ctx, status=400)
    token = secrets.token_urlsafe(16)
    folder = _staging() / token
    folder.mkdir(parents=True)
    (folder / f"0-{name}").write_bytes(content)
    request.session[INDICATOR_SESSION_KEY] = {
        "token": token,
        "indicator": indicator.pk,
        **options,
    }
    ctx.update(data=data, token=token, counts=_preview_counts(indicator, data))
    return render(request, "initiatives/indicator_preview.html", ctx)


@require_POST
def indicator_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 2: read the staged file again and write it, all or nothing."""
    if not services.may_import_any(request.user):
        raise PermissionDenied("Kun en programleder kan importere indikatortal.")
    staged = request.session.get(INDICATOR_SESSION_KEY) or {}
    token = staged.get("token")
    if not token or token != request.POST.get("token"):
        messages.error(request, "Importen er udløbet. Vælg filen igen.")
        return redirect("transfer:index")
    folder = _staging() / token
    try:
        indicator = _importable_indicators(request.user).filter(pk=staged["indicator"]).first()
        if indicator is None:
            raise PermissionDenied("Kun programlederen for programmet kan importere til det.")
        files = sorted(folder.glob("*"))
        if not files:
            messages.error(request, "Importen er udløbet. Vælg filen igen.")
            return redirect("transfer:index")
        name = files[0].name.split("-", 1)[1]
        try:
            data = indicator_import.parse(
                name,
                files[0].read_bytes(),
                indicator=indicator,
                layout=_layout(staged),
                allow_new_areas=False,
            )
        except importing.ImportError_ as exc:
            ctx = {"problems": exc.problems, "indicator": indicator, "filename": name}
            return render(request, "initiatives/indicator_preview.html", ctx, status=400)
        result = services.indicator_observations_import(
            indicator=indicator, data=data, user=request.user
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        request.session.pop(INDICATOR_SESSION_KEY, None)
    messages.success(request, f"Importeret til »{indicator.name}«: {result.describe()}")
    return redirect("transfer:index")
