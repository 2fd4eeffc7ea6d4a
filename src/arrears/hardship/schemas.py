"""Input and output schemas of the hardship API.

`StatementIn` is the financial statement of `core.hardship.assessment.parse_statement` — the
same JSON as `arrears plan options ACCOUNT --assessment FILE.json` — described field by field for
the OpenAPI document; the core then checks what a schema cannot (regions, currencies, the parts
against each other) and names the field it refuses. Amounts are decimal strings, never floats.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from arrears.common.schemas import InputSchema, MoneyOut, Text
from arrears.hardship.choices import (
    AcceptedVia,
    AssessmentSource,
    Employment,
    HardshipReason,
    Vulnerability,
)

#: A monthly amount in major units, as a string: "1800.00".
Amount = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,4})?$", max_length=17)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Line = Annotated[Text, StringConstraints(min_length=1, max_length=200)]


# --- the financial statement --------------------------------------------------------------------
class HouseholdIn(InputSchema):
    adults: int = Field(default=1, ge=1, le=20, description="the borrower included")
    dependants: int = Field(default=0, ge=0, le=20)


class IncomeIn(InputSchema):
    source: Code = Field(
        description="wages, self_employment, benefits, pension, support_received, "
        "household_contribution or other",
        examples=["wages"],
    )
    amount: Amount = Field(description="a month, after tax", examples=["1800.00"])


class ExpenseIn(InputSchema):
    category: Code = Field(
        description="housing, utilities, local_taxes, insurance, food_housekeeping, "
        "personal_care, communications, transport, childcare, education, healthcare, "
        "support_paid, other_living (essential); leisure, eating_out, subscriptions, "
        "gifts_donations, other_non_essential",
        examples=["housing"],
    )
    amount: Amount = Field(description="a month", examples=["1500.00"])


class OtherDebtIn(InputSchema):
    creditor: Line
    balance: Amount
    monthly_payment: Amount
    priority: bool = Field(default=False, description="rent, tax or energy arrears")


class StatementIn(InputSchema):
    """A borrower's financial statement: monthly amounts in one currency (the account's)."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(examples=["CNY"])
    region: Code = Field(
        description="spending norms region, e.g. CN-T2, GB, US", examples=["CN-T2"]
    )
    household: HouseholdIn | None = None
    employment: Employment = Employment.EMPLOYED
    incomes: Annotated[list[IncomeIn], Field(max_length=50)] = Field(default_factory=list)
    expenses: Annotated[list[ExpenseIn], Field(max_length=100)] = Field(default_factory=list)
    other_debts: Annotated[list[OtherDebtIn], Field(max_length=50)] = Field(default_factory=list)
    reason: HardshipReason = HardshipReason.OTHER
    temporary: bool = False
    expected_recovery_months: int | None = Field(default=None, ge=1, le=60)
    income_after_recovery: Amount | None = None
    lump_sum_available: Amount | None = None
    vulnerabilities: Annotated[list[Vulnerability], Field(max_length=4)] = Field(
        default_factory=list
    )

    def document(self) -> dict[str, Any]:
        """The statement as `parse_statement` reads it (fields left out stay out)."""
        return self.model_dump(mode="json", exclude_none=True)


class AssessmentIn(StatementIn):
    """A statement to store for the account's borrower, and who took it."""

    source: AssessmentSource = AssessmentSource.AGENT
    notes: Annotated[Text, StringConstraints(max_length=4000)] = ""

    def document(self) -> dict[str, Any]:
        return {k: v for k, v in super().document().items() if k not in ("source", "notes")}


# --- results ------------------------------------------------------------------------------------
class TextOut(Schema):
    en: str
    zh: str


class ReasonOut(Schema):
    key: str
    params: dict[str, Any]
    text: TextOut


class ExplanationLineOut(Schema):
    key: str = Field(description="what the line is, e.g. disposable_income")
    role: str = Field(description="add, subtract, detail, subtotal, result or note")
    amount: MoneyOut
    params: dict[str, Any]
    text: TextOut


