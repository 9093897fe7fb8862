"""The read-only JSON API, /api/v1/ (Django REST framework, OpenAPI by drf-spectacular).

Same rules as the pages: a user sees the programmes they hold a role in (all for the
administrator), and every initiative, target, round and assessment of those. Session
authentication serves the browser, token authentication (``Authorization: Token …``)
machines; anonymous requests are refused. Lists are paginated.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated

from evaluations.models import Assessment, AttainmentSnapshot, ParameterScore, ScoreSnapshot
from initiatives.access import programmes_for_user
from initiatives.models import Initiative, Programme, ReportingRound, Target


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
        return AttainmentSerializer(snapshots[0]).data if snapshots else None


class ScoreSerializer(serializers.ModelSerializer):
    parameter = serializers.CharField(source="parameter.name")
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = ParameterScore
        fields = ["parameter", "initiative", "score", "justification"]


class ScoreSummarySerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = ScoreSnapshot
        fields = ["initiative", "mean", "n_scored", "n_parameters", "stated_overall"]


class AssessmentSerializer(serializers.ModelSerializer):
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
        ]


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


class TargetViewSet(_ReadOnly):
    serializer_class = TargetSerializer

    def get_queryset(self):
        shown = (
            AttainmentSnapshot.objects.exclude(round__state=ReportingRound.State.PLANNED)
            .select_related("round")
            .order_by("-round__year", "-round__number")
        )
        return (
            Target.objects.filter(initiative__programme__in=self.programmes())
            .select_related("initiative", "sub_initiative")
            .prefetch_related("phases", Prefetch("snapshots", shown, to_attr="shown_snapshots"))
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
