"""The benchmark suite (`make bench`): pages, queries, recomputation, memory and load.

    DATABASE_URL=postgres://... uv run python bench/run.py --factors 1,10,100

For each factor N it uses a database of its own (jobvaekst_bench_N on the same server,
created if missing), fills it once with `generate_scale_data --factor N`, and measures:

- server time (p50, p95) and SQL queries of the overview, an initiative page, the
  targets table with a filter, the status form GET and POST, the programme PDF, the API
  lists, and the framework floor (a trivial view behind the same middleware);
- full recomputation in one process (every snapshot written; then nothing changed) and
  incremental recomputation after one status update;
- the full recomputation as production runs it, by a real Celery worker with two
  processes taking one task per chunk of targets, and the peak memory of its largest
  process (needs Redis: CELERY_BROKER_URL);
- a load run: locust with N users against gunicorn on loopback;
- page weight: HTML, CSS and JavaScript of a page, gzip-compressed.

Prints one table, with the budgets of issue 9, and with more than one factor the scale
table of issue 17 (bench/scale.py): each page's p95 and queries side by side and the
ratio of its p95 at the largest factor to the smallest. The pages are measured in
`--page-passes K` passes (default 3), the factors alternating in order, and each figure
is the median of the passes' own, so one pass disturbed by the machine does not decide
the ratio. The ×1000 database (100.000 targets, 2,4 mio. status updates) is generated
on its first use. `--json FILE` also writes the figures;
`--only recompute,pages,worker,load` and `--pages NAME,...` measure a part.
Server time is measured in-process with Django's test client (the whole middleware
stack, the view and the template; no network), DEBUG off.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1234"
PREFIX = "bench"

BUDGETS = {  # at factor 100 (issue 9)
    "page_p95_ms": 150,
    "page_queries": 15,
    "pdf_s": 2.0,
    "full_recompute_s": 10.0,
    "incremental_ms": 100,
    "load_p95_ms": 500,
    "page_weight_kb": 1536,
}


# --- The parent: one child process per factor, then the table ---------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _ensure_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            con.execute(f'CREATE DATABASE "{name}"')


def parent(args: argparse.Namespace) -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "bench: DATABASE_URL skal pege på PostgreSQL (tallene skal gælde den rigtige "
            'database). Kør `make bench`, der starter en, eller: eval "$(bash .ci/services.sh '
            'env)".',
            file=sys.stderr,
        )
        return 2
    results = {}

    def run_child(factor: int, only: list[str]) -> dict:
        name = f"{args.db_prefix}_{factor}"
        _ensure_database(url, name)
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        env = {
            **os.environ,
            "DATABASE_URL": _with_database(url, name),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
        if env.get("CELERY_BROKER_URL"):
            env.setdefault("CELERY_RESULT_BACKEND", env["CELERY_BROKER_URL"])
        command = [sys.executable, str(Path(__file__)), "--child", str(factor), "--out", str(out)]
        command += [f"--runs={args.runs}", f"--pdf-runs={args.pdf_runs}"]
        command += [f"--load-seconds={args.load_seconds}", f"--load-users={args.load_users}"]
        command += [f"--only={','.join(only)}"]
        if args.pages:
            command += [f"--pages={','.join(args.pages)}"]
        print(f"bench: faktor {factor} ...", file=sys.stderr, flush=True)
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        result = json.loads(out.read_text())
        out.unlink()
        return result

    for factor in args.factors:
        results[factor] = run_child(factor, args.only)
    sys.path.insert(0, str(ROOT))
    from bench.scale import merge_pages, scale_table

    if "pages" in args.only and len(args.factors) > 1:
        # More passes over the pages, the factors alternating in order, so that the
        # machine's drift during the run falls on every factor alike (issue 17's ratio).
        for i in range(1, args.page_passes):
            for factor in args.factors[::-1] if i % 2 else args.factors:
                merge_pages(results[factor], run_child(factor, ["pages"]))
    print(table(results))
    if len(results) > 1:
        print()
        print(scale_table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f} s"


def table(results: dict[int, dict]) -> str:
    factors = sorted(results)
    head = "| measure | " + " | ".join(f"×{f}" for f in factors) + " | budget (×100) |"
    lines = [head, "|" + "---|" * (len(factors) + 2)]

    def row(label: str, cell, budget: str = "") -> None:
        cells = " | ".join(cell(results[f]) for f in factors)
        lines.append(f"| {label} | {cells} | {budget} |")

    first = results[factors[0]]
    row("targets / status updates", lambda r: f"{r['targets']} / {r['updates']}")
    for name in first.get("pages", {}):
        is_pdf = name.startswith("programme PDF")
        budget = f"≤ {BUDGETS['pdf_s']} s" if is_pdf else ""
        if name in ("overview", "initiative page"):
            budget = f"p95 ≤ {BUDGETS['page_p95_ms']} ms, ≤ {BUDGETS['page_queries']} q"

        def cell(r, name=name):
            p = r["pages"][name]
            ratio = p["p95"] / r["pages"]["floor"]["p95"]
            return f"{_ms(p['p50'])} / {_ms(p['p95'])} · {p['queries']} q · {ratio:.1f}× floor"

        row(f"{name}: p50 / p95 · queries", cell, budget)
    if "recompute" in first:
        _recompute_rows(row)
    if "worker" in first:
        row(
            "full recompute by the worker (2 processes), all written",
            lambda r: "–" if r["worker"] is None else _s(r["worker"]["seconds"]),
            f"≤ {BUDGETS['full_recompute_s']:g} s",
        )
        row(
            "worker peak memory (largest process, full recompute)",
            lambda r: "–" if r["worker"] is None else f"{r['worker']['peak_mb']:.0f} MB",
        )

    def load(r):
        x = r["load"]
        if x is None:
            return "–"
        return (
            f"{x['users']} users {x['seconds']} s: {x['rps']:.1f} req/s, p95 {x['p95_ms']:.0f} ms, "
            f"{x['failures']} errors of {x['requests']}"
        )

    if "load" in first:
        row("load (locust, gunicorn)", load, f"p95 ≤ {BUDGETS['load_p95_ms']} ms, 0 errors")
    if first.get("weight_kb"):
        row(
            "page weight, gzip (overview / initiative)",
            lambda r: " / ".join(f"{kb:.0f} KB" for kb in r["weight_kb"].values()),
            f"≤ {BUDGETS['page_weight_kb'] / 1024:g} MB",
        )
    return "\n".join(lines)


def _recompute_rows(row) -> None:
    row(
        "full recompute in one process, all written",
        lambda r: _s(r["recompute"]["full_first"]),
    )
    row(
        "full recompute in one process, nothing changed",
        lambda r: _s(r["recompute"]["full_unchanged"]),
    )
    row(
        "incremental recompute, p50 / p95",
        lambda r: (
            f"{_ms(r['recompute']['incremental_p50'])} / {_ms(r['recompute']['incremental_p95'])}"
        ),
        f"≤ {BUDGETS['incremental_ms']} ms",
    )


# --- The child: one factor, in its own database ------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from evaluations import services
    from evaluations.models import AttainmentSnapshot
    from initiatives.models import Programme, StatusUpdate, Target

    factor = args.child
    call_command("migrate", verbosity=0)
    generated = None
    if not Programme.objects.filter(slug__startswith=f"{PREFIX}-").exists():
        started = time.perf_counter()
        call_command("generate_scale_data", factor=factor, prefix=PREFIX, verbosity=0)
        generated = time.perf_counter() - started
    bench_targets = Target.objects.filter(initiative__programme__slug__startswith=f"{PREFIX}-")
    result: dict = {
        "targets": bench_targets.count(),
        "updates": StatusUpdate.objects.filter(target__in=bench_targets).count(),
        "generated_s": generated,
    }

    only = args.only
    people = _people(factor)
    _settle()
    if "recompute" in only:
        # Full recomputation: first with every snapshot to write, then with nothing changed.
        AttainmentSnapshot.objects.all().delete()
        started = time.perf_counter()
        services.snapshots_recompute()
        services.scores_recompute()
        full_first = time.perf_counter() - started
        started = time.perf_counter()
        services.snapshots_recompute()
        full_unchanged = time.perf_counter() - started
        incremental = _incremental(people, args.runs)
        result["recompute"] = {
            "full_first": full_first,
            "full_unchanged": full_unchanged,
            "incremental_p50": incremental[0],
            "incremental_p95": incremental[1],
        }
    elif services.stale_target_ids():
        # The pages read snapshots: make sure they exist, outside any measurement.
        services.snapshots_recompute()
        services.scores_recompute()
    _settle()
    if "pages" in only:
        result["pages"], result["weight_kb"] = _pages(people, args.runs, args.pdf_runs, args.pages)
    if "worker" in only:
        result["worker"] = _worker_recompute()
    _settle()
    if "load" in only:
        result["load"] = _load(people, args.load_seconds, args.load_users)
    Path(args.out).write_text(json.dumps(result))


def _settle() -> None:
    """VACUUM ANALYZE: the steady state autovacuum reaches a minute after a bulk write.

    The benchmark itself generates the data and deletes and rewrites every snapshot,
    and measures right afterwards. Until autovacuum has analysed the tables the planner
    works from the statistics of before (at ×100 the API's target list took 60 ms
    instead of 13 ms), and its vacuum would run during the load. Production never
    rewrites everything at once but after an engine change, and autovacuum catches up
    by itself; the figures here are for that steady state.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _people(factor: int) -> dict:
    """The first synthetic programme, an open round, and users with roles in it."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from initiatives.models import Initiative, Membership, Programme, ReportingRound

    User = get_user_model()
    programme = Programme.objects.get(slug=f"{PREFIX}-0")
    initiative = Initiative.objects.filter(programme=programme).order_by("number").first()
    round_, _ = ReportingRound.objects.get_or_create(
        programme=programme,
        year=2021,
        number=1,
        defaults={
            "period_start": dt.date(2021, 1, 1),
            "period_end": dt.date(2021, 2, 28),
            "deadline": dt.date(2021, 3, 15),
            "state": ReportingRound.State.OPEN,
        },
    )

    def user(name: str, role: str, initiative=None):
        person, created = User.objects.get_or_create(username=name)
        if created:
            person.set_password(PASSWORD)
            person.save()
        Membership.objects.get_or_create(
            user=person, programme=programme, role=role, initiative=initiative
        )
        return person

    load_users = [user(f"bench-last-{i}", "tovholder", initiative) for i in range(1, 41)]
    return {
        "factor": factor,
        "programme": programme,
        "initiative": initiative,
        "round": round_,
        "programleder": user("bench-programleder", "programleder"),
        "tovholder": user("bench-tovholder", "tovholder", initiative),
        "load_users": load_users,
    }


def _incremental(people: dict, runs: int) -> tuple[float, float]:
    """One status update changes, then that target's snapshots are recomputed."""
    from decimal import Decimal

    from evaluations import services
    from initiatives.models import StatusUpdate

    update = (
        StatusUpdate.objects.filter(
            target__initiative=people["initiative"], value__isnull=False, round__state="lukket"
        )
        .order_by("target__order", "round__year", "round__number")
        .last()
    )
    samples = []
    for i in range(runs + 1):
        StatusUpdate.objects.filter(pk=update.pk).update(value=update.value + Decimal(i + 1))
        started = time.perf_counter()
        services.snapshots_recompute(target_ids=[update.target_id])
        if i:  # the first is a warm-up
            samples.append(time.perf_counter() - started)
    StatusUpdate.objects.filter(pk=update.pk).update(value=update.value)
    services.snapshots_recompute(target_ids=[update.target_id])
    return _percentiles(samples)


