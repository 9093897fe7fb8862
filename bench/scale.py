"""The scale table of `make bench` (issue 17): how each figure grows with the data.

Printed under the main table when a run measures more than one factor. For each page:
its p95 at every factor, its SQL queries at every factor (they must be equal), and the
ratio of its p95 at the largest factor to its p95 at the smallest, against the budget.
Absolute times on these machines vary between sessions by a factor of 2–5, so the budget
is a ratio within one run. The floor is listed for reference: its ratio shows how much
the machine itself drifted during the run. Beside the wall-clock ratio stands the ratio
of the benchmark process's CPU time per request (without the database's), which other
processes competing for the cores hardly change: a wall ratio over budget with a CPU
ratio within it points at the machine, not the page (bench/explain.py shows the
database's side, whose buffers do not depend on the load either).

Also the full recomputation by the worker at every factor and its growth from the
second-largest factor to the largest, beside the growth of the data, and how long the
data generation took where this run generated it.
"""

from __future__ import annotations

import statistics

SCALE_BUDGET = 1.5  # a page's p95 at the largest factor, at most this × its p95 at the smallest


def merge_pages(result: dict, extra: dict) -> None:
    """Add a further pass's page figures to ``result``.

    A page's p50, p95 and CPU p95 become the median of the passes' own: one pass that the
    machine disturbed (another process taking the cores) does not move them, as it would
    a p95 over the pooled samples. Each pass's figures are kept under ``passes``.
    """
    for name, more in extra.get("pages", {}).items():
        page = result["pages"].get(name)
        if page is None:
            result["pages"][name] = more
            continue
        if "passes" not in page:
            page["passes"] = [_pass(page)]
        page["passes"].append(_pass(more))
        page["samples"] += more["samples"]
        page["cpu_samples"] = page.get("cpu_samples", []) + more.get("cpu_samples", [])
        page["queries_seen"] += more["queries_seen"]
        page["runs"] += more["runs"]
        for key in ("p50", "p95", "cpu_p95"):
            values = [p[key] for p in page["passes"] if p.get(key) is not None]
            page[key] = statistics.median(values) if values else None
    result["page_passes"] = result.get("page_passes", 1) + 1


def _pass(page: dict) -> dict:
    return {key: page.get(key) for key in ("p50", "p95", "cpu_p95", "queries")}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _fmt(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2f}"


def _ratio(a: float, b: float) -> str:
    return "–" if not b else f"{a / b:.2f}"


def scale_rows(results: dict[int, dict]) -> list[dict]:
    """Per page: p95 and queries at each factor, the ratio, and whether it is within budget."""
    factors = sorted(results)
    small, large = factors[0], factors[-1]
    names = [
        name
        for name in results[small].get("pages", {})
        if all(name in results[f].get("pages", {}) for f in factors)
    ]
    rows = []
    for name in names:
        pages = [results[f]["pages"][name] for f in factors]
        p95 = pages[-1]["p95"] / pages[0]["p95"]
        p50 = pages[-1]["p50"] / pages[0]["p50"]
        cpu = [p.get("cpu_p95") for p in pages]
        queries = [p["queries"] for p in pages]
        seen = {q for p in pages for q in p.get("queries_seen", [p["queries"]])}
        rows.append(
            {
                "page": name,
                "p95_ms": {f: p["p95"] * 1000 for f, p in zip(factors, pages, strict=True)},
                "queries": dict(zip(factors, queries, strict=True)),
                "p95_ratio": p95,
                "p50_ratio": p50,
                "cpu_p95_ratio": cpu[-1] / cpu[0] if cpu[0] and cpu[-1] else None,
                "within_budget": name == "floor" or p95 <= SCALE_BUDGET,
                "queries_equal": len(seen) == 1,
                "factors": (small, large),
            }
        )
    return rows


def scale_table(results: dict[int, dict]) -> str:
    factors = sorted(results)
    if len(factors) < 2:
        return ""
    small, large = factors[0], factors[-1]
    every = " / ".join(f"×{f}" for f in factors)
    lines = [
        f"Scale: p95 and queries at {every}; "
        f"budget p95 ×{large} ≤ {SCALE_BUDGET:g} × p95 ×{small}, queries equal",
        "",
        f"| page | p95 ms {every} | queries {every} | p95 ×{large} / p95 ×{small} "
        f"| p50 ×{large} / p50 ×{small} | CPU p95 ×{large} / ×{small} | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    exceeded, differ = [], []
    rows = scale_rows(results)
    for row in rows:
        p95 = " / ".join(_ms(row["p95_ms"][f] / 1000) for f in factors)
        queries = " / ".join(str(row["queries"][f]) for f in factors)
        verdicts = []
        if row["page"] == "floor":
            verdicts.append("reference (machine drift)")
        elif row["within_budget"]:
            verdicts.append("met")
        else:
            verdicts.append(f"EXCEEDS {SCALE_BUDGET:g}×")
            cpu = row["cpu_p95_ratio"]
            if cpu is not None and cpu <= SCALE_BUDGET:
                verdicts.append("CPU within: contention?")
            exceeded.append(row["page"])
        if not row["queries_equal"]:
            verdicts.append("QUERIES DIFFER")
            differ.append(row["page"])
        lines.append(
            f"| {row['page']} | {p95} | {queries} | {row['p95_ratio']:.2f} "
            f"| {row['p50_ratio']:.2f} | {_fmt(row['cpu_p95_ratio'])} | {', '.join(verdicts)} |"
        )
    lines.append("")
    lines += _other_rows(results, factors)
    lines.append("")
    if exceeded:
        lines.append(f"Over the ratio budget: {', '.join(exceeded)}.")
    if differ:
        lines.append(f"Query counts differ across factors: {', '.join(differ)}.")
    if rows and not exceeded and not differ:
        lines.append("Every page within the ratio budget; query counts equal at every factor.")
    return "\n".join(lines)


def _other_rows(results: dict[int, dict], factors: list[int]) -> list[str]:
    every = " | ".join(f"×{f}" for f in factors)
    lines = [f"| measure | {every} | growth |", "|---|" + "---|" * (len(factors) + 1)]

    def cells(value) -> str:
        return " | ".join(value(results[f]) for f in factors)

    counts = cells(lambda r: f"{r['targets']} / {r['updates']}")
    lines.append(f"| targets / status updates | {counts} | |")
    worker = {f: (results[f].get("worker") or {}).get("seconds") for f in factors}
    if any(worker.values()):
        before, last = factors[-2], factors[-1]
        growth = "–"
        if worker[before] and worker[last]:
            data = results[last]["updates"] / max(1, results[before]["updates"])
            growth = (
                f"×{before} → ×{last}: {_ratio(worker[last], worker[before])}× the time "
                f"for {data:.0f}× the data"
            )
        lines.append(
            "| full recompute by the worker (2 processes), all written | "
            + cells(lambda r: "–" if not r.get("worker") else f"{r['worker']['seconds']:.1f} s")
            + f" | {growth} |"
        )
        lines.append(
            "| worker peak memory (largest process) | "
            + cells(lambda r: "–" if not r.get("worker") else f"{r['worker']['peak_mb']:.0f} MB")
            + " | |"
        )
    if any(results[f].get("generated_s") for f in factors):
        lines.append(
            "| data generation (generate_scale_data, in this run) | "
            + cells(lambda r: "–" if not r.get("generated_s") else f"{r['generated_s']:.1f} s")
            + " | |"
        )
    return lines
