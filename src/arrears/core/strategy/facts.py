"""The facts a strategy may test: one registry, a scalar form and a frame form.

A strategy's conditions name facts about an account, its borrower and its collection case
(`days_past_due`, `balance`, `promise_status` …). `FACTS` is the one list of them, with each
fact's type and meaning, so the expression parser can check a condition before it ever runs.

Two forms carry the values, and both evaluators read exactly the same data:

* scalar — `AccountFacts`, one frozen dataclass per account; amounts are `Decimal` major units
  (``Decimal("6200.00")``), exact to the currency's minor unit;
* frame — a Polars frame with one row per account (`facts_schema()`); amounts are int64 minor
  units in ``<name>_minor`` columns, with ``minor_exponent`` per row (2 for CNY/USD, 0 for JPY).

`facts_frame` turns scalar facts into a frame (tests, `strategy explain`); the nightly batch
builds the frame straight from the database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from arrears.core.errors import ValidationError
from arrears.core.money import minor_units


class FactType(enum.StrEnum):
    """What kind of value a fact holds."""

    INT = "int"  # a whole number (days, counts, ids, scores)
    MONEY = "money"  # an amount in the account's currency
    BOOL = "bool"  # true or false
    STR = "str"  # text: a code or an id

    @property
    def described(self) -> str:
        return {
            FactType.INT: "a whole number",
            FactType.MONEY: "an amount",
            FactType.BOOL: "true or false",
            FactType.STR: "text",
        }[self]


@dataclass(frozen=True)
class Fact:
    """One fact a condition may name: its type, whether it may be unknown, what it means."""

    name: str
    type: FactType
    doc: str
    nullable: bool = False
    choices: tuple[str, ...] = ()  # the only values a text fact takes, when the list is closed

    @property
    def column(self) -> str:
        """The column that holds it in a frame (amounts: minor units)."""
        return f"{self.name}_minor" if self.type is FactType.MONEY else self.name


_I, _M, _B, _S = FactType.INT, FactType.MONEY, FactType.BOOL, FactType.STR

CASE_STAGES = ("pre_delinquency", "early", "mid", "late", "recovery", "legal", "agency")
PROMISE_STATUSES = ("none", "live", "kept", "broken")
PRODUCT_KINDS = ("card", "loan")
LANGUAGES = ("zh-hans", "en")
JURISDICTIONS = ("CN", "US", "UK", "EU", "IE")

_ALL = (
    Fact("account_id", _I, "The account's id."),
    Fact("borrower_id", _I, "The borrower's id."),
    Fact("product", _S, "The product code, e.g. cn-card-classic."),
    Fact("product_kind", _S, "card or loan.", choices=PRODUCT_KINDS),
    Fact("currency", _S, "The account's ISO currency, e.g. CNY."),
    Fact("days_past_due", _I, "Days past due (逾期天数); 0 when current."),
    Fact("bucket", _S, "The delinquency bucket code (账龄), e.g. current, M1, M2."),
    Fact("balance", _M, "Total outstanding: principal, interest and fees."),
    Fact("past_due", _M, "What fell due and is unpaid."),
    Fact("risk_score", _I, "The collection risk score; unknown when not scored.", nullable=True),
    Fact("case_stage", _S, "The collection case's stage.", choices=CASE_STAGES),
    Fact("days_in_case", _I, "Days since the collection case opened."),
    Fact("promise_status", _S, "The latest promise to pay (承诺还款).", choices=PROMISE_STATUSES),
    Fact("broken_promises", _I, "Promises to pay broken in this case."),
    Fact("last_disposition", _S, "The last contact's disposition, '' when none."),
    Fact("no_answer_streak", _I, "Consecutive call attempts nobody answered."),
    Fact("right_party_contacts_30d", _I, "Right-party contacts (本人接通) in the last 30 days."),
    Fact(
        "days_since_last_contact",
        _I,
        "Days since the last contact attempt; unknown when there was none.",
        nullable=True,
    ),
    Fact(
        "engaged_recently",
        _B,
        "A payment, promise, inbound contact or plan within the back-off window.",
    ),
    Fact("hardship", _B, "The borrower has told us of financial difficulty (还款困难)."),
    Fact("vulnerable", _B, "The borrower is a vulnerable customer (特殊群体客户)."),
    Fact("dispute_open", _B, "A dispute (异议) is open on the account."),
    Fact("on_plan", _B, "The account is on a repayment plan."),
    Fact("language", _S, "The borrower's language.", choices=LANGUAGES),
    Fact("jurisdiction", _S, "The jurisdiction whose rules apply.", choices=JURISDICTIONS),
    Fact("has_valid_phone", _B, "The borrower has a phone number not marked bad."),
    Fact("has_valid_email", _B, "The borrower has an e-mail address not marked bad."),
    Fact("last_step", _S, "The id of the last treatment step done in this case, '' when none."),
    Fact(
        "days_since_last_step",
        _I,
        "Days since the last treatment step; unknown when none was done.",
        nullable=True,
    ),
)

#: Every fact a condition may name, by name, in a stable order.
FACTS: Mapping[str, Fact] = {fact.name: fact for fact in _ALL}

#: The frame column that holds the currency's minor-unit exponent of each row.
MINOR_EXPONENT = "minor_exponent"

FactValue = int | Decimal | bool | str | None

_DTYPES: dict[FactType, type[pl.DataType]] = {
    FactType.INT: pl.Int64,
    FactType.MONEY: pl.Int64,
    FactType.BOOL: pl.Boolean,
    FactType.STR: pl.String,
}


def facts_schema() -> dict[str, pl.DataType]:
    """The columns of a facts frame and their types (amounts as int64 minor units)."""
    schema: dict[str, pl.DataType] = {f.column: _DTYPES[f.type]() for f in _ALL}
    schema[MINOR_EXPONENT] = pl.Int64()
    return schema


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountFacts:
    """The facts about one account, as a strategy sees them (amounts in major units)."""

    account_id: int
    borrower_id: int
    product: str
    product_kind: str
    currency: str
    days_past_due: int
    bucket: str
    balance: Decimal
    past_due: Decimal
    risk_score: int | None
    case_stage: str
    days_in_case: int
    promise_status: str
    broken_promises: int
    last_disposition: str
    no_answer_streak: int
    right_party_contacts_30d: int
    days_since_last_contact: int | None
    engaged_recently: bool
    hardship: bool
    vulnerable: bool
    dispute_open: bool
    on_plan: bool
    language: str
    jurisdiction: str
    has_valid_phone: bool
    has_valid_email: bool
    last_step: str
    days_since_last_step: int | None

    @property
    def minor_exponent(self) -> int:
        """Decimal places of the account's currency (what a frame stores per row)."""
        return minor_units(self.currency)

    def value(self, name: str) -> FactValue:
        """A fact's value by name."""
        value: FactValue = getattr(self, name)
        return value


