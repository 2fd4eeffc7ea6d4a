"""Enumerations of the engagement app, with bilingual labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    DUE_REMINDER = "due_reminder", _("Payment due reminder")
    AUTOPAY_DEBIT = "autopay_debit", _("Autopay debit notice")
    AUTOPAY_FAILED = "autopay_failed", _("Autopay failure")
    STATEMENT_READY = "statement_ready", _("Statement ready")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    PLAN_INSTALMENT_DUE = "plan_instalment_due", _("Plan instalment due")
    PROMISE_REMINDER = "promise_reminder", _("Promise-to-pay reminder")
    TERMS_CHANGE = "terms_change", _("Change of terms")
    COLLECTION_REMINDER = "collection_reminder", _("Overdue payment reminder")
    SELF_SERVICE_LINK = "self_service_link", _("Self-service link (pay, plan, callback)")
    WARNING_LETTER = "warning_letter", _("Warning letter (催收函)")
    LAWYERS_LETTER = "lawyers_letter", _("Lawyer's letter (律师函)")
    CARE_REPLY = "care_reply", _("Reply from the service desk")
    SATISFACTION_SURVEY = "satisfaction_survey", _("Satisfaction survey")
    MISSED_CALL = "missed_call", _("We missed your call")
    CALLBACK_BOOKED = "callback_booked", _("Callback booked")


#: Notices the law requires: a borrower cannot turn them off (only choose the channel).
REQUIRED_NOTICES = frozenset(
    {
        NoticeKind.TERMS_CHANGE,
        NoticeKind.AUTOPAY_DEBIT,
        NoticeKind.AUTOPAY_FAILED,
        NoticeKind.STATEMENT_READY,
    }
)


class NoticeChannel(models.TextChoices):
    """The channels a notice goes out on (values are the compliance gate's `Channel`)."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In-app message")
    LETTER = "letter", _("Letter")


#: Channels tried after the borrower's own choices, in this order.
DEFAULT_CHANNEL_ORDER = (
    NoticeChannel.SMS,
    NoticeChannel.EMAIL,
    NoticeChannel.IN_APP,
    NoticeChannel.LETTER,
)


class NoticeLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    BLOCKED = "blocked", _("Blocked by compliance")
    CANCELLED = "cancelled", _("Cancelled")
