"""Admin pages of the care desk: calendars, SLA policy versions, teams, queues, agents.

A calendar's hours and an SLA version's YAML are checked with the core's parsers on save and
the error is shown on the field, naming the part of the document at fault; a calendar also
shows the next seven days' opening periods, so an edit can be seen before it is relied on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from arrears.care.choices import TicketKind
from arrears.care.models import CareAgent, CareQueue, DeskCalendar, SlaPolicySet, Team
from arrears.care.services.calendars import calendar_hours, check_hours, save_calendar
from arrears.care.services.desk import LANGUAGES
from arrears.care.services.sla import activate_sla_policies, save_sla_policies
from arrears.core.care.labels import label
from arrears.core.care.sla_policy import sla_policies_from_yaml
from arrears.core.errors import ValidationError as DomainValidationError

PREVIEW_DAYS = 7


# --- calendars -------------------------------------------------------------------------------
class DeskCalendarForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DeskCalendar
        fields = ["code", "name_en", "name_zh", "hours"]

    def clean_hours(self) -> Any:
        hours = self.cleaned_data.get("hours")
        try:
            check_hours(hours)
        except DomainValidationError as error:
            raise forms.ValidationError(f"{error.field}: {error.reason}") from None
        return hours


@admin.register(DeskCalendar)
class DeskCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = DeskCalendarForm
    list_display = ["code", "name_en", "name_zh", "saved_at"]
    readonly_fields = ["saved_at", "next_seven_days"]
    fields = ["code", "name_en", "name_zh", "hours", "saved_at", "next_seven_days"]

    def save_model(self, request: HttpRequest, obj: DeskCalendar, form: Any, change: bool) -> None:
        saved = save_calendar(code=obj.code, name_en=obj.name_en, name_zh=obj.name_zh,
                              hours=obj.hours)  # fmt: skip
        obj.pk, obj.saved_at = saved.pk, saved.saved_at

    @admin.display(description=gettext_lazy("Next 7 days"))
    def next_seven_days(self, obj: DeskCalendar | None) -> SafeString | str:
        if obj is None or obj.pk is None:
            return ""
        return opening_preview(obj, start=timezone.now())


def opening_preview(calendar: DeskCalendar, *, start: dt.datetime) -> SafeString:
    """The opening periods of the seven local dates from `start`, with why (holiday, 调休…)."""
    hours = calendar_hours(calendar)
    language = "zh" if (get_language() or "zh").startswith("zh") else "en"
    first = start.astimezone(hours.zone).date()
    rows = []
    for offset in range(PREVIEW_DAYS):
        day = first + dt.timedelta(days=offset)
        weekday = label(f"weekday.{day.strftime('%a').lower()}", language)
        periods = ", ".join(str(p) for p in hours.periods_on(day)) or _("closed")
        rows.append((day.isoformat(), weekday, label(f"day.{hours.day_kind(day).value}", language),
                     periods))  # fmt: skip
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    return format_html("<table>{}</table>", body)


# --- SLA policy versions ---------------------------------------------------------------------
class SlaPolicySetForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SlaPolicySet
        fields = ["version", "yaml_text"]
        widgets = {"yaml_text": forms.Textarea(attrs={"rows": 40, "cols": 110})}

    def clean_yaml_text(self) -> str:
        text = str(self.cleaned_data.get("yaml_text") or "")
        try:
            sla_policies_from_yaml(text)
        except DomainValidationError as error:
            raise forms.ValidationError(f"{error.field}: {error.reason}") from None
        return text


@admin.register(SlaPolicySet)
class SlaPolicySetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A version is never edited once saved (alerts were raised under it): save a new one."""

    form = SlaPolicySetForm
    list_display = ["version", "is_active", "saved_by", "saved_at"]
    list_filter = ["is_active"]
    actions = ["activate_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["version", "yaml_text", "is_active", "saved_by", "saved_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SlaPolicySet, form: Any, change: bool) -> None:
        if change:
            return
        saved = save_sla_policies(version=obj.version, yaml_text=obj.yaml_text, by=request.user,
                                  activate=False)  # fmt: skip
        obj.pk, obj.saved_at, obj.is_active = saved.pk, saved.saved_at, saved.is_active

    @admin.action(description=gettext_lazy("Put the selected SLA version in force"))
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[SlaPolicySet]) -> None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        activate_sla_policies(version=chosen[0])
        self.message_user(request, _("%(version)s is now in force.") % {"version": chosen[0]},
                          messages.SUCCESS)  # fmt: skip


# --- teams, queues, agents -------------------------------------------------------------------
@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_en", "name_zh", "notify_address"]
    search_fields = ["code", "name_en", "name_zh"]


def _list_of(form: forms.ModelForm, name: str, allowed: Any = None) -> list[str]:  # type: ignore[type-arg]
    values = form.cleaned_data.get(name) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise forms.ValidationError(_("Must be a JSON list of text."))
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise forms.ValidationError(
                _("%(values)s: not one of %(known)s")
                % {"values": ", ".join(unknown), "known": ", ".join(allowed)}
            )
    return values


class CareQueueForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareQueue
        fields = "__all__"

    def clean_kinds(self) -> list[str]:
        return _list_of(self, "kinds", TicketKind.values)

    def clean_languages(self) -> list[str]:
        return _list_of(self, "languages", LANGUAGES)

    def clean_skills(self) -> list[str]:
        return [s.strip().lower() for s in _list_of(self, "skills") if s.strip()]


@admin.register(CareQueue)
class CareQueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CareQueueForm
    list_display = ["code", "name_en", "name_zh", "team", "calendar", "sort_order", "is_active"]
    list_filter = ["is_active", "team"]
    list_select_related = ["team", "calendar"]


class CareAgentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareAgent
        fields = "__all__"

    def clean_languages(self) -> list[str]:
        return _list_of(self, "languages", LANGUAGES)

    def clean_skills(self) -> list[str]:
        return [s.strip().lower() for s in _list_of(self, "skills") if s.strip()]


@admin.register(CareAgent)
class CareAgentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CareAgentForm
    list_display = ["user", "team", "max_open_tickets", "max_chats", "is_online"]
    list_filter = ["team", "is_online"]
    list_select_related = ["user", "team"]
    filter_horizontal = ["queues"]
