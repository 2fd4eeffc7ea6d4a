"""Input and output schemas of the servicing API (one input and one output per use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from arrears.common.schemas import InputSchema, MoneyOut, Text
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import (
    AccountStatus,
    AutopayAmountRule,
    AutopayDebitStatus,
    ContactKind,
    DebitFailureCode,
    EntryKind,
    Language,
    MandateStatus,
    ObligationKind,
    PaymentChannel,
    PaymentStatus,
    ProductKind,
)
from arrears.servicing.models import (
    Account,
    AutopayDebit,
    AutopayMandate,
    JournalLine,
    Obligation,
    Payment,
    Statement,
)
from arrears.servicing.services.autopay import MAX_DAYS_BEFORE_DUE

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
#: A decimal amount in major units as a string: "120.50". JSON numbers are refused (a float
#: cannot hold most decimal amounts exactly); so are signs and exponents.
DecimalAmount = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,15}(\.[0-9]{1,6})?$", max_length=22)
]


# --- borrowers ----------------------------------------------------------------------------------
class ContactPointOut(Schema):
    kind: ContactKind
    value: str
    is_primary: bool
    is_valid: bool


class BorrowerIn(InputSchema):
    """A new borrower. Phone numbers may be national (for `country`) or international (+86 …)."""

    reference: Annotated[Text, StringConstraints(min_length=1, max_length=40)] = Field(
        description="the lender's own customer reference; unique", examples=["B000123"]
    )
    full_name: Annotated[Text, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["张三"]
    )
    country: CountryCode = Field(description="ISO 3166 code of the address", examples=["CN"])
    preferred_language: Language = Language.ZH_HANS
    date_of_birth: dt.date | None = None
    email: Annotated[Text, StringConstraints(max_length=254)] = ""
    phones: list[Annotated[Text, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=10, examples=[["+86 138 0013 8000"]]
    )
    address_line: Annotated[Text, StringConstraints(max_length=300)] = ""
    city: Annotated[Text, StringConstraints(max_length=100)] = ""
    region: Annotated[Text, StringConstraints(max_length=100)] = ""
    postal_code: Annotated[Text, StringConstraints(max_length=20)] = ""
    time_zone: Annotated[Text, StringConstraints(max_length=64)] | None = Field(
        default=None,
        description="IANA zone of the address; by default worked out from the address and phones",
        examples=["Asia/Shanghai"],
    )


class BorrowerOut(Schema):
    id: int
    reference: str
    full_name: str
    preferred_language: Language
    country: str
    time_zone: str
    date_of_birth: dt.date | None
    email: str
    address_line: str
    city: str
    region: str
    postal_code: str
    contact_points: list[ContactPointOut]
    created_at: dt.datetime


# --- accounts -----------------------------------------------------------------------------------
class AccountListItem(Schema):
    id: int
    number: str
    borrower_id: int
    borrower_reference: str
    product_code: str
    kind: ProductKind
    currency: str
    status: AccountStatus
    days_past_due: int
    bucket: str
    past_due: MoneyOut
    opened_on: dt.date
    aged_on: dt.date | None

    @staticmethod
    def resolve_borrower_reference(obj: Account) -> str:
        return obj.borrower.reference

    @staticmethod
    def resolve_product_code(obj: Account) -> str:
        return obj.product.code

    @staticmethod
    def resolve_past_due(obj: Account) -> MoneyOut:
        return MoneyOut.from_minor(obj.past_due_minor, obj.currency)


class AccountFilters(Schema):
    status: AccountStatus | None = None
    bucket: Annotated[Text, StringConstraints(max_length=16)] | None = Field(
        default=None, description="delinquency bucket code, e.g. `M2`"
    )
    min_dpd: int | None = Field(default=None, ge=0, le=100_000, description="days past due ≥")


class Balances(Schema):
    principal: MoneyOut
    interest: MoneyOut
    fees: MoneyOut
    credit: MoneyOut = Field(description="an overpayment held for the borrower")
    total: MoneyOut = Field(description="principal + interest + fees − credit")


class BucketOut(Schema):
    code: str = Field(examples=["M2"])
    label_en: str
    label_zh: str


class AccountDetail(Schema):
    """An account as the agent sees it: status, delinquency and what is owed and due.

    Days past due, bucket and past-due amount are the figures of the last ageing run
    (`aged_on`); balances, minimum due and accrued interest are computed as of `as_of`.
    """

    id: int
    number: str
    borrower_id: int
    product_code: str
    kind: ProductKind
    currency: str
    status: AccountStatus
    opened_on: dt.date
    as_of: dt.date
    aged_on: dt.date | None
    days_past_due: int
    bucket: BucketOut
    past_due_amount: MoneyOut
    balances: Balances
    minimum_due: MoneyOut
    next_due_date: dt.date | None
    accrued_interest: MoneyOut = Field(description="interest accrued but not yet charged")

    @classmethod
    def from_summary(cls, account: Account, summary: Mapping[str, Any]) -> AccountDetail:
        """From `selectors.account_summary` (money there is {minor, currency})."""

        def money(value: Mapping[str, Any]) -> MoneyOut:
            return MoneyOut.from_minor(value["minor"], value["currency"])

        return cls(
            id=account.pk,
            number=summary["number"],
            borrower_id=account.borrower_id,
            product_code=summary["product"],
            kind=summary["kind"],
            currency=summary["currency"],
            status=summary["status"],
            opened_on=account.opened_on,
            as_of=summary["as_of"],
            aged_on=summary["aged_on"],
            days_past_due=summary["days_past_due"],
            bucket=BucketOut(**summary["bucket"]),
            past_due_amount=money(summary["past_due_amount"]),
            balances=Balances(
                **{name: money(value) for name, value in summary["balances"].items()}
            ),
            minimum_due=money(summary["minimum_due"]),
            next_due_date=summary["next_due_date"],
            accrued_interest=money(summary["accrued_interest"]),
        )


# --- ledger, statements, schedule ---------------------------------------------------------------
class JournalLineOut(Schema):
    book: str
    amount: MoneyOut

    @staticmethod
    def resolve_amount(obj: JournalLine) -> MoneyOut:
        return MoneyOut.from_minor(obj.amount_minor, obj.entry.currency)


class JournalEntryOut(Schema):
    id: int
    kind: EntryKind
    effective_on: dt.date
    posted_at: dt.datetime
    currency: str
    idempotency_key: str | None
    reverses_id: int | None
    memo: str
    lines: list[JournalLineOut]


class StatementOut(Schema):
    id: int
    number: int
    period_start_on: dt.date
    statement_on: dt.date
    due_on: dt.date
    previous_balance: MoneyOut
    payments: MoneyOut
    purchases: MoneyOut
    cash_advances: MoneyOut
    interest: MoneyOut
    fees: MoneyOut
    new_balance: MoneyOut
    minimum_due: MoneyOut

    @staticmethod
    def _money(obj: Statement, field: str) -> MoneyOut:
        return MoneyOut.from_minor(getattr(obj, f"{field}_minor"), obj.currency)

    @staticmethod
    def resolve_previous_balance(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "previous_balance")

    @staticmethod
    def resolve_payments(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "payments")

    @staticmethod
    def resolve_purchases(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "purchases")

    @staticmethod
    def resolve_cash_advances(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "cash_advances")

    @staticmethod
    def resolve_interest(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "interest")

    @staticmethod
    def resolve_fees(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "fees")

    @staticmethod
    def resolve_new_balance(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "new_balance")

    @staticmethod
    def resolve_minimum_due(obj: Statement) -> MoneyOut:
        return StatementOut._money(obj, "minimum_due")


class ObligationOut(Schema):
    """One instalment of a loan, or the minimum payment of a card statement."""

    id: int
    kind: ObligationKind
    number: int
    due_on: dt.date
    amount: MoneyOut
    principal: MoneyOut
    interest: MoneyOut
    paid: MoneyOut
    unpaid: MoneyOut
    is_posted: bool = Field(description="the instalment's interest has been charged")

    @staticmethod
    def resolve_amount(obj: Obligation) -> MoneyOut:
        return MoneyOut.from_minor(obj.amount_minor, obj.account.currency)

    @staticmethod
    def resolve_principal(obj: Obligation) -> MoneyOut:
        return MoneyOut.from_minor(obj.principal_minor, obj.account.currency)

    @staticmethod
    def resolve_interest(obj: Obligation) -> MoneyOut:
        return MoneyOut.from_minor(obj.interest_minor, obj.account.currency)

    @staticmethod
    def resolve_paid(obj: Obligation) -> MoneyOut:
        return MoneyOut.from_minor(obj.paid_minor, obj.account.currency)

    @staticmethod
    def resolve_unpaid(obj: Obligation) -> MoneyOut:
        return MoneyOut.from_minor(obj.unpaid_minor, obj.account.currency)


# --- payments -----------------------------------------------------------------------------------
class PaymentIn(InputSchema):
    """A payment received. `amount` is a decimal string in major units ("120.50"), never a
    JSON number; it must be in the account's currency and positive."""

    amount: DecimalAmount = Field(examples=["120.50"])
    currency: CurrencyCode = Field(examples=["CNY"])
    received_on: dt.date = Field(
        description="the business date the money was received; not in the future",
        examples=["2025-02-15"],
    )
    channel: PaymentChannel = PaymentChannel.OTHER
    external_reference: Annotated[Text, StringConstraints(max_length=120)] = Field(
        default="", description="the payment processor's reference"
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_is_a_string(cls, value: object) -> object:
        return _decimal_string(value)

    @field_validator("received_on")
    @classmethod
    def _received_on_is_past(cls, value: dt.date) -> dt.date:
        return _not_in_future(value)

    def require_same_as(self, payment: Payment) -> None:
        """A replayed key must carry the same request; anything else is a Conflict."""
        same = (
            payment.currency == self.currency
            and payment.received_on == self.received_on
            and payment.channel == self.channel
            and payment.external_reference == self.external_reference
        )
        if not same:
            raise Conflict(
                _("Idempotency-Key %(key)s was already used for a different payment.")
                % {"key": payment.idempotency_key}
            )


class PaymentOut(Schema):
    id: int
    account_id: int
    amount: MoneyOut
    received_on: dt.date
    channel: PaymentChannel
    external_reference: str
    idempotency_key: str
    status: PaymentStatus
    reversal_reason: str
    entry_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj: Payment) -> MoneyOut:
        return MoneyOut.from_minor(obj.amount_minor, obj.currency)


