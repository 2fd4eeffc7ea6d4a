"""The payment waterfall (还款冲抵顺序): which amounts owed a payment pays, and in what order.

A payment is split over the borrower's dues without losing or creating a minor unit: whatever
the dues cannot absorb is `unapplied` (an overpayment, held as a credit balance).

Two methods:

- ``OLDEST_FIRST`` — the common rule for loans and for cards outside the US: what fell due
  longest ago is paid first, and within one due date the product's component order
  (fees → interest → principal by default). Amounts not yet due come last.
- ``US_HIGHEST_APR_ABOVE_MINIMUM`` — US Reg Z 12 CFR 1026.53(a): an issuer may allocate the
  minimum payment as it likes (here: oldest first), but any amount *above* the minimum must go to
  the balance with the highest APR first. Our choice, kept simple: money above the minimum first
  clears whatever fees and interest are still unpaid (in the oldest-first order), then principal
  balances by APR, highest first (older before newer on an equal APR). Reg Z also lets an
  issuer treat fees and interest as part of the balance they were charged on; we do not, so the
  borrower never carries fees or interest while principal is paid.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.money import Money, total


class Component(enum.StrEnum):
    """What part of the debt an amount is (本金 / 利息 / 费用)."""

    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


#: The usual order within one due date: fees, then interest, then principal.
DEFAULT_ORDER: tuple[Component, ...] = (Component.FEES, Component.INTEREST, Component.PRINCIPAL)


class AllocationMethod(enum.StrEnum):
    """How a product spreads a payment over what the borrower owes."""

    OLDEST_FIRST = "oldest_first"
    US_HIGHEST_APR_ABOVE_MINIMUM = "us_reg_z"


@dataclass(frozen=True)
class Due:
    """One amount the borrower owes, as the ledger sees it."""

    key: str  # the ledger book it pays, e.g. "principal:purchase", "interest:cash", "fees:late"
    component: Component
    balance_type: str  # "purchase", "cash", "promo", "loan", ...
    apr: Decimal
    due_on: date | None  # when it fell due; None = billed later / not yet due (paid last)
    amount: Money


@dataclass(frozen=True)
class Allocation:
    """The part of a payment that goes to one due."""

    key: str
    due_on: date | None
    amount: Money


@dataclass(frozen=True)
class AllocationResult:
    """Where a payment went: one allocation per due it reached, in the order paid."""

    allocations: tuple[Allocation, ...]
    unapplied: Money  # overpayment: becomes a credit balance

    @property
    def applied(self) -> Money:
        """How much of the payment reached the dues."""
        return total((a.amount for a in self.allocations), self.unapplied.currency)


def allocate_payment(
    payment: Money,
    dues: Sequence[Due],
    *,
    order: Sequence[Component] = DEFAULT_ORDER,
    method: AllocationMethod = AllocationMethod.OLDEST_FIRST,
    minimum_due: Money | None = None,
) -> AllocationResult:
    """Split a payment over the dues by the product's waterfall.

    No due receives more than its amount; zero dues are skipped; what is left is `unapplied`.
    `minimum_due` (the statement's minimum payment) is required by the US Reg Z method, because
    only the amount above it has to go to the highest APR.
    """
    _check_payment(payment, dues)
    rank = _component_rank(order)
    method = _method(method)
    owing = [i for i, due in enumerate(dues) if not due.amount.is_zero()]
    waterfall = sorted(owing, key=lambda i: _oldest_first(dues[i], rank))
    left = [due.amount for due in dues]
    paid: dict[int, Money] = {}
    if method is AllocationMethod.OLDEST_FIRST:
        unapplied = _pay_down(payment, waterfall, left, paid)
    else:
        minimum = _minimum_for_reg_z(minimum_due, payment.currency)
        minimum_part = payment.min(minimum)
        spare = _pay_down(minimum_part, waterfall, left, paid)
        unapplied = _pay_down(
            payment - minimum_part + spare, _above_minimum(waterfall, dues), left, paid
        )
    allocations = tuple(
        Allocation(dues[i].key, dues[i].due_on, amount) for i, amount in paid.items()
    )
    return AllocationResult(allocations, unapplied)


def _pay_down(
    money: Money, queue: Iterable[int], left: list[Money], paid: dict[int, Money]
) -> Money:
    """Pay each due in the queue as far as the money goes; return what is left of it."""
    for i in queue:
        if money.is_zero():
            break
        share = money.min(left[i])
        if share.is_zero():
            continue
        left[i] -= share
        paid[i] = paid[i] + share if i in paid else share
        money -= share
    return money


def _oldest_first(due: Due, rank: dict[Component, int]) -> tuple[bool, date, int, Decimal, str]:
    """Fallen-due before not-yet-due, oldest date, component order, highest APR, then key."""
    return (due.due_on is None, due.due_on or date.min, rank[due.component], -due.apr, due.key)


def _above_minimum(waterfall: list[int], dues: Sequence[Due]) -> list[int]:
    """Reg Z order for money above the minimum: fees and interest, then principal by APR."""
    charges = [i for i in waterfall if dues[i].component is not Component.PRINCIPAL]
    principal = [i for i in waterfall if dues[i].component is Component.PRINCIPAL]
    return charges + sorted(principal, key=lambda i: -dues[i].apr)  # stable: older first on a tie


def _check_payment(payment: Money, dues: Sequence[Due]) -> None:
    if payment.is_negative():
        raise ValidationError("payment", "cannot be negative; a refund is not a payment")
    for i, due in enumerate(dues):
        if due.amount.currency != payment.currency:
            raise ValidationError(
                f"dues[{i}].amount",
                f"is in {due.amount.currency} but the payment is in {payment.currency}",
            )
        if due.amount.is_negative():
            raise ValidationError(f"dues[{i}].amount", "cannot be negative; a credit is not a due")


def component_order(
    order: Sequence[Component | str], *, field: str = "order"
) -> tuple[Component, ...]:
    """A product's component order, checked to name fees, interest and principal once each."""
    try:
        components = tuple(Component(c) for c in order)
    except (TypeError, ValueError):
        components = ()
    if isinstance(order, str) or sorted(components) != sorted(Component):
        names = ", ".join(c.value for c in Component)
        raise ValidationError(field, f"must name each of {names} exactly once")
    return components


def _component_rank(order: Sequence[Component]) -> dict[Component, int]:
    return {c: n for n, c in enumerate(component_order(order))}


def _method(method: AllocationMethod) -> AllocationMethod:
    try:
        return AllocationMethod(method)
    except ValueError:
        names = ", ".join(m.value for m in AllocationMethod)
        raise ValidationError("method", f"must be one of {names}") from None


def _minimum_for_reg_z(minimum_due: Money | None, currency: str) -> Money:
    if minimum_due is None:
        raise ValidationError(
            "minimum_due", "the US highest-APR method needs the statement's minimum payment"
        )
    if minimum_due.currency != currency:
        raise ValidationError(
            "minimum_due", f"is in {minimum_due.currency} but the payment is in {currency}"
        )
    if minimum_due.is_negative():
        raise ValidationError("minimum_due", "cannot be negative")
    return minimum_due
