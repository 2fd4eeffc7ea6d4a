"""Enumerations of the hardship app, with bilingual labels.

Where the pure core has the same enumeration (`core.hardship.assessment`, `core.hardship.policy`)
the values are the core's, and tests/hardship/test_choices.py checks they agree, so a row turns
into the core's value with e.g. `Employment(row.employment)`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentSource(models.TextChoices):
    """Who filled in the financial statement."""

    AGENT = "agent", _("Taken by an agent")
    BORROWER = "borrower", _("Filled in by the borrower")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    UNABLE_TO_WORK = "unable_to_work", _("Unable to work")
    OTHER = "other", _("Other")


class HardshipReason(models.TextChoices):
    JOB_LOSS = "job_loss", _("Job loss")
    ILLNESS = "illness", _("Illness")
    FAMILY_EVENT = "family_event", _("Family event")
    BUSINESS_FAILURE = "business_failure", _("Business failure")
    OTHER = "other", _("Other")


class Vulnerability(models.TextChoices):
    HEALTH = "health", _("Health")
    BEREAVEMENT = "bereavement", _("Bereavement")
    AGE = "age", _("Age")
    CAPABILITY = "capability", _("Capability")


class OptionKind(models.TextChoices):
    PAYMENT_HOLIDAY = "payment_holiday", _("Payment holiday")
    HOLIDAY_THEN_REAMORTISE = "holiday_then_reamortise", _("Payment holiday, then re-amortised")
    REDUCED_PAYMENTS = "reduced_payments", _("Reduced payments")
    TERM_EXTENSION = "term_extension", _("Term extension")
    PERSONALISED_INSTALMENT = "personalised_instalment", _("Personalised instalment plan")
    INTEREST_FREEZE = "interest_freeze", _("Interest freeze")
    RATE_REDUCTION = "rate_reduction", _("Rate reduction")
    SETTLEMENT_LUMP_SUM = "settlement_lump_sum", _("Settlement: lump sum")
    SETTLEMENT_PLAN = "settlement_plan", _("Settlement plan")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


#: A plan in force or about to be: at most one per account.
LIVE_STATUSES = (PlanStatus.ACCEPTED, PlanStatus.ACTIVE)


class AcceptedVia(models.TextChoices):
    """How the borrower agreed to the plan."""

    PORTAL = "portal", _("Borrower portal")
    AGENT = "agent", _("With an agent")


class PlanAgeing(models.TextChoices):
    """How an active plan changes the account's ageing (see docs/hardship.md)."""

    PLAN = "plan", _("The plan's due dates drive ageing")
    CONTRACT = "contract", _("The contract's due dates drive ageing")


class InstalmentStatus(models.TextChoices):
    DUE = "due", _("Due")
    KEPT = "kept", _("Paid on time")
    KEPT_LATE = "kept_late", _("Paid within the grace period")
    MISSED = "missed", _("Missed")


class PlanEventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVATED = "activated", _("Activated")
    INSTALMENT_KEPT = "instalment_kept", _("Instalment paid on time")
    INSTALMENT_KEPT_LATE = "instalment_kept_late", _("Instalment paid within the grace period")
    INSTALMENT_MISSED = "instalment_missed", _("Instalment missed")
    RE_AGED = "re_aged", _("Account re-aged")
    RE_AGE_REFUSED = "re_age_refused", _("Re-age not allowed")
    REMINDER_QUEUED = "reminder_queued", _("Reminder queued")
    ANNUAL_FEE_WAIVED = "annual_fee_waived", _("Annual fee waived")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class ArticleTopic(models.TextChoices):
    BUDGETING = "budgeting", _("Budgeting")
    CREDIT_CARDS = "credit_cards", _("Using a credit card well")
    LATE_FEES = "late_fees", _("Avoiding late fees")
    AUTOPAY = "autopay", _("Setting up autopay")
    MISSED_PAYMENTS = "missed_payments", _("Missed payments")
    RIGHTS = "rights", _("Your rights")


class Jurisdiction(models.TextChoices):
    """Where a debt-advice service helps (the compliance profile codes)."""

    CN = "CN", _("China")
    US = "US", _("United States")
    UK = "UK", _("United Kingdom")
    IE = "IE", _("Ireland")
    EU = "EU", _("European Union")


class ContactCheck(models.TextChoices):
    """How far a debt-advice service's phone number and web address were checked."""

    OFFICIAL = "official", _("Checked on the service's own or a government publication")
    SECONDARY = "secondary", _("Seen in secondary sources only: confirm before go-live")
    UNVERIFIED = "unverified", _("Not verified: confirm before go-live")