class ReversalIn(InputSchema):
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["cheque returned unpaid"]
    )
    reversed_on: dt.date = Field(
        description="the business date of the reversal; not in the future",
        examples=["2025-02-20"],
    )

    @field_validator("reversed_on")
    @classmethod
    def _reversed_on_is_past(cls, value: dt.date) -> dt.date:
        return _not_in_future(value)


# --- autopay ------------------------------------------------------------------------------------
#: The most debits `GET /accounts/{id}/autopay` lists, newest first.
RECENT_DEBITS = 24
MaxDaysBeforeDue = Annotated[int, Field(ge=0, le=MAX_DAYS_BEFORE_DUE)]
FundingAccount = Annotated[Text, StringConstraints(min_length=4, max_length=40)]
ConsentReference = Annotated[Text, StringConstraints(min_length=1, max_length=120)]


class MandateOut(Schema):
    """An autopay mandate (自动还款/代扣协议): what it debits, when, from which account."""

    id: int
    account_id: int
    amount_rule: AutopayAmountRule
    fixed_amount: MoneyOut | None = Field(description="only for the `fixed` rule")
    debit_days_before_due: int = Field(description="0 = on the due date")
    funding_account_masked: str = Field(examples=["****3456"])
    consent_reference: str
    status: MandateStatus
    suspended_reason: str = Field(description="why the bank stopped it, when suspended")
    starts_on: dt.date
    created_at: dt.datetime
    changed_at: dt.datetime | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_fixed_amount(obj: AutopayMandate) -> MoneyOut | None:
        if obj.fixed_amount_minor is None:
            return None
        return MoneyOut.from_minor(obj.fixed_amount_minor, obj.currency)


