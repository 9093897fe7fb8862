"""The admin is usable for every model: lists, filters, search and the inlines render."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from initiatives.models import Initiative, Target

pytestmark = pytest.mark.django_db


def test_every_model_has_a_working_list_and_add_page(client, users):
    client.force_login(users.admin)
    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("initiatives", "evaluations")
        and not m.__name__.startswith("Historical")  # audit trail, shown via each object
    ]
    registered = [m for m in ours if m in admin.site._registry]
    inlined = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    # Budgets and phases are edited inside their initiative and target.
    assert {m.__name__ for m in ours if m not in registered} == {"InitiativeBudget", "TargetPhase"}
    assert set(ours) <= set(registered) | inlined
    for model in registered:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        # Computed snapshots are read-only: only the worker writes them.
        read_only = opts.model_name.endswith("snapshot") or opts.model_name in (
            "notification",
            "edition",
        )
        expected = 403 if read_only else 200
        assert client.get(add).status_code == expected, add


def test_an_initiative_shows_its_targets_inline_and_a_target_its_phases(client, users):
    client.force_login(users.admin)
    initiative = Initiative.objects.get(slug="industri-og-byggeri")
    page = client.get(reverse("admin:initiatives_initiative_change", args=[initiative.pk]))
    html = page.content.decode()
    assert "Eksportpilot: antal placeringer" in html
    byg = Target.objects.get(sub_initiative__name="Byg i Nord", level="aktivitet")
    html = client.get(reverse("admin:initiatives_target_change", args=[byg.pk])).content.decode()
    assert 'name="phases-0-year"' in html and 'value="2017"' in html


def test_the_target_list_filters_by_level_and_shows_targets_in_words(client, users):
    client.force_login(users.admin)
    url = reverse("admin:initiatives_target_changelist")
    html = client.get(url, {"level__exact": "effekt", "initiative__id__exact": 2}).content.decode()
    assert "fra 16.000 (2015) til 27.000 (2020)" in html
    assert "bids på kongresser" not in html  # an activity target, filtered away


def test_staff_without_superuser_rights_and_other_roles_cannot_use_the_admin(client, users):
    client.force_login(users.programleder)
    response = client.get(reverse("admin:initiatives_target_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
