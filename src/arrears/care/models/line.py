"""The live channels: phone calls on the inbound line, callbacks, and web chat sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.care.choices import CallbackKind, CallbackStatus, CallOutcome, ChatStatus


class PhoneCall(models.Model):
    """A call to or from the desk, logged with its outcome and the wait the caller was told."""

    borrower = models.ForeignKey(
        "servicing.Borrower", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_number = models.CharField(_("caller's number"), max_length=40)
    direction = models.CharField(_("direction"), max_length=10, default="inbound")
    queue = models.ForeignKey(
        "care.CareQueue", null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    ticket = models.ForeignKey(
        "care.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("waited (seconds)"), null=True, blank=True)
    announced_wait = models.CharField(_("wait announced"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recording_ref = models.CharField(_("recording"), max_length=300, blank=True)
    contact_attempt = models.ForeignKey(
        "compliance.ContactAttempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["queue", "started_at"], name="call_queue_idx")]

    def __str__(self) -> str:
        return f"{self.from_number} {self.outcome}"


class Callback(models.Model):
    """A callback 预约回电 instead of waiting: keeps the place, or in a slot staffing honours."""

    borrower = models.ForeignKey(
        "servicing.Borrower", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number to call"), max_length=40)
    queue = models.ForeignKey("care.CareQueue", on_delete=models.PROTECT, related_name="callbacks")
    ticket = models.ForeignKey(
        "care.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    call = models.ForeignKey(
        PhoneCall, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CallbackKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.BOOKED
    )
    queued_at = models.DateTimeField(
        _("place in line since"), help_text=_("a place-keeping callback keeps this place")
    )
    slot_start = models.DateTimeField(_("slot from"))
    slot_end = models.DateTimeField(_("slot until"))
    booked_at = models.DateTimeField(_("booked at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rebooked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["slot_start", "queued_at"]
        indexes = [models.Index(fields=["queue", "status", "slot_start"], name="callback_slot_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.slot_start:%Y-%m-%d %H:%M}"


class ChatSession(models.Model):
    """A web chat from the portal; its messages are the ticket's messages (channel chat)."""

    ticket = models.OneToOneField(
        "care.Ticket", on_delete=models.PROTECT, related_name="chat", verbose_name=_("ticket")
    )
    borrower = models.ForeignKey("servicing.Borrower", on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey("care.CareQueue", on_delete=models.PROTECT, related_name="chats")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ChatStatus.choices, default=ChatStatus.WAITING
    )
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["queue", "status"], name="chat_queue_status_idx")]

    def __str__(self) -> str:
        return f"chat {self.pk}"