class AffordabilityOut(Schema):
    currency: str
    income: MoneyOut
    essential_spending: MoneyOut
    other_debt_payments: MoneyOut
    disposable_income: MoneyOut
    affordable_payment: MoneyOut
    lump_sum_available: MoneyOut
    recovery_months: int | None
    affordable_after_recovery: MoneyOut | None
    explanation: list[ExplanationLineOut] = Field(
        description="how every figure was reached, in order"
    )


class PositionOut(Schema):
    product_kind: str
    jurisdiction: str
    currency: str
    principal: MoneyOut
    interest: MoneyOut
    fees: MoneyOut
    owed: MoneyOut
    apr: str = Field(description="percent a year, as a decimal string")
    contractual_instalment: MoneyOut
    remaining_months: int
    as_of: dt.date
    repayment_day: int | None


class PhaseOut(Schema):
    key: str
    months: int
    params: dict[str, Any]
    text: TextOut


class ScheduleRowOut(Schema):
    """One instalment; amounts are exact decimal strings in the option's currency."""

    number: int
    due_on: dt.date
    phase: str
    payment: str
    principal: str
    interest: str
    fees: str
    interest_added: str
    balance_after: str
    re_ages: bool


class OptionOut(Schema):
    id: str = Field(description="names the option when proposing a plan")
    kind: str
    text: TextOut
    recommended: bool
    fits: bool = Field(description="every instalment is within what the borrower can pay")
    first_unaffordable: int | None
    phases: list[PhaseOut]
    months: int
    first_payment: MoneyOut
    max_payment: MoneyOut
    total_payment: MoneyOut
    total_interest: MoneyOut
    total_fees: MoneyOut
    forgiven: MoneyOut
    owed_at_start: MoneyOut
    expected_value: MoneyOut = Field(description="to the lender, discounted and risk-weighted")
    monthly_failure_percent: str
    re_age_after_payments: int | None
    waive_annual_fee: bool = Field(description="a card's annual fee during the plan is waived")
    notes: list[ReasonOut]
    currency: str
    schedule: list[ScheduleRowOut]


class RecommendationOut(Schema):
    option_id: str | None = Field(description="none when no option fits: refer to debt advice")
    refer_to_debt_advice: bool
    reasons: list[ReasonOut]
    collection_value: MoneyOut | None


class DebtAdviceOut(Schema):
    code: str
    jurisdiction: str
    name: str
    phone: str
    url: str
    description: str
    is_free: bool
    contact_check: str = Field(description="official, secondary or unverified")
    check_note: str = Field(description="where the phone number and address were seen")


class AccountRef(Schema):
    id: int
    number: str


class PlanOptionsOut(Schema):
    account: AccountRef
    assessment_id: int | None
    as_of: dt.date
    position: PositionOut
    affordability: AffordabilityOut
    options: list[OptionOut]
    recommendation: RecommendationOut
    debt_advice_jurisdiction: str
    debt_advice: list[DebtAdviceOut] = Field(
        description="free debt advice to offer the borrower, in the request's language"
    )


class AssessmentOut(Schema):
    id: int
    borrower_id: int
    account_ids: list[int]
    source: str
    currency: str
    region: str
    employment: str
    reason: str
    temporary: bool
    vulnerabilities: list[str]
    is_vulnerable: bool
    statement: dict[str, Any]
    affordability: dict[str, Any]
    explanation: list[ExplanationLineOut]
    taken_on: dt.date
    taken_at: dt.datetime
    debt_advice: list[DebtAdviceOut] = Field(
        description="free debt advice to offer the borrower who reported difficulty"
    )


