"""Promises to pay (承诺还款): matching payments to promised instalments, kept or broken.

A promise is one or more instalments (due date, amount) taken on a day, judged with a grace
period: an instalment's *deadline* is its due date plus the grace days. The rules:

- Payments count from the day the promise was taken, in date order. Each pays the earliest
  instalment that still has something outstanding *and* whose deadline has not passed on the
  payment's day. Money beyond an instalment rolls forward to the next one (paying two
  instalments at once keeps both); a payment after an instalment's deadline goes to the later
  instalments, never back to a missed one; what is left over is surplus.
- An instalment is **kept** when it is paid in full (within `tolerance`) by its deadline,
  **pending** until its deadline while it is not, and after the deadline **partly kept** when at
  least `partly_kept_share` of it (and more than nothing) was paid, else **broken**.
- The promise is **broken** as soon as one instalment is, on that instalment's deadline + 1 day
  (`broken_on`); **kept** when every instalment is kept; **partly kept** when all are settled
  and some only partly; **live** otherwise.
- The treatment is paused from the day the promise is taken until `resume_on`: the day after
  the last instalment's deadline, or `broken_on` when it breaks — Oracle BRM's "suspend
  collection actions until the day after the last instalment; resume if broken", with grace.

Money is exact (`Money`, Decimal); nothing is rounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from arrears.core.errors import ValidationError
from arrears.core.money import Money, total

_MAX_GRACE_DAYS = 30


class InstalmentStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


class PromiseStatus(StrEnum):
    LIVE = "live"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class PromisedInstalment:
    due_on: dt.date
    amount: Money


@dataclass(frozen=True, slots=True)
class Payment:
    paid_on: dt.date
    amount: Money


@dataclass(frozen=True)
class Promise:
    """What the borrower promised, and how strictly it is judged."""

    taken_on: dt.date
    instalments: tuple[PromisedInstalment, ...]
    grace_days: int = 0
    tolerance: Money | None = None  # a shortfall up to this still keeps an instalment
    partly_kept_share: Decimal = Decimal(0)  # below this share of an instalment: broken

    def __post_init__(self) -> None:
        if not self.instalments:
            raise ValidationError("instalments", "a promise has at least one instalment")
        currency = self.currency
        previous: dt.date | None = None
        for i, instalment in enumerate(self.instalments):
            where = f"instalments[{i}]"
            if instalment.amount.currency != currency:
                raise ValidationError(f"{where}.amount", f"is not in {currency}")
            if not instalment.amount.amount > 0:
                raise ValidationError(f"{where}.amount", "must be more than zero")
            if instalment.due_on < self.taken_on:
                raise ValidationError(f"{where}.due_on", "is before the promise was taken")
            if previous is not None and instalment.due_on <= previous:
                raise ValidationError(f"{where}.due_on", "must be after the previous instalment")
            previous = instalment.due_on
        if not 0 <= self.grace_days <= _MAX_GRACE_DAYS:
            raise ValidationError("grace_days", f"must be between 0 and {_MAX_GRACE_DAYS}")
        if self.tolerance is not None and (
            self.tolerance.currency != currency or self.tolerance.is_negative()
        ):
            raise ValidationError("tolerance", f"must be an amount in {currency}, not negative")
        if not Decimal(0) <= self.partly_kept_share <= Decimal(1):
            raise ValidationError("partly_kept_share", "must be between 0 and 1")

    @property
    def currency(self) -> str:
        return self.instalments[0].amount.currency

    @property
    def amount(self) -> Money:
        return total((i.amount for i in self.instalments), self.currency)

    def deadline(self, instalment: PromisedInstalment) -> dt.date:
        """The last day a payment still counts for the instalment."""
        return instalment.due_on + dt.timedelta(days=self.grace_days)

    @property
    def last_deadline(self) -> dt.date:
        return self.deadline(self.instalments[-1])


@dataclass(frozen=True, slots=True)
class InstalmentOutcome:
    instalment: PromisedInstalment
    deadline: dt.date
    status: InstalmentStatus
    paid: Money
    shortfall: Money
    kept_on: dt.date | None = None  # the day it was paid (within tolerance)
    broken_on: dt.date | None = None  # deadline + 1 for a broken instalment


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    status: PromiseStatus
    instalments: tuple[InstalmentOutcome, ...]
    paid: Money  # what went to the promised instalments
    surplus: Money  # paid beyond the promise (or too late for any instalment)
    taken_on: dt.date
    resume_on: dt.date  # the day the paused treatment resumes
    broken_on: dt.date | None = None
    kept_on: dt.date | None = None

    def pauses_treatment_on(self, day: dt.date) -> bool:
        """The treatment waits while the promise runs: from taken_on until resume_on."""
        return self.taken_on <= day < self.resume_on


def judge_promise(
    promise: Promise, payments: Iterable[Payment], *, as_of: dt.date
) -> PromiseOutcome:
    """The promise's status on `as_of`, from the payments received by then."""
    received = _payments(promise, payments, as_of)
    tolerance = promise.tolerance.amount if promise.tolerance is not None else Decimal(0)
    owed = [i.amount.amount for i in promise.instalments]
    paid = [Decimal(0)] * len(owed)
    kept_on: list[dt.date | None] = [None] * len(owed)
    deadlines = [promise.deadline(i) for i in promise.instalments]
    surplus = Decimal(0)
    for payment in received:
        left = payment.amount.amount
        for i, deadline in enumerate(deadlines):
            if left == 0:
                break
            if deadline < payment.paid_on or paid[i] >= owed[i]:
                continue
            share = min(left, owed[i] - paid[i])
            paid[i] += share
            left -= share
            if kept_on[i] is None and owed[i] - paid[i] <= tolerance:
                kept_on[i] = payment.paid_on
        surplus += left
    outcomes = tuple(_instalment(promise, i, paid[i], kept_on[i], as_of) for i in range(len(owed)))
    return _promise(promise, outcomes, surplus)


