"""Back up the PostgreSQL database with pg_dump's custom format (-Fc).

python manage.py backup_db --output backup-2026-11-23.dump
"""

from __future__ import annotations

import os
import shutil

# The PostgreSQL client tools are run with an argument list, never a shell, and only
# with arguments from Django's settings and the operator's own command line.
import subprocess  # nosec B404
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    """Connection arguments for pg_dump/pg_restore from Django's default database."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise CommandError("Backup og restore kræver PostgreSQL (DATABASE_URL=postgres://…).")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--username", str(db.get("USER") or "")]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    return env, args


def run_pg(tool: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client tool (found on PATH or in PG_BINDIR) and capture its output."""
    bindir = os.environ.get("PG_BINDIR")
    path = shutil.which(tool, path=bindir) if bindir else shutil.which(tool)
    if path is None:
        raise CommandError(f"{tool} findes ikke. Installér postgresql-client (apt-get).")
    return subprocess.run(  # noqa: S603  # nosec B603
        [path, *args], env=env, capture_output=True, text=True, check=False
    )


class Command(BaseCommand):
    help = "Tag en sikkerhedskopi af databasen med pg_dump -Fc."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="filen der skrives")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        env, conn = pg_env_and_args()
        name = str(settings.DATABASES["default"]["NAME"])
        path = Path(output)
        result = run_pg("pg_dump", "-Fc", "--no-owner", "--file", str(path), *conn, name, env=env)
        if result.returncode != 0:
            raise CommandError(f"pg_dump fejlede: {result.stderr.strip()}")
        self.stdout.write(
            f"Sikkerhedskopi af {name} skrevet til {path} ({path.stat().st_size} bytes)."
        )
