"""Restore a pg_dump -Fc backup into a new, empty database.

    python manage.py restore_db backup.dump --into jobvaekst_restored

It never writes into an existing database: point DATABASE_URL at the restored one
afterwards (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .backup_db import pg_env_and_args, run_pg


class Command(BaseCommand):
    help = "Genskab en sikkerhedskopi (pg_dump -Fc) i en ny, tom database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", help="filen fra backup_db")
        parser.add_argument("--into", required=True, help="navnet på den nye database")

    def handle(self, *args: Any, dump: str, into: str, **options: Any) -> None:
        env, conn = pg_env_and_args()
        created = run_pg("createdb", *conn, into, env=env)
        if created.returncode != 0:
            raise CommandError(
                f"Kunne ikke oprette databasen {into} (findes den allerede?): "
                f"{created.stderr.strip()}"
            )
        restored = run_pg(
            "pg_restore", "--no-owner", "--exit-on-error", *conn, "--dbname", into, dump, env=env
        )
        if restored.returncode != 0:
            raise CommandError(f"pg_restore fejlede: {restored.stderr.strip()}")
        self.stdout.write(f"Sikkerhedskopien er genskabt i databasen {into}.")