def page_list(people: dict) -> list[tuple[str, str, str, str]]:
    """(name, who, method, url) of each page measured; who is "reader" (the programleder)
    or "editor" (the initiative's tovholder). Also read by bench/explain.py."""
    programme = people["programme"].slug
    initiative = people["initiative"].slug
    report_url = f"/rapportering/{programme}/{people['round'].code}/{initiative}/"
    return [
        ("floor", "reader", "get", "/bench/floor/"),
        ("overview", "reader", "get", f"/oversigt/{programme}/"),
        ("initiative page", "reader", "get", f"/initiativer/{initiative}/"),
        (
            "targets table, filtered",
            "reader",
            "get",
            f"/initiativer/{initiative}/?niveau=effekt&sort=-title",
        ),
        ("status form GET", "editor", "get", report_url),
        ("status form POST", "editor", "post", report_url),
        ("programme PDF", "reader", "get", f"/udskrift/{programme}/program/pdf/"),
        ("API programmes", "reader", "get", "/api/v1/programmes/"),
        ("API initiatives", "reader", "get", "/api/v1/initiatives/"),
        ("API targets", "reader", "get", "/api/v1/targets/"),
        ("API rounds", "reader", "get", "/api/v1/rounds/"),
        ("API assessments", "reader", "get", "/api/v1/assessments/"),
    ]


