from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .access import initiative_for_user, programmes_for_user
from .tables import TargetTable


@require_safe
def initiative_list(request: HttpRequest) -> HttpResponse:
    initiatives = selectors.initiative_list(programmes=programmes_for_user(request.user))
    ctx = {"initiatives": initiatives}
    return render(request, "initiatives/initiative_list.html", ctx)


@require_safe
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_for_user(request, slug)
    round_ = selectors.current_round(programme=initiative.programme)
    rows = selectors.target_rows(initiative=initiative, round_=round_)
    ctx = {
        "initiative": initiative,
        "chain": selectors.effect_chain(initiative=initiative),
        "sub_initiatives": list(initiative.sub_initiatives.all()),
        "table": TargetTable(rows),
        "rows": rows,
        "round": round_,
    }
    return render(request, "initiatives/initiative_detail.html", ctx)
