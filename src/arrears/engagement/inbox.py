"""What the channels bring back or leave for the portal: in-app notifications and inbound texts.

(Models of the engagement app, kept apart from the notices' models; `models.py` imports them.)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.compliance.choices import Channel


class InAppNotification(models.Model):
    """A message shown to the borrower in the portal; `read_at` is set when they open it.

    `key` is the outbox message's idempotency key: writing the same message twice keeps one.
    """

    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.CASCADE, related_name="in_app_notifications"
    )
    key = models.CharField(_("message key"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["borrower", "read_at"], name="inapp_unread_idx")]

    def __str__(self) -> str:
        return self.title or self.body[:40]


class InboundMessage(models.Model):
    """A reply received on a channel (an SMS to our number), threaded to the borrower whose
    number sent it and to the last message we sent to that number."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    borrower = models.ForeignKey(
        "servicing.Borrower",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_messages",
        help_text=_("empty: no borrower has this number"),
    )
    from_address = models.CharField(_("from"), max_length=200)
    to_address = models.CharField(_("to"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=200, unique=True)
    in_reply_to = models.ForeignKey(
        "engagement.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    is_opt_out = models.BooleanField(_("opt-out"), default=False)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["borrower", "received_at"], name="inbound_borrower_idx")]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.body[:40]}"
