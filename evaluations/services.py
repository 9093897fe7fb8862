"""Writes of what we conclude: attainment and score snapshots, and requests to recompute.

The maths lives in ``attainment.py`` and ``scoring.py`` (pure); this module loads their
inputs with a fixed number of queries, runs the batch path and upserts the results.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple, SupportsFloat, cast

import orjson
from django.db import connection, transaction
from django.db.models import Exists, FloatField, OuterRef, QuerySet
from django.db.models.functions import Cast
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
from jobvaekst.memory import collector_paused
from jobvaekst.queue import publish

from . import attainment as engine
from .models import (
    Assessment,
    AttainmentSnapshot,
    Edition,
    ImplementationParameter,
    ParameterScore,
    ScoreSnapshot,
)
from .scoring import SCORING_VERSION, implementation_score
from .thresholds import thresholds

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Field

logger = logging.getLogger("jobvaekst.recompute")

SNAPSHOT_FIELDS = [
    "percent",
    "percent_high",
    "basis",
    "expected_value",
    "expected_percent",
    "category",
    "baseline",
    "target_value",
    "target_high",
    "actual",
    "stated_low",
    "stated_high",
    "stated_text",
    "stated_is_estimate",
    "flagged",
    "flag_reason",
    "forecast_year",
    "forecast_text",
    "formula",
    "inputs",
    "pending_approval",
    "engine_version",
]


def _f(value: SupportsFloat | None) -> float | None:
    return None if value is None else float(value)


def target_spec(target: Target, phases: Sequence) -> engine.TargetSpec:
    return engine.TargetSpec(
        target_id=target.pk,
        direction=target.direction,
        qualitative=target.kind == Target.Kind.QUALITATIVE,
        measurable=target.measurable,
        basis=target.basis,
        baseline_low=_f(target.baseline_low),
        baseline_high=_f(target.baseline_high),
        target_low=_f(target.target_low),
        target_high=_f(target.target_high),
        phases=tuple((p.year, float(p.value)) for p in sorted(phases, key=lambda p: p.year)),
        start_date=target.start_date,
        target_date=target.target_date,
        cumulative=target.cumulative,
    )


class PhaseRow(NamedTuple):
    """The fields of a TargetPhase that target_spec reads."""

    year: int
    value: float


class UpdateRow(NamedTuple):
    """The fields of a StatusUpdate the engine reads."""

    target_id: int
    round_id: int
    value: float | Decimal | None
    observed_on: date | None
    assessment: str
    not_measurable: bool
    status_text: str
    stated_low: float | Decimal | None
    stated_high: float | Decimal | None
    stated_text: str
    stated_is_estimate: bool


def observation(update: StatusUpdate | UpdateRow, round_: ReportingRound) -> engine.Observation:
    return engine.Observation(
        as_of=update.observed_on or round_.period_end,
        value=_f(update.value),
        assessment=update.assessment,
        not_measurable=update.not_measurable,
        status_text=update.status_text,
        stated_low=_f(update.stated_low),
        stated_high=_f(update.stated_high),
        stated_text=update.stated_text,
        stated_is_estimate=update.stated_is_estimate,
    )


@dataclass
class Computed:
    target: Target
    round: ReportingRound
    result: engine.Result
    pending_approval: bool


@dataclass
class Inputs:
    """The engine's inputs, one item per target × round, with the rows they came from."""

    items: list[tuple]
    meta: list[tuple[Target, ReportingRound, bool]]


def compute(
    *, targets: QuerySet[Target], rounds: QuerySet[ReportingRound] | None = None
) -> list[Computed]:
    """Attainment of every target in every round of its programme, by the batch path."""
    inputs = load_inputs(targets=targets, rounds=rounds)
    if not inputs.items:
        return []
    frame = engine.specs_to_frame(inputs.items)
    out = engine.attainment_batch(frame, thresholds=thresholds())
    return [
        Computed(target=t, round=r, result=result, pending_approval=p)
        for (t, r, p), result in zip(inputs.meta, engine.results(out), strict=True)
    ]


