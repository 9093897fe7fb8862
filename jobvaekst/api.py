"""The read-only JSON API, /api/v1/ (Django REST framework, OpenAPI by drf-spectacular).

Same rules as the pages: a user sees the programmes they hold a role in (all for the
administrator), and every initiative, target, round, assessment and indicator of those.
Session authentication serves the browser, token authentication (``Authorization: Token
…``) machines; anonymous requests are refused. Lists are paginated.
"""

from __future__ import annotations

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated

from evaluations.indicators import IndicatorRow, indicator_row, ordered_observations
from evaluations.models import Assessment, AttainmentSnapshot, ParameterScore, ScoreSnapshot
from evaluations.scoring import MEAN, STATED, Headline, snapshot_headline
from initiatives.access import programmes_for_user
from initiatives.models import (
    Area,
    Indicator,
    IndicatorObservation,
    Initiative,
    Programme,
    ReportingRound,
    Target,
    TargetPhase,
)

# Fields whose DRF representation is the attribute itself (None stays None): a serializer
# reads these straight off the object instead of going through the field for each value.
_AS_IS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.JSONField,
)


class FastSerializer(serializers.ModelSerializer):
    # A ModelSerializer whose output is worked out once per field, not once per value.
    # DRF asks every field of every object for its attribute and its representation; for
    # a page of 50 targets that was most of the request. This keeps the declared fields
    # (and so the OpenAPI schema) and the exact output: a plain attribute whose
    # representation is itself (see _AS_IS) is copied, and every other field (decimals,
    # dates, times, related slugs, methods, dotted sources) is still represented by the
    # field itself. (Comments, not a docstring: drf-spectacular would show a docstring
    # as the description of every serializer without its own.)

    def _plan(self) -> list[tuple[str, str | None, object]]:
        plan = self.__dict__.get("_fast_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                plain = (
                    type(field) in _AS_IS
                    and len(field.source_attrs) == 1
                    # DRF calls a method named as source; only attributes are copied
                    and not callable(getattr(self.Meta.model, field.source_attrs[0], None))
                    and not (isinstance(field, serializers.JSONField) and field.binary)
                    and not (isinstance(field, serializers.BooleanField) and field.allow_null)
                )
                plan.append((field.field_name, field.source_attrs[0] if plain else None, field))
            self._fast_plan = plan
        return plan

    def to_representation(self, instance) -> dict:
        ret = {}
        for name, attr, field in self._plan():
            if attr is not None:
                ret[name] = getattr(instance, attr)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            ret[name] = None if attribute is None else field.to_representation(attribute)
        return ret


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["slug", "name", "description", "start_date", "end_date", "budget_per_year"]


class InitiativeSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Initiative
        fields = ["slug", "programme", "number", "name", "description", "lead_organisation"]


class RoundSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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


class AttainmentSerializer(FastSerializer):
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


