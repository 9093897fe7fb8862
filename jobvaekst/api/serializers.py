"""What the API shows of each object; the objects come from the selectors (see views)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evaluations.indicators import IndicatorRow, indicator_row, ordered_observations
from evaluations.models import Assessment, AttainmentSnapshot, ParameterScore, ScoreSnapshot
from evaluations.scoring import MEAN, STATED, Headline, snapshot_headline
from initiatives.models import (
    TARGET_FIELDS,
    Area,
    Indicator,
    IndicatorObservation,
    Initiative,
    Programme,
    ReportingRound,
    Target,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["slug", "name", "description", "start_date", "end_date", "budget_per_year"]


class InitiativeSerializer(serializers.ModelSerializer):
    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Initiative
        fields = ["slug", "programme", "number", "name", "description", "lead_organisation"]


class RoundSerializer(serializers.ModelSerializer):
    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    code = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingRound
        fields = [
            "id",
            "programme",
            "code",
            "year",
            "number",
            "period_start",
            "period_end",
            "deadline",
            "state",
        ]


class AttainmentSerializer(serializers.ModelSerializer):
    """A computed figure with how it was computed."""

    round = serializers.CharField(source="round.code")

    class Meta:
        model = AttainmentSnapshot
        fields = [
            "round",
            "percent",
            "percent_high",
            "basis",
            "category",
            "expected_percent",
            "stated_text",
            "flagged",
            "flag_reason",
            "forecast_text",
            "formula",
            "inputs",
            "pending_approval",
            "stale",
            "engine_version",
            "computed_at",
        ]


class TargetSerializer(serializers.ModelSerializer):
    initiative: serializers.SlugRelatedField[Initiative] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    sub_initiative = serializers.SerializerMethodField()
    phases = serializers.SerializerMethodField()
    latest_attainment = serializers.SerializerMethodField()
    _attainment: AttainmentSerializer | None = None

    class Meta:
        model = Target
        fields = [
            "id",
            "initiative",
            "sub_initiative",
            *TARGET_FIELDS,
            "phases",
            "latest_attainment",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_sub_initiative(self, target: Target) -> str | None:
        return target.sub_initiative.name if target.sub_initiative else None

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"year": {"type": "integer"}, "value": {"type": "string"}},
            },
        }
    )
    def get_phases(self, target: Target) -> list[dict]:
        return [{"year": p.year, "value": str(p.value)} for p in target.phases.all()]

    @extend_schema_field(AttainmentSerializer(allow_null=True))
    def get_latest_attainment(self, target: Target) -> dict | None:
        """The figure of the newest round that is not merely planned."""
        # Set by Prefetch(to_attr=...) in selectors.targets_with_latest_figure; the Django
        # plugin does not follow a to_attr into the queryset's type.
        snapshots: list[AttainmentSnapshot] = target.shown_snapshots  # type: ignore[attr-defined]
        if not snapshots:
            return None
        # One child serializer for the whole list, as DRF's own nested fields are bound
        # once: building a serializer per target rebuilds its fields every time.
        if self._attainment is None:
            self._attainment = AttainmentSerializer(context=self.context)
        return self._attainment.to_representation(snapshots[0])


class ScoreSerializer(serializers.ModelSerializer):
    parameter = serializers.CharField(source="parameter.name")
    initiative: serializers.SlugRelatedField[Initiative] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = ParameterScore
        fields = ["parameter", "initiative", "score", "justification"]


HEADLINE_FIELDS = ["headline", "headline_basis", "headline_text", "headline_label", "mean_text"]


class HeadlineFields(serializers.Serializer):
    # The headline implementation score by the pages' one rule (scoring.score_headline),
    # beside the stored figures, which stay as they were for existing clients.

    headline = serializers.SerializerMethodField(
        help_text="Den samlede score: den angivne, ellers gennemsnittet, når alle parametre er "
        "scoret; tom uden samlet score. Aldrig et gennemsnit af færre parametre."
    )
    headline_basis = serializers.SerializerMethodField(
        help_text="»angivet« (vurderingens egen samlede score), »gennemsnit« (alle parametre "
        "scoret) eller tom."
    )
    headline_text = serializers.SerializerMethodField(
        help_text="Som vist: »3,0« eller »Ikke samlet vurderet«."
    )
    headline_label = serializers.SerializerMethodField(
        help_text="Hvad scoren er: »angivet samlet score i vurderingen: …« eller »gennemsnit af "
        "6 af 6 parametre«."
    )
    mean_text = serializers.SerializerMethodField(
        help_text="Gennemsnittet med sit antal, når det ikke er den samlede score: »gennemsnit "
        "af 1 af 6 parametre: 4,0«."
    )

    # ``obj`` is the instance being serialised: a ScoreSnapshot or an Assessment, by subclass.
    def score_headline(self, obj: Any) -> Headline | None:
        raise NotImplementedError

    @extend_schema_field({"type": "number", "format": "double", "nullable": True})
    def get_headline(self, obj: Any) -> float | None:
        h = self.score_headline(obj)
        return h.value if h else None

    @extend_schema_field({"type": "string", "enum": [STATED, MEAN, None], "nullable": True})
    def get_headline_basis(self, obj: Any) -> str | None:
        h = self.score_headline(obj)
        return h.basis if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_headline_text(self, obj: Any) -> str | None:
        h = self.score_headline(obj)
        return h.text if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_headline_label(self, obj: Any) -> str | None:
        h = self.score_headline(obj)
        return h.label if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_mean_text(self, obj: Any) -> str | None:
        h = self.score_headline(obj)
        return h.mean_text if h else None


class ScoreSummarySerializer(HeadlineFields, serializers.ModelSerializer):
    initiative: serializers.SlugRelatedField[Initiative] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = ScoreSnapshot
        fields = [
            "initiative",
            "mean",
            "n_scored",
            "n_parameters",
            "stated_overall",
            *HEADLINE_FIELDS,
        ]

    def score_headline(self, obj: ScoreSnapshot) -> Headline:
        # The prefetch of an assessment's snapshots sets their assessment: no query.
        return snapshot_headline(obj)


class AssessmentSerializer(HeadlineFields, serializers.ModelSerializer):
    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    scores = ScoreSerializer(many=True, read_only=True)
    summaries = ScoreSummarySerializer(source="snapshots", many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "programme",
            "date",
            "title",
            "assessor",
            "kind",
            "stated_overall",
            "stated_overall_text",
            "scores",
            "summaries",
            *HEADLINE_FIELDS,
        ]

    def score_headline(self, obj: Assessment) -> Headline | None:
        """The programme's headline; empty until its score has been computed."""
        # From the prefetched snapshots (filtering the queryset would be a query each).
        programme = next((s for s in obj.snapshots.all() if s.initiative_id is None), None)
        return snapshot_headline(programme) if programme else None


