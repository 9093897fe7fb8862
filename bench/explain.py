"""Where a page's database time goes, at each factor: EXPLAIN ANALYZE of every query.

    DATABASE_URL=postgres://... uv run python bench/explain.py --factors 1,1000 \\
        --db-prefix jobvaekst_bench [--pages PDF] [--plans 1]

Uses the benchmark's databases (``PREFIX_FACTOR``, filled by bench/run.py). For each
page it reads (bench/run.py's ``page_list``; the POST is left out, it writes) it requests
the page once, records every SQL query with its parameters, and runs each SELECT again
under ``EXPLAIN (ANALYZE, BUFFERS)``. The buffers a query touches do not depend on how
busy the machine is, so they show what grows with the data even when the timings are
noisy. Prints per page the database time and buffers at each factor, and the query that
grew most; ``--plans N`` also prints the plans of the N slowest queries at the largest
factor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _explain(cursor, sql: str, params) -> tuple[float, int, str]:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]
    node = top["Plan"]
    buffers = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
    text = "\n".join(row[0] for row in cursor.fetchall())
    return top["Planning Time"] + top["Execution Time"], buffers, text


def child(out: str, only: list[str] | None) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.run import _people, page_list

    people = _people(0)
    clients = {"reader": Client(), "editor": Client()}
    clients["reader"].force_login(people["programleder"])
    clients["editor"].force_login(people["tovholder"])
    figures = {}
    for name, who, method, url in page_list(people):
        if method != "get" or name == "floor":
            continue
        if only and not any(w in name for w in only):
            continue
        client = clients[who]
        client.get(url)  # warm-up
        queries: list[tuple[str, object]] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(url)
        explained = []
        with connection.cursor() as cursor:
            for i, (sql, params) in enumerate(queries):
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                ms, buffers, plan = _explain(cursor, sql, params)
                explained.append(
                    {
                        "n": i,
                        "ms": ms,
                        "buffers": buffers,
                        "sql": sql,
                        "params": params,
                        "plan": plan,
                    }
                )
        figures[name] = {
            "queries": len(queries),
            "ms": sum(q["ms"] for q in explained),
            "buffers": sum(q["buffers"] for q in explained),
            "explained": explained,
        }
    Path(out).write_text(json.dumps(figures, default=str))


def parent(args: argparse.Namespace) -> int:
    from bench.run import _ensure_database, _with_database

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("explain: DATABASE_URL skal pege på PostgreSQL.", file=sys.stderr)
        return 2
    results = {}
    for factor in args.factors:
        name = f"{args.db_prefix}_{factor}"
        _ensure_database(url, name)
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        env = {
            **os.environ,
            "DATABASE_URL": _with_database(url, name),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
        command = [sys.executable, str(Path(__file__)), "--child", "--out", str(out)]
        if args.pages:
            command += [f"--pages={','.join(args.pages)}"]
        print(f"explain: faktor {factor} ...", file=sys.stderr, flush=True)
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        results[factor] = json.loads(out.read_text())
        out.unlink()
    print(report(results, args.plans))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def report(results: dict[int, dict], plans: int = 0) -> str:
    factors = sorted(results)
    small, large = factors[0], factors[-1]
    every = " / ".join(f"×{f}" for f in factors)
    lines = [
        f"| page | database ms {every} | buffers {every} | query that grew most (×{large}) |",
        "|---|---|---|---|",
    ]
    details = []
    for name in results[small]:
        pages = [results[f][name] for f in factors]
        ms = " / ".join(f"{p['ms']:.1f}" for p in pages)
        buffers = " / ".join(str(p["buffers"]) for p in pages)
        first = {q["n"]: q for q in pages[0]["explained"]}
        last = pages[-1]["explained"]

        def growth(q, first=first):
            before = first.get(q["n"])
            return q["ms"] - (before["ms"] if before else 0)

        grew = max(last, key=growth, default=None)
        what = "–"
        if grew is not None:
            before = first.get(grew["n"], {"ms": 0, "buffers": 0})
            what = (
                f"#{grew['n']}: {before['ms']:.1f} → {grew['ms']:.1f} ms, "
                f"{before['buffers']} → {grew['buffers']} buffers: `{grew['sql'][:90]}…`"
            )
        lines.append(f"| {name} | {ms} | {buffers} | {what} |")
        for q in sorted(last, key=lambda q: -q["ms"])[:plans]:
            details += ["", f"{name}, query #{q['n']} at ×{large} ({q['ms']:.1f} ms):", q["sql"]]
            details += ["", q["plan"]]
    return "\n".join(lines + details)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--factors", type=lambda s: [int(x) for x in s.split(",")], default=[1, 100, 1000]
    )
    parser.add_argument("--db-prefix", default="jobvaekst_bench")
    parser.add_argument("--pages", type=lambda s: s.split(","))
    parser.add_argument("--plans", type=int, default=0, help="print the N slowest plans")
    parser.add_argument("--json", help="also write every query, its time, buffers and plan")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.out, args.pages)
        return 0
    sys.path.insert(0, str(ROOT))
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
