"""Enumerations of the collection app, with bilingual labels (terms from the glossary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStage(models.TextChoices):
    PRE_DELINQUENCY = "pre_delinquency", _("Pre-delinquency")
    EARLY = "early", _("Early-stage collection (前期催收)")
    MID = "mid", _("Mid-stage collection")
    LATE = "late", _("Late-stage collection (后期催收)")
    RECOVERY = "recovery", _("Recovery after charge-off")
    LEGAL = "legal", _("Legal")
    AGENCY = "agency", _("Placed with an agency")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class CaseCloseReason(models.TextChoices):
    CURED = "cured", _("Cured (brought up to date)")
    PAID_IN_FULL = "paid_in_full", _("Paid in full")
    SETTLED = "settled", _("Settled")
    PLAN_COMPLETED = "plan_completed", _("Repayment plan completed")
    CHARGED_OFF_SOLD = "charged_off_sold", _("Charged off and sold")
    WRITTEN_OFF = "written_off", _("Written off")


class OwnerKind(models.TextChoices):
    QUEUE = "queue", _("Work queue")
    AGENT = "agent", _("Collector")
    AGENCY = "agency", _("Agency (委外机构)")


class ActionKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    CALL = "call", _("Call")
    WARNING_LETTER = "warning_letter", _("Warning letter (催收函)")
    LAWYERS_LETTER = "lawyers_letter", _("Lawyer's letter (律师函)")
    LEGAL_REVIEW = "legal_review", _("Legal-referral review")
    AGENCY_PLACEMENT = "agency_placement", _("Agency placement")
    NONE = "none", _("No action")


class ActionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("In a work queue")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a supervisor's approval")
    DEFERRED = "deferred", _("Deferred by the compliance gate")
    BLOCKED = "blocked", _("Blocked by the compliance gate")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class PromiseStatus(models.TextChoices):
    LIVE = "live", pgettext_lazy("promise status", "Live")
    KEPT = "kept", _("Kept")
    PARTLY_KEPT = "partly_kept", _("Partly kept")
    BROKEN = "broken", _("Broken (跳票)")
    CANCELLED = "cancelled", _("Cancelled")


class PromiseSource(models.TextChoices):
    AGENT = "agent", _("Taken by a collector")
    PORTAL = "portal", _("Borrower portal")
    API = "api", _("API")


class EscalationKind(models.TextChoices):
    WARNING_LETTER = "warning_letter", _("Warning letter (催收函)")
    LAWYERS_LETTER = "lawyers_letter", _("Lawyer's letter (律师函)")
    LEGAL_REVIEW = "legal_review", _("Legal-referral review")
    AGENCY_PLACEMENT = "agency_placement", _("Agency placement")


class EscalationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")
    NOT_ELIGIBLE = "not_eligible", _("Preconditions not met")


class PlacementStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    RECALLED = "recalled", _("Recalled")
    RETURNED = "returned", _("Returned by the agency")
    CLOSED = "closed", pgettext_lazy("placement status", "Closed")


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    STAGE = "stage", _("Stage changed")
    TREATMENT = "treatment", _("Treatment changed")
    STEP = "step", _("Treatment step done")
    OWNER = "owner", _("Owner changed")
    PAUSED = "paused", _("Treatment paused")
    RESUMED = "resumed", _("Treatment resumed")
    OUTCOME = "outcome", _("Contact outcome")
    PROMISE = "promise", _("Promise to pay")
    ESCALATION = "escalation", _("Escalation")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Case closed")
