"""The recomputation pipeline on a real Redis and a real Celery worker process.

- a saved status reaches its snapshot through the worker within seconds;
- with Redis stopped, a status save still succeeds in under 2 s, its figures are marked
  stale, and the beat sweep recomputes them once Redis is back;
- the same task run twice leaves identical rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from evaluations.models import AttainmentSnapshot
from evaluations.tasks import recompute_targets
from initiatives.models import ReportingRound, StatusReport, StatusUpdate, Target

from ..base import load_reference
from ..conftest import _database_url, _stop_process

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} skete ikke inden for {timeout} s")


def eksportpilot() -> Target:
    return Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet")


def test_a_saved_status_reaches_its_snapshot_through_the_worker(celery_worker_process):
    programme = load_reference()
    target = eksportpilot()
    round_ = ReportingRound.objects.create(
        programme=programme,
        year=2018,
        number=3,
        period_start=dt.date(2018, 5, 1),
        period_end=dt.date(2018, 6, 30),
        deadline=dt.date(2018, 7, 15),
        state="aaben",
    )
    StatusReport.objects.create(initiative=target.initiative, round=round_, state="godkendt")
    started = time.monotonic()
    StatusUpdate.objects.create(target=target, round=round_, value=9)

    def done():
        s = AttainmentSnapshot.objects.filter(target=target, round=round_).first()
        return s if s is not None and not s.stale and s.actual == 9.0 else None

    snapshot = wait_for(done, timeout=10, what="Snapshot med den nye værdi")
    assert snapshot.percent == pytest.approx(9 / 240 * 100)
    assert time.monotonic() - started < 10
    assert "evaluations.recompute_targets" in celery_worker_process.log()


def test_the_same_task_twice_leaves_identical_rows(celery_worker_process):
    load_reference()
    ids = list(Target.objects.values_list("pk", flat=True))
    AttainmentSnapshot.objects.update(stale=True)  # force the first run to write
    first = recompute_targets.apply_async(args=[ids])
    assert celery_worker_process.result(first.id).get(timeout=20)["written"] == 27
    rows = list(AttainmentSnapshot.objects.order_by("pk").values())
    second = recompute_targets.apply_async(args=[ids])
    assert celery_worker_process.result(second.id).get(timeout=20) == {
        "computed": 27,
        "written": 0,
    }
    assert list(AttainmentSnapshot.objects.order_by("pk").values()) == rows


# --- Redis down ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, workdir: Path) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    assert binary, "redis-server mangler: apt-get install redis-server"
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    wait_for(answers, timeout=10, what="Redis-start")
    return process


SAVE_SCRIPT = """
import json, time
from django.db import transaction
from initiatives.models import StatusUpdate
started = time.monotonic()
with transaction.atomic():
    update = StatusUpdate.objects.get(target_id={target_id}, round__year=2018, round__number=2)
    update.value = {value}
    update.save()
print(json.dumps({{"seconds": time.monotonic() - started}}))
"""


def test_a_save_with_redis_stopped_succeeds_fast_and_is_caught_up(tmp_path):
    load_reference()
    target = eksportpilot()
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict, tmp_path),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "SWEEP_INTERVAL_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "jobvaekst.settings",
    }
    redis = _start_redis(port, tmp_path)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "jobvaekst",
                "worker",
                "-B",
                "--pool=solo",
                "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
                f"--hostname=broker-down-{port}@localhost",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        wait_for(
            lambda: "ready" in log.read_text(errors="replace"), timeout=20, what="Worker-start"
        )
        _stop_process(redis)  # the broker goes away

        saved = subprocess.run(
            [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "shell",
                "--no-imports",
                "-c",
                SAVE_SCRIPT.format(target_id=target.pk, value=5),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert saved.returncode == 0, saved.stderr
        seconds = json.loads(saved.stdout.strip().splitlines()[-1])["seconds"]
        print(f"gemning med Redis nede: {seconds:.3f} s")
        assert seconds < 2, f"gemning tog {seconds:.2f} s med Redis nede"
        assert StatusUpdate.objects.get(target=target).value == 5  # nothing lost
        snapshot = AttainmentSnapshot.objects.get(target=target)
        assert snapshot.stale and snapshot.actual == 3.0  # old figure, marked "opdateres…"

        redis = _start_redis(port, tmp_path)  # the broker is back

        def caught_up():
            s = AttainmentSnapshot.objects.get(target=target)
            return s if not s.stale and s.actual == 5.0 else None

        snapshot = wait_for(caught_up, timeout=45, what="Genberegning efter Redis kom tilbage")
        assert snapshot.percent == pytest.approx(5 / 240 * 100)
        assert "evaluations.sweep_stale" in log.read_text(errors="replace")
    finally:
        _stop_process(worker)
        _stop_process(redis)
