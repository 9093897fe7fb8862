"""Faults (issue 8, "Concurrency and faults"), each ending in figures we can report.

1. A Celery worker killed in the middle of a task: the work is redone, nothing is lost.
   (a) a prefork pool child is SIGKILLed: the worker requeues the message itself
       (``acks_late`` + ``reject_on_worker_lost``) and a new child redoes it;
   (b) the whole worker (main process and children) is SIGKILLed: its message is stranded
       in Redis, and beat's ``evaluations.sweep_stale`` on a new worker catches up.
2. PostgreSQL restarted under load (``pg_ctl restart -m fast``): gunicorn's workers
   recover on their own, with the same PIDs, and no status is lost or half saved.
3. What a user reads while the database is unreachable: with
   ``jobvaekst.middleware.DatabaseUnavailableMiddleware`` a Danish 503 with Retry-After
   instead of Django's bare "Server Error (500)"; test 2 checks that every failure during
   the restart is that page.

Everything is real: celery worker processes, Redis, PostgreSQL and gunicorn. The figures
are printed (``-s`` or ``-rP``) and recorded as suite properties (``--junitxml``).

"Mid-task" is made deterministic with a row lock: before the worker starts, a separate
connection holds ``SELECT ... FOR UPDATE`` on the snapshot rows the task will upsert, so
the task is provably blocked inside its transaction (``pg_stat_activity`` shows it waiting
on a ``Lock`` held by us) when it is killed.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone, translation

from evaluations import services
from evaluations.models import AttainmentSnapshot
from evaluations.tasks import sweep_stale
from initiatives.models import StatusUpdate
from jobvaekst.numbers import format_number

from .base import load_reference, make_users
from .conftest import CeleryWorker, _stop_process, start_celery_worker


def _record(record_testsuite_property, test: str, figures: dict) -> None:
    """Print the figures (``-s`` or ``-rP``) and put them in the JUnit XML report.

    Suite-level properties, named ``test.figure``: per-test ``record_property`` is not
    written under the default junit_family (xunit2).
    """
    for key, value in figures.items():
        record_testsuite_property(f"{test}.{key}", value)
    print(f"\n{test}:\n" + "\n".join(f"  {key}: {value}" for key, value in figures.items()))


def _wait_for(check, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} skete ikke inden for {timeout:g} s", pytrace=False)
        time.sleep(interval)


# --- 1. Worker killed mid-task ------------------------------------------------------------

# kombu's Redis transport keeps a delivered, not yet acknowledged message here until it
# is acked, or until visibility_timeout (1 hour by default) has passed.
UNACKED, UNACKED_INDEX = "unacked", "unacked_index"


def _redis():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=5)


@contextlib.contextmanager
def _dedicated_queue():
    """Route evaluations' tasks to a queue of their own, and remove it afterwards.

    The session's ``celery_worker_process`` (and any other worker on this broker) consumes
    Celery's default queue; a worker of ours that listens only on this queue is then the
    only one that can run the tasks the saves publish, so what we kill is what would have
    done the work. The routes are this process's only: the saves publish through the
    application's ordinary path (``jobvaekst.queue.publish`` after the commit).
    """
    from jobvaekst.celery import app

    def reroute(routes) -> None:
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        del app.amqp.router  # a cached Router keeps the routes it was made with

    queue = f"fault-{uuid.uuid4().hex[:8]}"
    before = app.conf.task_routes
    reroute({"evaluations.*": {"queue": queue}})
    try:
        yield queue
    finally:
        reroute(before)
        _purge(queue)


def _stranded(queue: str) -> dict[str, str]:
    """Messages of ``queue`` delivered but never acknowledged: task id -> repr of args."""
    stranded = {}
    for raw in _redis().hvals(UNACKED):
        message, exchange, routing_key = json.loads(raw)
        if queue in (exchange, routing_key):
            stranded[message["headers"]["id"]] = message["headers"].get("argsrepr")
    return stranded


def _purge(queue: str) -> None:
    """Leave nothing of ours in Redis: the queue, and any message stranded by a kill."""
    client = _redis()
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall(UNACKED).items():
        _message, exchange, routing_key = json.loads(raw)
        if queue in (exchange, routing_key):
            client.hdel(UNACKED, tag)
            client.zrem(UNACKED_INDEX, tag)


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def _gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaps counts as exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return fields[0] in {"Z", "X"}


def _pg_connect(*, autocommit: bool):
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=autocommit,
        connect_timeout=5,
    )


@contextlib.contextmanager
def _row_lock(target_ids: list[int]):
    """Hold FOR UPDATE on the targets' snapshot rows until the block ends (then roll back).

    Yields a function that releases the lock early, and the lock holder's backend PID.
    """
    conn = _pg_connect(autocommit=False)
    table = AttainmentSnapshot._meta.db_table
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
            # The table name is our model's, not user input.
            cursor.execute(
                f'SELECT id FROM "{table}" WHERE target_id = ANY(%s) FOR UPDATE',  # noqa: S608
                [target_ids],
            )
            assert cursor.rowcount == len(target_ids)
        yield conn.rollback, backend_pid
    finally:
        conn.rollback()
        conn.close()


def _blocked_by(backend_pid: int) -> list[tuple]:
    """Backends waiting for a lock ``backend_pid`` holds: (pid, wait_event_type, query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, wait_event_type, xact_start IS NOT NULL, query FROM pg_stat_activity"
            " WHERE %s = ANY(pg_blocking_pids(pid))",
            [backend_pid],
        )
        return cursor.fetchall()


