"""Build a synthetic dataset N times the reference data, for benchmarks.

N programmes, each with 5 initiatives × 20 targets × 24 bimonthly rounds (2017–2020):
at N = 100 that is 10.000 targets and 240.000 status updates, at N = 1000 (every
municipality) 100.000 targets and 2,4 mio. status updates. Targets come in the real
shapes (increase, decrease, range, baseline range, phases, per year, qualitative, not
measurable).

Each programme draws from its own random generator, seeded by the seed and the
programme's number: the same seed gives the same data, and programme *p* is the same
whatever N is, so the benchmark's pages (those of the first programme) show the same
programme at ×1, ×100 and ×1000. Programmes are written a batch at a time, so memory
is bounded by the batch, not by N; on PostgreSQL the rows nothing refers to (status
updates, reports, phases) go in by COPY, elsewhere by ``bulk_create``, from the same
rows. No recompute signal fires: run ``manage.py recompute --all`` (or the benchmark)
afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

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
# Programmes generated and written together: 2.000 targets and 48.000 status updates
# in memory at a time, whatever the factor.
BATCH = 20


def _round_dates(year: int, number: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 2 * number - 1, 1)
    end_month = 2 * number
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


class Rows:
    """Rows of one model, as field values by attname; the model's defaults fill the rest.

    Written by COPY on PostgreSQL (``copy=True``) and by ``bulk_create`` otherwise: the
    same values either way, so both give the same data.
    """

    def __init__(self, model: type[models.Model], *, copy: bool) -> None:
        self.model = model
        self.copy = copy
        now = timezone.now()
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        # A concrete field always has its column; the stubs type it str | None for a field
        # not yet added to a model.
        self.columns = [(f.attname, cast(str, f.column)) for f in fields]
        self.defaults = {
            f.attname: (
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default()
            )
            for f in fields
        }
        self.rows: list[dict[str, Any]] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(column) for _, column in self.columns)
            sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for values in self.rows:
                    row = {**self.defaults, **values}
                    copy.write_row([row[attname] for attname, _ in self.columns])
        else:
            self.model._default_manager.bulk_create(  # `objects`, the models' only manager
                [self.model(**{**self.defaults, **values}) for values in self.rows],
                batch_size=2000,
            )
        self.written += len(self.rows)
        self.rows = []


class Command(BaseCommand):
    help = "Opretter syntetiske data, N gange referencedataene (til benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--factor", type=int, required=True, help="N (1–1000)")
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--prefix", default="synt", help="slug-præfiks for programmerne")
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="brug bulk_create også på PostgreSQL (samme data, langsommere)",
        )

    @transaction.atomic
    def handle(
        self,
        *args: Any,
        factor: int,
        seed: int,
        prefix: str,
        no_copy: bool = False,
        **options: Any,
    ) -> None:
        if not 1 <= factor <= 1000:
            raise CommandError("--factor skal ligge mellem 1 og 1000.")
        if Programme.objects.filter(slug__startswith=f"{prefix}-").exists():
            raise CommandError(f"Der findes allerede syntetiske programmer med præfikset {prefix}.")
        copy = connection.vendor == "postgresql" and not no_copy
        phases = Rows(TargetPhase, copy=copy)
        reports = Rows(StatusReport, copy=copy)
        updates = Rows(StatusUpdate, copy=copy)
        counts = {"programmes": 0, "initiatives": 0, "targets": 0, "rounds": 0}
        for start in range(0, factor, BATCH):
            batch = range(start, min(start + BATCH, factor))
            for key, n in self._batch(batch, seed, prefix, phases, reports, updates).items():
                counts[key] += n
            for rows in (phases, reports, updates):
                rows.flush()
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"{batch.stop} af {factor} programmer")
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['programmes']} programmer, {counts['initiatives']} indsatser, "
                f"{counts['targets']} mål, {counts['rounds']} runder, "
                f"{updates.written} statusopdateringer."
            )
        )

    def _batch(
        self, numbers: range, seed: int, prefix: str, phases: Rows, reports: Rows, updates: Rows
    ) -> dict[str, int]:
        """The programmes numbered ``numbers``: rows with ids by bulk_create, the rest added."""
        # Reproducible synthetic data from a seed, not security: a plain PRNG is right.
        # A string seed is hashed by SHA-512, the same in every process.
        rngs = {p: random.Random(f"{seed}:{p}") for p in numbers}  # noqa: S311  # nosec B311
        programmes = Programme.objects.bulk_create(
            Programme(
                slug=f"{prefix}-{p}",
                name=f"Syntetisk program {p}",
                start_date=dt.date(2017, 1, 1),
                end_date=dt.date(2020, 12, 31),
                budget_per_year=Decimal(4_000_000),
            )
            for p in numbers
        )
        rng_of = {prog.pk: rngs[p] for p, prog in zip(numbers, programmes, strict=True)}
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
            rng = rng_of[ini.programme_id]
            for t in range(TARGETS):
                shape = SHAPES[(t + rng.randrange(len(SHAPES))) % len(SHAPES)]
                targets.append(self._target(ini, t, shape, rng))
                shapes.append(shape)
        targets = Target.objects.bulk_create(targets, batch_size=2000)
        for target, shape in zip(targets, shapes, strict=True):
            if shape == "phases":
                rng = rng_of[target.initiative.programme_id]
                for year in YEARS:
                    phases.add(
                        target_id=target.pk, year=year, value=Decimal(rng.randrange(10, 100))
                    )

        for ini in initiatives:
            rng = rng_of[ini.programme_id]
            for r in rounds_by_programme[ini.programme_id]:
                # Most reports are approved; a few of the latest await approval.
                state = (
                    StatusReport.State.SUBMITTED
                    if r.year == 2020 and r.number == 6 and rng.random() < 0.2
                    else StatusReport.State.APPROVED
                )
                reports.add(initiative_id=ini.pk, round_id=r.pk, state=state)

        for target, shape in zip(targets, shapes, strict=True):
            rng = rng_of[target.initiative.programme_id]
            value = float(target.baseline_low or 0)
            step = rng.uniform(0.5, 6.0)
            for r in rounds_by_programme[target.initiative.programme_id]:
                if shape == "not_measurable":
                    updates.add(target_id=target.pk, round_id=r.pk, not_measurable=True)
                    continue
                if shape == "qualitative":
                    assessment = rng.choice(["opnaaet", "delvist", "ikke_opnaaet"])
                    updates.add(target_id=target.pk, round_id=r.pk, assessment=assessment)
                    continue
                value = max(0.0, value + (-step if shape == "decrease" else step) * rng.random())
                stated = Decimal(rng.randrange(0, 120)) if rng.random() < 0.1 else None
                updates.add(
                    target_id=target.pk,
                    round_id=r.pk,
                    value=Decimal(str(round(value, 2))),
                    stated_low=stated,
                    stated_text=f"{stated} %" if stated is not None else "",
                )
        return {
            "programmes": len(programmes),
            "initiatives": len(initiatives),
            "targets": len(targets),
            "rounds": len(rounds),
        }

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
