from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assessment,
    AttainmentSnapshot,
    Edition,
    ImplementationParameter,
    ParameterScore,
    ScoreLevel,
    ScoreSnapshot,
)


@admin.register(ImplementationParameter)
class ImplementationParameterAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "active", "source"]
    list_display_links = ["name"]
    list_filter = ["active"]


@admin.register(ScoreLevel)
class ScoreLevelAdmin(admin.ModelAdmin):
    list_display = ["score", "meaning"]


class ParameterScoreInline(admin.TabularInline):
    model = ParameterScore
    fields = ["parameter", "initiative", "score", "justification"]
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "date", "assessor", "kind", "stated_overall"]
    list_filter = ["programme", "kind"]
    search_fields = ["title", "assessor"]
    inlines = [ParameterScoreInline]


@admin.register(ParameterScore)
class ParameterScoreAdmin(SimpleHistoryAdmin):
    list_display = ["parameter", "assessment", "initiative", "score"]
    list_filter = ["assessment", "parameter", "initiative"]
    list_select_related = ["parameter", "assessment", "initiative"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Computed rows: written by the worker only, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AttainmentSnapshot)
class AttainmentSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "target",
        "round",
        "percent",
        "category",
        "stated_text",
        "flagged",
        "stale",
        "computed_at",
    ]
    list_filter = ["round", "category", "flagged", "stale", "basis", "target__initiative"]
    search_fields = ["target__title"]
    list_select_related = ["target", "round"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "assessment",
        "initiative",
        "mean",
        "n_scored",
        "n_parameters",
        "stated_overall",
    ]
    list_select_related = ["assessment", "initiative"]


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    """Published editions: visible to the administrator, never changed or deleted here."""

    list_display = [
        "pk",
        "title",
        "committee",
        "meeting_date",
        "round",
        "published_by",
        "published_at",
    ]
    list_filter = ["committee", "programme"]
    list_select_related = ["round", "published_by"]
    exclude = ["pdf"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
