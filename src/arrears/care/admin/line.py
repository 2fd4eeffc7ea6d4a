"""Admin pages of the care desk: the phone line — calls (read-only: the log is what happened),
callbacks and incidents.

Calls are written by the IVR and agents through `services.line`; callbacks are booked through
`services.callbacks` (only into slots staffing and the gate allow), so the admin shows them and
lets a supervisor cancel one. Incidents are started and ended with the switch (`services.
incidents`, from the API or the CLI); the admin edits their words and ends them, which also
sweeps their callbacks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.care.choices import CallbackStatus
from arrears.care.models import Callback, Incident, PhoneCall
from arrears.care.services.callbacks import complete_callback
from arrears.care.services.incidents import end_incident


@admin.register(PhoneCall)
class PhoneCallAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "started_at",
        "from_number",
        "direction",
        "queue",
        "outcome",
        "wait_seconds",
        "announced_wait",
        "ticket",
    ]
    list_filter = ["outcome", "direction", "queue"]
    search_fields = ["from_number", "ticket__reference", "borrower__reference"]
    date_hierarchy = "started_at"
    list_select_related = ["queue", "ticket"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "slot_start",
        "slot_end",
        "number",
        "queue",
        "kind",
        "status",
        "ticket",
        "rebooked_from",
    ]
    list_filter = ["status", "kind", "queue"]
    search_fields = ["number", "ticket__reference", "borrower__reference"]
    date_hierarchy = "slot_start"
    list_select_related = ["queue", "ticket"]
    readonly_fields = [f.name for f in Callback._meta.fields]
    actions = ["cancel_callbacks"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Cancel the selected callbacks"))
    def cancel_callbacks(self, request: HttpRequest, queryset: QuerySet[Callback]) -> None:
        cancelled = 0
        for callback in queryset.filter(status=CallbackStatus.BOOKED):
            complete_callback(
                callback=callback,
                outcome=CallbackStatus.CANCELLED,
                agent=request.user,
                at=timezone.now(),
            )
            cancelled += 1
        self.message_user(request, _("%(n)d callbacks cancelled.") % {"n": cancelled})


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title_en", "title_zh", "started_at", "ended_at", "callbacks_swept_at"]
    fields = [
        "title_en",
        "title_zh",
        "notice_en",
        "notice_zh",
        "started_at",
        "ended_at",
        "started_by",
        "ended_by",
        "callbacks_swept_at",
    ]
    readonly_fields = ["started_at", "ended_at", "started_by", "ended_by", "callbacks_swept_at"]
    actions = ["end_incidents"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started with the switch (API or CLI): one open at a time

    @admin.action(description=gettext_lazy("End the selected incidents and sweep callbacks"))
    def end_incidents(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        for incident in queryset.filter(ended_at__isnull=True):
            end_incident(incident=incident, by=request.user, at=timezone.now())
        self.message_user(request, _("Incidents ended; their callbacks were moved."))