class IndicatorObservationSerializer(serializers.ModelSerializer):
    """One figure: an area in a period, with its qualifier, as the source gives it."""

    area = serializers.CharField(source="area.name")
    area_kind = serializers.ChoiceField(source="area.kind", choices=Area.Kind.choices)
    text = serializers.CharField(source="in_words", help_text="Som vist: »ca. 35 %«.")

    class Meta:
        model = IndicatorObservation
        fields = [
            "area",
            "area_kind",
            "period_label",
            "period_start",
            "period_end",
            "value",
            "qualifier",
            "text",
            "stated_text",
            "stated_gap",
            "source_note",
        ]


class IndicatorGapSerializer(serializers.Serializer):
    """The programme's area against the national level (None without a national figure)."""

    period = serializers.CharField()
    text = serializers.CharField(help_text="»5,2 procentpoint under landsgennemsnittet«.")
    difference = serializers.DecimalField(
        max_digits=15,
        decimal_places=4,
        allow_null=True,
        help_text="Programmets område − hele landet; tom når kilden kun giver ord.",
    )
    unit = serializers.CharField()
    computed = serializers.BooleanField(help_text="Falsk: kildens egne ord, ikke beregnet.")
    favourable = serializers.BooleanField(allow_null=True)
    formula = serializers.CharField(help_text="»40,3 % − 45,5 % = −5,2 procentpoint«.")