class AutopayDebitOut(Schema):
    """One attempt to collect a due payment under a mandate."""

    id: int
    mandate_id: int
    for_due_on: dt.date
    attempt: int
    attempted_on: dt.date
    amount: MoneyOut
    status: AutopayDebitStatus
    failure_code: DebitFailureCode | None
    next_retry_on: dt.date | None
    returned_on: dt.date | None
    payment_id: int | None
    provider_reference: str

    @staticmethod
    def resolve_amount(obj: AutopayDebit) -> MoneyOut:
        return MoneyOut.from_minor(obj.amount_minor, obj.currency)

    @staticmethod
    def resolve_failure_code(obj: AutopayDebit) -> str | None:
        return obj.failure_code or None


class AutopayOut(Schema):
    """An account's autopay: every mandate (newest first) and the most recent debits."""

    account_id: int
    active_mandate_id: int | None
    mandates: list[MandateOut]
    recent_debits: list[AutopayDebitOut] = Field(
        description=f"the last {RECENT_DEBITS} debit attempts, newest first"
    )


class MandateIn(InputSchema):
    """Set up autopay. The borrower's signed consent is referenced, never stored; only the last
    four characters of the funding account are kept."""

    amount_rule: AutopayAmountRule = Field(
        description="`minimum` (what is due), `statement_balance` (cards) or `fixed`"
    )
    fixed_amount: DecimalAmount | None = Field(
        default=None,
        description="for the `fixed` rule: a decimal string in major units",
        examples=["500.00"],
    )
    currency: CurrencyCode | None = Field(
        default=None, description="of `fixed_amount`; the account's currency when left out"
    )
    debit_days_before_due: MaxDaysBeforeDue = 0
    funding_account: FundingAccount = Field(
        description="the bank account or card to debit", examples=["6222021234563456"]
    )
    consent_reference: ConsentReference = Field(
        description="the signed mandate, DDI or 代扣协议 number", examples=["DDI-2025-0001"]
    )
    starts_on: dt.date | None = Field(default=None, description="default: today")

    @field_validator("fixed_amount", mode="before")
    @classmethod
    def _fixed_amount_is_a_string(cls, value: object) -> object:
        return value if value is None else _decimal_string(value)

    def fixed_money(self, account_currency: str) -> Money | None:
        return _fixed_money(self.fixed_amount, self.currency or account_currency)


