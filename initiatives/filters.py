"""The targets table's filters (django-filter), with Danish labels and GET parameter names."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from evaluations.models import AttainmentSnapshot

from .models import Horizon, Level, Orientation, ReportingRound, Target

NOT_GIVEN = "ikke-angivet"


def targets_with_category(
    queryset: QuerySet[Target], round_: ReportingRound | None
) -> QuerySet[Target]:
    """Annotate each target with its category in ``round_`` ("Ingen status" without one)."""
    snapshot = AttainmentSnapshot.objects.filter(target=OuterRef("pk"), round=round_).values(
        "category"
    )[:1]
    return queryset.annotate(
        category=Coalesce(Subquery(snapshot), Value(str(AttainmentSnapshot.Category.NO_STATUS)))
    )


class TargetFilter(django_filters.FilterSet):
    niveau = django_filters.ChoiceFilter(
        field_name="level", label="Niveau", choices=Level.choices, empty_label="Alle niveauer"
    )
    kategori = django_filters.ChoiceFilter(
        field_name="category",
        label="Kategori",
        choices=AttainmentSnapshot.Category.choices,
        empty_label="Alle kategorier",
    )
    orientering = django_filters.ChoiceFilter(
        label="Orientering",
        choices=[*Orientation.choices, (NOT_GIVEN, "Ikke angivet")],
        empty_label="Alle",
        method="filter_blank_or_value",
    )
    sigt = django_filters.ChoiceFilter(
        label="Sigt",
        choices=[*Horizon.choices, (NOT_GIVEN, "Ikke angivet")],
        empty_label="Alle",
        method="filter_blank_or_value",
    )

    class Meta:
        model = Target
        fields = ["niveau", "kategori", "orientering", "sigt"]

    def filter_blank_or_value(self, queryset, name, value):
        field = {"orientering": "orientation", "sigt": "horizon"}[name]
        return queryset.filter(**{field: "" if value == NOT_GIVEN else value})
