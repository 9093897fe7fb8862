"""The API's endpoints: read-only viewsets over the selectors, by the pages' access rule.

A user sees the programmes they hold a role in (all for the administrator), and every
initiative, target, round, assessment and indicator of those. An object that exists but
belongs to another programme answers 403, as the pages do; one that does not exist, 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated

from evaluations import selectors
from initiatives import selectors as recorded
from initiatives.access import programmes_for_user
from initiatives.models import Programme

from . import serializers

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from evaluations.models import Assessment
    from initiatives.models import Indicator, Initiative, ReportingRound, Target


class StrictPagination(PageNumberPagination):
    """``?page=`` must be a whole number from 1: anything else is a 400, not page 1."""

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        raw = request.query_params.getlist(self.page_query_param)
        if raw and (len(raw) > 1 or not raw[0].isdigit() or int(raw[0]) < 1):
            raise ValidationError({"page": ["Siden skal være ét helt tal, fx ?page=2."]})
        return super().paginate_queryset(queryset, request, view)


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    pagination_class = StrictPagination

    def programmes(self) -> QuerySet[Programme]:
        return programmes_for_user(self.request.user)

    def get_object(self) -> Model:
        """The object if the user may read it; 403 if it exists in another programme."""
        try:
            return super().get_object()
        except Http404:
            model = self.get_queryset().model
            value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            try:
                exists = model._default_manager.filter(**{self.lookup_field: value}).exists()
            except (TypeError, ValueError, DjangoValidationError):
                exists = False  # not even a valid key: DRF's 404
            if exists:
                raise PermissionDenied("Du har ikke adgang til dette program.") from None
            raise


class ProgrammeViewSet(_ReadOnly):
    serializer_class = serializers.ProgrammeSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Programme]:
        return self.programmes().order_by("name")


class InitiativeViewSet(_ReadOnly):
    serializer_class = serializers.InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Initiative]:
        return recorded.initiatives_of(programmes=self.programmes())


class RoundViewSet(_ReadOnly):
    serializer_class = serializers.RoundSerializer

    def get_queryset(self) -> QuerySet[ReportingRound]:
        return recorded.rounds_of(programmes=self.programmes())


class TargetViewSet(_ReadOnly):
    serializer_class = serializers.TargetSerializer

    def get_queryset(self) -> QuerySet[Target]:
        return selectors.targets_with_latest_figure(programmes=self.programmes())


class AssessmentViewSet(_ReadOnly):
    serializer_class = serializers.AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_with_scores(programmes=self.programmes())


class IndicatorViewSet(_ReadOnly):
    serializer_class = serializers.IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicators_with_observations(programmes=self.programmes())
