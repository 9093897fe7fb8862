"""Suite-wide test setup: real services and the fixtures that provide them.

Three markers (declared in pyproject.toml) say what a test needs beyond Python:

* ``postgres``: Django's default database is PostgreSQL (DATABASE_URL=postgres://...);
* ``redis``: CELERY_BROKER_URL points at a Redis that answers; such tests get a real
  Celery worker from the ``celery_worker_process`` fixture;
* ``browser``: Debian's Chromium and the Playwright package (``browser``/``page`` fixtures);
* ``pdftools``: poppler's pdftotext, pdftoppm and pdfinfo, to read and render PDFs.

One more, ``slow``, marks tests that take more than a couple of seconds (a browser, a real
worker, a PDF, large data); ``browser`` and ``redis`` tests get it here, the rest in their
files. ``uv run pytest -m "not slow"`` is the quick loop; ``make test`` runs everything.

The reference data is loaded once, in ``django_db_setup``, and every ``db`` test rolls
back at its end (tests/base.py has the details).

When a requirement is missing, the test is skipped with a note on what to install, so
``make test`` works on a bare machine. With CI=true it fails instead: CI must run
everything (.ci/run starts the services).

Tests that are *not* marked ``redis`` run Celery tasks eagerly, as the embedded default
does, even when a broker is configured for the run; otherwise a task they enqueue would
sit in Redis with no worker to run it, and the result would depend on the environment.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from celery.result import AsyncResult

# Named users per role and the reference data (fixtures `reference`, `users`).
pytest_plugins = ["tests.base"]

ROOT = Path(__file__).resolve().parent.parent

# Flags from STACK.md: without the background-networking ones Chromium keeps trying to
# reach Google's hosts, which this closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

SERVICE_GROUPS = ("postgres", "redis", "browser", "pdftools")
_SERVICES_HINT = '`make services-start` og `eval "$(bash .ci/services.sh env)"`'
HOW_TO_INSTALL = {
    "postgres": (
        f"installér postgresql (apt-get install postgresql) og kør {_SERVICES_HINT}, "
        "eller sæt DATABASE_URL=postgres://..."
    ),
    "redis": (
        f"installér redis-server (apt-get install redis-server) og kør {_SERVICES_HINT}, "
        "eller sæt CELERY_BROKER_URL=redis://..."
    ),
    "browser": (
        "installér chromium og chromium-driver (apt-get install chromium chromium-driver) "
        "og kør `uv sync`; kør aldrig `playwright install`"
    ),
    "pdftools": "installér poppler-utils (apt-get install poppler-utils)",
}

_problems: dict[str, str | None] = {}  # group -> None when available, else what is wrong
_skipped: Counter[str] = Counter()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _chromium_path() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def _check_postgres() -> str | None:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return None
    return f"PostgreSQL mangler (databasen er {engine.rsplit('.', 1)[-1]})"


def _check_redis() -> str | None:
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url:
        return "Redis mangler (CELERY_BROKER_URL er ikke sat)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # any failure means "not usable", and we say why
        return f"Redis mangler ({url} svarer ikke: {exc})"
    return None


def _check_browser() -> str | None:
    if _chromium_path() is None:
        return f"Chromium mangler ({CHROMIUM} findes ikke)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright mangler ({exc})"
    return None


def _check_pdftools() -> str | None:
    missing = [t for t in ("pdftotext", "pdftoppm", "pdfinfo") if shutil.which(t) is None]
    return f"{', '.join(missing)} mangler" if missing else None


_CHECKS = {
    "postgres": _check_postgres,
    "redis": _check_redis,
    "browser": _check_browser,
    "pdftools": _check_pdftools,
}


def require_service(group: str) -> None:
    """Skip the current test (fail it under CI=true) if ``group`` is not available."""
    if group not in _problems:
        _problems[group] = _CHECKS[group]()
    problem = _problems[group]
    if problem is None:
        return
    message = f"{problem}: {HOW_TO_INSTALL[group]}"
    if _in_ci():
        pytest.fail(f"{message} [CI=true: en manglende tjeneste er en fejl]", pytrace=False)
    _skipped[group] += 1
    pytest.skip(message)


def _no_delay_live_server() -> None:
    """Send the live server's responses without Nagle's delay.

    Django's test server writes a response's headers and its body in two sends. With
    Nagle's algorithm on, the body then waits for the client to acknowledge the headers,
    and clients delay that acknowledgement by 40 ms: every request to ``live_server``
    (Chromium's pages and their files, schemathesis's calls) took 40 ms longer than the
    page itself. ``server_class`` is the live server's documented hook for its server.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class NoDelayServer(ThreadedWSGIServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    LiveServerThread.server_class = NoDelayServer