def _pages(
    people: dict, runs: int, pdf_runs: int, only: list[str] | None = None
) -> tuple[dict, dict]:
    from django.contrib.staticfiles import finders
    from django.db import connection
    from django.test import Client

    from bench.forms import status_save
    from initiatives.models import StatusReport

    programme = people["programme"].slug
    initiative = people["initiative"].slug
    code = people["round"].code
    report_url = f"/rapportering/{programme}/{code}/{initiative}/"

    reader = Client()
    reader.force_login(people["programleder"])
    editor = Client()
    editor.force_login(people["tovholder"])

    def save_data() -> dict:
        return status_save(editor.get(report_url).content.decode(), f"Benchmark {time.time()}")

    clients = {"reader": reader, "editor": editor}
    pages = [
        (name, clients[who], method, url, pdf_runs if name == "programme PDF" else runs)
        for name, who, method, url in page_list(people)
    ]
    if only:
        pages = [p for p in pages if p[0] == "floor" or any(w in p[0] for w in only)]
    figures = {}
    weight = {}
    for name, client, method, url, n in pages:

        def call(client=client, method=method, url=url):
            if method == "post":
                data = save_data()  # read the form (and its version) outside the timing
                started, cpu = time.perf_counter(), time.process_time()
                response = client.post(url, data)
                elapsed = time.perf_counter() - started
                expected = (302,)
            else:
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed = time.perf_counter() - started
                expected = (200,)
            cpu = time.process_time() - cpu
            if response.status_code not in expected:
                raise SystemExit(f"bench: {method.upper()} {url} gav {response.status_code}")
            return response, elapsed, cpu

        call()  # warm-up
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        # Counted by a wrapper, not CaptureQueriesContext: each request's start clears the
        # connection's query log (django.db.reset_queries).
        with connection.execute_wrapper(count):
            response, *_ = call()
        timed = [call()[1:] for _ in range(n)]
        samples = [wall for wall, _ in timed]
        # This process's CPU time (the database's is not in it): hardly changed by other
        # processes competing for the cores, unlike the wall time.
        cpu_samples = [cpu for _, cpu in timed]
        p50, p95 = _percentiles(samples)
        figures[name] = {
            "p50": p50,
            "p95": p95,
            "queries": len(queries),
            "runs": n,
            "samples": samples,
            "cpu_samples": cpu_samples,
            "cpu_p95": _percentiles(cpu_samples)[1],
            "queries_seen": [len(queries)],
        }
        if name in ("overview", "initiative page"):
            html = response.content
            total = len(gzip.compress(html))
            for asset in set(re.findall(rb'(?:href|src)="/static/([^"?]+)"', html)):
                path = finders.find(asset.decode())
                if path:
                    total += len(gzip.compress(Path(path).read_bytes()))
            weight[name] = total / 1024
    if "status form POST" in figures:  # the saves really reached the database
        assert StatusReport.objects.filter(round=people["round"]).exists()
    return figures, weight


