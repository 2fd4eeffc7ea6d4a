"""Servicing state: borrowers, products, accounts, the append-only ledger, obligations, statements.

Money is integer minor units (`*_minor`) beside a `currency` column. The journal is the truth;
the figures cached on `Account` (days past due, bucket, past-due amount) are derived by the
services and checked against the journal and obligations by `selectors.check_account`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.common.fields import MinorUnitsField
from arrears.servicing.card_payments import CardDeclineCode
from arrears.servicing.choices import (
    AccountStatus,
    AutopayAmountRule,
    AutopayDebitStatus,
    BucketChangeReason,
    CardChargeResult,
    ContactKind,
    DebitFailureCode,
    EntryKind,
    Language,
    MandateStatus,
    ObligationKind,
    PaymentChannel,
    PaymentStatus,
    ProductKind,
    TermsChangeStatus,
)


class Borrower(models.Model):
    """A person who owes money to the lender (借款人 / 持卡人)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address_line = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region / province / state"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. CN"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, help_text=_("IANA zone of the address")
    )
    monthly_income_minor = MinorUnitsField(_("monthly income (minor units)"), null=True, blank=True)
    income_currency = models.CharField(_("income currency"), max_length=3, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="borrower",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"


class ContactPoint(models.Model):
    """A phone number or e-mail address of a borrower, in E.164 for phones."""

    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("number or address"), max_length=200)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_valid = models.BooleanField(_("valid"), default=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(fields=["borrower", "kind", "value"], name="contact_point_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Product(models.Model):
    """A credit product; its terms are data, validated by `arrears.core.products.parse_product`."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ProductKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3)
    terms = models.JSONField(_("terms"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name_en} / {self.name_zh})"


class Account(models.Model):
    """A card or instalment-loan account (账户). Cached delinquency figures are derived state."""

    number = models.CharField(_("account number"), max_length=40, unique=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="accounts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=8, choices=ProductKind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=12, choices=AccountStatus.choices, default=AccountStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    # card
    credit_limit_minor = MinorUnitsField(_("credit limit (minor units)"), null=True, blank=True)
    statement_day = models.PositiveSmallIntegerField(_("statement day"), null=True, blank=True)
    # loan
    principal_minor = MinorUnitsField(_("principal (minor units)"), null=True, blank=True)
    apr = models.DecimalField(_("APR (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    repayment_method = models.CharField(_("repayment method"), max_length=20, blank=True)
    repayment_day = models.PositiveSmallIntegerField(_("repayment day"), null=True, blank=True)
    # derived, cached by the services (checked by selectors.check_account)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    bucket = models.CharField(_("bucket"), max_length=16, default="current")
    past_due_minor = MinorUnitsField(_("past-due amount (minor units)"), default=0)
    aged_on = models.DateField(_("aged on"), null=True, blank=True)
    re_aged_on = models.DateField(
        _("re-aged on"),
        null=True,
        blank=True,
        help_text=_("dues that fell due before this date no longer count for ageing"),
    )
    charged_off_on = models.DateField(_("charged off on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "days_past_due"]),
            # the cards whose statement closes today (and, by its prefix, the open loans)
            models.Index(fields=["kind", "status", "statement_day"]),
        ]

    def __str__(self) -> str:
        return self.number


class JournalEntry(models.Model):
    """One balanced, immutable money event. Corrections are reversal entries, never edits."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    effective_on = models.DateField(_("effective on"))
    posted_at = models.DateTimeField(_("posted at"))
    currency = models.CharField(_("currency"), max_length=3)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=120, unique=True, null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "effective_on"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.effective_on}"


class JournalLine(models.Model):
    """A signed amount on one book. Receivable books (what the borrower owes) are positive."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="journal_lines")
    book = models.CharField(_("book"), max_length=40)
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    effective_on = models.DateField(_("effective on"))

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "book", "effective_on"])]


class Obligation(models.Model):
    """An amount the borrower must pay by a date: a card's minimum payment or a loan instalment.

    Days past due are counted from the oldest obligation not paid in full. `paid_*` are kept by
    the payment services from the `PaymentApplication` rows (their sum is the truth).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="obligations")
    kind = models.CharField(_("kind"), max_length=20, choices=ObligationKind.choices)
    number = models.PositiveIntegerField(_("number"), help_text=_("instalment or statement number"))
    due_on = models.DateField(_("due on"))
    amount_minor = MinorUnitsField(_("amount due (minor units)"))
    principal_minor = MinorUnitsField(_("principal part (minor units)"), default=0)
    interest_minor = MinorUnitsField(_("interest part (minor units)"), default=0)
    paid_minor = MinorUnitsField(_("paid (minor units)"), default=0)
    paid_principal_minor = MinorUnitsField(_("principal paid (minor units)"), default=0)
    paid_interest_minor = MinorUnitsField(_("interest paid (minor units)"), default=0)
    is_posted = models.BooleanField(
        _("posted"), default=False, help_text=_("the instalment's interest has been charged")
    )
    contract_interest_minor = MinorUnitsField(
        _("interest under the contract (minor units)"),
        null=True,
        blank=True,
        help_text=_("kept when a rate override or a waiver changes the interest part"),
    )

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["account", "due_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "number"], name="obligation_once"),
            models.CheckConstraint(
                condition=Q(paid_minor__gte=0) & Q(paid_minor__lte=F("amount_minor")),
                name="obligation_paid_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on", "account"]),
            # what is still owed: the cycle's ageing and paid-off checks read only these rows
            models.Index(
                fields=["account", "due_on"],
                condition=Q(paid_minor__lt=F("amount_minor")),
                name="obligation_unpaid_idx",
            ),
        ]

    @property
    def unpaid_minor(self) -> int:
        return int(self.amount_minor) - int(self.paid_minor)