def _active(worker: CeleryWorker) -> list[dict]:
    from jobvaekst.celery import app

    replies = app.control.inspect(destination=[worker.hostname], timeout=1).active() or {}
    return replies.get(worker.hostname, [])


def _start_worker(tmp_path: Path, queue: str, name: str, pool: str = "prefork") -> CeleryWorker:
    return start_celery_worker(
        workdir=tmp_path,
        hostname=f"{name}-{os.getpid()}-{uuid.uuid4().hex[:6]}@localhost",
        pool=pool,
        concurrency=1,
        queues=[queue],
        logname=f"{name}.log",
    )


def _save_statuses() -> dict[int, Decimal]:
    """Save a new value in every status of round 2018-2 that has one, one save each.

    Each save is the application's ordinary path (``StatusUpdate.save()`` in a
    transaction): it marks the target's snapshots stale and, after the commit, publishes
    one ``recompute_targets`` task for that one target. Returns target id -> saved value.
    """
    saved = {}
    for pk in StatusUpdate.objects.filter(
        round__year=2018, round__number=2, value__isnull=False
    ).values_list("pk", flat=True):
        with transaction.atomic():
            update = StatusUpdate.objects.select_for_update().get(pk=pk)
            update.value += 4
            update.save()
        saved[update.target_id] = update.value
    return saved


def _fresh(saved: dict[int, Decimal]) -> set[int]:
    """The targets whose snapshot is not stale and shows the saved value."""
    return {
        target_id
        for target_id, actual in AttainmentSnapshot.objects.filter(
            target_id__in=saved, stale=False
        ).values_list("target_id", "actual")
        if actual == float(saved[target_id])
    }


def _page_block(client: Client, snapshot: AttainmentSnapshot, pages: dict | None = None) -> str:
    """The target's "Sådan er tallet beregnet" block on its initiative page.

    ``pages`` caches the pages already fetched (URL -> HTML), one request per page.
    """
    url = f"/initiativer/{snapshot.target.initiative.slug}/"
    pages = {} if pages is None else pages
    if url not in pages:
        response = client.get(url)
        assert response.status_code == 200
        pages[url] = response.content.decode()
    page = pages[url]
    start = page.index(f'id="mal-{snapshot.target_id}"')
    return page[start : page.index("</details>", start)]


def _check_outcome(client: Client, saved: dict[int, Decimal], started) -> dict:
    """What a user would see, and what a clean recompute says; returns the figures."""
    found = dict(
        StatusUpdate.objects.filter(target_id__in=saved, round__year=2018).values_list(
            "target_id", "value"
        )
    )
    assert found == saved, "en gemt status er tabt eller ændret"
    snapshots = AttainmentSnapshot.objects.filter(target_id__in=saved).select_related(
        "target__initiative"
    )
    pages: dict[str, str] = {}  # one request per initiative page
    with translation.override("da"):
        for snapshot in snapshots:
            block = _page_block(client, snapshot, pages)
            assert f"<dt>Faktisk (A)</dt><dd>{format_number(saved[snapshot.target_id])}</dd>" in (
                block
            )
            assert "opdateres…" not in block
    # The figures equal a clean recompute in this process: it finds nothing to write.
    assert AttainmentSnapshot.objects.filter(stale=True).count() == 0
    clean = services.snapshots_recompute()
    assert clean.written == 0, f"{clean.written} snapshots afviger fra en ren genberegning"
    return {
        "statuses_saved": len(saved),
        "statuses_found_after": sum(1 for t, v in found.items() if saved.get(t) == v),
        "snapshots_recomputed": AttainmentSnapshot.objects.filter(computed_at__gte=started).count(),
        "clean_recompute_differences": clean.written,
    }


def _block_first_task(tmp_path: Path, queue: str, saved: dict, name: str):
    """Lock the snapshot rows, start a prefork worker and wait until its task is blocked.

    Returns (stack, worker, release, task): closing ``stack`` stops the worker and drops
    the lock, ``release()`` drops it earlier, and ``task`` is the running task as
    ``inspect active`` reports it (id, args, worker_pid).
    """
    with contextlib.ExitStack() as stack:
        release, holder = stack.enter_context(_row_lock(list(saved)))
        worker = _start_worker(tmp_path, queue, name)
        stack.callback(_stop_process, worker.process)
        task = _wait_until_blocked(worker, holder)
        return stack.pop_all(), worker, release, task


