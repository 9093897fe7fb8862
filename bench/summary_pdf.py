"""Benchmark: the programme's committee summary as PDF, on the reference data.

    uv run python bench/summary_pdf.py [--runs 10]

Loads the reference data if it is missing, then times building the summary (queries,
matplotlib charts) and rendering the PDF (WeasyPrint), the first run apart (it pays for
imports and font loading). The budget (issue 6) is 2 s for the whole PDF.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobvaekst.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

BUDGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from evaluations import summaries
    from initiatives.models import Programme

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    programme = Programme.objects.get(slug="jobvaekstpakken")

    def once() -> tuple[float, float, int]:
        t0 = time.perf_counter()
        summary = summaries.build(programme=programme)
        t1 = time.perf_counter()
        pdf = summaries.render_pdf(summary)
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, len(pdf)

    first = once()
    runs = [once() for _ in range(args.runs)]
    totals = sorted(b + r for b, r, _ in runs)
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    print(f"{'måling':<34}{'sekunder':>10}")
    print(f"{'første PDF (med import)':<34}{first[0] + first[1]:>10.2f}")
    print(f"{'opbygning (median)':<34}{statistics.median(b for b, _, _ in runs):>10.2f}")
    print(f"{'WeasyPrint (median)':<34}{statistics.median(r for _, r, _ in runs):>10.2f}")
    print(f"{'hele PDF (median)':<34}{statistics.median(totals):>10.2f}")
    print(f"{'hele PDF (p95)':<34}{p95:>10.2f}")
    print(f"PDF: {runs[-1][2]:,} bytes; {args.runs} kørsler; budget {BUDGET_SECONDS} s")
    return 0 if p95 <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