class MandateChangeIn(InputSchema):
    """Change a mandate: what is left out (or null) keeps its value. A suspended mandate needs
    a new `funding_account` and `consent_reference` to become active again."""

    amount_rule: AutopayAmountRule | None = None
    fixed_amount: DecimalAmount | None = Field(
        default=None, description="for the `fixed` rule", examples=["800.00"]
    )
    currency: CurrencyCode | None = Field(
        default=None, description="of `fixed_amount`; the mandate's currency when left out"
    )
    debit_days_before_due: MaxDaysBeforeDue | None = None
    funding_account: FundingAccount | None = None
    consent_reference: ConsentReference | None = None

    @field_validator("fixed_amount", mode="before")
    @classmethod
    def _fixed_amount_is_a_string(cls, value: object) -> object:
        return value if value is None else _decimal_string(value)

    def changes(self, mandate_currency: str) -> dict[str, Any]:
        """The keyword arguments of `change_autopay`: only what the request names."""
        changes: dict[str, Any] = {
            name: getattr(self, name)
            for name in (
                "amount_rule",
                "debit_days_before_due",
                "funding_account",
                "consent_reference",
            )
            if getattr(self, name) is not None
        }
        fixed = _fixed_money(self.fixed_amount, self.currency or mandate_currency)
        if fixed is not None:
            changes["fixed_amount"] = fixed
        return changes


def _fixed_money(amount: str | None, currency: str) -> Money | None:
    """The fixed amount as Money; a bad currency or too many decimals names `fixed_amount`."""
    if amount is None:
        return None
    try:
        return Money(amount, currency)
    except ValidationError as error:
        field = "currency" if error.field == "currency" else "fixed_amount"
        raise ValidationError(field, error.reason) from None


def _decimal_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(
            _('send the amount as a decimal string such as "120.50", not a JSON number')
        )
    return value


def _not_in_future(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise ValueError(_("must not be in the future"))
    return value
