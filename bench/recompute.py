"""Benchmark: full recomputation at N times the reference data, and the engine's parts.

    DATABASE_URL=postgres://... uv run python bench/recompute.py --factor 100

Creates the synthetic data with `generate_scale_data` (prefix "bench") if it is not
there, then measures:
  1. a full recompute through the service (load inputs, batch engine, upsert), twice:
     the first writes every snapshot, the second finds nothing changed;
  2. the engine alone on the same inputs: building the frame, the batch (every number)
     and result_columns (the texts).
Prints a table. Run on PostgreSQL for figures that mean anything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobvaekst.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=100)
    parser.add_argument(
        "--engine-only", action="store_true", help="skip the two full recomputes (faster)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from evaluations import attainment as engine
    from evaluations import services
    from evaluations.models import AttainmentSnapshot
    from initiatives.models import Programme, StatusUpdate, Target

    prefix = f"bench{args.factor}"
    programmes = Programme.objects.filter(slug__startswith=f"{prefix}-")
    started = time.perf_counter()
    if not programmes.exists():
        call_command("generate_scale_data", factor=args.factor, prefix=prefix, verbosity=0)
    generated = time.perf_counter() - started
    targets = Target.objects.filter(initiative__programme__in=programmes)
    n_targets = targets.count()
    n_updates = StatusUpdate.objects.filter(target__in=targets).count()
    AttainmentSnapshot.objects.filter(target__in=targets).delete()

    t0 = time.perf_counter()
    first = services.snapshots_recompute(
        programme_ids=list(programmes.values_list("pk", flat=True))
    )
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = services.snapshots_recompute(
        programme_ids=list(programmes.values_list("pk", flat=True))
    )
    again = time.perf_counter() - t0

    t0 = time.perf_counter()
    inputs = services.load_inputs(targets=targets)
    load = time.perf_counter() - t0
    thresholds = services.thresholds()
    t0 = time.perf_counter()
    frame = engine.specs_to_frame(inputs.items)
    to_frame = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = engine.attainment_batch(frame, thresholds=thresholds)
    batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.result_columns(out)
    texts = time.perf_counter() - t0
    assert len(out) == len(inputs.items)

    rows = [
        ("database", connection.vendor),
        ("factor", args.factor),
        ("targets", n_targets),
        ("status updates", n_updates),
        ("target × round items", len(inputs.items)),
        ("data generation (s)", f"{generated:.1f}" if generated > 0.5 else "already there"),
    ]
    if not args.engine_only:
        rows += [
            ("full recompute, first run (s)", f"{full:.2f}  ({first.written} rows written)"),
            ("full recompute, nothing changed (s)", f"{again:.2f}  ({second.written} written)"),
        ]
    rows += [
        ("load inputs from the database (s)", f"{load:.2f}"),
        ("engine: specs_to_frame (s)", f"{to_frame:.2f}"),
        ("engine: attainment_batch (s)", f"{batch:.2f}"),
        ("engine: result_columns, the texts (s)", f"{texts:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)} | value")
    print(f"{'-' * width}-+-{'-' * 30}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")


if __name__ == "__main__":
    main()
