"""Enumerations of the servicing app, with bilingual labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    CARD = "card", _("Credit card")
    LOAN = "loan", _("Instalment loan")


class AccountStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID_OFF = "paid_off", _("Paid off")
    CHARGED_OFF = "charged_off", _("Charged off")
    CLOSED = "closed", _("Closed")


class EntryKind(models.TextChoices):
    OPENING_BALANCE = "opening_balance", _("Opening balance")
    DISBURSEMENT = "disbursement", _("Disbursement")
    PURCHASE = "purchase", _("Purchase")
    CASH_ADVANCE = "cash_advance", _("Cash advance")
    INTEREST = "interest", _("Interest")
    LATE_FEE = "late_fee", _("Late fee")
    ANNUAL_FEE = "annual_fee", _("Annual fee")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    CHARGE_OFF = "charge_off", _("Charge-off")
    RECOVERY = "recovery", _("Recovery after charge-off")
    REVERSAL = "reversal", _("Reversal")
    WAIVER = "waiver", _("Waiver")
    SETTLEMENT_DISCOUNT = "settlement_discount", _("Settlement discount")
    CAPITALISATION = "capitalisation", _("Interest capitalised")


class ObligationKind(models.TextChoices):
    MINIMUM_PAYMENT = "minimum_payment", _("Minimum payment")
    INSTALMENT = "instalment", _("Instalment")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class PaymentChannel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Debit card")
    WALLET = "wallet", _("Mobile wallet")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class ContactKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile phone")
    HOME = "home", _("Home phone")
    WORK = "work", _("Work phone")
    EMAIL = "email", _("E-mail")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class BucketChangeReason(models.TextChoices):
    AGEING = "ageing", _("Ageing")
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Payment reversal")
    CHARGE_OFF = "charge_off", _("Charge-off")
    RE_AGED = "re_aged", _("Re-aged under a repayment plan")
    WAIVER = "waiver", _("Waiver or settlement discount")


class AutopayAmountRule(models.TextChoices):
    MINIMUM = "minimum", _("Minimum payment due")
    STATEMENT_BALANCE = "statement_balance", _("Statement balance")
    FIXED = "fixed", _("Fixed amount")


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class AutopayDebitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned")


class CardChargeResult(models.TextChoices):
    CHARGED = "charged", _("Charged")
    DECLINED = "declined", _("Declined")


class DebitFailureCode(models.TextChoices):
    INSUFFICIENT_FUNDS = "insufficient_funds", _("Insufficient funds")
    ACCOUNT_CLOSED = "account_closed", _("Funding account closed")
    MANDATE_REVOKED = "mandate_revoked", _("Mandate revoked by the borrower")
    TECHNICAL = "technical", _("Technical failure")


class TermsChangeStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")