class ObligationAdjustment(models.Model):
    """A change to what an obligation asks, made by a journal entry: a waiver or settlement
    discount lowers it (negative amounts), its reversal puts it back (positive).

    The obligation's amounts are the contract's plus its adjustments; `paid_*` stay the sum of
    its payment applications, so a waived amount is owed no more but was never paid.
    """

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="adjustments")
    entry = models.ForeignKey(
        "JournalEntry", on_delete=models.PROTECT, related_name="obligation_adjustments"
    )
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    principal_minor = MinorUnitsField(_("principal part (minor units)"), default=0)
    interest_minor = MinorUnitsField(_("interest part (minor units)"), default=0)

    class Meta:
        verbose_name = _("obligation adjustment")
        verbose_name_plural = _("obligation adjustments")
        ordering = ["obligation", "id"]


class RateOverride(models.Model):
    """Another interest rate for an account over a range of days (an interest freeze at 0 %, a
    rate reduction under a repayment plan, a legal rate cap).

    On every day from `from_on` through `until_on` (open-ended when empty) the account's
    interest is worked out at `apr` instead of the contract's rate: a card's daily interest on
    every balance type, a loan's instalment interest day by day. Append-only: an override is
    ended by setting `until_on` (`services.rate_overrides.end_rate_override`), never deleted,
    so the rate of any past day can still be told.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="rate_overrides")
    from_on = models.DateField(_("from"))
    until_on = models.DateField(_("until"), null=True, blank=True)
    apr = models.DecimalField(_("APR (%)"), max_digits=7, decimal_places=4)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(
        _("source"), max_length=60, blank=True, help_text=_("what set it, e.g. plan:123")
    )
    created_at = models.DateTimeField(_("created at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rate override")
        verbose_name_plural = _("rate overrides")
        ordering = ["account", "from_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(apr__gte=0), name="rate_override_apr_not_negative"),
        ]
        indexes = [models.Index(fields=["account", "from_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.apr}% {self.from_on}..{self.until_on or ''}"


class ScheduledInterest(models.Model):
    """Interest agreed in advance, charged on its date: a repayment plan's interest, month by
    month, exactly as the borrower agreed it.

    The daily cycle charges it on `due_on` (`services.scheduled_interest`), and a payment
    received on or after that date charges it first, as for a loan's instalment interest.
    `capitalised_minor` of it is added to the principal the same day (a payment holiday's
    interest). Rows not yet charged are cancelled when the arrangement ends.
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="scheduled_interest"
    )
    source = models.CharField(_("source"), max_length=60, help_text=_("e.g. plan:123"))
    number = models.PositiveIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount_minor = MinorUnitsField(_("interest (minor units)"))
    capitalised_minor = MinorUnitsField(_("capitalised (minor units)"), default=0)
    entry = models.OneToOneField(
        "JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_interest",
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("scheduled interest charge")
        verbose_name_plural = _("scheduled interest charges")
        ordering = ["account", "due_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "source", "number"], name="scheduled_interest_once"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0)
                & Q(capitalised_minor__gte=0)
                & Q(capitalised_minor__lte=F("amount_minor")),
                name="scheduled_interest_amounts",
            ),
        ]
        indexes = [
            # what falls due on a date and is still to charge: the cycle's one query
            models.Index(
                fields=["due_on", "account"],
                condition=Q(entry__isnull=True, cancelled_on__isnull=True),
                name="scheduled_interest_due_idx",
            )
        ]