class TargetSerializer(FastSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_initiative = serializers.SerializerMethodField()
    phases = serializers.SerializerMethodField()
    latest_attainment = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "initiative",
            "sub_initiative",
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
        snapshots = target.shown_snapshots
        if not snapshots:
            return None
        # One serializer for the whole page: building one per target costs more than
        # representing the figure.
        attainment = self.__dict__.get("_attainment")
        if attainment is None:
            attainment = self._attainment = AttainmentSerializer(context=self.context)
        return attainment.to_representation(snapshots[0])


class ScoreSerializer(serializers.ModelSerializer):
    parameter = serializers.CharField(source="parameter.name")
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

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

    def score_headline(self, obj) -> Headline | None:
        raise NotImplementedError

    @extend_schema_field({"type": "number", "format": "double", "nullable": True})
    def get_headline(self, obj) -> float | None:
        h = self.score_headline(obj)
        return h.value if h else None

    @extend_schema_field({"type": "string", "enum": [STATED, MEAN, None], "nullable": True})
    def get_headline_basis(self, obj) -> str | None:
        h = self.score_headline(obj)
        return h.basis if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_headline_text(self, obj) -> str | None:
        h = self.score_headline(obj)
        return h.text if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_headline_label(self, obj) -> str | None:
        h = self.score_headline(obj)
        return h.label if h else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_mean_text(self, obj) -> str | None:
        h = self.score_headline(obj)
        return h.mean_text if h else None


class ScoreSummarySerializer(HeadlineFields, serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

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
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
        return self.parent.row(indicator).source_text


class IndicatorSerializer(serializers.ModelSerializer):
    """A programme-level indicator with its figures, its gap to the national level and its
    attainment (computed on read from the prefetched observations: no query per row)."""

    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # The model's ``purpose`` holds a target's orientation choices ("vaekst", "job", or
    # empty for context): named as on targets, so both share one enum in the schema.
    orientation = serializers.ChoiceField(
        source="purpose", choices=Indicator._meta.get_field("purpose").choices, allow_blank=True
    )
    purpose = serializers.SerializerMethodField()
    home_area = serializers.CharField(source="home_area.name")
    source = IndicatorSourceSerializer(source="*", read_only=True)
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


class StrictPagination(PageNumberPagination):
    """``?page=`` must be a whole number from 1: anything else is a 400, not page 1."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.getlist(self.page_query_param)
        if raw and (len(raw) > 1 or not raw[0].isdigit() or int(raw[0]) < 1):
            raise ValidationError({"page": ["Siden skal være ét helt tal, fx ?page=2."]})
        return super().paginate_queryset(queryset, request, view)


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    pagination_class = StrictPagination

    def programmes(self):
        return programmes_for_user(self.request.user)


class ProgrammeViewSet(_ReadOnly):
    serializer_class = ProgrammeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return self.programmes().order_by("name")


class InitiativeViewSet(_ReadOnly):
    serializer_class = InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Initiative.objects.filter(programme__in=self.programmes())
            .select_related("programme")
            .order_by("programme__name", "number")
        )


class RoundViewSet(_ReadOnly):
    serializer_class = RoundSerializer

    def get_queryset(self):
        return (
            ReportingRound.objects.filter(programme__in=self.programmes())
            .select_related("programme")
            .order_by("programme__name", "year", "number")
        )


def _columns(serializer: type[serializers.ModelSerializer]) -> list[str]:
    """The model fields a serializer shows as they are (not its declared fields)."""
    return [f for f in serializer.Meta.fields if f not in serializer._declared_fields]


class TargetViewSet(_ReadOnly):
    serializer_class = TargetSerializer

    def get_queryset(self):
        # Only each target's newest shown snapshot, ranked in the database: a target has
        # one per round, and loading them all (with their inputs) to keep one was most
        # of the request. Only the columns the API shows are read.
        newest_first = [F("round__year").desc(), F("round__number").desc()]
        latest = (
            AttainmentSnapshot.objects.exclude(round__state=ReportingRound.State.PLANNED)
            .annotate(rank=Window(RowNumber(), partition_by=F("target_id"), order_by=newest_first))
            .filter(rank=1)
            .select_related("round")
            .only("target", "round__year", "round__number", *_columns(AttainmentSerializer))
            .order_by()
        )
        # Per target by year, as the model's ordering, without its joins up to the programme.
        phases = TargetPhase.objects.only("target", "year", "value").order_by("target_id", "year")
        return (
            Target.objects.filter(initiative__programme__in=self.programmes())
            .select_related("initiative", "sub_initiative")
            .only(*_columns(TargetSerializer), "initiative__slug", "sub_initiative__name")
            .prefetch_related(
                Prefetch("phases", phases),
                Prefetch("snapshots", latest, to_attr="shown_snapshots"),
            )
            .order_by("initiative__programme__name", "initiative__number", "order", "pk")
        )


class AssessmentViewSet(_ReadOnly):
    serializer_class = AssessmentSerializer

    def get_queryset(self):
        return (
            Assessment.objects.filter(programme__in=self.programmes())
            .select_related("programme")
            .prefetch_related(
                Prefetch(
                    "scores",
                    ParameterScore.objects.select_related("parameter", "initiative").order_by(
                        "initiative__number", "parameter__order"
                    ),
                ),
                Prefetch("snapshots", ScoreSnapshot.objects.select_related("initiative")),
            )
            .order_by("date", "pk")
        )


class IndicatorViewSet(_ReadOnly):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        observations = IndicatorObservation.objects.select_related("area")
        return (
            Indicator.objects.filter(programme__in=self.programmes())
            .select_related("programme", "home_area")
            .prefetch_related(Prefetch("observations", observations))
            .order_by("programme__name", "order", "name", "pk")
        )


_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": '{"detail": …} eller fejl pr. parameter',
                "additionalProperties": True,
            }
        }
    }
}


def document_errors(result, generator, request, public):
    """drf-spectacular hook: every operation may answer 401 (no or a wrong token) and 404
    (an unknown or unreadable object, or a page beyond the last)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", {"description": "Ikke logget ind.", **_ERROR})
            if any(p.get("name") == "page" for p in operation.get("parameters", [])):
                responses.setdefault("400", {"description": "Ugyldig side.", **_ERROR})
            responses.setdefault(
                "404", {"description": "Findes ikke, eller ingen adgang.", **_ERROR}
            )
    return result
