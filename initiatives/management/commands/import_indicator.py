"""Import an indicator's observations from a portal's CSV export: all or nothing.

python manage.py import_indicator fil.csv --indikator ledighed
python manage.py import_indicator fil.csv --indikator ledighed --format dst --udtrukket 2026-12-01
python manage.py import_indicator fil.csv --indikator ledighed --vaerdi-kolonne "Andel (pct.)"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from initiatives import indicator_import, services
from initiatives.importing import ImportError_, parse_date
from initiatives.models import Indicator


class Command(BaseCommand):
    help = "Importér observationer til en indikator fra en CSV-fil (alt eller intet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV-fil fra fx Jobindsats eller Danmarks Statistik")
        parser.add_argument("--indikator", required=True, help="indikatorens kort navn (slug)")
        parser.add_argument(
            "--program", default="jobvaekstpakken", help="programmets kort navn (slug)"
        )
        parser.add_argument(
            "--format",
            choices=sorted(indicator_import.LAYOUTS),
            default="standard",
            help="kolonnenavne som hos Jobindsats (jobindsats) eller Statistikbanken (dst)",
        )
        parser.add_argument("--omraade-kolonne", default="", help="overskrift for området")
        parser.add_argument("--periode-kolonne", default="", help="overskrift for perioden")
        parser.add_argument("--vaerdi-kolonne", default="", help="overskrift for værdien")
        parser.add_argument(
            "--tegnsaet", choices=sorted(indicator_import.ENCODINGS), default="auto"
        )
        parser.add_argument(
            "--nye-omraader",
            action="store_true",
            help="opret ukendte områder som kommuner i stedet for at afvise filen",
        )
        parser.add_argument("--udtrukket", default="", help="datoen tallene er hentet, 01.12.2026")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kontrollér filen uden at importere."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} findes ikke.")
        try:
            indicator = Indicator.objects.get(
                programme__slug=options["program"], slug=options["indikator"]
            )
        except Indicator.DoesNotExist as exc:
            known = ", ".join(
                Indicator.objects.filter(programme__slug=options["program"]).values_list(
                    "slug", flat=True
                )
            )
            raise CommandError(
                f"Indikatoren »{options['indikator']}« findes ikke i programmet "
                f"»{options['program']}« (kendte: {known or 'ingen'})."
            ) from exc
        extracted_on = None
        if options["udtrukket"]:
            try:
                extracted_on = parse_date(options["udtrukket"])
            except ValueError as exc:
                raise CommandError(
                    f"»{options['udtrukket']}« er ikke en dato. Skriv fx 01.12.2026."
                ) from exc
        layout = indicator_import.LAYOUTS[options["format"]].mapped(
            area=options["omraade_kolonne"],
            period=options["periode_kolonne"],
            value=options["vaerdi_kolonne"],
            encoding=options["tegnsaet"],
        )
        try:
            data = indicator_import.parse(
                path.name,
                path.read_bytes(),
                indicator=indicator,
                layout=layout,
                allow_new_areas=options["nye_omraader"],
            )
        except ImportError_ as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Intet er importeret: {len(exc.problems)} fejl skal rettes først."
            ) from exc
        columns = " / ".join(f"»{c}«" for c in data.columns)
        if options["dry_run"]:
            self.stdout.write(
                f"Filen er i orden (intet importeret): {len(data.rows)} observationer "
                f"fra kolonnerne {columns}."
            )
            return
        result = services.indicator_observations_import(
            indicator=indicator, data=data, user=None, extracted_on=extracted_on
        )
        self.stdout.write(f"Importeret til »{indicator}«: {result.describe()}")
