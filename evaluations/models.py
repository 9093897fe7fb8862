"""What we conclude: implementation assessments on the six fixed parameters.

The parameters are rows, not code: the sixth parameter's name did not survive in the
2018 report's text, so it must be editable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from initiatives.models import Initiative, Programme, TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ImplementationParameter(TimeStamped):
    name = models.CharField(_("navn"), max_length=200, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), unique=True)
    active = models.BooleanField(_("aktiv"), default=True)
    source = models.CharField(_("kilde"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("implementeringsparameter")
        verbose_name_plural = _("implementeringsparametre")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ScoreLevel(TimeStamped):
    """The meaning of a score on the 1–5 scale (the report's Bilag A)."""

    score = models.PositiveSmallIntegerField(_("score"), unique=True)
    meaning = models.CharField(_("betydning"), max_length=200)

    class Meta:
        verbose_name = _("skalatrin")
        verbose_name_plural = _("skala 1–5")
        ordering = ["-score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5),
                name="score_level_1_to_5",
                violation_error_message=_("Skalaen går fra 1 til 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}: {self.meaning}"


class Assessment(TimeStamped):
    """One assessment of the implementation: the 2018 mid-term evaluation, an internal review."""

    class Kind(models.TextChoices):
        EXTERNAL = "ekstern", _("Ekstern evaluering")
        INTERNAL = "intern", _("Intern vurdering")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("program")
    )
    date = models.DateField(_("dato"))
    title = models.CharField(_("titel"), max_length=200)
    assessor = models.CharField(_("evaluator"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    stated_overall = models.DecimalField(
        _("angivet samlet score"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Den samlede score, som vurderingen selv angiver. Tomt: ikke angivet."),
    )
    stated_overall_text = models.CharField(
        _("angivet samlet vurdering (ordlyd)"), max_length=300, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )
    source = models.CharField(_("kilde"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("vurdering")
        verbose_name_plural = _("vurderinger")
        ordering = ["programme", "-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stated_overall__isnull=True)
                | (Q(stated_overall__gte=1) & Q(stated_overall__lte=5)),
                name="assessment_stated_overall_1_to_5",
                violation_error_message=_("Den samlede score skal ligge mellem 1 og 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"


class ParameterScore(TimeStamped):
    """A score of 1–5 on one parameter, for the programme or one initiative.

    An empty ``score`` means *ikke scoret*: the assessment did not give it. It is never
    counted as a low score.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("vurdering")
    )
    parameter = models.ForeignKey(
        ImplementationParameter,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("parameter"),
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parameter_scores",
        verbose_name=_("indsats"),
        help_text=_("Tomt: scoren gælder hele programmet."),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, help_text=_("Tomt: ikke scoret.")
    )
    justification = models.TextField(_("begrundelse"), blank=True)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("parameterscore")
        verbose_name_plural = _("parameterscorer")
        ordering = ["assessment", "initiative", "parameter__order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)),
                name="parameter_score_1_to_5",
                violation_error_message=_("En score skal ligge mellem 1 og 5."),
            ),
            models.UniqueConstraint(
                fields=["assessment", "parameter", "initiative"],
                condition=Q(initiative__isnull=False),
                name="parameter_score_one_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["assessment", "parameter"],
                condition=Q(initiative__isnull=True),
                name="parameter_score_one_for_programme",
            ),
        ]

    def __str__(self) -> str:
        score = self.score if self.score is not None else "ikke scoret"
        return f"{self.parameter}: {score}"


class AttainmentSnapshot(TimeStamped):
    """What the pages show for one target in one round, computed by the worker.

    Pages read snapshots only and never compute on request. A snapshot is rewritten only
    when its content changes, so recomputing twice leaves identical rows. ``stale`` is set
    in the same transaction as any change to its inputs and cleared by the recomputation;
    a page shows a stale figure as "opdateres…" with the time it was computed.
    """

    class Basis(models.TextChoices):
        COMPUTED = "beregnet", _("Beregnet")
        ASSESSED = "vurderet", _("Vurderet")
        STATED = "angivet", _("Angivet")
        NONE = "ingen", _("Ingen")

    class Category(models.TextChoices):
        ACHIEVED = "Opnået", _("Opnået")
        ON_TRACK = "På sporet", _("På sporet")
        BEHIND = "Bagud", _("Bagud")
        CRITICAL = "Kritisk", _("Kritisk")
        PARTLY = "Delvist opnået", _("Delvist opnået")
        NOT_ACHIEVED = "Ikke opnået", _("Ikke opnået")
        NOT_MEASURABLE = "Ikke målbart", _("Ikke målbart")
        TEXT_ONLY = "Kun statustekst", _("Kun statustekst")
        NO_STATUS = "Ingen status", _("Ingen status")
        NO_TARGET = "Intet måltal", _("Intet måltal")

    target = models.ForeignKey(
        "initiatives.Target",
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name=_("mål"),
    )
    round = models.ForeignKey(
        "initiatives.ReportingRound",
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name=_("runde"),
    )
    percent = models.FloatField(_("målopnåelse %"), null=True, blank=True)
    percent_high = models.FloatField(_("målopnåelse % mod strækmålet"), null=True, blank=True)
    basis = models.CharField(_("grundlag"), max_length=10, choices=Basis.choices)
    expected_value = models.FloatField(_("forventet værdi"), null=True, blank=True)
    expected_percent = models.FloatField(_("forventet målopnåelse %"), null=True, blank=True)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    baseline = models.FloatField(_("basisværdi brugt"), null=True, blank=True)
    target_value = models.FloatField(_("målværdi brugt"), null=True, blank=True)
    target_high = models.FloatField(
        _("strækmål brugt (den anden ende af et interval)"), null=True, blank=True
    )
    actual = models.FloatField(_("faktisk værdi"), null=True, blank=True)
    stated_low = models.FloatField(_("angivet % (fra)"), null=True, blank=True)
    stated_high = models.FloatField(_("angivet % (til)"), null=True, blank=True)
    stated_text = models.CharField(_("angivet (ordlyd)"), max_length=100, blank=True)
    stated_is_estimate = models.BooleanField(_("skøn"), default=False)
    flagged = models.BooleanField(_("markeret"), default=False)
    flag_reason = models.CharField(_("årsag til markering"), max_length=300, blank=True)
    forecast_year = models.PositiveSmallIntegerField(_("prognose (år)"), null=True, blank=True)
    forecast_text = models.CharField(_("prognose"), max_length=200, blank=True)
    formula = models.TextField(_("formel"), blank=True)
    inputs = models.JSONField(_("input"), default=dict)
    pending_approval = models.BooleanField(
        _("afventer godkendelse"),
        default=False,
        help_text=_("Der findes en indsendt, endnu ikke godkendt status for runden."),
    )
    engine_version = models.CharField(_("beregningsversion"), max_length=20)
    # The ORM writer's change detection (services._upsert_orm); empty on PostgreSQL, whose
    # writer compares the columns themselves.
    content_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("beregnet"))
    stale = models.BooleanField(_("forældet"), default=False, db_index=True)

    class Meta:
        verbose_name = _("målopnåelse (beregnet)")
        verbose_name_plural = _("målopnåelse (beregnet)")
        ordering = ["round", "target"]
        constraints = [
            models.UniqueConstraint(fields=["target", "round"], name="snapshot_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.target} – {self.round.code}: {self.category}"

    @property
    def category_label(self) -> str:
        """The category as shown: "Ikke opnået (angivet)" when it follows a stated figure."""
        if self.basis == self.Basis.STATED:
            return f"{self.category} (angivet)"
        return self.category


class ScoreSnapshot(TimeStamped):
    """An assessment's implementation score, for the programme or one initiative."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("vurdering")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="score_snapshots",
        verbose_name=_("indsats"),
    )
    mean = models.FloatField(_("gennemsnit"), null=True, blank=True)
    n_scored = models.PositiveSmallIntegerField(_("antal scorede parametre"))
    n_parameters = models.PositiveSmallIntegerField(_("antal parametre"))
    stated_overall = models.FloatField(_("angivet samlet score"), null=True, blank=True)
    engine_version = models.CharField(_("beregningsversion"), max_length=20)
    computed_at = models.DateTimeField(_("beregnet"))

    class Meta:
        verbose_name = _("implementeringsscore (beregnet)")
        verbose_name_plural = _("implementeringsscorer (beregnet)")
        ordering = ["assessment", "initiative"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "initiative"],
                condition=Q(initiative__isnull=False),
                name="score_snapshot_one_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(initiative__isnull=True),
                name="score_snapshot_one_for_programme",
            ),
        ]

    def __str__(self) -> str:
        where = self.initiative or self.assessment.programme
        return f"{self.assessment} – {where}: {self.mean}"


class Edition(models.Model):
    """A summary as presented to a committee: the PDF's bytes, frozen.

    An edition is never changed or deleted: the model refuses it, and on PostgreSQL a
    trigger refuses it too (migration 0004). A correction is a new edition that
    ``supersedes`` the old one; the archive shows both.
    """

    class Committee(models.TextChoices):
        EMPLOYMENT = "beskaeftigelsesudvalget", _("Beskæftigelsesudvalget")
        BUSINESS = "erhvervsraadet", _("Erhvervsrådet")
        LOCAL_COUNCIL = "dlbr", _("Det Lokale Beskæftigelsesråd")
        MAGISTRATE = "magistraten", _("Magistraten")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="editions", verbose_name=_("program")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
        verbose_name=_("indsats"),
        help_text=_("Tomt: opsamlingen for hele programmet."),
    )
    round = models.ForeignKey(
        "initiatives.ReportingRound",
        on_delete=models.PROTECT,
        related_name="editions",
        verbose_name=_("runde"),
    )
    committee = models.CharField(_("udvalg"), max_length=30, choices=Committee.choices)
    meeting_date = models.DateField(_("mødedato"))
    title = models.CharField(_("titel"), max_length=300)
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("størrelse (bytes)"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("udgivet af"),
    )
    published_at = models.DateTimeField(_("udgivet"))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("erstatter"),
    )

    class Meta:
        verbose_name = _("udgave til udvalg")
        verbose_name_plural = _("udgaver til udvalg")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="edition_sha256_hex",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="edition_not_empty"),
            models.CheckConstraint(
                condition=~Q(supersedes=F("pk")), name="edition_not_superseding_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_committee_display()}, {self.meeting_date:%d.%m.%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("En udgivet udgave kan ikke ændres; udgiv en ny, der erstatter den.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("En udgivet udgave kan ikke slettes.")