class Payment(models.Model):
    """Money received from the borrower, with its idempotency key; posted once, reversed once."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(
        _("channel"), max_length=20, choices=PaymentChannel.choices, default=PaymentChannel.OTHER
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    external_reference = models.CharField(_("external reference"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.POSTED
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    reversal_reason = models.CharField(_("reversal reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_positive")
        ]


class PaymentApplication(models.Model):
    """How much of a payment went to an obligation (negative rows undo it on reversal)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="applications")
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, related_name="applications"
    )
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    principal_minor = MinorUnitsField(default=0)
    interest_minor = MinorUnitsField(default=0)


class Statement(models.Model):
    """A card statement (账单) as closed on its statement date."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="statements")
    number = models.PositiveIntegerField(_("number"))
    period_start_on = models.DateField(_("period start"))
    statement_on = models.DateField(_("statement date"))
    due_on = models.DateField(_("payment due date"))
    currency = models.CharField(_("currency"), max_length=3)
    previous_balance_minor = MinorUnitsField(_("previous balance"))
    payments_minor = MinorUnitsField(_("payments and credits"))
    purchases_minor = MinorUnitsField(_("purchases"))
    cash_advances_minor = MinorUnitsField(_("cash advances"))
    interest_minor = MinorUnitsField(_("interest"))
    fees_minor = MinorUnitsField(_("fees"))
    new_balance_minor = MinorUnitsField(_("new balance"))
    minimum_due_minor = MinorUnitsField(_("minimum payment"))
    book_balances = models.JSONField(_("balance by book"), default=dict)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["account", "statement_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "statement_on"], name="statement_once")
        ]


class BucketChange(models.Model):
    """An account moving between delinquency buckets: the raw material of roll-rate reports."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="bucket_changes")
    changed_on = models.DateField(_("changed on"))
    from_bucket = models.CharField(_("from bucket"), max_length=16)
    to_bucket = models.CharField(_("to bucket"), max_length=16)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    reason = models.CharField(_("reason"), max_length=12, choices=BucketChangeReason.choices)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("bucket change")
        verbose_name_plural = _("bucket changes")
        ordering = ["account", "changed_on", "id"]
        indexes = [models.Index(fields=["changed_on"])]