def _wait_until_blocked(worker: CeleryWorker, holder: int) -> dict:
    def blocked():
        waiting = [
            row
            for row in _blocked_by(holder)
            if row[1] == "Lock" and row[2] and '"evaluations_attainmentsnapshot"' in row[3]
        ]
        active = _active(worker)
        return (waiting, active[0]) if waiting and active else None

    waiting, task = _wait_for(blocked, timeout=20, what="At opgaven blev blokeret af låsen")
    assert task["name"] == "evaluations.recompute_targets"
    assert waiting[0][3].startswith('INSERT INTO "evaluations_attainmentsnapshot"')
    assert task["worker_pid"] in _children(worker.process.pid)  # our own pool child
    return task


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pool_child_killed_mid_task_is_redone_by_the_worker(tmp_path, record_testsuite_property):
    """(a) SIGKILL of the prefork child running the task: the worker redoes it by itself.

    A dedicated worker (prefork, one child, ``-Q`` a queue of its own, no beat) is the only
    consumer, so the work can only be redone by redelivery: were the message acked or
    dropped on the child's death, its target would stay stale and the test would fail.
    """
    programme = load_reference()
    client = Client()
    client.force_login(make_users(programme).baggrundsgruppe)
    with _dedicated_queue() as queue:
        started = timezone.now()
        saved = _save_statuses()
        assert _redis().llen(queue) == len(saved)  # one task per save, waiting
        snapshot = AttainmentSnapshot.objects.select_related("target__initiative").get(
            target_id=next(iter(saved))
        )
        assert "opdateres…" in _page_block(client, snapshot)  # the old figure, marked

        stack, worker, release, task = _block_first_task(tmp_path, queue, saved, "child")
        with stack:
            killed_at = time.monotonic()
            os.kill(task["worker_pid"], signal.SIGKILL)
            _wait_for(
                lambda: "WorkerLostError" in worker.log() or "signal 9" in worker.log(),
                timeout=10,
                what="At workeren opdagede den dræbte proces",
            )
            release()  # the redone task (and the rest) may now write

            _wait_for(
                lambda: _fresh(saved) == set(saved),
                timeout=30,
                what="At alle snapshots blev genberegnet",
            )
            caught_up = time.monotonic() - killed_at
            killed = f"evaluations.recompute_targets[{task['id']}]"
            # The worker logs "succeeded" just after the commit the snapshots show.
            _wait_for(
                lambda: f"{killed} succeeded" in worker.log(),
                timeout=10,
                what="At workeren loggede opgaven som udført",
            )
            log = worker.log()
            assert worker.process.poll() is None  # the worker itself lived on
            figures = _check_outcome(client, saved, started)
            figures |= {
                "tasks_killed": 1,
                "killed_task_deliveries": log.count(f"{killed} received"),
                "killed_task_succeeded": log.count(f"{killed} succeeded"),
                "seconds_until_caught_up": round(caught_up, 2),
            }
            # Delivered, lost with the child, redelivered and done: once, not twice.
            assert figures["killed_task_deliveries"] == 2, log
            assert figures["killed_task_succeeded"] == 1, log
    _record(record_testsuite_property, "worker_child_killed", figures)
    assert figures["snapshots_recomputed"] == len(saved)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_task_is_caught_up_by_the_sweep(
    tmp_path, record_testsuite_property
):
    """(b) SIGKILL of the worker's main process and children, mid-task; then a new worker.

    The killed worker's message is stranded in Redis (delivered, never acknowledged, and
    not redelivered before the transport's visibility timeout of an hour). The stale mark
    committed with the save is what is left; beat's sweep, sent to the broker exactly as
    beat sends it, makes the new worker recompute it. A dedicated queue (``-Q``) keeps any
    other worker on this broker out of it.
    """
    programme = load_reference()
    client = Client()
    client.force_login(make_users(programme).baggrundsgruppe)
    with _dedicated_queue() as queue:
        started = timezone.now()
        saved = _save_statuses()
        assert _redis().llen(queue) == len(saved)  # one task per save, waiting
        stack, worker, release, task = _block_first_task(tmp_path, queue, saved, "whole")
        with stack:
            main = worker.process.pid
            doomed = [main, *_children(main)]
            killed_at = time.monotonic()
            # The main process first: were the child first, the main process would see it
            # die and requeue the message, which is case (a).
            for pid in doomed:
                with contextlib.suppress(ProcessLookupError):  # a child may have gone
                    os.kill(pid, signal.SIGKILL)
            worker.process.wait(timeout=10)
            _wait_for(lambda: all(_gone(pid) for pid in doomed), timeout=10, what="Drabet")
            stranded = _stranded(queue)
            assert task["id"] in stranded, stranded
            release()

        lost = {i for args in stranded.values() for i in ast.literal_eval(args)[0]}
        assert lost <= set(saved)
        replacement_started = time.monotonic()
        replacement = _start_worker(tmp_path, queue, "replacement", pool="solo")
        replacement_ready = time.monotonic() - replacement_started
        try:
            # The new worker runs what was still queued; the stranded target stays stale.
            _wait_for(
                lambda: (
                    _redis().llen(queue) == 0
                    and not _active(replacement)
                    and _fresh(saved) == set(saved) - lost
                ),
                timeout=30,
                what="At den nye worker kørte køen",
            )
            still_stale = set(
                AttainmentSnapshot.objects.filter(stale=True).values_list("target_id", flat=True)
            )
            assert lost <= still_stale, "den strandede besked blev kørt alligevel?"

            swept_at = time.monotonic()
            sweep_stale.apply_async(queue=queue)  # what beat sends every SWEEP_INTERVAL
            _wait_for(
                lambda: _fresh(saved) == set(saved),
                timeout=30,
                what="At sweep_stale indhentede de strandede",
            )
            done = time.monotonic()
            assert f"sweep: {len(lost)} stale targets recomputed" in replacement.log()
            figures = _check_outcome(client, saved, started)
            figures |= {
                "tasks_stranded_by_kill": len(stranded),
                "targets_stale_until_sweep": len(lost),
                "seconds_replacement_worker_start": round(replacement_ready, 2),
                "seconds_sweep_to_caught_up": round(done - swept_at, 2),
                "seconds_until_caught_up": round(done - killed_at, 2),
            }
        finally:
            _stop_process(replacement.process)
    _record(record_testsuite_property, "worker_killed_whole", figures)
    assert figures["snapshots_recomputed"] == len(saved)