def load_inputs(
    *, targets: QuerySet[Target], rounds: QuerySet[ReportingRound] | None = None
) -> Inputs:
    """Load the engine's inputs for every target × round of its programme (6 queries).

    A round's figure uses the *approved* updates up to and including that round: the
    latest one is the status, and those with a value form the history for the forecast.
    Updates in a report that is submitted but not yet approved only set
    ``pending_approval``.
    """
    loaded = list(targets.select_related("initiative"))
    if not loaded:
        return Inputs(items=[], meta=[])
    # The phases as (year, value) rows in one query; a prefetch would build a queryset
    # per target.
    phases: dict[int, list[PhaseRow]] = defaultdict(list)
    for target_id, year, value in TargetPhase.objects.filter(
        target_id__in=[t.id for t in loaded]
    ).values_list("target_id", "year", Cast("value", FloatField())):
        phases[target_id].append(PhaseRow(year, value))
    programme_ids = {t.initiative.programme_id for t in loaded}
    round_qs = rounds if rounds is not None else ReportingRound.objects.all()
    all_rounds = list(
        ReportingRound.objects.filter(programme_id__in=programme_ids).order_by("year", "number")
    )
    wanted = {r.pk for r in round_qs.filter(programme_id__in=programme_ids)}
    order = {r.pk: i for i, r in enumerate(all_rounds)}
    rounds_by_programme: dict[int, list[ReportingRound]] = defaultdict(list)
    for r in all_rounds:
        rounds_by_programme[r.programme_id].append(r)

    initiative_ids = {t.initiative_id for t in loaded}
    report_state = {
        (initiative_id, round_id): state
        for initiative_id, round_id, state in StatusReport.objects.filter(
            initiative_id__in=initiative_ids
        ).values_list("initiative_id", "round_id", "state")
    }
    # Plain tuples straight from the database cursor, not model instances nor Django's
    # row iterator: at scale, building 240.000 StatusUpdate objects costs more than
    # everything else here together. The decimals are cast to float by the database (as
    # float() would round them), so no per-row converter runs.
    fields = [
        Cast(f, FloatField()) if f in ("value", "stated_low", "stated_high") else f
        for f in UpdateRow._fields
    ]
    query = StatusUpdate.objects.filter(target_id__in=[t.id for t in loaded]).values_list(*fields)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    updates_by_target: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        updates_by_target[row[0]].append(row)

    items = []
    meta = []
    approved_state = StatusReport.State.APPROVED
    submitted_state = StatusReport.State.SUBMITTED
    period_end = {r.id: r.period_end for r in all_rounds}
    Observation = engine.Observation
    for target in loaded:
        spec = target_spec(target, phases.get(target.id, ()))
        initiative_id = target.initiative_id
        approved = []
        pending_rounds = set()
        # UpdateRow's order: target, round, value, observed_on, assessment, not_measurable,
        # status_text, stated_low, stated_high, stated_text, stated_is_estimate.
        for u in sorted(updates_by_target.get(target.id, ()), key=lambda u: order[u[1]]):
            state = report_state.get((initiative_id, u[1]))
            if state == approved_state:
                approved.append(u)
            elif state == submitted_state:
                pending_rounds.add(u[1])
        # Walk the rounds in order, carrying the latest approved update and the history of
        # values so far: one pass per target, not one per target × round.
        i = 0
        latest = None
        history: list[tuple] = []
        for round_ in rounds_by_programme[target.initiative.programme_id]:
            position = order[round_.id]
            while i < len(approved) and order[approved[i][1]] <= position:
                u = approved[i]
                as_of = u[3] or period_end[u[1]]
                # Same as observation(u, round): positional, it is built once per update.
                latest = Observation(as_of, u[2], u[4], u[5], u[6], u[7], u[8], u[9], u[10])
                if u[2] is not None:
                    history = [*history, (as_of, u[2])]
                i += 1
            if round_.id not in wanted:
                continue
            items.append((spec, latest, round_.period_end, history))
            meta.append((target, round_, round_.id in pending_rounds))
    return Inputs(items=items, meta=meta)


