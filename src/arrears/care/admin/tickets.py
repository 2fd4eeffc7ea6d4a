"""Admin pages of the care desk: tickets (read here, with their messages and history) and SLA
alerts (read-only).

A ticket changes only through the services (the API, the console, the CLI), each change in its
history, so the admin never edits a ticket, a message or an event; its actions (solve, close)
call `change_status` like any other desk tool and report refused moves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.care.models import SlaAlert, Ticket, TicketEvent, TicketMessage
from arrears.care.services.tickets import change_status
from arrears.core.errors import ArrearsError


class ReadOnly:
    """Read here, never added, changed or deleted (history and the services' records)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketMessageInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = TicketMessage
    fields = readonly_fields = (
        "created_at", "direction", "channel", "author", "body", "is_final_response",
        "outbox_message", "contact_attempt",
    )  # fmt: skip
    extra = 0
    ordering = ["created_at", "id"]


class TicketEventInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = TicketEvent
    fields = readonly_fields = (
        "at", "kind", "status_from", "status_to", "by", "reason", "params",
    )  # fmt: skip
    extra = 0
    ordering = ["at", "id"]


@admin.register(Ticket)
class TicketAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Tickets 工单: find, read, solve or close; every other change through the desk's tools."""

    list_display = ["reference", "subject", "kind", "status", "priority", "queue", "assignee",
                    "borrower", "origin", "created_at"]  # fmt: skip
    list_filter = ["status", "kind", "queue", "priority", "origin"]
    search_fields = ["reference", "subject", "requester_name", "requester_address",
                     "borrower__reference", "borrower__full_name"]  # fmt: skip
    list_select_related = ["queue", "assignee", "borrower"]
    readonly_fields = [f.name for f in Ticket._meta.concrete_fields] + ["accounts"]
    date_hierarchy = "created_at"
    inlines = [TicketMessageInline, TicketEventInline]
    actions = ["mark_solved", "mark_closed"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("care.view_ticket"))

    @admin.action(description=gettext_lazy("Mark the selected tickets solved"),
                  permissions=["view"])  # fmt: skip
    def mark_solved(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._move(request, queryset, "solved")

    @admin.action(description=gettext_lazy("Close the selected tickets"),
                  permissions=["view"])  # fmt: skip
    def mark_closed(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._move(request, queryset, "closed")

    def _move(self, request: HttpRequest, queryset: QuerySet[Ticket], status: str) -> None:
        if not request.user.has_perm("care.change_ticket"):
            self.message_user(request, _("Your role does not allow this action."), messages.ERROR)
            return
        moved = 0
        for ticket in queryset:
            try:
                change_status(ticket=ticket, status=status, by=request.user)
                moved += 1
            except ArrearsError as refused:
                self.message_user(request, f"{ticket.reference}: {refused.message}",
                                  messages.WARNING)  # fmt: skip
        self.message_user(request, _("%(n)d tickets moved.") % {"n": moved}, messages.SUCCESS)


@admin.register(SlaAlert)
class SlaAlertAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Warnings, breaches and escalations raised by the SLA sweep: read-only."""

    list_display = ["ticket", "metric", "cycle", "kind", "level", "notify", "due_at", "raised_at"]
    list_filter = ["kind", "metric", "level"]
    search_fields = ["ticket__reference"]
    list_select_related = ["ticket"]
    readonly_fields = [f.name for f in SlaAlert._meta.concrete_fields]
