"""The real services behind the app: PostgreSQL, Redis with a Celery worker, and Chromium.

Each test is marked with what it needs; see tests/conftest.py for how a missing service
is skipped locally and fails under CI=true.
"""

from __future__ import annotations

import time

import pytest


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql() -> None:
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 + 1")
        assert cursor.fetchone() == (2,)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_is_run_by_the_real_worker(celery_worker_process) -> None:
    from celery.result import EagerResult

    from jobvaekst.celery import app, ping

    worker = celery_worker_process
    # With a broker configured, tasks must go through it, not run in this process.
    assert app.conf.task_always_eager is False

    replies = app.control.inspect(destination=[worker.hostname], timeout=5).ping()
    assert replies is not None
    assert worker.hostname in replies

    sent = ping.apply_async()
    assert not isinstance(sent, EagerResult)
    assert worker.result(sent.id).get(timeout=10) == "pong"

    # And it was our worker that ran it (the log line is written just after the result).
    deadline = time.monotonic() + 5
    while f"jobvaekst.ping[{sent.id}] succeeded" not in worker.log():
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_login_page_is_danish_in_a_real_browser(live_server, page) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/login/")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