# --- plans --------------------------------------------------------------------------------------
class PlanIn(InputSchema):
    """Propose the option `option_id` (from the priced options) for the account."""

    account_id: int = Field(ge=1, le=2**63 - 1)
    assessment_id: int = Field(ge=1, le=2**63 - 1)
    option_id: Annotated[Text, StringConstraints(min_length=1, max_length=120)]
    as_of: dt.date | None = Field(default=None, description="the pricing date (default today)")


class AcceptIn(InputSchema):
    """The borrower agrees to the plan: through which channel, on which words."""

    via: AcceptedVia
    language: Annotated[str, StringConstraints(pattern=r"^(en|zh|zh-hans)$")] = Field(
        description="the language of the terms the borrower read", examples=["zh-hans"]
    )
    terms_digest: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None, description="the `terms_digest` of the plan as shown; refused if changed"
    )
    starts_on: dt.date | None = Field(default=None, description="default: today")


class InstalmentOut(Schema):
    number: int
    due_on: dt.date
    phase: str
    amount: MoneyOut
    paid: MoneyOut
    paid_on: dt.date | None
    status: str


class EventOut(Schema):
    kind: str
    happened_on: dt.date
    recorded_at: dt.datetime
    instalment_number: int | None
    detail: dict[str, Any]


class PlanOut(Schema):
    id: int
    account_id: int
    assessment_id: int
    option_id: str
    kind: str
    status: str
    currency: str
    priced_on: dt.date
    recommended: bool
    terms: dict[str, Any] = Field(description="the option as priced and shown")
    schedule: list[ScheduleRowOut]
    reasons: list[ReasonOut]
    terms_text: TextOut
    terms_digest: str
    total_payment: MoneyOut
    grace_days: int
    re_age_after: int | None
    ageing: str
    accepted_at: dt.datetime | None
    accepted_via: str
    terms_language: str
    terms_shown: str
    starts_on: dt.date | None
    activated_on: dt.date | None
    re_aged_on: dt.date | None
    completed_on: dt.date | None
    broken_on: dt.date | None
    cancelled_on: dt.date | None
    end_reason: str
    instalments: list[InstalmentOut]
    events: list[EventOut]


class RateOverrideOut(Schema):
    id: int
    from_on: dt.date
    until_on: dt.date | None
    apr: str = Field(description="percent per annum instead of the contract's")
    reason: str
    end_reason: str


class ScheduledInterestOut(Schema):
    number: int
    due_on: dt.date
    amount: MoneyOut
    capitalised: MoneyOut
    charged: bool
    cancelled_on: dt.date | None


class LedgerEntryOut(Schema):
    id: int
    kind: str = Field(description="waiver, settlement_discount or reversal")
    effective_on: dt.date
    idempotency_key: str
    memo: str
    amount: MoneyOut


class AdjustmentOut(Schema):
    entry_id: int
    obligation_id: int
    obligation_due_on: dt.date
    amount: MoneyOut
    principal: MoneyOut
    interest: MoneyOut


class PlanTermsOut(Schema):
    plan_id: int
    account_id: int
    status: str
    currency: str
    source: str = Field(description="how the ledger's records name the plan, e.g. plan:7")
    rate_overrides: list[RateOverrideOut]
    scheduled_interest: list[ScheduledInterestOut]
    entries: list[LedgerEntryOut]
    adjustments: list[AdjustmentOut] = Field(description="dues the waivers and discount lowered")


# --- education ----------------------------------------------------------------------------------
class EducationArticleOut(Schema):
    slug: str
    topic: str
    language: str
    title: str
    summary: str
    body: str


class LanguageQuery(Schema):
    lang: Annotated[str, StringConstraints(pattern=r"^(en|zh|zh-hans)$")] | None = Field(
        default=None, description="en or zh-hans (default: the request's language)"
    )


class EducationArticleFilters(LanguageQuery):
    topic: Code | None = None


class DebtAdviceFilters(LanguageQuery):
    jurisdiction: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        default=None, description="CN, US, UK (or GB), IE or EU; all when left out"
    )