class IndicatorAttainmentSerializer(serializers.Serializer):
    """As a target's attainment, from the same engine, but computed on read: so there is
    no round, and it is never stale or pending approval."""

    percent = serializers.FloatField(allow_null=True)
    percent_high = serializers.FloatField(allow_null=True)
    # No status of an indicator is an assessment: its figure is computed, or there is none.
    basis = serializers.ChoiceField(
        choices=[
            (AttainmentSnapshot.Basis.COMPUTED.value, AttainmentSnapshot.Basis.COMPUTED.label),
            (AttainmentSnapshot.Basis.NONE.value, AttainmentSnapshot.Basis.NONE.label),
        ]
    )
    category = serializers.ChoiceField(choices=AttainmentSnapshot.Category.choices)
    expected_percent = serializers.FloatField(allow_null=True)
    stated_text = serializers.CharField()
    flagged = serializers.BooleanField()
    flag_reason = serializers.CharField()
    forecast_text = serializers.CharField()
    formula = serializers.CharField()
    inputs = serializers.JSONField(source="explanation")
    engine_version = serializers.CharField(source="explanation.engine_version")


class IndicatorSourceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="source_name")
    publisher = serializers.CharField(source="source_publisher")
    url = serializers.CharField(source="source_url")
    text = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["name", "publisher", "url", "extracted_on", "text"]

    def get_text(self, indicator: Indicator) -> str:
        """ "Statistik (udgiver), udtrukket 01.12.2026"."""
        # Nested only in IndicatorSerializer (source="*"), whose row() it reads.
        return cast("IndicatorSerializer", self.parent).row(indicator).source_text


class IndicatorSerializer(serializers.ModelSerializer):
    """A programme-level indicator with its figures, its gap to the national level and its
    attainment (computed on read from the prefetched observations: no query per row)."""

    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    # The model's ``purpose`` holds a target's orientation choices ("vaekst", "job", or
    # empty for context): named as on targets, so both share one enum in the schema.
    orientation = serializers.ChoiceField(
        source="purpose",
        # A CharField with choices: its choices are a list of pairs, never None.
        choices=cast("list[tuple[str, str]]", Indicator._meta.get_field("purpose").choices),
        allow_blank=True,
    )
    purpose = serializers.SerializerMethodField()
    home_area = serializers.CharField(source="home_area.name")
    # DRF's metaclass moves declared fields into _declared_fields, so at run time this does
    # not replace Field.source (a str), as the stubs, reading the class body, assume.
    source = IndicatorSourceSerializer(source="*", read_only=True)  # type: ignore[assignment]
    latest_text = serializers.SerializerMethodField()
    change_text = serializers.SerializerMethodField()
    observations = serializers.SerializerMethodField()
    gap = serializers.SerializerMethodField()
    attainment = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "programme",
            "slug",
            "name",
            "description",
            "orientation",
            "purpose",
            "unit",
            "direction",
            "home_area",
            "baseline_value",
            "baseline_period",
            "baseline_date",
            "target_value",
            "target_period",
            "target_date",
            "stated_text",
            "source",
            "latest_text",
            "change_text",
            "observations",
            "gap",
            "attainment",
        ]

    def row(self, indicator: Indicator) -> IndicatorRow:
        # The read side's row, once per indicator for all the fields that need it.
        cached = self.__dict__.get("_row")
        if cached is None or cached.indicator is not indicator:
            cached = self._row = indicator_row(indicator)
        return cached

    def get_purpose(self, indicator: Indicator) -> str:
        """ "Vækstrettet", "Jobrettet" or "Kontekst"."""
        return self.row(indicator).purpose

    @extend_schema_field({"type": "string", "nullable": True})
    def get_latest_text(self, indicator: Indicator) -> str | None:
        """The programme's area's latest figure, "80 %"; None if it has none with a value."""
        latest = self.row(indicator).latest
        return latest.text if latest else None

    def get_change_text(self, indicator: Indicator) -> str:
        """ "fra ca. 35 % til 80 %"; empty with fewer than two figures."""
        return self.row(indicator).change_text

    @extend_schema_field(IndicatorObservationSerializer(many=True))
    def get_observations(self, indicator: Indicator) -> list[dict]:
        """The programme's area first, then the other areas, each in time order."""
        serializer = IndicatorObservationSerializer(context=self.context)
        return [
            serializer.to_representation(o) for _, _, o in ordered_observations(self.row(indicator))
        ]

    @extend_schema_field(IndicatorGapSerializer(allow_null=True))
    def get_gap(self, indicator: Indicator) -> dict | None:
        gap = self.row(indicator).gap
        return None if gap is None else IndicatorGapSerializer(gap).data

    @extend_schema_field(IndicatorAttainmentSerializer)
    def get_attainment(self, indicator: Indicator) -> dict:
        return IndicatorAttainmentSerializer(self.row(indicator).attainment).data