def _hash(values: dict) -> str:
    return hashlib.sha256(
        json.dumps(values, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()


@dataclass(frozen=True)
class RecomputeSummary:
    computed: int
    written: int


# Targets per chunk: a chunk is computed and written in one go (one transaction), so the
# chunk size bounds the memory a recomputation needs, whatever the size of the data.
RECOMPUTE_CHUNK = 500


def snapshots_recompute(
    *,
    target_ids: Iterable[int] | None = None,
    programme_ids: Iterable[int] | None = None,
) -> RecomputeSummary:
    """Recompute and upsert the snapshots of the given targets (or all), idempotently.

    A row is written only when its content changed or it was stale, so running the same
    recomputation twice leaves identical rows, ``computed_at`` included. The targets are
    taken in chunks of ``RECOMPUTE_CHUNK``, each in its own transaction: every round of a
    target is in the same chunk.
    """
    computed = written = 0
    for chunk in target_chunks(target_ids=target_ids, programme_ids=programme_ids):
        # A chunk allocates a great many small objects: with the collector running, its
        # full passes over the whole heap would dominate (decisions §20).
        with collector_paused():
            c, w = _recompute_chunk(Target.objects.filter(pk__in=chunk))
        computed += c
        written += w
    logger.info("recompute: %d computed, %d written", computed, written)
    return RecomputeSummary(computed=computed, written=written)


def target_chunks(
    *,
    target_ids: Iterable[int] | None = None,
    programme_ids: Iterable[int] | None = None,
) -> list[list[int]]:
    """The ids of the given targets (or all), in chunks of ``RECOMPUTE_CHUNK``."""
    targets = Target.objects.all()
    if target_ids is not None:
        targets = targets.filter(pk__in=list(target_ids))
    if programme_ids is not None:
        targets = targets.filter(initiative__programme_id__in=list(programme_ids))
    ids = list(targets.order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + RECOMPUTE_CHUNK] for i in range(0, len(ids), RECOMPUTE_CHUNK)]


def _recompute_chunk(targets: QuerySet[Target]) -> tuple[int, int]:
    inputs = load_inputs(targets=targets)
    if not inputs.items:
        return 0, 0
    out = engine.attainment_batch(engine.specs_to_frame(inputs.items), thresholds=thresholds())
    columns = engine.result_columns(out)
    with transaction.atomic():
        written = _write(inputs.meta, columns)
    return len(inputs.meta), written


def _write(meta: list[tuple[Target, ReportingRound, bool]], columns: dict) -> int:
    """Upsert the computed snapshots with the database's fastest writer; rows written."""
    if connection.vendor == "postgresql":
        return _upsert_postgresql(_snapshot_rows(meta, columns, json_text=True))
    return _upsert_orm(_snapshot_rows(meta, columns))


def _snapshot_rows(
    meta: list[tuple[Target, ReportingRound, bool]], columns: dict, *, json_text: bool = False
) -> list[tuple]:
    """(target_id, round_id, *SNAPSHOT_FIELDS values) per computed item.

    ``inputs`` is the explanation with the target's version and the round added, as a
    dict, or with ``json_text`` as its JSON text (for COPY).
    """
    versions: dict[int, str] = {}
    codes: dict[int, str] = {}
    for target, round_, _ in meta:
        if target.id not in versions:
            versions[target.id] = target.updated_at.isoformat()
        if round_.id not in codes:
            codes[round_.id] = round_.code
    explanations = columns["explanation"]
    for explanation, (target, round_, _) in zip(explanations, meta, strict=True):
        explanation["target_version"] = versions[target.id]
        explanation["round"] = codes[round_.id]
    if json_text:
        # orjson: the same JSON as json.dumps, and much cheaper per row (decisions §19).
        dumps = orjson.dumps
        explanations = [dumps(e).decode() for e in explanations]
    return list(
        zip(
            [target.id for target, _, _ in meta],
            [round_.id for _, round_, _ in meta],
            *(columns[name] for name in _RESULT_FOR_FIELD),
            explanations,
            [pending for _, _, pending in meta],
            repeat(engine.ENGINE_VERSION),
            strict=False,  # repeat() is endless; the lists all have one value per item
        )
    )


# SNAPSHOT_FIELDS[:-3] (all but inputs, pending_approval, engine_version) → Result field.
_RESULT_FOR_FIELD = [{"target_value": "target"}.get(name, name) for name in SNAPSHOT_FIELDS[:-3]]


def _upsert_orm(rows: list[tuple]) -> int:
    """Write the rows whose content changed, comparing content hashes (any database)."""
    existing = {
        (t, r): (h, stale)
        for t, r, h, stale in AttainmentSnapshot.objects.filter(
            target_id__in={row[0] for row in rows}
        ).values_list("target_id", "round_id", "content_hash", "stale")
    }
    now = timezone.now()
    changed = []
    for target_id, round_id, *values in rows:
        content = dict(zip(SNAPSHOT_FIELDS, values, strict=True))
        digest = _hash(content)
        if existing.get((target_id, round_id)) == (digest, False):
            continue
        changed.append(
            AttainmentSnapshot(
                target_id=target_id,
                round_id=round_id,
                content_hash=digest,
                computed_at=now,
                stale=False,
                created_at=now,
                updated_at=now,
                **content,
            )
        )
    AttainmentSnapshot.objects.bulk_create(
        changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["target", "round"],
        update_fields=[*SNAPSHOT_FIELDS, "content_hash", "computed_at", "stale", "updated_at"],
    )
    return len(changed)


def _upsert_sql() -> tuple[str, str, str]:
    """The staging table, the COPY into it and the upsert from it (names from _meta only)."""
    meta = AttainmentSnapshot._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    # SNAPSHOT_FIELDS are concrete fields, each with its column; get_field() is typed to
    # return a relation too, and a field's column as None before it is on a model.
    fields = [cast("Field[Any, Any]", meta.get_field(f)) for f in SNAPSHOT_FIELDS]
    content = [quote(cast(str, f.column)) for f in fields]
    staged = ", ".join(['"target_id"', '"round_id"', *content])
    stored = ", ".join(f"{table}.{c}" for c in content)
    excluded = ", ".join(f"EXCLUDED.{c}" for c in content)
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in content)
    create = (
        "CREATE TEMPORARY TABLE snapshot_stage ON COMMIT DROP AS "  # noqa: S608  # nosec B608
        f"SELECT {staged} FROM {table} WITH NO DATA"
    )
    copy = f"COPY snapshot_stage ({staged}) FROM STDIN"
    upsert = (
        f"INSERT INTO {table} ({staged}, content_hash, computed_at, stale, "  # noqa: S608  # nosec B608
        f"created_at, updated_at) SELECT {staged}, '', %s, false, %s, %s "
        "FROM snapshot_stage AS s ON CONFLICT (target_id, round_id) DO UPDATE SET "
        f"{assignments}, content_hash = EXCLUDED.content_hash, "
        "computed_at = EXCLUDED.computed_at, stale = false, updated_at = EXCLUDED.updated_at "
        f"WHERE {table}.stale OR ({stored}) IS DISTINCT FROM ({excluded})"
    )
    return create, copy, upsert


