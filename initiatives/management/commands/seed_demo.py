"""Create one demo user per role. Only ever in DEBUG: demo logins must never reach production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from initiatives.models import Initiative, Membership, Programme


def demo_email(username: str) -> str:
    """An address for reminders and returns to reach; .example never resolves (RFC 2606),
    and `make run` prints mail to the console."""
    return f"{username}@jobvaekst.example"


# username, full name, role, initiative slug (for a tovholder), organisation
DEMO_USERS = [
    ("tovholder", "Tove Holder", Membership.Role.TOVHOLDER, "smajobs", "Jobcenter Aalborg"),
    ("programleder", "Per Programleder", Membership.Role.PROGRAMLEDER, None, "BusinessAalborg"),
    ("baggrundsgruppe", "Bente Baggrund", Membership.Role.BAGGRUNDSGRUPPE, None, "Dansk Metal"),
    ("udvalg", "Ulla Udvalg", Membership.Role.UDVALG, None, "Beskæftigelsesudvalget"),
]


class Command(BaseCommand):
    help = "Opretter demobrugere (én pr. rolle). Kun når DEBUG er slået til."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", default="jobvaekstpakken")

    @transaction.atomic
    def handle(self, *args: Any, programme: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demobrugere oprettes kun, når DEBUG er slået til.")
        try:
            prog = Programme.objects.get(slug=programme)
        except Programme.DoesNotExist:
            raise CommandError(
                f"Programmet »{programme}« findes ikke. Kør først: manage.py load_reference"
            ) from None
        User = get_user_model()
        password = settings.DEMO_PASSWORD
        for username, full_name, role, initiative_slug, organisation in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": demo_email(username)},
            )
            if created:
                user.set_password(password)
                user.save()
            elif not user.email:  # demo users from before they had addresses
                user.email = demo_email(username)
                user.save(update_fields=["email"])
            initiative = (
                Initiative.objects.get(programme=prog, slug=initiative_slug)
                if initiative_slug
                else None
            )
            Membership.objects.get_or_create(
                user=user,
                programme=prog,
                initiative=initiative,
                role=role,
                defaults={"organisation": organisation},
            )
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "first_name": "Ada",
                "last_name": "Administrator",
                "is_staff": True,
                "is_superuser": True,
                "email": demo_email("admin"),
            },
        )
        if created:
            admin.set_password(password)
            admin.save()
        self.stdout.write(
            self.style.SUCCESS(
                "Demobrugere: tovholder, programleder, baggrundsgruppe, udvalg og admin "
                f"(adgangskode: {password})."
            )
        )