def minor_of(amount: Decimal, exponent: int, *, field: str) -> int:
    """An amount in whole minor units; refuses one finer than the currency's minor unit."""
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValidationError(field, f"{amount} has more than {exponent} decimal places")
    return int(scaled)


def frame_row(facts: AccountFacts) -> dict[str, FactValue]:
    """One account's facts as a frame row (amounts in minor units)."""
    exponent = facts.minor_exponent
    row: dict[str, FactValue] = {}
    for fact in _ALL:
        value = facts.value(fact.name)
        if fact.type is FactType.MONEY and isinstance(value, Decimal):
            value = minor_of(value, exponent, field=fact.name)
        row[fact.column] = value
    row[MINOR_EXPONENT] = exponent
    return row


def facts_frame(accounts: Iterable[AccountFacts]) -> pl.DataFrame:
    """Scalar facts as a frame with `facts_schema()`, one row per account, in order."""
    return pl.DataFrame([frame_row(a) for a in accounts], schema=facts_schema(), orient="row")


def account_facts(row: Mapping[str, object]) -> AccountFacts:
    """One frame row (a mapping of column → value) back as scalar facts."""
    values: dict[str, object] = {}
    exponent = row.get(MINOR_EXPONENT)
    for fact in _ALL:
        value = row.get(fact.column)
        if fact.type is FactType.MONEY and isinstance(value, int) and isinstance(exponent, int):
            value = Decimal(value).scaleb(-exponent)
        values[fact.name] = value
    return AccountFacts(**values)  # type: ignore[arg-type]