def _upsert_postgresql(rows: list[tuple]) -> int:
    """Write the rows (``inputs`` as JSON text) whose content changed.

    COPY into a staging table, then one upsert.

    PostgreSQL compares each staged row with the stored one (``IS DISTINCT FROM`` over
    every content column), so an unchanged row is neither rewritten nor given a new
    ``computed_at``; a stale row is always rewritten, which clears the mark. The content
    hash, which only the ORM writer needs, is left empty: hashing each row's text cost
    PostgreSQL as much as the insert itself.
    """
    create, copy_sql, upsert = _upsert_sql()
    with connection.cursor() as cursor:
        # Within an outer transaction (a test, or a caller's atomic block) the previous
        # chunk's staging table is still there: ON COMMIT DROP has not happened yet.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.snapshot_stage")
        cursor.execute(create)
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        now = timezone.now()
        cursor.execute(upsert, [now, now, now])
        return cursor.rowcount


def scores_recompute(*, assessment_ids: Iterable[int] | None = None) -> int:
    """Recompute the implementation score of each assessment, per initiative and overall."""
    assessments = Assessment.objects.prefetch_related("scores")
    if assessment_ids is not None:
        assessments = assessments.filter(pk__in=list(assessment_ids))
    n_parameters = ImplementationParameter.objects.filter(active=True).count()
    now = timezone.now()
    written = 0
    with transaction.atomic():
        for assessment in assessments:
            groups: dict[int | None, list[int | None]] = defaultdict(list)
            for score in assessment.scores.all():
                groups[score.initiative_id].append(score.score)
            groups.setdefault(None, [])
            for initiative_id, scores in groups.items():
                summary = implementation_score(
                    scores,
                    n_parameters=n_parameters,
                    stated_overall=_f(assessment.stated_overall) if initiative_id is None else None,
                )
                # initiative_id=None is valid Django (the programme's row: IS NULL); the
                # Django plugin's lookup type leaves None out.
                ScoreSnapshot.objects.update_or_create(  # type: ignore[misc]
                    assessment=assessment,
                    initiative_id=initiative_id,
                    defaults={
                        "mean": summary.mean,
                        "n_scored": summary.n_scored,
                        "n_parameters": summary.n_parameters,
                        "stated_overall": summary.stated_overall,
                        "engine_version": SCORING_VERSION,
                        "computed_at": now,
                    },
                )
                written += 1
    return written


