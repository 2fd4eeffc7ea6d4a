"""Interest agreed in advance, charged on its dates: a repayment plan's interest to the cent.

A plan (`arrears.hardship`) is priced month by month: each instalment says what new interest the
month adds, and how much of it is added to the principal (a payment holiday's capitalised
interest). While the plan is in force the contract's own interest is suspended (a 0 % rate
override) and the ledger charges exactly the plan's figures instead, so a borrower who pays
every instalment in full ends owing nothing, not a cent more or less.

- `schedule_interest` records the charges (`ScheduledInterest`), keyed by source and number;
- `post_scheduled_interest` charges those due by a date (interest +, income −) and adds the
  capitalised part to the principal (a `capitalisation` entry); the daily cycle calls it on the
  due date, and a payment calls it first, as it does for a loan's instalment interest;
- `cancel_scheduled_interest` drops the charges not yet made when the arrangement ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import AccountStatus, EntryKind, ProductKind
from arrears.servicing.models import Account, ScheduledInterest
from arrears.servicing.services.ledger import INCOME_INTEREST, post_entry


@dataclass(frozen=True)
class InterestCharge:
    """One agreed charge: its number in the source's schedule, its date, the interest, and the
    part of it added to the principal that day."""

    number: int
    due_on: dt.date
    amount: Money
    capitalised: Money | None = None


def balance_type_of(account: Account) -> str:
    """The balance type agreed interest is charged to and capitalised into."""
    return "loan" if account.kind == ProductKind.LOAN else "purchase"


@transaction.atomic
def schedule_interest(
    *,
    account: Account,
    source: str,
    charges: Sequence[InterestCharge],
    clock: Clock | None = None,
) -> list[ScheduledInterest]:
    """Record a source's interest charges; the same charges again change nothing, different
    ones for a source already scheduled are a Conflict."""
    source = (source or "").strip()
    if not source or len(source) > 60:
        raise ValidationError("source", _("is required (at most 60 characters)"))
    rows = [_row(account, source, i, charge, clock) for i, charge in enumerate(charges)]
    existing = list(ScheduledInterest.objects.filter(account=account, source=source))
    if existing:
        if {_shape(r) for r in existing} != {_shape(r) for r in rows}:
            raise Conflict(
                _("interest is already scheduled for %(source)s with other figures")
                % {"source": source}
            )
        return sorted(existing, key=lambda r: (r.due_on, r.number))
    if len({r.number for r in rows}) != len(rows):
        raise ValidationError("charges", _("each charge needs its own number"))
    return ScheduledInterest.objects.bulk_create(rows)


def _row(
    account: Account, source: str, index: int, charge: InterestCharge, clock: Clock | None
) -> ScheduledInterest:
    field = f"charges[{index}]"
    if not isinstance(charge.amount, Money) or charge.amount.currency != account.currency:
        raise ValidationError(f"{field}.amount", _("must be an amount in the account's currency"))
    if charge.amount.amount <= 0:
        raise ValidationError(f"{field}.amount", _("must be more than zero"))
    capitalised = charge.capitalised or Money.zero(account.currency)
    if capitalised.currency != account.currency or not (
        0 <= capitalised.minor <= charge.amount.minor
    ):
        raise ValidationError(f"{field}.capitalised", _("must be from nothing to the whole charge"))
    if charge.due_on <= account.opened_on:
        raise ValidationError(f"{field}.due_on", _("must be after the account was opened"))
    return ScheduledInterest(
        account=account,
        source=source,
        number=charge.number,
        due_on=charge.due_on,
        amount_minor=charge.amount.minor,
        capitalised_minor=capitalised.minor,
        created_at=(clock or SystemClock()).now(),
    )


def _shape(row: ScheduledInterest) -> tuple[int, dt.date, int, int]:
    return (row.number, row.due_on, int(row.amount_minor), int(row.capitalised_minor))


@transaction.atomic
def cancel_scheduled_interest(*, account: Account, source: str, after: dt.date) -> int:
    """Drop the source's charges due after `after` and not yet made; returns how many."""
    return ScheduledInterest.objects.filter(
        account=account,
        source=source,
        due_on__gt=after,
        entry__isnull=True,
        cancelled_on__isnull=True,
    ).update(cancelled_on=after)


@transaction.atomic
def post_scheduled_interest(
    *, account: Account, through: dt.date, clock: Clock | None = None
) -> int:
    """Charge every scheduled interest due on or before `through` and not yet charged, each on
    its due date, with its capitalised part moved to the principal; returns how many.

    Only an open account is charged. Each charge is keyed by its row, so a second call (or a
    concurrent one, the rows being locked) charges nothing twice.
    """
    if account.status != AccountStatus.OPEN:
        return 0
    due = list(
        ScheduledInterest.objects.select_for_update()
        .filter(
            account=account,
            due_on__lte=through,
            entry__isnull=True,
            cancelled_on__isnull=True,
        )
        .order_by("due_on", "number")
    )
    balance_type = balance_type_of(account)
    interest_book, principal_book = f"interest:{balance_type}", f"principal:{balance_type}"
    for row in due:
        entry, _created = post_entry(
            account=account,
            kind=EntryKind.INTEREST,
            effective_on=row.due_on,
            lines={interest_book: row.amount_minor, INCOME_INTEREST: -row.amount_minor},
            idempotency_key=f"scheduled-interest:{row.pk}",
            memo=_("Interest of %(source)s, instalment %(number)d")
            % {"source": row.source, "number": row.number},
            clock=clock,
        )
        capitalised = int(row.capitalised_minor)
        if capitalised:
            post_entry(
                account=account,
                kind=EntryKind.CAPITALISATION,
                effective_on=row.due_on,
                lines={
                    principal_book: row.capitalised_minor,
                    interest_book: -row.capitalised_minor,
                },
                idempotency_key=f"capitalisation:scheduled-interest:{row.pk}",
                memo=_("Interest of %(source)s, instalment %(number)d, capitalised")
                % {"source": row.source, "number": row.number},
                clock=clock,
            )
        row.entry = entry
        row.save(update_fields=["entry"])
    return len(due)
