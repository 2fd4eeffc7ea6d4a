"""Enumerations of the care desk, with bilingual labels; values match `arrears.core.care`."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry (咨询)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    DISPUTE = "dispute", _("Dispute (争议)")
    HARDSHIP_REQUEST = "hardship_request", _("Hardship request (困难申请)")
    CALLBACK = "callback", _("Callback request (回电)")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New: nobody has looked at it yet")
    OPEN = "open", _("Open: the desk is working on it")
    PENDING = "pending", _("Pending: waiting for the borrower")
    ON_HOLD = "on_hold", _("On hold: waiting for a third party")
    SOLVED = "solved", _("Solved: answered, the borrower may still reply")
    CLOSED = "closed", _("Closed: a reply opens a follow-up")


class Origin(models.TextChoices):
    """The channel a ticket came in on."""

    CHAT = "chat", _("Web chat")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("Borrower portal")
    AGENT = "agent", _("Opened by an agent")
    API = "api", _("API")


class MessageDirection(models.TextChoices):
    INBOUND = "inbound", _("From the borrower")
    OUTBOUND = "outbound", _("To the borrower")
    INTERNAL = "internal", _("Internal note")


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    KIND_CHANGED = "kind_changed", _("Kind changed")
    ASSIGNED = "assigned", _("Assigned")
    QUEUE_CHANGED = "queue_changed", _("Moved to another queue")
    REPLIED = "replied", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    RECEIVED = "received", _("Message received")
    MERGED = "merged", _("Merged")
    FOLLOW_UP_OPENED = "follow_up_opened", _("Follow-up opened")
    LINKED = "linked", _("Linked to a borrower or account")
    SENT_TO_COLLECTION = "sent_to_collection", _("Passed to collection")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    FINAL_RESPONSE = "final_response", _("Final response sent")
    SURVEY_SENT = "survey_sent", _("Satisfaction survey sent")
    SURVEY_ANSWERED = "survey_answered", _("Satisfaction survey answered")


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Warning before a breach")
    BREACH = "breach", _("Breach")
    ESCALATION = "escalation", _("Escalation")
    REGULATORY = "regulatory", _("Regulatory limit")


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    LIVE = "live", pgettext_lazy("chat status", "Live")
    ENDED = "ended", _("Ended")
    LEFT_AS_TICKET = "left_as_ticket", _("No agent online: left as a ticket")


class CallOutcome(models.TextChoices):
    WAITING = "waiting", _("Waiting in line")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Caller hung up while waiting")
    CALLBACK_BOOKED = "callback_booked", _("Callback booked instead of waiting")
    AFTER_HOURS = "after_hours", _("Called after hours")
    MISSED = "missed", pgettext_lazy("call outcome", "Missed")
    VOICEMAIL = "voicemail", _("Left a voicemail")


class CallbackKind(models.TextChoices):
    KEEP_PLACE = "keep_place", _("Keeps the caller's place in line")
    SLOT = "slot", _("Booked time slot")


class CallbackStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Called back")
    MISSED = "missed", _("Called back, no answer")
    CANCELLED = "cancelled", _("Cancelled")
    REBOOKED = "rebooked", _("Moved by the outage sweep")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ComplaintCause(models.TextChoices):
    COLLECTION_CONDUCT = "collection_conduct", _("Collection conduct (催收行为)")
    FEES_AND_INTEREST = "fees_and_interest", _("Fees and interest")
    PAYMENT_PROBLEM = "payment_problem", _("Payment problem")
    CREDIT_REPORTING = "credit_reporting", _("Credit reporting (征信)")
    SERVICE = "service", _("Service quality")
    PRIVACY = "privacy", _("Privacy and data")
    PRODUCT_TERMS = "product_terms", _("Product terms")
    OTHER = "other", _("Other")
