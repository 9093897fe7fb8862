"""Settings come from the environment; a bad value stops the start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, "
    "s.LANGUAGE_CODE, s.TIME_ZONE)"
)
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DEBUG", "SECRET_KEY"}
}


def start(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "jobvaekst.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_environment_gives_the_embedded_default():
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "True",
        "da",
        "Europe/Copenhagen",
    ]


def test_database_url_and_broker_switch_to_postgresql_and_a_real_worker():
    result = start(
        DATABASE_URL="postgres://u@127.0.0.1:5/x", CELERY_BROKER_URL="redis://127.0.0.1:6/0"
    )
    assert result.returncode == 0, result.stderr
    engine, eager, *_ = result.stdout.split()
    assert (engine, eager) == ("django.db.backends.postgresql", "False")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "kanske"}, "DEBUG='kanske' er ikke en gyldig sandhedsværdi"),
        ({"DEBUG": "0"}, "SECRET_KEY skal sættes"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "kun PostgreSQL og SQLite"),
        ({"DATABASE_URL": "ikke-en-url"}, "DATABASE_URL"),
        ({"EMAIL_PORT": "femogtyve"}, "EMAIL_PORT='femogtyve' er ikke et heltal"),
    ],
)
def test_a_bad_value_fails_loudly_at_start_up(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_need_no_debug_and_set_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        ],
        env={**CLEAN, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000"]


def test_production_settings_pass_the_deployment_checks_without_a_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **CLEAN,
            "DJANGO_SETTINGS_MODULE": "jobvaekst.settings",
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-0123456789",
            "ALLOWED_HOSTS": "jobvaekst.aalborg.dk",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
