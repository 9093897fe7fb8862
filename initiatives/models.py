"""What we record: the programme, its initiatives, effect chains, targets and statuses.

Each model states facts about one row. Invariants that must never be broken live in the
database as constraints, so that a direct ORM write, an import or a raw SQL statement
cannot get around them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jobvaekst.numbers import format_decimal, format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        abstract = True


class Level(models.TextChoices):
    """The three levels of a target, and the three stages of an effect chain."""

    ACTIVITY = "aktivitet", _("Aktivitet")
    OUTPUT = "output", _("Output")
    EFFECT = "effekt", _("Effekt")


class Orientation(models.TextChoices):
    """The evaluator's recommendation 1: is an activity growth- or job-oriented?"""

    GROWTH = "vaekst", _("Vækstrettet")
    JOB = "job", _("Jobrettet")


class Horizon(models.TextChoices):
    SHORT = "kort", _("Kort sigt")
    LONG = "lang", _("Lang sigt")


class Programme(TimeStamped):
    slug = models.SlugField(_("kort navn"), unique=True)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    owner = models.CharField(_("ansvarlig organisation"), max_length=200, blank=True)
    decided_on = models.DateField(_("besluttet"), null=True, blank=True)
    start_date = models.DateField(_("periodens start"))
    end_date = models.DateField(_("periodens slut"))
    budget_per_year = models.DecimalField(
        _("budget pr. år (kr.)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tomt betyder: ikke oplyst i kilden."),
    )
    budget_note = models.TextField(_("note om budget"), blank=True)
    source = models.CharField(_("kilde"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programmer")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_per_year__isnull=True) | Q(budget_per_year__gte=0),
                name="programme_budget_non_negative",
                violation_error_message=_("Budgettet kan ikke være negativt."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")),
                name="programme_period_ordered",
                violation_error_message=_("Periodens start skal ligge før dens slut."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Initiative(TimeStamped):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("program")
    )
    slug = models.SlugField(_("kort navn"), unique=True)
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    lead_organisation = models.CharField(_("ansvarlig organisation"), max_length=200, blank=True)
    status_summary = models.TextField(
        _("overordnet status"), blank=True, help_text=_("Kort tekst om hvor indsatsen står.")
    )

    class Meta:
        verbose_name = _("indsatsområde")
        verbose_name_plural = _("indsatsområder")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="initiative_number_unique_in_programme"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:detail", kwargs={"slug": self.slug})


class InitiativeBudget(TimeStamped):
    """The budget allocated to an initiative for one year."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("indsats")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    allocated = models.DecimalField(
        _("bevilget (kr.)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tomt betyder: ikke oplyst i kilden."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("budget for indsats")
        verbose_name_plural = _("budgetter for indsatser")
        ordering = ["initiative", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "year"], name="initiative_budget_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(allocated__isnull=True) | Q(allocated__gte=0),
                name="initiative_budget_non_negative",
                violation_error_message=_("Budgettet kan ikke være negativt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} {self.year}"


class SubInitiative(TimeStamped):
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="sub_initiatives",
        verbose_name=_("indsatsområde"),
    )
    name = models.CharField(_("navn"), max_length=200)
    lead_partner = models.CharField(_("ansvarlig partner"), max_length=200, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        verbose_name = _("delinitiativ")
        verbose_name_plural = _("delinitiativer")
        ordering = ["initiative", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "name"], name="sub_initiative_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EffectChainItem(TimeStamped):
    """One box of an initiative's effect chain: a main activity, an output or an effect."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="chain_items",
        verbose_name=_("indsatsområde"),
    )
    sub_initiative = models.ForeignKey(
        SubInitiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chain_items",
        verbose_name=_("delinitiativ"),
    )
    stage = models.CharField(_("led"), max_length=10, choices=Level.choices)
    text = models.TextField(_("tekst"))
    primary_lever = models.BooleanField(
        _("primært virkemiddel"),
        default=False,
        help_text=_("Evaluators markering med * af projektets primære virkemidler."),
    )
    orientation = models.CharField(
        _("orientering"), max_length=10, choices=Orientation.choices, blank=True
    )
    horizon = models.CharField(_("sigt"), max_length=10, choices=Horizon.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        verbose_name = _("led i effektkæde")
        verbose_name_plural = _("effektkæde")
        ordering = ["initiative", "stage", "order"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.text[:60]}"


#: What defines a target, in one list: the target form edits these, the import reads them
#: (``importing.TargetIn``, column by column in ``importing.TARGET_FIELD_COLUMNS``), the
#: programme export writes them and the API shows them. Its place, order and phases are
#: kept apart: the initiative and sub-initiative are looked up by name, phases are rows.
TARGET_FIELDS = (
    "level",
    "title",
    "definition",
    "kind",
    "unit",
    "direction",
    "basis",
    "baseline_low",
    "baseline_high",
    "baseline_year",
    "target_low",
    "target_high",
    "target_text",
    "start_date",
    "target_date",
    "cumulative",
    "orientation",
    "horizon",
    "measurable",
    "source",
)


class Target(TimeStamped):
    """A target (mål) of an initiative, in whatever shape the programme gave it.

    Numbers are held as given: a single value is ``*_low`` with ``*_high`` empty; a range
    fills both. A target with no numeric value is qualitative (``target_text`` says what it
    is), and phases live in :class:`TargetPhase`. Meaning that the shape cannot hold goes
    verbatim into ``definition``.
    """

    class Kind(models.TextChoices):
        COUNT = "antal", _("Antal")
        PERCENT = "procent", _("Procent")
        AMOUNT = "beloeb", _("Beløb")
        QUALITATIVE = "kvalitativ", _("Kvalitativ")

    class Direction(models.TextChoices):
        INCREASE = "stigende", _("Stigende")
        DECREASE = "faldende", _("Faldende")

    class Basis(models.TextChoices):
        PERIOD = "periode", _("For hele perioden")
        PER_YEAR = "pr_aar", _("Pr. år")
        BY_DATE = "niveau", _("Niveau ved måldato")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indsats")
    )
    sub_initiative = models.ForeignKey(
        SubInitiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("delinitiativ"),
    )
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    title = models.CharField(_("mål"), max_length=300)
    definition = models.TextField(
        _("mål i projektperioden (kildens ordlyd)"),
        blank=True,
        help_text=_("Målet som kilden formulerer det, ordret."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    unit = models.CharField(_("enhed"), max_length=60, blank=True)
    direction = models.CharField(
        _("retning"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    basis = models.CharField(_("grundlag"), max_length=10, choices=Basis.choices, blank=True)
    baseline_low = models.DecimalField(
        _("basisværdi (fra)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_high = models.DecimalField(
        _("basisværdi (til)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("basisår"), null=True, blank=True)
    target_low = models.DecimalField(
        _("målværdi (fra)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_high = models.DecimalField(
        _("målværdi (til)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_text = models.CharField(
        _("kvalitativt mål"), max_length=300, blank=True, help_text=_("F.eks. »Øget samarbejde«.")
    )
    start_date = models.DateField(_("startdato"), null=True, blank=True)
    target_date = models.DateField(_("måldato"), null=True, blank=True)
    cumulative = models.BooleanField(
        _("kumulativ"),
        default=False,
        help_text=_("Tallet er en løbende sum over perioden, ikke et niveau."),
    )
    orientation = models.CharField(
        _("orientering"), max_length=10, choices=Orientation.choices, blank=True
    )
    horizon = models.CharField(_("sigt"), max_length=10, choices=Horizon.choices, blank=True)
    measurable = models.BooleanField(
        _("målbart"), default=True, help_text=_("Fjern fluebenet ved »ikke målbart p.t.«.")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_targets",
        verbose_name=_("ansvarlig"),
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["initiative", "level", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_low__isnull=True)
                | Q(target_high__isnull=True)
                | Q(target_low__lte=F("target_high")),
                name="target_range_ordered",
                violation_error_message=_("Målets laveste værdi er større end den højeste."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_low__isnull=True)
                | Q(baseline_high__isnull=True)
                | Q(baseline_low__lte=F("baseline_high")),
                name="target_baseline_range_ordered",
                violation_error_message=_("Basisværdiens laveste værdi er større end den højeste."),
            ),
            models.CheckConstraint(
                condition=Q(target_high__isnull=True) | Q(target_low__isnull=False),
                name="target_high_needs_low",
                violation_error_message=_("Et interval skal have en nedre grænse."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_high__isnull=True) | Q(baseline_low__isnull=False),
                name="target_baseline_high_needs_low",
                violation_error_message=_("Et basisinterval skal have en nedre grænse."),
            ),
            models.CheckConstraint(
                condition=(Q(target_low__isnull=True) | Q(target_low__gte=0))
                & (Q(baseline_low__isnull=True) | Q(baseline_low__gte=0)),
                name="target_values_non_negative",
                violation_error_message=_("Mål- og basisværdier kan ikke være negative."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(target_date__isnull=True)
                | Q(start_date__lte=F("target_date")),
                name="target_dates_ordered",
                violation_error_message=_("Startdatoen skal ligge før måldatoen."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # -- Reading the shape -------------------------------------------------------------
    @property
    def is_range(self) -> bool:
        return self.target_high is not None

    @property
    def has_numeric_target(self) -> bool:
        return self.target_low is not None

    def describe(self, phases: list[TargetPhase] | None = None) -> str:
        """The target in words, as a Danish reader expects it.

        ``phases`` may be passed in when they are already loaded, so that a page listing
        many targets does not run a query per row.
        """
        if phases is None:
            phases = list(self.phases.all())
        unit = f" {self.unit}" if self.unit and self.kind == self.Kind.AMOUNT else ""
        if phases:
            # Phases are amounts of change from the baseline, in the target's direction.
            parts = [f"{format_number(p.value)} ({p.year})" for p in phases]
            change = sum((p.value for p in phases), Decimal(0))
            base = target_baseline(self.baseline_low, self.baseline_high)
            if self.direction == self.Direction.DECREASE:
                start = base if base is not None else Decimal(0)
                total = start - change
                return (
                    f"{format_number(start)} − {' − '.join(parts)} = {format_number(total)}{unit}"
                )
            if base is not None:
                return (
                    f"{format_number(base)} + {' + '.join(parts)} = "
                    f"{format_number(base + change)}{unit}"
                )
            return f"{' + '.join(parts)} = {format_number(change)}{unit}"
        if not self.has_numeric_target:
            return self.target_text or "Intet måltal"
        target = _range(self.target_low, self.target_high)
        if self.basis == self.Basis.PER_YEAR:
            return f"{target}{unit} pr. år"
        year = f" ({self.target_date.year})" if self.target_date else ""
        if self.baseline_low is not None:
            base_text = _range(self.baseline_low, self.baseline_high)
            base_year = f" ({self.baseline_year})" if self.baseline_year else ""
            return f"fra {base_text}{base_year} til {target}{year}{unit}"
        return f"{target}{unit}"

    def clean(self) -> None:
        """The entry rules that need only this row: the target lies on the right side of
        its baseline. The rules about phases need the phases being entered, which live in
        their own table, so the form, :func:`~initiatives.services.target_save` and the
        import check those with :func:`target_phase_errors`."""
        errors = target_value_errors(
            basis=self.basis,
            direction=self.direction,
            baseline_low=self.baseline_low,
            baseline_high=self.baseline_high,
            target_low=self.target_low,
            target_high=self.target_high,
        )
        if errors:
            raise ValidationError(errors)

    def phase_errors(self, phases: Sequence[tuple[int, Decimal]]) -> dict[str, list[str]]:
        """:func:`target_phase_errors` for this target with the phases being entered."""
        return target_phase_errors(
            direction=self.direction,
            baseline_low=self.baseline_low,
            baseline_high=self.baseline_high,
            target_low=self.target_low,
            target_high=self.target_high,
            start_date=self.start_date,
            target_date=self.target_date,
            phases=phases,
        )


def _range(low: Decimal | None, high: Decimal | None) -> str:
    if high is None:
        return format_number(low)
    return f"{format_number(low)}–{format_number(high)}"


# --- Entry rules shared by the target form, the services and the import -----------------


def _decimal(value: object) -> Decimal | None:
    # full_clean() calls clean() even when a field could not be converted: such a value
    # already has its own error, so the rules compare only real numbers.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return None
    return Decimal(value)


def target_baseline(low: object, high: object) -> Decimal | None:
    """B as the attainment engine reads it: the midpoint of a baseline range, the one
    value given, or None when no baseline is given (the engine then uses 0)."""
    low, high = _decimal(low), _decimal(high)
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high


def target_value_errors(
    *,
    basis: str = "",
    direction: str,
    baseline_low: object,
    baseline_high: object,
    target_low: object,
    target_high: object,
) -> dict[str, list[str]]:
    """Danish messages, by field, for a target on the wrong side of its baseline.

    Only when a baseline and a numeric target are given. The end compared is the lenient
    one (nearer the baseline): an increase is refused when T_low < B, a decrease when
    T_high (T_low for a single value) > B. T equal to B is allowed (it is qualitative).
    A per-year target's figure is a rate, an amount of change a year, not a level, so it
    is not compared with the baseline.
    """
    b = target_baseline(baseline_low, baseline_high)
    low, high = _decimal(target_low), _decimal(target_high)
    if b is None or low is None or basis == Target.Basis.PER_YEAR:
        return {}
    if direction == Target.Direction.INCREASE and low < b:
        what = "målets nedre grænse" if high is not None else "målet"
        return {
            "target_low": [
                f"Et stigende mål kan ikke ligge under basis: {what} {format_decimal(low)} er "
                f"mindre end basis {format_decimal(b)}. Ret målet, basis eller retningen."
            ]
        }
    lenient = high if high is not None else low
    if direction == Target.Direction.DECREASE and lenient > b:
        what = "målets øvre grænse" if high is not None else "målet"
        return {
            "target_high" if high is not None else "target_low": [
                f"Et faldende mål kan ikke ligge over basis: {what} {format_decimal(lenient)} "
                f"er større end basis {format_decimal(b)}. Ret målet, basis eller retningen."
            ]
        }
    return {}


def target_phase_errors(
    *,
    direction: str,
    baseline_low: object,
    baseline_high: object,
    target_low: object,
    target_high: object,
    start_date: object,
    target_date: object,
    phases: Sequence[tuple[int, Decimal]],
) -> dict[str, list[str]]:
    """Danish messages, by field (``"phases"`` for the phases), for a phased target.

    Phases are amounts of change from the baseline in the target's direction (the database
    keeps them non-negative): T = B + Σ phases for an increase, T = B − Σ phases for a
    decrease, B as in :func:`target_baseline` (0 when none is given). So:

    - a target given with both its total and its phases ("120 forløb, 50 i 2018 og 70 i
      2019") is accepted when T_low equals that, refused otherwise, naming both figures;
      it is stored with both (T_low the total, plus the phases);
    - a phased target has one total, not a range (no T_high);
    - a decrease with phases needs a baseline to fall from;
    - each phase's year lies within start year..target year when both dates are given.
    """
    if not phases:
        return {}
    errors: dict[str, list[str]] = {}
    given = target_baseline(baseline_low, baseline_high)
    b = Decimal(0) if given is None else given
    values = [Decimal(value) for _, value in phases]
    decrease = direction == Target.Direction.DECREASE
    change = sum(values, Decimal(0))
    expected = b - change if decrease else b + change
    low, high = _decimal(target_low), _decimal(target_high)
    if decrease and given is None:
        errors.setdefault("phases", []).append(
            "Et faldende mål med faser kræver en basis: faserne trækkes fra basis, så uden "
            "en basis er der intet at falde fra."
        )
    if high is not None:
        errors.setdefault("target_high", []).append(
            "Et mål med faser har ét samlet mål: lad målværdi (til) være tom, eller fjern faserne."
        )
    if low is not None and low != expected:
        named = "fasen" if len(values) == 1 else "faserne"
        sign = "−" if decrease else "+"
        how = "trækkes fra" if decrease else "lægges til"
        listed = f" {sign} ".join(format_decimal(v) for v in values)
        errors.setdefault("phases", []).append(
            f"Målet {format_decimal(low)} stemmer ikke med basis {format_decimal(b)} {sign} "
            f"{named} {listed} = {format_decimal(expected)}. "
            f"Ret målet eller faserne (faserne {how} basis)."
        )
    if isinstance(start_date, dt.date) and isinstance(target_date, dt.date):
        period = f"{start_date.year}–{target_date.year}"
        for year, _ in phases:
            if not start_date.year <= year <= target_date.year:
                errors.setdefault("phases", []).append(
                    f"Fasen for {year} ligger uden for målets periode {period}."
                )
    return errors


class TargetPhase(TimeStamped):
    """One year's part of a phased target, e.g. Byg i Nord's 30 in 2017 and 80 in 2018."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="phases", verbose_name=_("mål")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.DecimalField(_("værdi"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("faser")
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="target_phase_one_per_year"),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_phase_non_negative",
                violation_error_message=_("En fase kan ikke være negativ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {format_number(self.value)}"


class ReportingRound(TimeStamped):
    """A bimonthly reporting round: number 1 is January–February, 6 is November–December."""

    class State(models.TextChoices):
        PLANNED = "planlagt", _("Planlagt")
        OPEN = "aaben", _("Åben")
        CLOSED = "lukket", _("Lukket")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("program")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    number = models.PositiveSmallIntegerField(
        _("runde"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    period_start = models.DateField(_("periodens start"))
    period_end = models.DateField(_("periodens slut"))
    deadline = models.DateField(_("frist"))
    state = models.CharField(
        _("tilstand"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rapporteringsrunde")
        verbose_name_plural = _("rapporteringsrunder")
        ordering = ["programme", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "number"], name="round_unique_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=6),
                name="round_number_1_to_6",
                violation_error_message=_("Runden skal have et nummer fra 1 til 6."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="round_period_ordered",
                violation_error_message=_("Periodens start skal ligge før dens slut."),
            ),
        ]

    MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

    def __str__(self) -> str:
        return f"{self.code} ({self.period_label})"

    @property
    def period_label(self) -> str:
        """The two months in words, e.g. "maj.–jun. 2018"."""
        first = self.MONTHS[(self.number - 1) * 2]
        second = self.MONTHS[(self.number - 1) * 2 + 1]
        return f"{first}.–{second}. {self.year}"

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def code_key(self) -> tuple[int, int]:
        """Sorts rounds in time: (year, number)."""
        return (self.year, self.number)

    def and_earlier(self, prefix: str = "round__") -> Q:
        """A filter for this round and every earlier round of its programme."""
        return Q(**{f"{prefix}programme_id": self.programme_id}) & (
            Q(**{f"{prefix}year__lt": self.year})
            | Q(**{f"{prefix}year": self.year, f"{prefix}number__lte": self.number})
        )


class StatusReport(TimeStamped):
    """An initiative's report for one round: narrative, budget spent and workflow state."""

    class State(models.TextChoices):
        DRAFT = "kladde", _("Kladde")
        SUBMITTED = "indsendt", _("Indsendt")
        APPROVED = "godkendt", _("Godkendt")
        RETURNED = "returneret", _("Returneret")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="reports", verbose_name=_("indsats")
    )
    round = models.ForeignKey(
        ReportingRound, on_delete=models.PROTECT, related_name="reports", verbose_name=_("runde")
    )
    state = models.CharField(
        _("tilstand"), max_length=12, choices=State.choices, default=State.DRAFT
    )
    progress = models.TextField(_("fremdrift"), blank=True)
    challenges = models.TextField(_("udfordringer"), blank=True)
    next_steps = models.TextField(_("næste skridt"), blank=True)
    budget_spent = models.DecimalField(
        _("forbrugt budget (kr.)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indsendt af"),
    )
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandlet af"),
    )
    reviewed_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    review_comment = models.TextField(_("kommentar ved godkendelse eller returnering"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("statusrapport")
        verbose_name_plural = _("statusrapporter")
        ordering = ["round", "initiative"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "round"], name="status_report_one_per_round"
            ),
            models.CheckConstraint(
                condition=Q(budget_spent__isnull=True) | Q(budget_spent__gte=0),
                name="status_report_budget_non_negative",
                violation_error_message=_("Forbrugt budget kan ikke være negativt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} – {self.round.code}"


class StatusUpdate(TimeStamped):
    """The status of one target in one round.

    ``value`` is the reported actual. For a qualitative target ``assessment`` carries the
    assessed status instead. ``stated_low``/``stated_high`` keep an attainment percentage
    that a report *stated* (a single value or a range such as an estimate of 50–70 %),
    with ``stated_text`` holding its exact wording ("+100 %", "1 - 2%").
    """

    class Assessment(models.TextChoices):
        ACHIEVED = "opnaaet", _("Opnået")
        PARTLY = "delvist", _("Delvist opnået")
        NOT_ACHIEVED = "ikke_opnaaet", _("Ikke opnået")

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="updates", verbose_name=_("mål")
    )
    round = models.ForeignKey(
        ReportingRound, on_delete=models.PROTECT, related_name="updates", verbose_name=_("runde")
    )
    value = models.DecimalField(_("værdi"), max_digits=14, decimal_places=2, null=True, blank=True)
    observed_on = models.DateField(
        _("opgjort pr."), null=True, blank=True, help_text=_("Datoen tallet er opgjort pr.")
    )
    assessment = models.CharField(
        _("vurdering"), max_length=14, choices=Assessment.choices, blank=True
    )
    not_measurable = models.BooleanField(_("ikke målbart p.t."), default=False)
    # Ticked by the tovholder, or by answering the submit's question: the value is last
    # round's on purpose. A draft may keep last round's value without it.
    unchanged_confirmed = models.BooleanField(
        _("bekræftet uændret siden sidste runde"), default=False
    )
    status_text = models.TextField(
        _("status (kildens ordlyd)"), blank=True, help_text=_("Status som den er formuleret.")
    )
    stated_low = models.DecimalField(
        _("angivet målopnåelse % (fra)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    stated_high = models.DecimalField(
        _("angivet målopnåelse % (til)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    stated_text = models.CharField(_("angivet målopnåelse (ordlyd)"), max_length=100, blank=True)
    stated_is_estimate = models.BooleanField(
        _("skøn"), default=False, help_text=_("Den angivne målopnåelse er et skøn.")
    )
    comment = models.TextField(_("kommentar"), blank=True)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("statusopdatering")
        verbose_name_plural = _("statusopdateringer")
        ordering = ["round", "target"]
        constraints = [
            models.UniqueConstraint(fields=["target", "round"], name="status_update_one_per_round"),
            models.CheckConstraint(
                condition=Q(stated_low__isnull=True)
                | Q(stated_high__isnull=True)
                | Q(stated_low__lte=F("stated_high")),
                name="status_update_stated_range_ordered",
                violation_error_message=_(
                    "Den angivne målopnåelses laveste værdi er større end den højeste."
                ),
            ),
            models.CheckConstraint(
                condition=Q(stated_high__isnull=True) | Q(stated_low__isnull=False),
                name="status_update_stated_high_needs_low",
                violation_error_message=_("Et interval skal have en nedre grænse."),
            ),
            models.CheckConstraint(
                condition=~(Q(not_measurable=True) & Q(value__isnull=False)),
                name="status_update_not_measurable_has_no_value",
                violation_error_message=_(
                    "Et mål markeret »ikke målbart p.t.« kan ikke have en værdi."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} – {self.round.code}"

    def describe(self) -> str:
        """The status in words, for tables."""
        if self.not_measurable:
            return "Ikke målbart p.t."
        if self.value is not None:
            unit = f" {self.target.unit}" if self.target.unit else ""
            return f"{format_number(self.value)}{unit}"
        if self.assessment:
            return f"{self.get_assessment_display()} (vurderet)"
        return self.status_text or "Ingen status"

    def stated_in_words(self) -> str:
        """The stated attainment: "1–2 %", "50–70 % (skøn)", or the report's own "+100 %"."""
        if self.stated_low is None:
            return self.stated_text or "–"
        if self.stated_text.strip().startswith("+"):
            text = self.stated_text.strip()
        else:
            text = f"{_range(self.stated_low, self.stated_high)} %"
        return f"{text} (skøn)" if self.stated_is_estimate else text


class Membership(TimeStamped):
    """A user's role in a programme, and for a tovholder the initiative they lead."""

    class Role(models.TextChoices):
        TOVHOLDER = "tovholder", _("Tovholder")
        PROGRAMLEDER = "programleder", _("Programleder")
        BAGGRUNDSGRUPPE = "baggrundsgruppe", _("Baggrundsgruppe")
        UDVALG = "udvalg", _("Udvalg")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("bruger"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("indsats"),
    )

    class Source(models.TextChoices):
        MANUAL = "manuel", _("Tildelt i administrationen")
        SSO = "sso", _("Fra gruppe i kommunens login")

    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # An SSO membership follows the user's groups: it is replaced at every SSO login.
    source = models.CharField(
        _("kilde"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        ordering = ["programme", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "initiative", "role"],
                condition=Q(initiative__isnull=False),
                name="membership_unique_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["user", "programme", "role"],
                condition=Q(initiative__isnull=True),
                name="membership_unique_per_programme",
            ),
            models.CheckConstraint(
                condition=~Q(role="tovholder") | Q(initiative__isnull=False),
                name="membership_tovholder_has_initiative",
                violation_error_message=_("En tovholder skal knyttes til en indsats."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=["manuel", "sso"]), name="membership_source_known"
            ),
        ]

    def __str__(self) -> str:
        where = self.initiative or self.programme
        return f"{self.user} – {self.get_role_display()} ({where})"


class Notification(TimeStamped):
    """An e-mail sent about a report. The unique constraint makes each one go out once."""

    class Kind(models.TextChoices):
        REMINDER_BEFORE = "paamindelse_foer", _("Påmindelse før fristen")
        REMINDER_DEADLINE = "paamindelse_frist", _("Påmindelse på fristen")
        SUBMITTED = "indsendt", _("Rapport indsendt")
        RETURNED = "returneret", _("Rapport returneret")

    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="+", verbose_name=_("runde")
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", verbose_name=_("indsats")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("modtager"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    report_version = models.PositiveIntegerField(
        _("rapportversion"),
        default=0,
        help_text=_("For indsendt/returneret: hver indsendelse giver sin egen besked."),
    )

    class Meta:
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "initiative", "recipient", "kind", "report_version"],
                name="notification_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} til {self.recipient} ({self.initiative}, {self.round.code})"
        )


# --- Programme indicators (issue 10) ---
# Goals and context of the programme as a whole, benchmarked against other areas. They
# belong to the programme, never to an initiative. See docs/indicators.md.


class AreaManager(models.Manager["Area"]):
    def get_by_natural_key(self, name: str) -> Area:
        return self.get(name=name)


class Area(TimeStamped):
    """A place a statistic is given for: a municipality, a named group of them, the country.

    Areas are shared by every indicator so that a benchmark series keeps one stable name
    ("Hele landet", "Aalborg Kommune") across sources and imports.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "kommune", _("Kommune")
        GROUP = "gruppe", _("Gruppe af kommuner")
        COUNTRY = "hele_landet", _("Hele landet")

    name = models.CharField(_("navn"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    description = models.CharField(
        _("beskrivelse"),
        max_length=300,
        blank=True,
        help_text=_("For en gruppe: hvilke kommuner den dækker, som kilden siger det."),
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    objects = AreaManager()

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områder")
        ordering = ["order", "name"]
        constraints = [
            # The gap to the national level needs exactly one national series.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="hele_landet"), name="area_one_country"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["kommune", "gruppe", "hele_landet"]), name="area_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class IndicatorManager(models.Manager["Indicator"]):
    def get_by_natural_key(self, programme_slug: str, slug: str) -> Indicator:
        return self.get(programme__slug=programme_slug, slug=slug)


class Indicator(TimeStamped):
    """A programme-level indicator: one of the programme's goals, or context for them.

    ``home_area`` is the area the programme is about (Aalborg Kommune); observations for
    other areas are its benchmarks. Baseline and target are optional and are read by the
    same attainment engine as the targets. ``stated_text`` keeps what a source says in
    words only ("ca. 1,5 procentpoint over landsgennemsnittet").
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("program")
    )
    slug = models.SlugField(_("kort navn"))
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    purpose = models.CharField(
        _("formål"),
        max_length=10,
        choices=Orientation.choices,
        blank=True,
        help_text=_("Hvilket af programmets to formål tallet følger; tomt: kontekst."),
    )
    unit = models.CharField(
        _("enhed"), max_length=30, help_text=_("F.eks. %, procentpoint, antal.")
    )
    direction = models.CharField(
        _("retning"),
        max_length=10,
        choices=Target.Direction.choices,
        default=Target.Direction.INCREASE,
        help_text=_("Stigende: et højere tal er bedre. Faldende: et lavere tal er bedre."),
    )
    home_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("programmets område")
    )
    baseline_value = models.DecimalField(
        _("basisværdi"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_period = models.CharField(_("basisperiode"), max_length=100, blank=True)
    baseline_date = models.DateField(
        _("basisdato"), null=True, blank=True, help_text=_("Kun hvis kilden giver den.")
    )
    target_value = models.DecimalField(
        _("målværdi"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    target_period = models.CharField(_("målperiode"), max_length=100, blank=True)
    target_date = models.DateField(_("måldato"), null=True, blank=True)
    stated_text = models.TextField(
        _("kildens udsagn"),
        blank=True,
        help_text=_("Det kilden siger i ord, når den ikke giver tallene."),
    )
    source_name = models.CharField(_("kilde (statistik eller rapport)"), max_length=300)
    source_publisher = models.CharField(_("udgiver"), max_length=200, blank=True)
    source_url = models.URLField(_("kildens adresse"), max_length=500, blank=True)
    extracted_on = models.DateField(
        _("udtrukket"), null=True, blank=True, help_text=_("Datoen tallene er hentet fra kilden.")
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    objects = IndicatorManager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["programme", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"], name="indicator_slug_unique_in_programme"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=["", "vaekst", "job"]), name="indicator_purpose_known"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["stigende", "faldende"]),
                name="indicator_direction_known",
            ),
            models.CheckConstraint(
                condition=~Q(unit="%")
                | (
                    (Q(baseline_value__isnull=True) | Q(baseline_value__range=(0, 100)))
                    & (Q(target_value__isnull=True) | Q(target_value__range=(0, 100)))
                ),
                name="indicator_percent_within_0_100",
                violation_error_message=_("En procent skal ligge mellem 0 og 100."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_date__isnull=True)
                | Q(target_date__isnull=True)
                | Q(baseline_date__lte=F("target_date")),
                name="indicator_dates_ordered",
                violation_error_message=_("Basisdatoen skal ligge før måldatoen."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.programme.slug, self.slug)

    # Django's serialisers read the dependencies off the method; no stub can type that.
    natural_key.dependencies = ["initiatives.programme"]  # type: ignore[attr-defined]

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() == "%"


class IndicatorObservationManager(models.Manager["IndicatorObservation"]):
    def get_by_natural_key(
        self, programme_slug: str, indicator_slug: str, area: str, period_label: str
    ) -> IndicatorObservation:
        return self.get(
            indicator__programme__slug=programme_slug,
            indicator__slug=indicator_slug,
            area__name=area,
            period_label=period_label,
        )


class IndicatorObservation(TimeStamped):
    """One figure of an indicator: one area, one period.

    ``period_label`` is the period as the source names it ("september 2014", "ved
    iværksættelsen af Jobvækstpakken"); the dates are filled only where the source gives
    them, and ``order`` sorts a series whose periods have no dates. ``qualifier`` keeps
    "ca." and "mindst" with the number; a source that gives only words has no ``value``
    and its wording in ``stated_text``.
    """

    class Qualifier(models.TextChoices):
        EXACT = "eksakt", _("Eksakt")
        APPROXIMATE = "ca", _("Ca.")
        AT_LEAST = "mindst", _("Mindst")
        AT_MOST = "hoejst", _("Højst")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("indikator"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="observations", verbose_name=_("område")
    )
    period_label = models.CharField(_("periode"), max_length=100)
    period_start = models.DateField(_("periodens start"), null=True, blank=True)
    period_end = models.DateField(_("periodens slut"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(
        _("rækkefølge"), default=0, help_text=_("Sorterer perioder uden datoer.")
    )
    value = models.DecimalField(_("værdi"), max_digits=14, decimal_places=4, null=True, blank=True)
    qualifier = models.CharField(
        _("forbehold"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    stated_text = models.CharField(
        _("kildens ordlyd"), max_length=300, blank=True, help_text=_("F.eks. »mindst 44 %«.")
    )
    stated_gap = models.CharField(
        _("afstand til hele landet (kildens ordlyd)"),
        max_length=300,
        blank=True,
        help_text=_("Når kilden kun giver forskellen, fx »ca. 1,5 procentpoint over«."),
    )
    source_note = models.CharField(_("kilde"), max_length=300, blank=True)
    history = HistoricalRecords()
    # Set by the services before save(); simple-history writes them into the history row.
    _history_user: User | None
    _change_reason: str

    objects = IndicatorObservationManager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observationer")
        ordering = ["indicator", "area", "order", "period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period_label"],
                name="indicator_observation_one_per_area_and_period",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(stated_text="") | ~Q(stated_gap=""),
                name="indicator_observation_has_content",
                violation_error_message=_("En observation skal have en værdi eller en tekst."),
            ),
            models.CheckConstraint(
                condition=Q(qualifier="eksakt") | Q(value__isnull=False),
                name="indicator_observation_qualifier_needs_value",
                violation_error_message=_("»ca.«, »mindst« og »højst« hører til en værdi."),
            ),
            models.CheckConstraint(
                condition=Q(qualifier__in=["eksakt", "ca", "mindst", "hoejst"]),
                name="indicator_observation_qualifier_known",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="indicator_observation_period_ordered",
                violation_error_message=_("Periodens start skal ligge før dens slut."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.area} – {self.period_label}"

    def natural_key(self) -> tuple[str, str, str, str]:
        return (*self.indicator.natural_key(), self.area.name, self.period_label)

    # Django's serialisers read the dependencies off the method; no stub can type that.
    natural_key.dependencies = ["initiatives.indicator", "initiatives.area"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        # The unit lives on the indicator, so a database check cannot see it.
        if (
            self.value is not None
            and self.indicator_id
            and self.indicator.is_percent
            and not 0 <= self.value <= 100
        ):
            raise ValidationError({"value": _("En procent skal ligge mellem 0 og 100.")})

    def in_words(self) -> str:
        """The figure as a reader sees it: "ca. 35 %", "mindst 44 %", or the source's words."""
        if self.value is None:
            return self.stated_text or self.stated_gap
        return indicator_value_text(self.value, self.qualifier, self.indicator.unit)


_QUALIFIER_WORDS = {"ca": "ca. ", "mindst": "mindst ", "hoejst": "højst "}


def indicator_value_text(value: Decimal | None, qualifier: str, unit: str) -> str:
    """A figure in Danish with its qualifier: "ca. 35 %", "mindst 44 %", "5.026 antal"."""
    if value is None:
        return ""
    return f"{_QUALIFIER_WORDS.get(qualifier, '')}{format_number(value)} {unit}".strip()
