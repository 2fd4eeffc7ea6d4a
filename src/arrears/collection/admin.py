"""The collection admin: what a supervisor sets up — strategies (YAML checked on save),
dispositions, work queues, collectors, agencies — and what they read: cases with their history,
promises, escalations (approved or rejected here too) and placements.

Writes go through the services; the history (cases, events, outcomes, promises, placements) is
read here, never edited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.collection.choices import EscalationStatus
from arrears.collection.models import (
    Agency,
    Case,
    CaseEvent,
    CollectionAction,
    Collector,
    ContactOutcome,
    Disposition,
    Escalation,
    Placement,
    Promise,
    PromiseInstalment,
    Strategy,
    WorkQueue,
)
from arrears.collection.services import (
    activate_strategy,
    approve_escalation,
    reject_escalation,
    save_disposition,
    save_strategy,
)
from arrears.collection.services.dispositions import check_disposition
from arrears.collection.services.strategies import check_strategy_text
from arrears.core.errors import ArrearsError
from arrears.core.errors import ValidationError as DomainValidationError

#: The skills a queue may need and a collector may have (free text is refused: a typo would
#: route nothing).
SKILLS = ("hardship_trained", "legal")
LANGUAGES = ("zh-hans", "en")


class ReadOnly:
    """Read here, never added, changed or deleted (history and services' records)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _copy_saved(target: Any, saved: Any) -> None:
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


def _words(field: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    """A JSON list of known words (skills, languages, stages)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise forms.ValidationError(_("give a list of words, e.g. %(e)s") % {"e": list(allowed)})
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise forms.ValidationError(
            _("unknown: %(unknown)s; use %(allowed)s")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )
    return value


# --- strategies ---------------------------------------------------------------------------------
class StrategyForm(forms.ModelForm):  # type: ignore[type-arg]
    """The YAML is checked with the core's reader; an error names the field, e.g.
    `paths.ladder.steps[3].channel: …`."""

    class Meta:
        model = Strategy
        fields = ["yaml_text"]
        widgets = {"yaml_text": forms.Textarea(attrs={"rows": 40, "cols": 110})}

    def clean_yaml_text(self) -> str:
        text = str(self.cleaned_data.get("yaml_text") or "")
        try:
            parsed = check_strategy_text(text=text)
        except DomainValidationError as error:
            raise forms.ValidationError(f"{error.field}: {error.reason}") from None
        if Strategy.objects.filter(code=parsed.code, version=parsed.version).exists():
            raise forms.ValidationError(
                _("version: %(code)s %(version)s already exists; give the edit a new version")
                % {"code": parsed.code, "version": parsed.version}
            )
        return text


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saving an edit stores a new version and makes it the active one; the versions it
    replaces are kept (cases name the version they were evaluated under)."""

    form = StrategyForm
    list_display = ["code", "version", "name_en", "name_zh", "is_active", "is_bundled", "saved_at"]
    list_filter = ["code", "is_active", "is_bundled"]
    actions = ["activate_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["yaml_text"]
        return ["code", "version", "name_en", "name_zh", "is_active", "saved_by", "yaml_text"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["code", "version", "name_en", "name_zh", "is_active", "saved_by"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Strategy, form: Any, change: bool) -> None:
        if change and "yaml_text" not in form.changed_data:
            return
        saved = save_strategy(yaml_text=obj.yaml_text, saved_by=request.user)
        _copy_saved(obj, saved)

    @admin.action(description=gettext_lazy("Make the selected version the active one"))
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> None:
        for strategy in queryset:
            try:
                activate_strategy(strategy=strategy)
            except ArrearsError as error:
                self.message_user(request, f"{strategy}: {error.message}", messages.ERROR)
                continue
            self.message_user(
                request, _("%(strategy)s is now active.") % {"strategy": strategy}, messages.SUCCESS
            )


# --- dispositions -------------------------------------------------------------------------------
class DispositionForm(forms.ModelForm):  # type: ignore[type-arg]
    """A lender's own code is checked by the core's reader; errors land on their field."""

    class Meta:
        model = Disposition
        fields = [
            "code", "label_en", "label_zh", "right_party", "connected", "attempt_outcome",
            "retry_rule", "retry_minutes", "effects", "is_active", "sort_order",
        ]  # fmt: skip
        help_texts = {
            "retry_rule": gettext_lazy(
                "soon, next_good_slot, later_then_other_numbers, mark_number_bad or none"
            ),
            "retry_minutes": gettext_lazy(
                "soon: minutes; later_then_other_numbers: minutes, in whole hours"
            ),
            "effects": gettext_lazy('e.g. ["count_no_answer"] or ["pause_treatment"]'),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or (self.instance.pk and self.instance.is_standard):
            return cleaned
        row = Disposition(**{k: v for k, v in cleaned.items() if k in self.Meta.fields})
        row.effects = cleaned.get("effects") or []
        try:
            check_disposition(row)
        except DomainValidationError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.reason if field else f"{error.field}: {error.reason}")
        return cleaned


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The standard codes come from core data (only their order and whether they are in use
    can change here); a lender adds its own."""

    form = DispositionForm
    list_display = [
        "code", "label_en", "label_zh", "right_party", "attempt_outcome", "retry_rule",
        "is_standard", "is_active", "sort_order",
    ]  # fmt: skip
    list_filter = ["is_standard", "is_active", "right_party"]
    list_editable = ["is_active", "sort_order"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_standard:
            return [f for f in DispositionForm.Meta.fields if f not in ("is_active", "sort_order")]
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Disposition, form: Any, change: bool) -> None:
        save_disposition(row=obj)


# --- queues, collectors, agencies ---------------------------------------------------------------
class WorkQueueForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WorkQueue
        fields = ["code", "name_en", "name_zh", "stages", "skills", "rules", "sort_order",
                  "is_active"]  # fmt: skip

    def clean_stages(self) -> list[str]:
        from arrears.collection.choices import CaseStage

        return _words("stages", self.cleaned_data.get("stages"), tuple(CaseStage.values))

    def clean_skills(self) -> list[str]:
        return _words("skills", self.cleaned_data.get("skills"), SKILLS)


@admin.register(WorkQueue)
class WorkQueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WorkQueueForm
    list_display = ["code", "name_en", "name_zh", "stages", "skills", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


class CollectorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Collector
        fields = ["user", "skills", "languages", "max_open_cases", "queues", "is_available"]

    def clean_skills(self) -> list[str]:
        return _words("skills", self.cleaned_data.get("skills"), SKILLS)

    def clean_languages(self) -> list[str]:
        return _words("languages", self.cleaned_data.get("languages"), LANGUAGES)


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CollectorForm
    list_display = ["user", "skills", "languages", "max_open_cases", "is_available"]
    list_filter = ["is_available", "queues"]
    list_select_related = ["user"]
    filter_horizontal = ["queues"]
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_en", "name_zh", "commission_bp", "max_cases",
                    "max_balance_share_bp", "is_active"]  # fmt: skip
    list_filter = ["is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- cases and what happened to them ------------------------------------------------------------
class CaseEventInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = CaseEvent
    fields = readonly_fields = ("on", "at", "kind", "by", "reason", "detail")
    extra = 0
    ordering = ["at", "id"]


class CollectionActionInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = CollectionAction
    fields = readonly_fields = (
        "business_date", "kind", "channel", "status", "due_at", "queue", "assigned_to", "reason"
    )  # fmt: skip
    extra = 0
    show_change_link = True


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-mostly: a case changes through the services (the API, the console, the nightly
    batch), each change in its history below."""

    list_display = ["id", "account", "stage", "status", "owner_kind", "queue", "agent", "agency",
                    "next_action", "next_action_on", "paused_until", "opened_on"]  # fmt: skip
    list_filter = ["status", "stage", "owner_kind", "hardship", "queue"]
    search_fields = ["account__number", "borrower__reference", "borrower__full_name"]
    list_select_related = ["account", "queue", "agent", "agency"]
    inlines = [CaseEventInline, CollectionActionInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CollectionAction)
class CollectionActionAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "case", "business_date", "kind", "channel", "status", "due_at",
                    "expected_value_minor", "queue", "assigned_to"]  # fmt: skip
    list_filter = ["status", "kind", "channel", "queue", "business_date"]
    search_fields = ["account__number", "idempotency_key"]
    list_select_related = ["case", "queue", "assigned_to"]


@admin.register(ContactOutcome)
class ContactOutcomeAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["recorded_at", "case", "disposition", "callback_at", "recorded_by"]
    list_filter = ["disposition"]
    list_select_related = ["case", "disposition", "recorded_by"]


class PromiseInstalmentInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = PromiseInstalment
    fields = readonly_fields = ("due_on", "amount_minor", "paid_minor", "status")
    extra = 0


@admin.register(Promise)
class PromiseAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "account", "status", "source", "total_minor", "kept_minor", "currency",
                    "taken_at", "taken_by", "broken_on"]  # fmt: skip
    list_filter = ["status", "source"]
    search_fields = ["account__number", "idempotency_key"]
    list_select_related = ["account", "taken_by"]
    inlines = [PromiseInstalmentInline]


@admin.register(Escalation)
class EscalationAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Supervisors decide waiting escalations here (the preconditions are checked again)."""

    list_display = ["id", "case", "kind", "status", "requested_at", "requested_by", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["case", "requested_by", "decided_by"]
    actions = ["approve_selected", "reject_selected"]

    @admin.action(description=gettext_lazy("Approve the selected escalations"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=gettext_lazy("Reject the selected escalations"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._decide(request, queryset, approve=False)

    def _decide(self, request: HttpRequest, queryset: QuerySet[Escalation], approve: bool) -> None:
        from django.core.exceptions import PermissionDenied

        for escalation in queryset.filter(status=EscalationStatus.REQUESTED):
            try:
                if approve:
                    approve_escalation(escalation=escalation, by=request.user)
                else:
                    reject_escalation(
                        escalation=escalation,
                        by=request.user,
                        reason=_("rejected in the admin"),
                    )
            except (ArrearsError, PermissionDenied) as error:
                message = getattr(error, "message", str(error))
                self.message_user(request, f"{escalation.pk}: {message}", messages.ERROR)
                continue
            self.message_user(request, _("%(id)s decided.") % {"id": escalation.pk})


@admin.register(Placement)
class PlacementAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "case", "agency", "status", "placed_on", "placed_minor",
                    "collected_minor", "commission_bp", "recall_on", "ended_on"]  # fmt: skip
    list_filter = ["status", "agency"]
    list_select_related = ["case", "agency"]