def pytest_configure(config: pytest.Config) -> None:
    _no_delay_live_server()


# Slow by nature: Chromium, or a real worker and the waits for it.
SLOW_GROUPS = ("browser", "redis")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # tryfirst: before `-m` deselects, so `-m "not slow"` sees the marks added here.
    for item in items:
        if any(item.get_closest_marker(group) for group in SLOW_GROUPS):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst: decide before any fixture (a database or a worker) is set up.
    for group in SERVICE_GROUPS:
        if item.get_closest_marker(group):
            require_service(group)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _skipped:
        return
    parts = [f"{group} ({count}): {HOW_TO_INSTALL[group]}" for group, count in _skipped.items()]
    terminalreporter.write_line(
        "Sprunget over, fordi en tjeneste mangler: " + " | ".join(parts), yellow=True
    )


# --- Database -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, with the reference data loaded once for the session.

    Every ``db`` test runs inside a transaction that is rolled back at its end, so it sees
    exactly this. Transactional tests commit and flush instead; pytest-django runs them
    after the others, and ``reference`` loads the data again for them when it is gone.
    """
    from tests.base import load_session_reference

    with django_db_blocker.unblock():
        load_session_reference()


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Django's caches outlive a rolled-back transaction: start every test with them empty,
    so nothing cached from another test's rows is served."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


# --- Celery ---------------------------------------------------------------------------


def _own_redis_database(url: str, worker: str) -> str:
    """``url`` with a Redis database number of this xdist worker's own (gw0 → +1, …)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + int(worker.removeprefix('gw'))}"))


