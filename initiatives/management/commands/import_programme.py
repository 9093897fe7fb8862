"""Import a programme from XLSX and/or CSV files: all or nothing.

python manage.py import_programme program.xlsx
python manage.py import_programme Mål.csv Status.csv --dry-run
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from initiatives import importing, services


class Command(BaseCommand):
    help = "Importér et program fra XLSX- eller CSV-filer (alt eller intet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="XLSX-fil eller CSV-filer (Mål, Status)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kontrollér filerne uden at importere."
        )

    def handle(self, *args: Any, files: list[str], dry_run: bool, **options: Any) -> None:
        contents = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"Filen {name} findes ikke.")
            contents.append((path.name, path.read_bytes()))
        try:
            data = importing.parse(contents)
        except importing.ImportError_ as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Intet er importeret: {len(exc.problems)} fejl skal rettes først."
            ) from exc
        summary = (
            f"{data.name}: {len(data.initiatives)} indsatsområder, {len(data.targets)} mål, "
            f"{len(data.statuses)} statusser i {len(data.rounds)} runder."
        )
        if dry_run:
            self.stdout.write(f"Filerne er i orden (intet importeret): {summary}")
            return
        result = services.programme_import(data=data, user=None)
        self.stdout.write(f"Importeret: {result.describe()}")
