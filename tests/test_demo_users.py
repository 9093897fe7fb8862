"""`make run` creates one demo user per role, and only in DEBUG."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from initiatives.models import Membership, Programme

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role(reference, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # running it twice changes nothing
    User = get_user_model()
    assert set(User.objects.values_list("username", flat=True)) == {
        "tovholder",
        "programleder",
        "baggrundsgruppe",
        "udvalg",
        "admin",
    }
    tovholder = Membership.objects.get(user__username="tovholder")
    assert (tovholder.role, tovholder.initiative.slug) == ("tovholder", "smajobs")
    assert User.objects.get(username="admin").is_superuser
    assert Membership.objects.count() == 4
    # Every demo user has an address, so a reminder or a returned report reaches someone.
    assert dict(User.objects.values_list("username", "email")) == {
        name: f"{name}@jobvaekst.example"
        for name in ("tovholder", "programleder", "baggrundsgruppe", "udvalg", "admin")
    }
    response = client.post("/login/", {"username": "udvalg", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/opgaver/"


def test_seed_demo_refuses_outside_debug(reference, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="kun, når DEBUG er slået til"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


def test_seed_demo_needs_the_reference_data(reference, settings):
    # The session's reference data is always there: hide it (rolled back at the end).
    Programme.objects.filter(pk=reference.pk).update(slug="ikke-indlaest")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_reference"):
        call_command("seed_demo")