def _worker_recompute() -> dict | None:
    """A real worker (prefork, 2 processes) does a full recompute, every snapshot to write.

    The full recomputation as production runs it: one task per chunk of targets
    (``recompute_everything``), taken side by side by the worker's processes. Returns
    the time from sending the chunks until the last is done, and the peak memory (VmHWM)
    of the largest worker process.
    """
    from django.conf import settings

    from evaluations import services
    from evaluations.models import AttainmentSnapshot
    from evaluations.tasks import recompute_everything
    from jobvaekst.celery import app

    if not settings.CELERY_BROKER_URL:
        return None
    app.control.purge()
    AttainmentSnapshot.objects.all().delete()
    hostname = f"bench-{os.getpid()}@localhost"
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "jobvaekst", "worker"),
                *("--concurrency=2", f"--hostname={hostname}", "--without-gossip"),
                *("--without-mingle", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=1):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"bench: workeren startede ikke:\n{log.read_text()}")
        started = time.perf_counter()
        chunks = recompute_everything()
        chunks.apply_async().get(timeout=1800)
        elapsed = time.perf_counter() - started
        if services.stale_target_ids():
            raise SystemExit("bench: workeren efterlod mål uden beregning")
        pids = [worker.pid]
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        pids += [int(p) for p in children.read_text().split()]

        def peak_kb(pid: int) -> int:
            status = Path(f"/proc/{pid}/status").read_text()
            return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))

        return {
            "seconds": elapsed,
            "chunks": len(chunks.tasks),
            "peak_mb": max(peak_kb(pid) for pid in pids) / 1024,
        }
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.unlink()


