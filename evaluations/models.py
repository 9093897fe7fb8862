"""What we conclude: implementation assessments on the six fixed parameters.

The parameters are rows, not code: the sixth parameter's name did not survive in the
2018 report's text, so it must be editable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Programme, TimeStamped


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