# --- 2. PostgreSQL restarted under load ---------------------------------------------------

PASSWORD = "fault-test-password-1234"
# The status form's URL, for the round the setup opens (2018-3) and the tovholder's
# initiative; the two targets whose values the saver writes.
REPORT = "/rapportering/jobvaekstpakken/2018-3/smajobs/"
PAGES = ("/oversigt/", "/initiativer/smajobs/")

SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from initiatives.models import Initiative, Membership, Programme, Target
from tests.base import open_round_2018_3
call_command("migrate", verbosity=0, interactive=False)
call_command("load_reference", verbosity=0)
programme = Programme.objects.get(slug="jobvaekstpakken")
smajobs = Initiative.objects.get(slug="smajobs")
user = get_user_model().objects.create_user("tove", password={password!r})
Membership.objects.create(user=user, programme=programme, initiative=smajobs, role="tovholder")
open_round_2018_3(programme)
targets = Target.objects.filter(initiative=smajobs).order_by("pk")
staff = targets.filter(title__startswith="Antal jobcentermedarbejdere").order_by("pk")
print(json.dumps({{"all": [t.pk for t in targets], "written": [t.pk for t in staff[:2]]}}))
"""

# Gunicorn runs the production settings (DEBUG=0) with one difference: static files are
# served without the manifest, which needs a `collectstatic` of ~25 s; no page here
# depends on it, and the database settings (CONN_MAX_AGE, CONN_HEALTH_CHECKS) are untouched.
OVERLAY_SETTINGS = """
from jobvaekst.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing_service(message: str) -> None:
    from .conftest import _in_ci

    if _in_ci():
        pytest.fail(f"{message} [CI=true: en manglende tjeneste er en fejl]", pytrace=False)
    pytest.skip(message)


def _pg_bindir() -> Path | None:
    import shutil

    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    if shutil.which("pg_ctl"):
        candidates.append(str(Path(shutil.which("pg_ctl")).resolve().parent))
    for candidate in filter(None, candidates):
        if all((Path(candidate) / b).exists() for b in ("initdb", "pg_ctl")):
            return Path(candidate)
    return None


