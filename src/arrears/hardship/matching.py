"""Which plan instalments the borrower's payments kept: one rule for the review and for ageing.

Payments reach the ledger as ordinary payments (`servicing.post_payment`); the plan does not
own them. Every payment received on or after the plan started counts towards its instalments in
due order, oldest first, and a payment larger than an instalment carries to the next (paying
ahead is allowed). An instalment is

- **kept** when the payments had covered it by its due date,
- **kept late** when they covered it within the plan's grace days after it,
- **missed** when the grace days passed without it being covered: the plan is broken,
- **due** otherwise (not yet due, or within the grace days).

An instalment of nothing (a payment-holiday month) is kept on its due date. Pure: no database,
so the nightly review and the ageing hook apply exactly the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arrears.hardship.choices import InstalmentStatus


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: dt.date
    amount_minor: int


@dataclass(frozen=True)
class Standing:
    """How one instalment stands on a date."""

    number: int
    due_on: dt.date
    amount_minor: int
    paid_minor: int
    paid_on: dt.date | None  # the day the payments covered it in full
    status: InstalmentStatus

    @property
    def unpaid_minor(self) -> int:
        return self.amount_minor - self.paid_minor


def match_payments(
    instalments: Sequence[Instalment],
    payments: Iterable[tuple[dt.date, int]],
    *,
    as_of: dt.date,
    grace_days: int,
) -> list[Standing]:
    """Each instalment's standing on `as_of`, from (received_on, minor units) payments.

    Payments received after `as_of` are not counted; the caller passes only those received
    since the plan started.
    """
    received = sorted((on, minor) for on, minor in payments if on <= as_of and minor > 0)
    grace = dt.timedelta(days=grace_days)
    standings: list[Standing] = []
    pool = 0  # received so far and not yet used
    cursor = 0
    for instalment in sorted(instalments, key=lambda i: (i.due_on, i.number)):
        need = instalment.amount_minor
        paid_on: dt.date | None = None
        while pool < need and cursor < len(received):
            on, minor = received[cursor]
            pool += minor
            cursor += 1
            paid_on = on
        paid = min(pool, need)
        pool -= paid
        covered = paid == need
        if covered and need == 0:
            paid_on = instalment.due_on if instalment.due_on <= as_of else None
            covered = paid_on is not None
        elif covered and paid_on is None:  # covered by what an earlier payment left over
            paid_on = received[cursor - 1][0]
        status = _status(instalment, covered, paid_on, as_of, grace)
        standings.append(
            Standing(
                number=instalment.number,
                due_on=instalment.due_on,
                amount_minor=need,
                paid_minor=paid,
                paid_on=paid_on if covered else None,
                status=status,
            )
        )
    return standings


def _status(
    instalment: Instalment,
    covered: bool,
    paid_on: dt.date | None,
    as_of: dt.date,
    grace: dt.timedelta,
) -> InstalmentStatus:
    if covered and paid_on is not None:
        if paid_on <= instalment.due_on:
            return InstalmentStatus.KEPT
        if paid_on <= instalment.due_on + grace:
            return InstalmentStatus.KEPT_LATE
        return InstalmentStatus.MISSED
    if as_of > instalment.due_on + grace:
        return InstalmentStatus.MISSED
    return InstalmentStatus.DUE


def on_time_run_completed(standings: Sequence[Standing], payments_needed: int) -> int | None:
    """The number of the instalment that completes `payments_needed` consecutive on-time
    payments (instalments of nothing are skipped, a late or missed one starts again), or None.
    """
    if payments_needed <= 0:
        return None
    run = 0
    for standing in standings:
        if standing.amount_minor == 0:
            continue
        if standing.status is InstalmentStatus.KEPT:
            run += 1
            if run >= payments_needed:
                return standing.number
        else:
            run = 0
    return None


def first_missed(standings: Sequence[Standing]) -> Standing | None:
    return next((s for s in standings if s.status is InstalmentStatus.MISSED), None)


def all_paid(standings: Sequence[Standing]) -> bool:
    return bool(standings) and all(
        s.status in (InstalmentStatus.KEPT, InstalmentStatus.KEPT_LATE) for s in standings
    )