def _load(people: dict, seconds: int, users: int) -> dict | None:
    """locust against gunicorn on loopback; reads and a save now and then."""
    if seconds <= 0:
        return None
    from django.conf import settings

    from jobvaekst.celery import app

    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {**os.environ, "DB_CONN_MAX_AGE": "60"}
    gunicorn = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "jobvaekst.wsgi:application", "--bind"),
            *(f"127.0.0.1:{port}", "--workers", "4", "--no-control-socket", "--log-level=warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=(workdir / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    programme = people["programme"].slug
    initiative = people["initiative"].slug
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise SystemExit("bench: gunicorn startede ikke") from None
                time.sleep(0.3)
        load_env = {
            **env,
            "BENCH_USERS": ",".join(u.username for u in people["load_users"][:users]),
            "BENCH_PASSWORD": PASSWORD,
            "BENCH_PATHS": ",".join(
                [
                    f"/oversigt/{programme}/",
                    f"/initiativer/{initiative}/",
                    "/api/v1/targets/",
                    f"/rapportering/{programme}/{people['round'].code}/{initiative}/",
                ]
            ),
            "BENCH_SAVE_PATH": f"/rapportering/{programme}/{people['round'].code}/{initiative}/",
        }
        subprocess.run(
            [
                *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")),
                *("--headless", "-u", str(users), "-r", str(max(1, users // 4))),
                *("-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}"),
                *("--csv", str(workdir / "load"), "--only-summary", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env=load_env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        import csv

        with (workdir / "load_stats.csv").open() as f:
            total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
        return {
            "users": users,
            "seconds": seconds,
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]),
            "p95_ms": float(total["95%"]),
            "p50_ms": float(total["50%"]),
        }
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if settings.CELERY_BROKER_URL:
            app.control.purge()  # the saves' recompute tasks; no worker was meant to run them


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--factors", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 100]
    )
    parser.add_argument("--runs", type=int, default=20, help="requests per page (after warm-up)")
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument(
        "--page-passes",
        type=int,
        default=3,
        help="with two factors or more: measure the pages this many times per factor, the "
        "factors alternating; each figure is the median of the passes'",
    )
    parser.add_argument("--load-seconds", type=int, default=120, help="0: no load run")
    parser.add_argument("--load-users", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--db-prefix", default="jobvaekst_bench", help="databases are named PREFIX_FACTOR"
    )
    parser.add_argument(
        "--only",
        type=lambda s: s.split(","),
        default=["recompute", "pages", "worker", "load"],
        help="measure only these parts (comma-separated: recompute,pages,worker,load,frontend)",
    )
    parser.add_argument(
        "--pages",
        type=lambda s: s.split(","),
        help='only pages whose name contains one of these (e.g. "overview,PDF")',
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    if "frontend" in args.only:  # throttled Chromium on the overview (bench/frontend.py)
        subprocess.run([sys.executable, str(ROOT / "bench" / "frontend.py")], check=True)
        args.only.remove("frontend")
        if not args.only:
            return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
