"""Where the account stands when the borrower asks for help: what is owed and on what terms.

The shell reads the ledger and the product terms and builds an `AccountPosition`; the options
are priced from it. For a card, "the contract" is the minimum payment: `remaining_months` is how
long that payment would take to clear the balance (`months_to_repay` works it out).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext

from arrears.core.errors import ValidationError
from arrears.core.hardship import _read as read
from arrears.core.interest import PRECISION, checked_apr
from arrears.core.money import Money, Rounding, minor_units
from arrears.core.products import JURISDICTIONS, CardTerms, LoanTerms
from arrears.core.schedule import MAX_MONTHS, RepaymentMethod, monthly_rate


class ProductKind(enum.StrEnum):
    CARD = "card"
    LOAN = "loan"


@dataclass(frozen=True, kw_only=True)
class AccountPosition:
    """What is owed on `as_of`, split as the ledger holds it, and the contract it runs on.

    `principal` bears interest at `apr`; `interest` and `fees` are what is billed or accrued and
    unpaid (arrears included). Plans start on `as_of`: the first instalment falls due on
    `repayment_day` of the next month (default: as_of's day), like `core.schedule`.
    """

    product_kind: ProductKind
    jurisdiction: str
    currency: str
    principal: Money
    interest: Money
    fees: Money
    apr: Decimal
    contractual_instalment: Money  # the loan's instalment, or the card's minimum payment
    remaining_months: int  # instalments left on the contract (card: months to repay)
    as_of: date
    method: RepaymentMethod = RepaymentMethod.ANNUITY
    repayment_day: int | None = None
    rounding: Rounding = Rounding.HALF_UP

    def __post_init__(self) -> None:
        _set(self, "product_kind", read.choice("product_kind", self.product_kind, ProductKind))
        if self.jurisdiction not in JURISDICTIONS:
            raise ValidationError(
                "jurisdiction",
                f"must be one of {', '.join(JURISDICTIONS)}, got {self.jurisdiction!r}",
            )
        minor_units(self.currency)
        for name in ("principal", "interest", "fees", "contractual_instalment"):
            self._check_amount(name, getattr(self, name))
        if self.owed.is_zero():
            raise ValidationError("principal", "nothing is owed: there is nothing to plan")
        checked_apr(self.apr)
        if self.apr > 100:
            raise ValidationError("apr", f"must be a percent 0..100, got {self.apr}")
        read.whole("remaining_months", self.remaining_months, low=1, high=MAX_MONTHS)
        if not isinstance(self.as_of, date):
            raise ValidationError("as_of", "must be a date")
        _set(self, "method", read.choice("method", self.method, RepaymentMethod))
        _set(self, "rounding", read.choice("rounding", self.rounding, Rounding))
        if self.repayment_day is None:
            _set(self, "repayment_day", self.as_of.day)
        read.whole("repayment_day", self.repayment_day, low=1, high=31)

    def _check_amount(self, name: str, amount: object) -> None:
        if not isinstance(amount, Money):
            raise ValidationError(name, "must be an amount of money")
        if amount.currency != self.currency:
            raise ValidationError(name, f"is in {amount.currency}, the account in {self.currency}")
        if amount.is_negative():
            raise ValidationError(name, f"cannot be negative, got {amount}")

    @property
    def owed(self) -> Money:
        """Everything owed today: principal, interest and fees."""
        return self.principal + self.interest + self.fees

    @property
    def day(self) -> int:
        """The repayment day, never None once the position is built."""
        assert self.repayment_day is not None  # set in __post_init__
        return self.repayment_day


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def months_to_repay(balance: Money, apr: Decimal, payment: Money) -> int:
    """How many monthly payments of `payment` clear `balance` at `apr` (a card's contract).

    n = −ln(1 − r·B/A) / ln(1 + r), rounded up; refused when the payment does not even cover a
    month's interest, because then the balance never falls.
    """
    if payment.currency != balance.currency:
        raise ValidationError("payment", "must be in the currency of the balance")
    if payment.amount <= 0:
        raise ValidationError("payment", "must be more than zero")
    rate = monthly_rate(apr)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if rate == 0:
            months = (balance.amount / payment.amount).to_integral_value(rounding=ROUND_CEILING)
        else:
            covered = 1 - rate * balance.amount / payment.amount
            if covered <= 0:
                raise ValidationError(
                    "payment", f"{payment} does not cover a month's interest on {balance}"
                )
            exact = -covered.ln() / (1 + rate).ln()
            months = exact.to_integral_value(rounding=ROUND_CEILING)
    return max(1, min(int(months), MAX_MONTHS))


def position_from_terms(
    terms: CardTerms | LoanTerms,
    *,
    principal: Money,
    interest: Money,
    fees: Money,
    contractual_instalment: Money,
    as_of: date,
    remaining_months: int | None = None,
    repayment_day: int | None = None,
    apr: Decimal | None = None,
) -> AccountPosition:
    """A position on a product's terms: currency, rounding, jurisdiction, APR and method.

    A card's APR is its purchase rate unless `apr` is given (a blend over balance types, say),
    and its `remaining_months` defaults to how long the minimum payment takes to clear what is
    owed. A loan needs `remaining_months` (the instalments left on its schedule).
    """
    if isinstance(terms, LoanTerms):
        kind, method, rate = ProductKind.LOAN, RepaymentMethod(terms.method), terms.apr
        if remaining_months is None:
            raise ValidationError("remaining_months", "a loan needs the instalments left")
    else:
        kind, method, rate = (
            ProductKind.CARD,
            RepaymentMethod.ANNUITY,
            terms.balance_type("purchase").apr,
        )
    rate = rate if apr is None else apr
    if remaining_months is None:
        owed = principal + interest + fees
        try:
            remaining_months = months_to_repay(owed, rate, contractual_instalment)
        except ValidationError as error:
            raise ValidationError("contractual_instalment", error.reason) from None
    return AccountPosition(
        product_kind=kind,
        jurisdiction=terms.jurisdiction,
        currency=terms.currency,
        principal=principal,
        interest=interest,
        fees=fees,
        apr=rate,
        contractual_instalment=contractual_instalment,
        remaining_months=remaining_months,
        as_of=as_of,
        method=method,
        repayment_day=repayment_day,
        rounding=terms.rounding,
    )
