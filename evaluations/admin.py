from __future__ import annotations

from django.contrib import admin

from .models import Assessment, ImplementationParameter, ParameterScore, ScoreLevel


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
class ParameterScoreAdmin(admin.ModelAdmin):
    list_display = ["parameter", "assessment", "initiative", "score"]
    list_filter = ["assessment", "parameter", "initiative"]
    list_select_related = ["parameter", "assessment", "initiative"]
