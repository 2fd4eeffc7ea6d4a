"""The hardship admin: assessments and plans are shown as taken (they change only through the
services, which keep their history); education articles and debt-advice services are edited
here. An edited bundled row is no longer refreshed from the shipped data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrears.hardship.models import (
    Article,
    Assessment,
    DebtAdviceService,
    Plan,
    PlanEvent,
    PlanInstalment,
)


class ReadOnlyMixin:
    """Viewable by whoever may view; nobody adds, changes or deletes here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-mostly: a statement is kept as it was taken, with its affordability working."""

    list_display = [
        "id",
        "borrower",
        "source",
        "reason",
        "temporary",
        "is_vulnerable",
        "currency",
        "affordable_payment_minor",
        "taken_at",
    ]
    list_filter = ["source", "reason", "temporary", "is_vulnerable", "employment"]
    search_fields = ["borrower__reference", "borrower__full_name", "accounts__number"]
    list_select_related = ["borrower"]
    date_hierarchy = "taken_at"
    fields = readonly_fields = (
        "borrower",
        "accounts",
        "source",
        "taken_by",
        "currency",
        "region",
        "adults",
        "dependants",
        "employment",
        "reason",
        "temporary",
        "expected_recovery_months",
        "vulnerabilities",
        "is_vulnerable",
        "income_minor",
        "disposable_income_minor",
        "affordable_payment_minor",
        "statement",
        "affordability",
        "explanation",
        "notes",
        "taken_on",
        "taken_at",
    )


class PlanInstalmentInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = PlanInstalment
    extra = 0
    fields = readonly_fields = (
        "number",
        "due_on",
        "phase",
        "amount_minor",
        "principal_minor",
        "interest_minor",
        "fee_minor",
        "paid_minor",
        "paid_on",
        "status",
        "re_ages",
    )


class PlanEventInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = PlanEvent
    extra = 0
    fields = readonly_fields = (
        "happened_on",
        "kind",
        "instalment_number",
        "by",
        "detail",
        "recorded_at",
    )


@admin.register(Plan)
class PlanAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A plan with its instalments and history; it moves only through the services (the API,
    the CLI and the nightly review), which record every step."""

    inlines = [PlanInstalmentInline, PlanEventInline]
    list_display = [
        "id",
        "account",
        "kind",
        "status",
        "recommended",
        "total_payment_minor",
        "starts_on",
        "activated_on",
        "completed_on",
        "broken_on",
    ]
    list_filter = ["status", "kind", "ageing", "accepted_via", "recommended"]
    search_fields = ["account__number", "account__borrower__reference", "option_id"]
    list_select_related = ["account"]
    fields = readonly_fields = (
        "account",
        "assessment",
        "option_id",
        "kind",
        "status",
        "currency",
        "priced_on",
        "recommended",
        "reasons",
        "terms",
        "schedule",
        "terms_text_en",
        "terms_text_zh",
        "terms_digest",
        "total_payment_minor",
        "grace_days",
        "re_age_after",
        "ageing",
        "proposed_at",
        "proposed_by",
        "accepted_at",
        "accepted_by",
        "accepted_via",
        "terms_language",
        "terms_shown",
        "starts_on",
        "activated_on",
        "re_aged_on",
        "completed_on",
        "broken_on",
        "cancelled_on",
        "end_reason",
    )


class EditedContentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saving a shipped row marks it edited, so loading the shipped data keeps the edit."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.is_bundled = False
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(EditedContentAdmin):
    list_display = ["slug", "topic", "title_en", "title_zh", "is_published", "is_bundled"]
    list_filter = ["topic", "is_published", "is_bundled"]
    search_fields = ["slug", "title_en", "title_zh", "body_en", "body_zh"]
    readonly_fields = ["is_bundled", "updated_at"]
    prepopulated_fields = {"slug": ("title_en",)}


@admin.register(DebtAdviceService)
class DebtAdviceServiceAdmin(EditedContentAdmin):
    list_display = [
        "code", "jurisdiction", "name_en", "phone", "url", "contact_check", "is_active",
        "is_bundled",
    ]  # fmt: skip
    list_filter = ["jurisdiction", "contact_check", "is_active", "is_bundled"]
    search_fields = ["code", "name_en", "name_zh"]
    readonly_fields = ["is_bundled"]
