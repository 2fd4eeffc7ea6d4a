"""Tickets 工单, their messages and history, and the SLA alerts raised on them.

A ticket's history is `TicketEvent` rows, never edited; its status timeline (for SLA clocks) is
the events of kind `status_changed`. Every message to or from a borrower is also a
`compliance.ContactAttempt`, so collection and care read one contact history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.care.choices import (
    AlertKind,
    ComplaintCause,
    MessageDirection,
    Origin,
    Priority,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from arrears.common.fields import staff_member


class Ticket(models.Model):
    reference = models.CharField(pgettext_lazy("ticket", "reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=300)
    origin = models.CharField(_("channel of origin"), max_length=10, choices=Origin.choices)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    borrower = models.ForeignKey(
        "servicing.Borrower",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("empty: the sender is not yet known to be a borrower"),
    )
    accounts = models.ManyToManyField(
        "servicing.Account", blank=True, related_name="tickets", verbose_name=_("accounts")
    )
    requester_name = models.CharField(_("requester"), max_length=200, blank=True)
    requester_address = models.CharField(
        _("requester's e-mail or number"), max_length=200, blank=True
    )
    queue = models.ForeignKey(
        "care.CareQueue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_tickets",
        verbose_name=_("assignee"),
    )
    cause = models.CharField(
        _("complaint cause"), max_length=24, choices=ComplaintCause.choices, blank=True
    )
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, blank=True)
    thread_key = models.CharField(
        _("e-mail thread"),
        max_length=300,
        blank=True,
        db_index=True,
        help_text=_("the Message-ID our replies carry, so answers thread here"),
    )
    created_at = models.DateTimeField(_("created at"))
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    final_response_at = models.DateTimeField(_("final response at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    created_by = staff_member(_("created by"))

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "queue"], name="ticket_queue_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["borrower", "created_at"], name="ticket_borrower_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class TicketMessage(models.Model):
    """A message on a ticket: the borrower's, our public reply, or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("direction"), max_length=10, choices=MessageDirection.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Origin.choices)
    author = staff_member(_("author"))
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    email_message_id = models.CharField(
        _("Message-ID"), max_length=300, null=True, blank=True, unique=True
    )
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=300, blank=True)
    is_final_response = models.BooleanField(_("final response"), default=False)
    outbox_message = models.ForeignKey(
        "engagement.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outbox message"),
    )
    contact_attempt = models.ForeignKey(
        "compliance.ContactAttempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contact history"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class TicketEvent(models.Model):
    """One change to a ticket, with who and why (`reason` a `core.care.labels` key)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=TicketEventKind.choices)
    status_from = models.CharField(_("status before"), max_length=10, blank=True)
    status_to = models.CharField(_("status after"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    by = staff_member(_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "kind"], name="ticket_event_kind_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class SlaAlert(models.Model):
    """A warning, breach or escalation raised on a ticket's SLA clock, once each."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="sla_alerts")
    metric = models.CharField(_("measure"), max_length=20)
    cycle = models.PositiveSmallIntegerField(_("reply cycle"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    notify = models.CharField(_("notified"), max_length=80, blank=True)
    due_at = models.DateTimeField(pgettext_lazy("SLA alert", "due at"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "cycle", "kind", "level"], name="sla_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.kind}"