@pytest.fixture(scope="session", autouse=True)
def _broker_per_xdist_worker() -> None:
    """Under ``pytest -n`` every xdist worker has its own test database (pytest-django
    names them ``test_…_gw0``, …); give it its own Redis database too, so its Celery worker
    never takes a task meant for another worker's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    from django.conf import settings

    if not worker or not settings.CELERY_BROKER_URL.startswith("redis"):
        return
    from jobvaekst.celery import app

    for name, key in (
        ("CELERY_BROKER_URL", "broker_url"),
        ("CELERY_RESULT_BACKEND", "result_backend"),
    ):
        url = getattr(settings, name)
        if url and url.startswith("redis"):
            url = _own_redis_database(url, worker)
            setattr(settings, name, url)
            app.conf[key] = url
            os.environ[name] = url


@pytest.fixture(autouse=True)
def _celery_eager_unless_redis(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run tasks in-process for every test that does not ask for the real worker."""
    if request.node.get_closest_marker("redis"):
        # Celery keeps "we are inside a task" in one process-wide flag that eager calls
        # set and restore. Two threads running eager tasks at once (the live server's
        # request threads) can leave it set, and a later .get() on a real result would
        # then refuse to wait. This process is never inside a task here, so clear it.
        from celery._state import _set_task_join_will_block

        _set_task_join_will_block(False)
        yield
        return
    from jobvaekst.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def _database_url(settings_dict: dict[str, Any], fallback_dir: Path) -> str:
    """A DATABASE_URL for another process that must see this test database."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = settings_dict.get("PASSWORD") or ""
        auth = f"{user}:{quote(password, safe='')}" if password else user
        host = quote(settings_dict.get("HOST") or "localhost", safe="")
        port = settings_dict.get("PORT")
        netloc = f"{auth}@{host}" if auth else host
        if port:
            netloc += f":{port}"
        return f"postgres://{netloc}/{quote(name, safe='')}"
    if name and name != ":memory:" and "mode=memory" not in name:
        return f"sqlite:///{name}"
    # An in-memory SQLite test database cannot be shared with a worker. Give the worker an
    # empty throwaway file rather than letting it fall back to the developer's db.sqlite3;
    # tests whose tasks touch the database must also be marked `postgres`.
    return f"sqlite:///{fallback_dir / 'worker-has-no-test-database.sqlite3'}"


@dataclass
class CeleryWorker:
    """A real `celery worker` process, pointed at the test database."""

    hostname: str
    process: subprocess.Popen[bytes]
    logfile: Path
    result_backend: Any  # a celery backend instance for the URL the worker stores into

    def result(self, task_id: str) -> AsyncResult:
        """The result of ``task_id``, read from the worker's result backend."""
        from celery.result import AsyncResult

        from jobvaekst.celery import app

        return AsyncResult(task_id, app=app, backend=self.result_backend)

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: Celery's warm shutdown
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def start_celery_worker(
    *,
    workdir: Path,
    hostname: str,
    pool: str = "solo",
    concurrency: int | None = None,
    queues: Sequence[str] = (),
    logname: str = "worker.log",
    timeout: float = 20,
) -> CeleryWorker:
    """Start a real `celery worker` process on the test database; return once it answers.

    The worker reads the same broker as this process and pytest-django's *test* database
    (so the caller must have set it up). Results go to the configured result backend, or
    to the broker's Redis when there is none, so tests can wait for them. ``queues``
    (``-Q``) limits what it consumes; the default is Celery's default queue. The caller
    stops it with :func:`_stop_process` (or kills it: it is the caller's own process).
    """
    from celery.app.backends import by_url
    from django.conf import settings
    from django.db import connection

    from jobvaekst.celery import app

    broker = settings.CELERY_BROKER_URL
    backend_url = settings.CELERY_RESULT_BACKEND or broker
    backend_cls, backend_url = by_url(backend_url, app.loader)
    logfile = workdir / logname
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict, workdir),
        # Closed after every task, so the test database can be dropped at the end.
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": backend_url,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "jobvaekst",
        "worker",
        f"--pool={pool}",
        "--loglevel=INFO",
        f"--hostname={hostname}",
        "--without-gossip",
        "--without-mingle",
    ]
    if concurrency is not None:
        command.append(f"--concurrency={concurrency}")
    if queues:
        command.append(f"--queues={','.join(queues)}")
    with logfile.open("wb") as out:
        # Log to a file, not a pipe: nobody reads a pipe, and a full one blocks the worker.
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    worker = CeleryWorker(hostname, process, logfile, backend_cls(app=app, url=backend_url))
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"Celery-workeren stoppede ved start:\n{worker.log()}", pytrace=False)
            if app.control.ping(destination=[hostname], timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Celery-workeren svarede ikke på ping inden {timeout:g} s:\n{worker.log()}",
                    pytrace=False,
                )
    except BaseException:
        _stop_process(process)
        raise
    return worker


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    """Start one real Celery worker for the session; stop it at the end.

    It reads the same broker as this process and pytest-django's *test* database (created
    by ``django_db_setup``). Tests that use it must be
    ``@pytest.mark.django_db(transaction=True)`` so what they write is committed and
    visible to the worker.
    """
    require_service("redis")
    from jobvaekst.celery import app

    hostname = f"pytest-{os.getpid()}-{uuid.uuid4().hex[:6]}@localhost"
    worker = start_celery_worker(
        workdir=tmp_path_factory.mktemp("celery-worker"), hostname=hostname
    )
    try:
        others = [h for reply in app.control.ping(timeout=0.5) for h in reply if h != hostname]
        if others:
            # They share the queue and may take our tasks while looking at another database.
            warnings.warn(f"Andre Celery-workere lytter på samme broker: {others}", stacklevel=1)
        yield worker
    finally:
        _stop_process(worker.process)


# --- Browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    require_service("browser")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, so Django would refuse the
    # test's own ORM calls as "async unsafe" although they are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh Danish browser context per test, so cookies never leak between tests."""
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
