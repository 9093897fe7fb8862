"""The targets table's filters (django-filter), with Danish labels and GET parameter names."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from initiatives.models import Horizon, Level, Orientation, Target

from .models import AttainmentSnapshot

NOT_GIVEN = "ikke-angivet"


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

    def filter_blank_or_value(
        self, queryset: QuerySet[Target], name: str, value: str
    ) -> QuerySet[Target]:
        field = {"orientering": "orientation", "sigt": "horizon"}[name]
        return queryset.filter(**{field: "" if value == NOT_GIVEN else value})
