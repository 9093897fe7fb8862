"""The health endpoint and the accessibility statement."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_ok_without_login_on_the_embedded_default(client, settings):
    settings.CELERY_BROKER_URL = ""  # the embedded default (CI sets a broker for the run)
    response = client.get("/sundhed/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "mode": "eager"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_degraded_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    response = client.get("/sundhed/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False
    assert "127.0.0.1" not in response.content.decode()  # no connection details leak


@pytest.mark.redis
def test_health_sees_the_real_worker(client, celery_worker_process):
    body = client.get("/sundhed/").json()
    assert body["checks"]["workers"]["ok"] is True
    assert body["checks"]["workers"]["workers"] >= 1


def test_the_accessibility_statement_is_linked_from_every_page(client, users):
    statement = client.get("/tilgaengelighed/")  # readable without logging in
    assert statement.status_code == 200
    text = statement.content.decode()
    assert "Tilgængelighedserklæring for Jobvækst monitor" in text
    assert "WCAG 2.1" in text and "Digitaliseringsstyrelsen" in text
    client.force_login(users.udvalg)
    for url in ("/oversigt/", "/udskrift/jobvaekstpakken/", "/login/"):
        assert (
            'href="/tilgaengelighed/">Tilgængelighedserklæring</a>'
            in client.get(url).content.decode()
        )


def test_json_logs_are_one_object_per_line_without_secrets():
    import json
    import logging

    from jobvaekst.logs import JsonFormatter

    record = logging.LogRecord(
        "jobvaekst.auth",
        logging.WARNING,
        __file__,
        1,
        "login failed: username=%r",
        ("bente",),
        None,
    )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "jobvaekst.auth"
    assert entry["message"] == "login failed: username='bente'"
    assert "\n" not in line
