"""Engagement state: message templates, borrowers' notice preferences, reminder schedules, and the
outbox every message leaves through (contract: docs/engagement.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.compliance.choices import Purpose
from arrears.engagement.choices import NoticeChannel, NoticeKind, NoticeLanguage, OutboxStatus

DEFAULT_REMINDER_DAYS = [5, 1, 0]


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


class Template(models.Model):
    """One version of the text of a notice, for one channel and language.

    `subject`, `body` and `html_body` are Jinja templates rendered in a sandbox; a template is
    checked by the compliance content validator before it is saved (`services.save_template`).
    """

    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    language = models.CharField(_("language"), max_length=8, choices=NoticeLanguage.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body (text)"))
    html_body = models.TextField(
        _("body (HTML)"), blank=True, help_text=_("e-mail only; escaped automatically")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_bundled = models.BooleanField(
        _("as shipped"),
        default=False,
        help_text=_("loaded from the templates shipped with Arrears"),
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "channel", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language", "version"], name="template_version_once"
            ),
            models.UniqueConstraint(
                fields=["kind", "channel", "language"],
                condition=Q(is_active=True),
                name="one_active_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}/{self.language} v{self.version}"


class NoticePreference(models.Model):
    """How a borrower wants to be told: channels in order, language, optional notices turned off.

    Legally required notices (`choices.REQUIRED_NOTICES`) cannot be turned off; the service
    refuses it. Whether a contact may go out at all is still the compliance gate's answer.
    """

    borrower = models.OneToOneField(
        "servicing.Borrower", on_delete=models.CASCADE, related_name="notice_preference"
    )
    channels = models.JSONField(
        _("channels, in order"), default=list, blank=True, help_text=_('e.g. ["email", "sms"]')
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=NoticeLanguage.choices,
        blank=True,
        help_text=_("empty: the borrower's preferred language"),
    )
    declined_kinds = models.JSONField(
        _("notices turned off"),
        default=list,
        blank=True,
        help_text=_("optional notices the borrower does not want"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return str(self.borrower)


class ReminderSchedule(models.Model):
    """When a product's borrowers are reminded: days before the due date (0 = on the day)."""

    product = models.OneToOneField(
        "servicing.Product", on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    days_before = models.JSONField(
        _("days before the due date"), default=default_reminder_days, help_text=_("e.g. [5, 1, 0]")
    )

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")

    def __str__(self) -> str:
        return str(self.product)


class OutboxMessage(models.Model):
    """A message to send, written with the decision to send it; the dispatcher delivers it.

    Field names and states are a contract with the dispatcher: docs/engagement.md.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="outbox_messages"
    )
    account = models.ForeignKey(
        "servicing.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.SERVICING
    )
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    address = models.CharField(_("number or address"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=NoticeLanguage.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body (text)"))
    html_body = models.TextField(_("body (HTML)"), blank=True)
    template = models.ForeignKey(
        Template,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("template"),
    )
    due_on = models.DateField(
        _("about the date"), null=True, blank=True, help_text=_("due, statement or effective date")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    decision = models.ForeignKey(
        "compliance.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("compliance decision"),
    )
    permit = models.ForeignKey(
        "compliance.Permit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("permit"),
    )
    provider_ref = models.CharField(_("provider reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["borrower", "created_at"], name="outbox_borrower_idx"),
            models.Index(fields=["account", "kind", "due_on"], name="outbox_notice_idx"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


# The channels' own tables (in-app inbox, inbound replies) live beside the adapters.
from arrears.engagement.inbox import InAppNotification, InboundMessage  # noqa: E402

__all__ = [
    "InAppNotification",
    "InboundMessage",
    "NoticePreference",
    "OutboxMessage",
    "ReminderSchedule",
    "Template",
]
