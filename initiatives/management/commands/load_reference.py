"""Load the Jobvækstpakken reference data (COWI's mid-term evaluation, May 2018) once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from initiatives.models import Indicator, Programme

REFERENCE_FIXTURE = settings.BASE_DIR / "fixtures" / "jobvaekstpakken-2018.json"
# The programme's goals and context (issue 10): COWI 2018 ch. 1–2 and the 2014 paper.
INDICATOR_FIXTURE = settings.BASE_DIR / "fixtures" / "indikatorer-2018.json"
REFERENCE_SLUG = "jobvaekstpakken"


class Command(BaseCommand):
    help = "Indlæser referencedata for Jobvækstpakken, hvis de ikke allerede findes."

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.filter(slug=REFERENCE_SLUG).exists():
            self.stdout.write("Referencedata for Jobvækstpakken findes allerede; intet ændret.")
        else:
            self._load_programme()
        # Separately, so a database loaded before issue 10 gets the indicators too.
        if not Indicator.objects.filter(programme__slug=REFERENCE_SLUG).exists():
            self._load_indicators()

    def _load_programme(self) -> None:
        call_command("loaddata", str(REFERENCE_FIXTURE), verbosity=0)
        # loaddata skips the recompute signals (raw saves), so compute the figures once
        # here, in-process: `make run` must not depend on a worker.
        call_command("recompute", programme=REFERENCE_SLUG, verbosity=0)
        # A first history record for what was loaded, so later changes show a difference.
        call_command(
            "populate_history",
            "initiatives.Target",
            "initiatives.StatusReport",
            "initiatives.StatusUpdate",
            "evaluations.ParameterScore",
            verbosity=0,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Referencedata indlæst fra {REFERENCE_FIXTURE.name}.")
        )

    def _load_indicators(self) -> None:
        # Natural keys (area name; programme and indicator slug): loading twice updates
        # the same rows, and areas created by hand are reused, never duplicated.
        call_command("loaddata", str(INDICATOR_FIXTURE), verbosity=0)
        call_command(
            "populate_history",
            "initiatives.Indicator",
            "initiatives.IndicatorObservation",
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Indikatorer indlæst fra {INDICATOR_FIXTURE.name}."))
