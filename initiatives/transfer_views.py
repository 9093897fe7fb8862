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

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from . import importing, services
from .access import programme_for_user, programmes_for_user
from .exporting import programme_workbook
from .models import Membership, Programme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "import_staging"


def _may_import_any(user) -> bool:
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, role=Membership.Role.PROGRAMLEDER).exists()
    )


def _staging() -> Path:
    return Path(getattr(settings, "IMPORT_STAGING_DIR", settings.BASE_DIR / "var" / "imports"))


@require_safe
def transfer_index(request: HttpRequest) -> HttpResponse:
    ctx = {
        "programmes": list(programmes_for_user(request.user).order_by("name")),
        "may_import": _may_import_any(request.user),
        "max_mb": getattr(settings, "IMPORT_MAX_BYTES", importing.MAX_BYTES_DEFAULT) // 2**20,
    }
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


@require_safe
def programme_export(request: HttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    response = HttpResponse(programme_workbook(prog), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{prog.slug}-eksport.xlsx"'
    return response


def _check_may_import(request: HttpRequest, data: importing.ProgrammeIn) -> None:
    existing = (
        Programme.objects.filter(name=data.name).first()
        or Programme.objects.filter(slug=data.slug).first()
    )
    if existing is not None:
        if not request.user.has_perm("initiatives.manage_targets", existing):
            raise PermissionDenied("Kun programlederen for programmet kan importere til det.")
    elif not _may_import_any(request.user):
        raise PermissionDenied("Kun en programleder kan oprette et program ved import.")


@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    if not _may_import_any(request.user):
        raise PermissionDenied("Kun programlederen kan importere.")
    uploads = request.FILES.getlist("filer")
    limit = getattr(settings, "IMPORT_MAX_BYTES", importing.MAX_BYTES_DEFAULT)
    files = [(f.name, f.read(limit + 1)) for f in uploads]
    ctx = {"files": [name for name, _ in files]}
    try:
        data = importing.parse(files)
    except importing.ImportError_ as exc:
        ctx["problems"] = exc.problems
        return render(request, "initiatives/import_preview.html", ctx, status=400)
    _check_may_import(request, data)
    token = secrets.token_urlsafe(16)
    folder = _staging() / token
    folder.mkdir(parents=True)
    for i, (name, content) in enumerate(files):
        (folder / f"{i}-{Path(name).name}").write_bytes(content)
    request.session[SESSION_KEY] = token
    ctx.update(data=data, token=token)
    return render(request, "initiatives/import_preview.html", ctx)


@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    if not _may_import_any(request.user):
        raise PermissionDenied("Kun programlederen kan importere.")
    token = request.session.get(SESSION_KEY)
    if not token or token != request.POST.get("token"):
        messages.error(request, "Importen er udløbet. Vælg filerne igen.")
        return redirect("transfer:index")
    folder = _staging() / token
    files = [(p.name.split("-", 1)[1], p.read_bytes()) for p in sorted(folder.glob("*"))]
    try:
        data = importing.parse(files)
        _check_may_import(request, data)
        is_new = not Programme.objects.filter(name=data.name).exists()
        result = services.programme_import(data, user=request.user)
        if is_new and not request.user.is_superuser:
            Membership.objects.get_or_create(
                user=request.user, programme=result.programme, role=Membership.Role.PROGRAMLEDER
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Importeret: {result.describe()} Tallene genberegnes.")
    return redirect("dashboard:overview", programme=result.programme.slug)
