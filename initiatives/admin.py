from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Area,
    EffectChainItem,
    Indicator,
    IndicatorObservation,
    Initiative,
    InitiativeBudget,
    Membership,
    Notification,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    SubInitiative,
    Target,
    TargetPhase,
)


class InitiativeInline(admin.TabularInline):
    model = Initiative
    fields = ["number", "name", "slug", "lead_organisation"]
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "start_date", "end_date", "budget_per_year"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [InitiativeInline]


class SubInitiativeInline(admin.TabularInline):
    model = SubInitiative
    fields = ["order", "name", "lead_partner"]
    extra = 0


class BudgetInline(admin.TabularInline):
    model = InitiativeBudget
    fields = ["year", "allocated", "note"]
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    fields = [
        "level",
        "order",
        "title",
        "kind",
        "direction",
        "target_low",
        "target_high",
        "measurable",
    ]
    extra = 0
    show_change_link = True


class ChainItemInline(admin.TabularInline):
    model = EffectChainItem
    fields = ["stage", "order", "text", "sub_initiative", "primary_lever", "orientation", "horizon"]
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "programme", "lead_organisation"]
    list_display_links = ["name"]
    list_filter = ["programme"]
    search_fields = ["name", "slug", "lead_organisation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubInitiativeInline, BudgetInline, ChainItemInline, TargetInline]


@admin.register(SubInitiative)
class SubInitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "initiative", "lead_partner", "order"]
    list_filter = ["initiative__programme", "initiative"]
    search_fields = ["name", "lead_partner"]


@admin.register(EffectChainItem)
class EffectChainItemAdmin(admin.ModelAdmin):
    list_display = [
        "text",
        "initiative",
        "stage",
        "sub_initiative",
        "primary_lever",
        "orientation",
        "horizon",
    ]
    list_filter = ["initiative", "stage", "primary_lever", "orientation", "horizon"]
    search_fields = ["text"]
    list_select_related = ["initiative", "sub_initiative"]


class PhaseInline(admin.TabularInline):
    model = TargetPhase
    fields = ["year", "value"]
    extra = 0


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "initiative",
        "level",
        "kind",
        "direction",
        "in_words",
        "orientation",
        "horizon",
        "measurable",
    ]
    list_filter = [
        "initiative__programme",
        "initiative",
        "level",
        "kind",
        "direction",
        "orientation",
        "horizon",
        "measurable",
        "cumulative",
    ]
    search_fields = ["title", "definition", "target_text"]
    list_select_related = ["initiative", "sub_initiative"]
    autocomplete_fields = ["responsible"]
    inlines = [PhaseInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "initiative",
                    "sub_initiative",
                    "level",
                    "order",
                    "title",
                    "definition",
                    "source",
                ]
            },
        ),
        (
            "Form",
            {
                "fields": [
                    "kind",
                    "unit",
                    "direction",
                    "basis",
                    "cumulative",
                    "measurable",
                    "target_text",
                ]
            },
        ),
        (
            "Tal",
            {
                "fields": [
                    ("baseline_low", "baseline_high", "baseline_year"),
                    ("target_low", "target_high"),
                    ("start_date", "target_date"),
                ]
            },
        ),
        ("Anbefaling 1", {"fields": ["orientation", "horizon"]}),
        ("Ansvar", {"fields": ["responsible"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Target]:
        return super().get_queryset(request).prefetch_related("phases")

    @admin.display(description="Mål i perioden")
    def in_words(self, obj: Target) -> str:
        return obj.describe(phases=list(obj.phases.all()))


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "period_start", "period_end", "deadline", "state"]
    list_filter = ["programme", "year", "state"]


@admin.register(StatusReport)
class StatusReportAdmin(SimpleHistoryAdmin):
    list_display = ["initiative", "round", "state", "submitted_at", "reviewed_at", "version"]
    list_filter = ["state", "round", "initiative"]
    list_select_related = ["initiative", "round"]
    readonly_fields = ["version"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["target", "round", "value", "assessment", "not_measurable", "stated_text"]
    list_filter = [
        "round",
        "target__initiative",
        "not_measurable",
        "assessment",
        "stated_is_estimate",
    ]
    search_fields = ["target__title", "status_text", "comment"]
    list_select_related = ["target", "round", "target__initiative"]
    raw_id_fields = ["target"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "programme", "initiative", "organisation", "source"]
    list_filter = ["role", "source", "programme", "initiative"]
    # An SSO membership is replaced at the user's next SSO login; one given here stays.
    readonly_fields = ["source"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation"]
    list_select_related = ["user", "programme", "initiative"]
    autocomplete_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Sent e-mails: a record, not something to edit."""

    list_display = ["created_at", "kind", "recipient", "initiative", "round", "report_version"]
    list_filter = ["kind", "round", "initiative"]
    list_select_related = ["recipient", "initiative", "round"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


# --- Programme indicators (issue 10) ---


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]


class ObservationInline(admin.TabularInline):
    model = IndicatorObservation
    fields = [
        "area",
        "period_label",
        "period_start",
        "period_end",
        "order",
        "qualifier",
        "value",
        "stated_text",
        "stated_gap",
        "source_note",
    ]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "purpose", "unit", "direction", "home_area", "order"]
    list_filter = ["programme", "purpose", "direction"]
    search_fields = ["name", "description", "source_name", "stated_text"]
    list_select_related = ["programme", "home_area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ObservationInline]
    # The portals are served over https; say so rather than rely on Django's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["programme", "slug", "name", "description", "purpose", "order"]}),
        ("Form", {"fields": ["unit", "direction", "home_area", "stated_text"]}),
        (
            "Basis og mål",
            {
                "fields": [
                    ("baseline_value", "baseline_period", "baseline_date"),
                    ("target_value", "target_period", "target_date"),
                ]
            },
        ),
        (
            "Kilde",
            {"fields": ["source_name", "source_publisher", "source_url", "extracted_on"]},
        ),
    ]


@admin.register(IndicatorObservation)
class IndicatorObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "area", "period_label", "qualifier", "value", "stated_text"]
    list_filter = ["indicator__programme", "indicator", "area", "qualifier"]
    search_fields = ["indicator__name", "area__name", "period_label", "stated_text"]
    list_select_related = ["indicator", "area"]