class PgCluster:
    """A throwaway PostgreSQL cluster on loopback, run as `postgres` when we are root."""

    def __init__(self, bindir: Path, port: int) -> None:
        import tempfile

        self.bindir, self.port = bindir, port
        # Not under pytest's tmp_path: the `postgres` user cannot enter root's 0700 dirs.
        self.dir = Path(tempfile.mkdtemp(prefix="jobvaekst-fault-pg."))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60):
        import subprocess

        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "30",
            "-o", options, "start",
        )  # fmt: skip
        conn = self.connect("postgres", autocommit=True)
        with conn:
            conn.execute("CREATE DATABASE jobvaekst")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: disconnect everyone, stop, start; wait until it answers."""
        # -l again: without it the new server writes to pg_ctl's stdout (our pipe), forever.
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-m", "fast", "-w",
            "-t", "30", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        import shutil

        if self.pid() is not None:
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/jobvaekst"

    def connect(self, dbname: str = "jobvaekst", *, autocommit: bool = True):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname,
            autocommit=autocommit, connect_timeout=5,
        )  # fmt: skip

    def log(self) -> str:
        try:
            return (self.dir / "log").read_text(errors="replace")
        except FileNotFoundError:
            return ""


@dataclass
class Sample:
    """One HTTP request of the load: what was asked, when, and what came back."""

    kind: str  # "side" (a page), "formular" (the status form) or "gem" (a status save)
    start: float
    end: float
    status: int | None
    ok: bool
    error: str = ""
    retry_after: str | None = None
    danish_503: bool = False
    save: int | None = None


class Load:
    """A bounded load of logged-in users: readers of two pages and one status saver.

    Save number ``i`` writes progress "lagring i" and the values 100 + i and 200 + i to
    two targets, in one form post, so what the database holds afterwards tells exactly
    which saves were committed, and whether any was committed only in part.
    """

    def __init__(self, base: str, *, readers: int, targets: dict) -> None:
        import threading

        self.base, self.targets = base, targets
        self.samples: list[Sample] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._save_number = 0
        self.threads = [
            threading.Thread(target=self._reader, args=(n,), daemon=True) for n in range(readers)
        ]
        self.threads.append(threading.Thread(target=self._saver, daemon=True))

    def login(self):
        import re

        import requests

        session = requests.Session()
        page = session.get(f"{self.base}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{self.base}/login/",
            data={"username": "tove", "password": PASSWORD, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]
        return session

    def start(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        # In parallel: each login hashes the password with the production hasher.
        with ThreadPoolExecutor(len(self.threads)) as pool:
            self.sessions = list(pool.map(lambda _: self.login(), self.threads))
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "en belastningstråd hænger"

    def _request(self, session, kind: str, path: str, data=None, save=None):
        import requests

        started = time.monotonic()
        response, status, error = None, None, ""
        try:
            response = session.request(
                "POST" if data else "GET",
                self.base + path,
                data=data,
                allow_redirects=False,
                timeout=(5, 20),
            )
            status = response.status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        ended = time.monotonic()
        if kind == "gem":
            ok = status == 302 and response.headers["Location"].endswith(REPORT)
        else:
            ok = status == 200
        sample = Sample(
            kind,
            started,
            ended,
            status,
            ok,
            error,
            retry_after=response.headers.get("Retry-After") if response is not None else None,
            danish_503=status == 503 and "Databasen er midlertidigt utilgængelig" in response.text,
            save=save,
        )
        with self._lock:
            self.samples.append(sample)
        return sample, response

    def _reader(self, n: int) -> None:
        session = self.sessions[n]
        while not self.stop.is_set():
            self._request(session, "side", PAGES[n % len(PAGES)])
            n += 1

    def _saver(self) -> None:
        import re

        session = self.sessions[-1]
        while not self.stop.is_set():
            sample, form = self._request(session, "formular", REPORT)
            if not sample.ok:
                continue
            version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            self._save_number += 1
            i = self._save_number
            data = {
                "csrfmiddlewaretoken": token,
                "version": version,
                "progress": f"lagring {i}",
                "challenges": "",
                "next_steps": "",
                "budget_spent": "",
                "action": "gem",
            }
            for pk in self.targets["all"]:
                data[f"t{pk}-value"] = ""
                data[f"t{pk}-comment"] = ""
            first, second = self.targets["written"]
            data[f"t{first}-value"] = str(100 + i)
            data[f"t{second}-value"] = str(200 + i)
            self._request(session, "gem", REPORT, data=data, save=i)

    def save_in_flight(self) -> int:
        """The number of the save being posted now (the saver posts one at a time)."""
        return self._save_number

    def ok_count(self, kind: str | None = None, *, after: float = 0.0) -> int:
        with self._lock:
            return sum(
                1
                for s in self.samples
                if s.ok and s.start >= after and (kind is None or s.kind == kind)
            )


class AccessLog:
    """gunicorn's access log ("PID STATUS REQUEST" per line), read from an offset on."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def _text(self) -> str:
        return self.path.read_text(errors="replace") if self.path.exists() else ""

    def skip_to_end(self) -> None:
        self.offset = len(self._text())

    def successes_by_worker(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self._text()[self.offset :].splitlines():
            pid, status = line.split()[:2]
            pid = pid.strip("<>")  # gunicorn writes %(p)s as <PID>
            if status in {"200", "302"}:
                counts[pid] = counts.get(pid, 0) + 1
        return counts


def _committed_saves(cluster: PgCluster, targets: dict) -> dict:
    """What the database holds of the saves: the report, its history and the values."""
    first, second = targets["written"]
    with cluster.connect() as conn:
        report_id, version, progress = conn.execute(
            "SELECT r.id, r.version, r.progress FROM initiatives_statusreport r"
            " JOIN initiatives_reportinground rr ON rr.id = r.round_id"
            " WHERE rr.year = 2018 AND rr.number = 3"
        ).fetchone()
        history = {
            int(p.split()[1])
            for (p,) in conn.execute(
                "SELECT progress FROM initiatives_historicalstatusreport"
                " WHERE id = %s AND progress LIKE 'lagring %%'",
                [report_id],
            )
        }
        values: dict[int, set[int]] = {first: set(), second: set()}
        for target_id, value in conn.execute(
            "SELECT h.target_id, h.value FROM initiatives_historicalstatusupdate h"
            " JOIN initiatives_reportinground rr ON rr.id = h.round_id"
            " WHERE rr.year = 2018 AND rr.number = 3 AND h.value IS NOT NULL"
            " AND h.target_id = ANY(%s)",
            [[first, second]],
        ):
            values[target_id].add(int(value))
        current = dict(
            conn.execute(
                "SELECT u.target_id, u.value FROM initiatives_statusupdate u"
                " JOIN initiatives_reportinground rr ON rr.id = u.round_id"
                " WHERE rr.year = 2018 AND rr.number = 3 AND u.target_id = ANY(%s)",
                [[first, second]],
            ).fetchall()
        )
    return {
        "version": version,
        "progress": progress,
        "saves": history,
        "first": {v - 100 for v in values[first]},
        "second": {v - 200 for v in values[second]},
        "current": {k: int(v) for k, v in current.items()},
    }


DB_MIDDLEWARE = "jobvaekst.middleware.DatabaseUnavailableMiddleware"
RECOVERY_SECONDS = 3.0  # every request that starts this long after the restart must succeed
FAIL_FAST_SECONDS = 10.0  # no failing request may take longer than this


def _app_env(cluster: PgCluster) -> dict[str, str]:
    """Production settings on the throwaway cluster, with no broker (Celery eager)."""
    import secrets

    drop = {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DB_CONN_MAX_AGE"}
    return {key: value for key, value in os.environ.items() if key not in drop} | {
        "DATABASE_URL": cluster.url(),
        "DJANGO_SETTINGS_MODULE": "jobvaekst.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }


def _setup_database(env: dict[str, str]) -> dict:
    """migrate, load_reference, a tovholder and an open round, through manage.py."""
    import subprocess
    import sys

    from .conftest import ROOT

    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         SETUP_SCRIPT.format(password=PASSWORD)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
    return json.loads(setup.stdout.strip().splitlines()[-1])


def _start_gunicorn(env: dict[str, str], workdir: Path, port: int, app_log):
    """gunicorn with two sync workers, as production runs it; returns the process."""
    import subprocess
    import sys

    from .conftest import ROOT

    overlay = workdir / "overlay"
    overlay.mkdir()
    (overlay / "fault_settings.py").write_text(OVERLAY_SETTINGS)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jobvaekst.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", str(workdir / "access.log"),
         "--access-logformat", "%(p)s %(s)s %(r)s",
         "--error-logfile", str(workdir / "error.log"),
         # Not ~/.gunicorn/gunicorn.ctl, which every gunicorn on the machine shares.
         "--no-control-socket"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "fault_settings",
                   "PYTHONPATH": f"{overlay}{os.pathsep}{ROOT}"},
        stdout=app_log, stderr=app_log,
    )  # fmt: skip


@contextlib.contextmanager
def _hold_status_rows(cluster: PgCluster, target_ids: list[int]):
    """Lock the two status rows the saver writes, so its next save stops half-way.

    By the time the save reaches them, its transaction has raised the report's version,
    saved the report and written history rows: were it committed in part, the database
    would show it. Yields the lock holder's backend PID.
    """
    conn = cluster.connect(autocommit=False)
    try:
        holder = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        locked = conn.execute(
            "SELECT u.id FROM initiatives_statusupdate u"
            " JOIN initiatives_reportinground rr ON rr.id = u.round_id"
            " WHERE rr.year = 2018 AND rr.number = 3 AND u.target_id = ANY(%s) FOR UPDATE",
            [target_ids],
        ).rowcount
        assert locked == len(target_ids)
        yield holder
    finally:
        with contextlib.suppress(Exception):  # the restart has closed it under us
            conn.close()


def _waiting_for(cluster: PgCluster, holder: int) -> list[str]:
    """The queries waiting for a lock that backend ``holder`` holds."""
    with cluster.connect() as conn:
        return [
            query
            for (query,) in conn.execute(
                "SELECT query FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))",
                [holder],
            )
        ]


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_restarted_under_load_recovers_without_a_restart(
    tmp_path, record_testsuite_property
):
    """`pg_ctl restart -m fast` under load: gunicorn recovers by itself, nothing is lost.

    A PostgreSQL cluster of its own (so the restart touches nobody else), migrated and
    loaded through manage.py; gunicorn with two sync workers and the production settings
    (DEBUG=0, CONN_MAX_AGE 60 s with health checks), no broker (Celery eager). Three
    readers and one saver, each a logged-in tovholder, run while PostgreSQL restarts. The
    restart is made to catch one save half-way through its transaction (a row lock holds
    it there), so "no half-saved status" is tested, not hoped for.
    """
    from concurrent.futures import ThreadPoolExecutor

    import requests

    bindir = _pg_bindir()
    if bindir is None:
        _missing_service("PostgreSQL-serveren (initdb, pg_ctl) mangler: apt-get install postgresql")
    cluster = PgCluster(bindir, _free_port())
    stack = contextlib.ExitStack()
    stack.callback(cluster.stop)
    try:
        cluster.start()
        env = _app_env(cluster)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        # The application's own log (Django's tracebacks of the 500s) goes to app.log.
        app_log = stack.enter_context((tmp_path / "app.log").open("wb"))
        # gunicorn's workers import the application while manage.py migrates: no request
        # reaches them before the setup is done.
        gunicorn = _start_gunicorn(env, tmp_path, port, app_log)
        stack.callback(_stop_process, gunicorn)
        targets = _setup_database(env)
        served = AccessLog(tmp_path / "access.log")

        def login_page() -> None:
            with contextlib.suppress(requests.RequestException):
                requests.get(f"{base}/login/", timeout=5)

        def both_workers_up():
            assert gunicorn.poll() is None, (tmp_path / "error.log").read_text(errors="replace")
            # Four at once, so that a busy worker leaves the next one to the other worker.
            with ThreadPoolExecutor(4) as pool:
                for _ in range(4):
                    pool.submit(login_page)
            return len(served.successes_by_worker()) == 2

        _wait_for(both_workers_up, timeout=90, what="At begge gunicorn-workere svarede")
        workers_before = sorted(_children(gunicorn.pid))
        assert len(workers_before) == 2

        load = Load(base, readers=3, targets=targets)
        load.start()
        try:
            _wait_for(
                lambda: load.ok_count("side") >= 6 and load.ok_count("gem") >= 2,
                timeout=30,
                what="Belastningen i gang",
            )
            with _hold_status_rows(cluster, targets["written"]) as holder:
                waiting = _wait_for(
                    lambda: _waiting_for(cluster, holder),
                    timeout=20,
                    what="At en gemning ventede midt i sin transaktion",
                )
                assert waiting[0].startswith('UPDATE "initiatives_statusupdate"'), waiting
                held = load.save_in_flight()
                postmaster_before = cluster.pid()
                restart_began = time.monotonic()
                cluster.restart()
                restarted = time.monotonic()
            assert cluster.pid() != postmaster_before  # it really was restarted

            after = restarted + RECOVERY_SECONDS
            time.sleep(max(0.0, after - time.monotonic()))  # bounded: RECOVERY_SECONDS
            served.skip_to_end()  # from here on, count which worker answers
            _wait_for(
                lambda: (
                    load.ok_count("side", after=after) >= 10
                    and load.ok_count("gem", after=after) >= 2
                    and len(served.successes_by_worker()) == 2
                ),
                timeout=40,
                what="Normal drift efter genstarten",
            )
        finally:
            load.finish()
        workers_after = sorted(_children(gunicorn.pid))

        samples = sorted(load.samples, key=lambda s: s.start)
        failures = [s for s in samples if not s.ok]
        held_save = next(s for s in samples if s.kind == "gem" and s.save == held)
        db = _committed_saves(cluster, targets)
        acknowledged = {s.save for s in samples if s.kind == "gem" and s.ok}
        acknowledged_after = {
            s.save for s in samples if s.kind == "gem" and s.ok and s.start > restarted
        }
        attempted = {s.save for s in samples if s.kind == "gem"}
        # What the user sees now: the form shows the last save, read from the database.
        page = load.sessions[-1].get(base + REPORT, timeout=10).text
        last = max(db["saves"])
        first_target, second_target = targets["written"]

        figures = {
            "requests_total": len(samples),
            "requests_before_restart": sum(1 for s in samples if s.end < restart_began),
            "requests_during_restart": sum(
                1 for s in samples if s.end >= restart_began and s.start <= restarted
            ),
            "requests_after_restart": sum(1 for s in samples if s.start > restarted),
            "failed_requests": len(failures),
            "failed_statuses": sorted({str(s.status or s.error) for s in failures}),
            "failed_longest_seconds": round(max((s.end - s.start for s in failures), default=0), 3),
            "seconds_pg_restart": round(restarted - restart_began, 3),
            "seconds_outage_seen_by_users": round(
                max((s.end for s in failures), default=0)
                - min((s.start for s in failures), default=0),
                3,
            ),
            "seconds_to_first_success_after_restart": round(
                min(s.end for s in samples if s.ok and s.start >= restarted) - restarted, 3
            ),
            "seconds_last_failure_after_restart": round(
                max((s.end for s in failures), default=restarted) - restarted, 3
            ),
            "held_save_status": held_save.status or held_save.error,
            "held_save_seconds_after_restart_began": round(held_save.end - restart_began, 3),
            "saves_attempted": len(attempted),
            "saves_acknowledged": len(acknowledged),
            "saves_acknowledged_after_restart": len(acknowledged_after),
            "saves_committed": len(db["saves"]),
            "saves_committed_but_reported_failed": len(db["saves"] - acknowledged),
            "gunicorn_workers_before": workers_before,
            "gunicorn_workers_after": workers_after,
            "requests_per_worker_after_recovery": served.successes_by_worker(),
        }
        _record(record_testsuite_property, "postgresql_restart", figures)

        # Nothing failed before the restart, and everything works again within seconds...
        assert not [s for s in failures if s.end < restart_began]
        assert not [s for s in failures if s.start >= after], failures
        # ... with the same gunicorn workers: nobody restarted anything.
        assert gunicorn.poll() is None
        assert workers_after == workers_before
        # A request that fails during the outage fails fast; the held save did fail.
        assert figures["failed_longest_seconds"] < FAIL_FAST_SECONDS
        assert not held_save.ok and held_save.end - restart_began < FAIL_FAST_SECONDS
        # ... and what they get is the Danish 503 page, not a bare 500.
        assert DB_MIDDLEWARE in settings.MIDDLEWARE
        answered = [s for s in failures if s.status is not None]
        assert all(s.status == 503 and s.danish_503 and s.retry_after for s in answered)
        # No acknowledged save is lost, none is half saved (the held one left nothing at
        # all), and each committed save raised the report's version exactly once.
        assert acknowledged <= db["saves"] <= attempted
        assert held not in db["saves"] | db["first"] | db["second"]
        assert db["first"] == db["saves"] and db["second"] == db["saves"], db
        assert db["version"] == len(db["saves"])
        # A save made after the restart is the current state, in the database and on the
        # page.
        assert acknowledged_after and max(acknowledged_after) == last
        assert db["progress"] == f"lagring {last}"
        assert db["current"] == {first_target: 100 + last, second_target: 200 + last}
        assert f'name="t{first_target}-value" value="{100 + last}"' in page
        assert f"lagring {last}</textarea>" in page
    except BaseException:
        print("--- PostgreSQL-log ---\n" + cluster.log()[-3000:])
        raise
    finally:
        stack.close()


# --- What a user sees while the database is unreachable ----------------------------------


def _with_503_middleware():
    """MIDDLEWARE with DatabaseUnavailableMiddleware right after SecurityMiddleware."""
    rest = [m for m in settings.MIDDLEWARE if m != DB_MIDDLEWARE]
    assert rest[0] == "django.middleware.security.SecurityMiddleware"
    return override_settings(MIDDLEWARE=[rest[0], DB_MIDDLEWARE, *rest[1:]])


def _without_503_middleware():
    return override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != DB_MIDDLEWARE])


