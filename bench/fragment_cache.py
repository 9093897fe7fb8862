"""Benchmark: the initiative page with its target blocks cached and rendered anew.

    uv run python bench/fragment_cache.py --database h3bench_100 [--runs 30]

Runs on a database that ``bench/run.py`` generated (``--db-prefix h3bench`` at factor 100
gives ``h3bench_100``), as programme 0's programleder, in this process (the Django test
client, production settings of ``bench/settings.py``). "Warm" is what ``bench/run.py``
measures: every block comes from the fragment cache (decisions §25). "Cold" empties the
cache before each request, as if every figure on the page had just changed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="e.g. h3bench_100")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("DATABASE_URL must point at the PostgreSQL that holds the bench databases")
        return 2
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + args.database

    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from bench.run import PREFIX
    from initiatives.models import Initiative, Membership

    membership = Membership.objects.filter(
        programme__slug=f"{PREFIX}-0", role="programleder"
    ).first()
    initiative = Initiative.objects.filter(programme__slug=f"{PREFIX}-0").order_by("number")[0]
    client = Client()
    client.force_login(membership.user)
    url = f"/initiativer/{initiative.slug}/"
    for _ in range(5):  # imports, templates, connections
        assert client.get(url).status_code == 200
    print(f"{url} on {args.database}, {args.runs} requests each, alternating")
    times: dict[str, list[float]] = {"warm": [], "cold": []}
    for _ in range(2):
        for kind in times:
            for _ in range(args.runs):
                if kind == "cold":
                    cache.clear()
                start = time.perf_counter()
                client.get(url)
                times[kind].append((time.perf_counter() - start) * 1000)
    for kind, samples in times.items():
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{kind}: median {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