# --- Requests to recompute ---------------------------------------------------------------


def snapshots_mark_stale(*, target_ids: Iterable[int]) -> int:
    """Mark the snapshots of these targets stale, in the caller's transaction.

    This is what makes a save independent of the broker: the mark is committed with the
    change itself, and the sweep recomputes every stale snapshot whether or not the task
    ever reached the worker.
    """
    return AttainmentSnapshot.objects.filter(target_id__in=list(target_ids), stale=False).update(
        stale=True
    )


def recompute_request(*, target_ids: Iterable[int]) -> None:
    """Mark the targets' snapshots stale now and recompute them after the commit."""
    ids = sorted(set(target_ids))
    if not ids:
        return
    snapshots_mark_stale(target_ids=ids)
    transaction.on_commit(lambda: publish("evaluations.recompute_targets", ids))


def scores_recompute_request(*, assessment_id: int) -> None:
    transaction.on_commit(lambda: publish("evaluations.recompute_scores", assessment_id))


def stale_target_ids() -> list[int]:
    """Targets whose figures need recomputing: a stale snapshot, or a round without one."""
    stale = set(AttainmentSnapshot.objects.filter(stale=True).values_list("target_id", flat=True))
    # An anti-join on the (target, round) index rather than counting each target's
    # snapshots: beat runs this every minute, so it must not grow with the history.
    round_without_snapshot = ReportingRound.objects.filter(
        programme_id=OuterRef("initiative__programme_id")
    ).exclude(
        Exists(
            AttainmentSnapshot.objects.filter(
                target_id=OuterRef(OuterRef("pk")), round_id=OuterRef("pk")
            )
        )
    )
    missing = Target.objects.filter(Exists(round_without_snapshot)).order_by()
    return sorted(stale | set(missing.values_list("pk", flat=True)))


def as_dict(result: engine.Result) -> dict:
    data = asdict(result)
    data["category"] = str(result.category)
    return data


@transaction.atomic
def assessment_record(
    *,
    programme: Programme,
    user: User,
    title: str,
    date: date,
    assessor: str,
    kind: str,
    initiative: Initiative | None = None,
    scores: Sequence[tuple[ImplementationParameter, int | None, str]],
) -> Assessment:
    """Record an assessment with one score (or *ikke scoret*) per parameter."""
    from django.core.exceptions import PermissionDenied

    if not user.has_perm("evaluations.record_scores", programme):
        raise PermissionDenied("Kun programlederen kan registrere vurderinger.")
    assessment = Assessment(
        programme=programme,
        title=title,
        date=date,
        assessor=assessor,
        kind=kind,
        recorded_by=user,
    )
    assessment.full_clean()
    assessment.save()
    for parameter, score, justification in scores:
        row = ParameterScore(
            assessment=assessment,
            parameter=parameter,
            initiative=initiative,
            score=score,
            justification=justification,
        )
        row.full_clean()
        row._history_user = user
        row.save()
    return assessment


@transaction.atomic
def edition_publish(
    *,
    programme: Programme,
    initiative: Initiative | None,
    round_code: str | None,
    committee: str,
    meeting_date: date,
    user: User,
    supersedes: Edition | None = None,
) -> Edition:
    """Render the summary now and store its bytes as a frozen edition (programleder)."""
    from django.core.exceptions import PermissionDenied

    from .summaries import build, render_pdf

    if not user.has_perm("evaluations.publish_edition", programme):
        raise PermissionDenied("Kun programlederen kan udgive til udvalg.")
    summary = build(programme=programme, initiative=initiative, round_code=round_code)
    pdf = render_pdf(summary)
    if supersedes is not None:
        supersedes = Edition.objects.select_for_update().get(pk=supersedes.pk)
    edition = Edition.objects.create(
        programme=programme,
        initiative=initiative,
        # None only for a programme without a round, which PublishForm cannot submit (its
        # round is required); the NOT NULL column would refuse it here.
        round=cast(ReportingRound, summary.round),
        committee=committee,
        meeting_date=meeting_date,
        title=summary.title,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        published_by=user,
        published_at=timezone.now(),
        supersedes=supersedes,
    )
    logging.getLogger("jobvaekst.summaries").info(
        "edition published: id=%s programme=%s round=%s committee=%s by=%s",
        edition.pk,
        programme.slug,
        edition.round.code,
        committee,
        user.pk,
    )
    return edition