@contextlib.contextmanager
def _database_unreachable():
    """Point the default connection at a port nobody listens on (a real refused connect)."""
    from django.db import connections

    conn = connections["default"]
    conn.close()
    saved = dict(conn.settings_dict)
    conn.settings_dict.update(HOST="127.0.0.1", PORT=str(_free_port()))
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gives_a_danish_503_with_retry_after():
    """A refused PostgreSQL connection: 503, the Danish message, Retry-After, the headers.

    The session is read from the database by the login middleware before any view runs,
    so this is the path every page takes during an outage. Without the middleware the
    same request is Django's bare English "Server Error (500)".
    """

    def client() -> Client:
        # A client per MIDDLEWARE: its handler builds the middleware chain once.
        c = Client(raise_request_exception=False)
        c.cookies["sessionid"] = "a" * 32  # a session to look up: a database read
        return c

    with _database_unreachable():
        with _without_503_middleware():
            bare = client().get("/oversigt/")
        with _with_503_middleware():
            enabled = client()
            page = enabled.get("/oversigt/")
            api = enabled.get("/api/v1/programmes/")
    assert bare.status_code == 500
    assert page.status_code == 503
    text = page.content.decode()
    assert "Databasen er midlertidigt utilgængelig. Prøv igen om lidt." in text
    assert '<html lang="da">' in text
    assert page["Retry-After"] == "5"
    assert page["Cache-Control"] == "no-store"
    assert page["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in page
    assert api.status_code == 503
    assert api.json() == {"detail": "Databasen er midlertidigt utilgængelig. Prøv igen om lidt."}
    assert api["Retry-After"] == "5"
    # And when the database is back, the same client gets the ordinary answer again.
    with _with_503_middleware():
        assert enabled.get("/oversigt/").status_code == 302  # no such session: log in


def test_only_database_errors_become_503():
    """The middleware's decision, without a server: OperationalError and InterfaceError
    (also as the cause of another exception) give 503; any other error stays a 500."""
    from django.core.handlers.exception import convert_exception_to_response
    from django.db import InterfaceError, OperationalError
    from django.test import RequestFactory

    from jobvaekst.middleware import DatabaseUnavailableMiddleware

    def failing(exc: Exception):
        def view(request):
            raise exc

        return DatabaseUnavailableMiddleware(convert_exception_to_response(view))

    def wrapped():
        try:
            raise InterfaceError("connection already closed")
        except InterfaceError as exc:
            raise RuntimeError("while rendering") from exc

    def reraising(request):
        wrapped()

    factory = RequestFactory()
    for exc, status in [
        (OperationalError("the database system is starting up"), 503),
        (InterfaceError("connection already closed"), 503),
        (ValueError("a bug"), 500),
    ]:
        assert failing(exc)(factory.get("/oversigt/")).status_code == status, exc
    chained = DatabaseUnavailableMiddleware(convert_exception_to_response(reraising))
    assert chained(factory.get("/oversigt/")).status_code == 503