class CycleRun(models.Model):
    """One step of the daily cycle for one business date; unique, so a date never runs twice."""

    kind = models.CharField(_("kind"), max_length=40)
    business_date = models.DateField(_("business date"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("cycle run")
        verbose_name_plural = _("cycle runs")
        ordering = ["-business_date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "business_date"], name="cycle_run_once")
        ]
        indexes = [models.Index(fields=["business_date"])]  # a date's steps, read every day


class ProductTermsChange(models.Model):
    """New terms for a product that take effect on a date, announced with the notice required.

    The change is validated when scheduled (the terms by `parse_product`, the effective date
    against the jurisdiction's notice period) and applied by the cycle on its effective date:
    the product's terms are replaced and its version goes up. `previous_terms` keeps what was in
    force before, so the terms of any past day can still be read (`product_terms(on=...)`).
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="terms_changes")
    terms = models.JSONField(_("new terms"))
    previous_terms = models.JSONField(_("previous terms"), null=True, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"))
    announced_on = models.DateField(_("announced on"))
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TermsChangeStatus.choices,
        default=TermsChangeStatus.SCHEDULED,
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    from_version = models.PositiveIntegerField(_("from version"), null=True, blank=True)
    to_version = models.PositiveIntegerField(_("to version"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("product terms change")
        verbose_name_plural = _("product terms changes")
        ordering = ["product", "effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "effective_on"],
                condition=~Q(status="cancelled"),
                name="terms_change_once_per_date",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__gt=F("announced_on")),
                name="terms_change_after_announcement",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.product.code} @ {self.effective_on}"


class AutopayMandate(models.Model):
    """A borrower's standing authority to debit their funding account (自动还款 / 代扣协议).

    At most one mandate per account is active. The funding account is kept masked; the provider
    knows the mandate by `consent_reference` (the signed mandate / DDI / 代扣协议 number).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="autopay_mandates")
    amount_rule = models.CharField(
        _("amount rule"), max_length=20, choices=AutopayAmountRule.choices
    )
    fixed_amount_minor = MinorUnitsField(_("fixed amount (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    debit_days_before_due = models.PositiveSmallIntegerField(
        _("days before the due date"), default=0, help_text=_("0 = debit on the due date")
    )
    funding_account_masked = models.CharField(_("funding account"), max_length=40)
    consent_reference = models.CharField(_("consent reference"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    starts_on = models.DateField(_("starts on"))
    created_at = models.DateTimeField(_("created at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    suspended_reason = models.CharField(_("reason suspended"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("autopay mandate")
        verbose_name_plural = _("autopay mandates")
        ordering = ["account", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="active"),
                name="autopay_one_active_mandate",
            ),
            models.CheckConstraint(
                condition=~Q(amount_rule="fixed") | Q(fixed_amount_minor__gt=0),
                name="autopay_fixed_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["status", "debit_days_before_due"])]

    def __str__(self) -> str:
        return f"{self.account.number} {self.amount_rule} {self.funding_account_masked}"


class AutopayDebit(models.Model):
    """One attempt to collect a due payment under a mandate; keyed, so it is made once."""

    mandate = models.ForeignKey(AutopayMandate, on_delete=models.PROTECT, related_name="debits")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="autopay_debits")
    for_due_on = models.DateField(_("for the payment due on"))
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    attempted_on = models.DateField(_("attempted on"))
    first_attempted_on = models.DateField(_("first attempted on"))
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AutopayDebitStatus.choices,
        default=AutopayDebitStatus.SCHEDULED,
    )
    failure_code = models.CharField(
        _("failure code"), max_length=20, choices=DebitFailureCode.choices, blank=True
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="autopay_debit"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    next_retry_on = models.DateField(_("next retry on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("autopay debit")
        verbose_name_plural = _("autopay debits")
        ordering = ["account", "for_due_on", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "for_due_on", "attempt"], name="autopay_debit_once"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="autopay_debit_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "next_retry_on"]),
            models.Index(fields=["attempted_on"]),
            models.Index(fields=["returned_on"]),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class CardCharge(models.Model):
    """One card payment a borrower tried in the portal: charged (with the payment it posted) or
    declined (with the issuer's reason), so the service desk can say what happened. Only the
    card's last four digits are kept."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="card_charges")
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    card_last4 = models.CharField(_("card ending"), max_length=4)
    result = models.CharField(_("result"), max_length=10, choices=CardChargeResult.choices)
    decline_code = models.CharField(
        _("decline reason"), max_length=20, choices=CardDeclineCode.choices, blank=True
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="card_charge"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    tried_at = models.DateTimeField(_("tried at"))

    class Meta:
        verbose_name = _("card payment tried")
        verbose_name_plural = _("card payments tried")
        ordering = ["account", "-tried_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="card_charge_positive"),
            models.CheckConstraint(
                condition=Q(result="charged", decline_code="")
                | Q(result="declined", payment__isnull=True),
                name="card_charge_result_consistent",
            ),
        ]
        indexes = [models.Index(fields=["account", "tried_at"])]

    def __str__(self) -> str:
        return f"{self.account.number} {self.result} ****{self.card_last4}"
