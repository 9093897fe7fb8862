"""Backup with pg_dump -Fc and restore into a fresh database: every row and figure back."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from .base import load_reference

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _connect(dbname: str) -> psycopg.Connection:
    params = connection.get_connection_params()
    params["dbname"] = dbname
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def _table_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _figures(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT target_id, round_id, percent, percent_high, category, expected_percent,"
        " formula, inputs::text FROM evaluations_attainmentsnapshot ORDER BY target_id, round_id"
    ).fetchall()


def test_a_backup_restores_every_row_and_every_figure(tmp_path, capsys):
    load_reference()
    dump = tmp_path / "jobvaekst.dump"
    call_command("backup_db", "--output", str(dump))
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    restored = f"restore_{uuid.uuid4().hex[:8]}"
    call_command("restore_db", str(dump), "--into", restored)
    try:
        with _connect(connection.settings_dict["NAME"]) as original, _connect(restored) as copy:
            counts = _table_counts(original)
            assert counts["evaluations_attainmentsnapshot"] == 27
            assert _table_counts(copy) == counts
            assert _figures(copy) == _figures(original)
    finally:
        with _connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
    assert "genskabt" in capsys.readouterr().out


def test_restore_never_overwrites_an_existing_database(tmp_path):
    dump = tmp_path / "x.dump"
    call_command("backup_db", "--output", str(dump))
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Kunne ikke oprette databasen"):
        call_command("restore_db", str(dump), "--into", connection.settings_dict["NAME"])