def _payments(promise: Promise, payments: Iterable[Payment], as_of: dt.date) -> list[Payment]:
    counted = []
    for i, payment in enumerate(payments):
        if payment.amount.currency != promise.currency:
            raise ValidationError(f"payments[{i}].amount", f"is not in {promise.currency}")
        if not payment.amount.amount > 0:
            raise ValidationError(f"payments[{i}].amount", "must be more than zero")
        if promise.taken_on <= payment.paid_on <= as_of:
            counted.append(payment)
    return sorted(counted, key=lambda p: p.paid_on)


def _instalment(
    promise: Promise, index: int, paid: Decimal, kept_on: dt.date | None, as_of: dt.date
) -> InstalmentOutcome:
    instalment = promise.instalments[index]
    deadline = promise.deadline(instalment)
    currency = promise.currency
    broken_on = None
    if kept_on is not None:
        status = InstalmentStatus.KEPT
    elif as_of <= deadline:
        status = InstalmentStatus.PENDING
    elif paid > 0 and paid >= promise.partly_kept_share * instalment.amount.amount:
        status = InstalmentStatus.PARTLY_KEPT
    else:
        status = InstalmentStatus.BROKEN
        broken_on = deadline + dt.timedelta(days=1)
    return InstalmentOutcome(
        instalment=instalment,
        deadline=deadline,
        status=status,
        paid=Money(paid, currency),
        shortfall=Money(instalment.amount.amount - paid, currency),
        kept_on=kept_on,
        broken_on=broken_on,
    )


def _promise(
    promise: Promise, outcomes: tuple[InstalmentOutcome, ...], surplus: Decimal
) -> PromiseOutcome:
    currency = promise.currency
    statuses = [o.status for o in outcomes]
    broken_on = next((o.broken_on for o in outcomes if o.broken_on is not None), None)
    kept_on = None
    if broken_on is not None:
        status = PromiseStatus.BROKEN
    elif InstalmentStatus.PENDING in statuses:
        status = PromiseStatus.LIVE
    elif InstalmentStatus.PARTLY_KEPT in statuses:
        status = PromiseStatus.PARTLY_KEPT
    else:
        status = PromiseStatus.KEPT
        kept_on = max(o.kept_on or o.deadline for o in outcomes)
    return PromiseOutcome(
        status=status,
        instalments=outcomes,
        paid=total((o.paid for o in outcomes), currency),
        surplus=Money(surplus, currency),
        resume_on=broken_on or promise.last_deadline + dt.timedelta(days=1),
        broken_on=broken_on,
        kept_on=kept_on,
        taken_on=promise.taken_on,
    )
