"""Build a synthetic dataset N times the reference data, for benchmarks.

N programmes, each with 5 initiatives × 20 targets × 24 bimonthly rounds (2017–2020):
at N = 100 that is 10.000 targets and 240.000 status updates. Targets come in the real
shapes (increase, decrease, range, baseline range, phases, per year, qualitative, not
measurable). The same seed gives the same data. Rows are bulk-inserted, so no recompute
signal fires: run `manage.py recompute --all` (or the benchmark) afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from initiatives.models import (
    Initiative,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)

INITIATIVES = 5
TARGETS = 20
YEARS = (2017, 2018, 2019, 2020)
SHAPES = (
    "increase",
    "baseline",
    "range",
    "baseline_range",
    "phases",
    "per_year",
    "decrease",
    "qualitative",
    "not_measurable",
    "increase",
)
LEVELS = ("aktivitet", "output", "effekt")


def _round_dates(year: int, number: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 2 * number - 1, 1)
    end_month = 2 * number
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


class Command(BaseCommand):
    help = "Opretter syntetiske data, N gange referencedataene (til benchmarks)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--factor", type=int, required=True, help="N (1–1000)")
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--prefix", default="synt", help="slug-præfiks for programmerne")

    @transaction.atomic
    def handle(self, *args, factor: int, seed: int, prefix: str, **options) -> None:
        if not 1 <= factor <= 1000:
            raise CommandError("--factor skal ligge mellem 1 og 1000.")
        if Programme.objects.filter(slug__startswith=f"{prefix}-").exists():
            raise CommandError(f"Der findes allerede syntetiske programmer med præfikset {prefix}.")
        # Reproducible synthetic data from a seed, not security: a plain PRNG is right.
        rng = random.Random(seed)  # noqa: S311  # nosec B311
        programmes = Programme.objects.bulk_create(
            Programme(
                slug=f"{prefix}-{p}",
                name=f"Syntetisk program {p}",
                start_date=dt.date(2017, 1, 1),
                end_date=dt.date(2020, 12, 31),
                budget_per_year=Decimal(4_000_000),
            )
            for p in range(factor)
        )
        initiatives = Initiative.objects.bulk_create(
            Initiative(
                programme=prog,
                slug=f"{prog.slug}-i{k}",
                number=k + 1,
                name=f"Indsats {k + 1}",
            )
            for prog in programmes
            for k in range(INITIATIVES)
        )
        rounds = ReportingRound.objects.bulk_create(
            ReportingRound(
                programme=prog,
                year=year,
                number=n,
                period_start=_round_dates(year, n)[0],
                period_end=_round_dates(year, n)[1],
                deadline=_round_dates(year, n)[1] + dt.timedelta(days=15),
                state=ReportingRound.State.CLOSED,
            )
            for prog in programmes
            for year in YEARS
            for n in range(1, 7)
        )
        rounds_by_programme: dict[int, list[ReportingRound]] = {}
        for r in rounds:
            rounds_by_programme.setdefault(r.programme_id, []).append(r)

        targets: list[Target] = []
        shapes: list[str] = []
        for ini in initiatives:
            for t in range(TARGETS):
                shape = SHAPES[(t + rng.randrange(len(SHAPES))) % len(SHAPES)]
                targets.append(self._target(ini, t, shape, rng))
                shapes.append(shape)
        targets = Target.objects.bulk_create(targets, batch_size=2000)
        phases = [
            TargetPhase(target=target, year=year, value=Decimal(rng.randrange(10, 100)))
            for target, shape in zip(targets, shapes, strict=True)
            if shape == "phases"
            for year in YEARS
        ]
        TargetPhase.objects.bulk_create(phases, batch_size=5000)

        reports = []
        for ini in initiatives:
            for r in rounds_by_programme[ini.programme_id]:
                # Most reports are approved; a few of the latest await approval.
                state = (
                    StatusReport.State.SUBMITTED
                    if r.year == 2020 and r.number == 6 and rng.random() < 0.2
                    else StatusReport.State.APPROVED
                )
                reports.append(StatusReport(initiative=ini, round=r, state=state))
        StatusReport.objects.bulk_create(reports, batch_size=5000)

        updates = []
        for target, shape in zip(targets, shapes, strict=True):
            value = float(target.baseline_low or 0)
            step = rng.uniform(0.5, 6.0)
            for r in rounds_by_programme[target.initiative.programme_id]:
                if shape == "not_measurable":
                    updates.append(StatusUpdate(target=target, round=r, not_measurable=True))
                    continue
                if shape == "qualitative":
                    assessment = rng.choice(["opnaaet", "delvist", "ikke_opnaaet"])
                    updates.append(StatusUpdate(target=target, round=r, assessment=assessment))
                    continue
                value = max(0.0, value + (-step if shape == "decrease" else step) * rng.random())
                stated = Decimal(rng.randrange(0, 120)) if rng.random() < 0.1 else None
                updates.append(
                    StatusUpdate(
                        target=target,
                        round=r,
                        value=Decimal(str(round(value, 2))),
                        stated_low=stated,
                        stated_text=f"{stated} %" if stated is not None else "",
                    )
                )
        StatusUpdate.objects.bulk_create(updates, batch_size=5000)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(programmes)} programmer, {len(initiatives)} indsatser, {len(targets)} mål, "
                f"{len(rounds)} runder, {len(updates)} statusopdateringer."
            )
        )

    def _target(self, ini: Initiative, t: int, shape: str, rng: random.Random) -> Target:
        fields: dict = {
            "initiative": ini,
            "level": LEVELS[t % 3],
            "title": f"Mål {t + 1} ({shape})",
            "kind": "antal",
            "order": t,
            "start_date": dt.date(2017, 1, 1),
            "target_date": dt.date(2020, 12, 31),
            "cumulative": shape in ("increase", "phases", "per_year", "range"),
        }
        size = Decimal(rng.randrange(20, 400))
        if shape == "increase":
            fields.update(target_low=size, basis="periode")
        elif shape == "baseline":
            fields.update(
                baseline_low=size,
                baseline_year=2015,
                target_low=size * 2,
                basis="niveau",
                start_date=dt.date(2015, 12, 31),
            )
        elif shape == "range":
            fields.update(target_low=size, target_high=size * Decimal("1.6"), basis="periode")
        elif shape == "baseline_range":
            fields.update(
                baseline_low=size,
                baseline_high=size + 5,
                baseline_year=2015,
                target_low=size * 2,
                target_high=size * 2 + 5,
                kind="beloeb",
                unit="mio. kr.",
                basis="niveau",
                start_date=dt.date(2015, 12, 31),
            )
        elif shape == "phases":
            fields.update(basis="periode")
        elif shape == "per_year":
            fields.update(target_low=size / 4, basis="pr_aar")
        elif shape == "decrease":
            fields.update(
                direction="faldende",
                baseline_low=size * 2,
                baseline_year=2016,
                target_low=size,
                basis="niveau",
            )
        elif shape == "qualitative":
            fields.update(kind="kvalitativ", target_text="Øget samarbejde")
        elif shape == "not_measurable":
            fields.update(measurable=False, target_low=size)
        return Target(**fields)
