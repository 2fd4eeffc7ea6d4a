"""The engagement admin: templates (checked on save, with a live preview), borrowers' notice
preferences, reminder schedules, and the outbox (read-only: messages are never edited here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.core.errors import ValidationError as DomainValidationError
from arrears.engagement.choices import REQUIRED_NOTICES, NoticeChannel, NoticeKind
from arrears.engagement.models import NoticePreference, OutboxMessage, ReminderSchedule, Template
from arrears.engagement.services import check_template, preview_template, save_template


class TemplateForm(forms.ModelForm):
    """Runs the sandbox render and the content validator; a finding is an error on its field."""

    class Meta:
        model = Template
        fields = ["kind", "channel", "language", "subject", "body", "html_body", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = Template(
            **{name: cleaned.get(name, "") for name in ("kind", "channel", "language")},
            subject=cleaned.get("subject", ""),
            body=cleaned.get("body", ""),
            html_body=cleaned.get("html_body", ""),
        )
        try:
            check_template(candidate)
        except DomainValidationError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.reason)
        return cleaned


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = [
        "kind",
        "channel",
        "language",
        "version",
        "is_active",
        "is_bundled",
        "created_at",
    ]
    list_filter = ["kind", "channel", "language", "is_active", "is_bundled"]
    search_fields = ["subject", "body"]
    readonly_fields = ["version", "is_bundled", "created_at", "created_by", "preview"]

    def get_readonly_fields(self, request: HttpRequest, obj: Template | None = None) -> Any:
        # a saved version is never edited: the form saves a new version instead
        return self.readonly_fields

    @admin.display(description=gettext_lazy("preview (sample data)"))
    def preview(self, obj: Template | None) -> str:
        if obj is None or not obj.pk:
            return _("Save to see a preview.")
        try:
            rendered = preview_template(obj)
        except DomainValidationError as error:
            return format_html('<span class="errornote">{}: {}</span>', error.field, error.reason)
        return format_html(
            "<div><strong>{}</strong></div><pre style='white-space: pre-wrap'>{}</pre>{}",
            rendered.subject,
            rendered.body,
            format_html("<hr><div>{}</div>", rendered.html_body) if rendered.html_body else "",
        )

    def save_model(self, request: HttpRequest, obj: Template, form: Any, change: bool) -> None:
        # every save is a new version through the service (the content validator runs again)
        saved = save_template(
            kind=obj.kind,
            channel=obj.channel,
            language=obj.language,
            subject=obj.subject,
            body=obj.body,
            html_body=obj.html_body,
            activate=obj.is_active,
            created_by=request.user,
        )
        obj.pk = saved.pk
        obj.version = saved.version
        obj.created_at = saved.created_at
        obj._state.adding = False


class NoticePreferenceForm(forms.ModelForm):
    class Meta:
        model = NoticePreference
        fields = ["borrower", "channels", "language", "declined_kinds"]

    def clean_channels(self) -> Any:
        channels = self.cleaned_data.get("channels") or []
        if not isinstance(channels, list) or any(c not in NoticeChannel.values for c in channels):
            raise forms.ValidationError(
                _("must be a list of %(values)s") % {"values": ", ".join(NoticeChannel.values)}
            )
        return channels

    def clean_declined_kinds(self) -> Any:
        kinds = self.cleaned_data.get("declined_kinds") or []
        if not isinstance(kinds, list) or any(k not in NoticeKind.values for k in kinds):
            raise forms.ValidationError(_("must be a list of kinds of notice"))
        required = [k for k in kinds if k in REQUIRED_NOTICES]
        if required:
            raise forms.ValidationError(
                _("%(kind)s is required by law and cannot be turned off")
                % {"kind": NoticeKind(required[0]).label}
            )
        return kinds


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    form = NoticePreferenceForm
    list_display = ["borrower", "channels", "language", "updated_at"]
    raw_id_fields = ["borrower"]
    search_fields = ["borrower__reference", "borrower__full_name"]


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    list_display = ["product", "days_before"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "address", "language", "status", "attempts"]
    list_filter = ["status", "kind", "channel", "language"]
    search_fields = ["idempotency_key", "address", "borrower__reference"]
    date_hierarchy = "created_at"
    list_select_related = ["borrower"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
