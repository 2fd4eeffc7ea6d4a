"""The engagement admin: templates (checked on save, with a live preview), borrowers' notice
preferences, reminder schedules, and the outbox (read-only: messages are never edited here).

The template form previews what is being typed before it is saved: its script POSTs the form's
subject, bodies, kind, channel and language to `TemplateAdmin.preview_view`, which renders them
in the sandbox with sample values in that language and lists the content validator's findings
(templates/admin/engagement/template/). Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.core.compliance.content import OPT_OUT_MISSING
from arrears.core.errors import ValidationError as DomainValidationError
from arrears.engagement.choices import REQUIRED_NOTICES, NoticeChannel, NoticeKind, NoticeLanguage
from arrears.engagement.models import NoticePreference, OutboxMessage, ReminderSchedule, Template
from arrears.engagement.services import check_template, preview_template, save_template
from arrears.engagement.services.templates import RenderedMessage, content_findings


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


class TemplatePreviewForm(forms.Form):
    """What the change form holds now, as its script sends it to the live preview."""

    kind = forms.ChoiceField(choices=NoticeKind.choices)
    channel = forms.ChoiceField(choices=NoticeChannel.choices)
    language = forms.ChoiceField(choices=NoticeLanguage.choices)
    subject = forms.CharField(required=False, max_length=300)
    body = forms.CharField(required=False, strip=False)
    html_body = forms.CharField(required=False, strip=False)

    def candidate(self) -> Template:
        """An unsaved template with the form's values."""
        return Template(**{name: self.cleaned_data[name] for name in self.fields})


@dataclass(frozen=True)
class PreviewFinding:
    """One thing the content validator found in a rendered part, in the template's language."""

    field: str
    label: str
    rule_id: str
    reason: str
    excerpt: str


def field_label(name: str) -> str:
    """The template field's name as the form shows it ("body (text)", "正文（文本）")."""
    field = Template._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.verbose_name)


def preview_findings(
    rendered: RenderedMessage, *, channel: str, language: str
) -> list[PreviewFinding]:
    """Every finding in the rendered subject, text and HTML body (not only the first, which is
    what a save reports); a missing opt-out counts in a body, never in a subject alone."""
    found: list[PreviewFinding] = []
    for field in ("subject", "body", "html_body"):
        text = getattr(rendered, field)
        if not text:
            continue
        for finding in content_findings(text, channel):
            if field == "subject" and finding.rule_id == OPT_OUT_MISSING:
                continue
            reason = finding.reason_zh if language == "zh-hans" else finding.reason_en
            found.append(
                PreviewFinding(field, field_label(field), finding.rule_id, reason, finding.excerpt)
            )
    return found


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    change_form_template = "admin/engagement/template/change_form.html"
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
            "<div><strong>{}</strong></div><pre class='template-preview-text'>{}</pre>{}",
            rendered.subject,
            rendered.body,
            format_html("<hr><div>{}</div>", rendered.html_body) if rendered.html_body else "",
        )

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="engagement_template_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The live preview (POST, staff with the right to add or change templates): the
        posted template rendered with sample values and checked, written nowhere."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        form = TemplatePreviewForm(request.POST)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            candidate = form.candidate()
            context["language"] = candidate.language
            try:
                rendered = preview_template(candidate)
            except DomainValidationError as error:
                context["render_error"] = error
            else:
                context["parts"] = [
                    (field_label(name), getattr(rendered, name), name == "html_body")
                    for name in ("subject", "body", "html_body")
                    if getattr(rendered, name)
                ]
                context["findings"] = preview_findings(
                    rendered, channel=candidate.channel, language=candidate.language
                )
                try:
                    check_template(candidate)
                except DomainValidationError as error:
                    context["refusal"] = error
        return TemplateResponse(request, "admin/engagement/template/preview.html", context)

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
