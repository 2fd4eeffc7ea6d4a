"""How a plan's terms reach the ledger: its interest, waived fees and settlement discount.

A plan is priced from the account's position on the day it is priced (`priced_on`): what was
owed then, interest accrued through that day included, and from the next day on every month's
interest as the plan's schedule says (a holiday's capitalised interest, an interest freeze, a
reduced rate, a re-amortisation). For the ledger to end where the plan ends — a borrower who
pays every instalment in full owes exactly nothing — the plan's terms are posted through
servicing's services, never by hand:

- **activation**: the contract's own interest stops after `priced_on` (a 0 % rate override with
  source ``plan:<id>``), and the plan's interest is scheduled month by month as priced, its
  capitalised part added to the principal on the day (`services.scheduled_interest`); fees the
  plan forgives are waived at once (a `waiver` entry against `expense:waivers`);
- **completion**: a settlement's discount is granted (a `settlement_discount` entry); the
  override ends and any interest not yet charged is dropped;
- **break or cancellation**: the override ends on that day, so the contract's rate is charged
  again from the next day; the plan's interest not yet charged is dropped. What was charged,
  capitalised or waived while the plan ran stays (a waiver can be reversed by hand).

An account charged contract interest after the plan was priced (a statement closed, an
instalment fell due) no longer matches the priced figures: such a plan is refused at acceptance
and activation, and must be priced again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from arrears.core.clock import Clock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.hardship.choices import OptionKind
from arrears.hardship.models import Plan
from arrears.servicing.choices import AccountStatus, EntryKind, ObligationKind, ProductKind
from arrears.servicing.models import Account, JournalEntry
from arrears.servicing.selectors import balances, book_balances
from arrears.servicing.selectors.rates import (
    interest_posted_through,
    next_interest_date,
    override_from,
)
from arrears.servicing.services.cycle.statements import ANNUAL_FEE_BOOK as ANNUAL_FEE
from arrears.servicing.services.rate_overrides import end_rate_override, set_rate_override
from arrears.servicing.services.scheduled_interest import (
    InterestCharge,
    cancel_scheduled_interest,
    schedule_interest,
)
from arrears.servicing.services.waivers import grant_settlement_discount, waive_amount

ONE_DAY = dt.timedelta(days=1)
SETTLEMENT_KINDS = frozenset({OptionKind.SETTLEMENT_LUMP_SUM, OptionKind.SETTLEMENT_PLAN})


def plan_source(plan: Plan) -> str:
    """How the ledger's records name the plan that made them."""
    return f"plan:{plan.pk}"


def check_still_as_priced(plan: Plan, account: Account) -> None:
    """Refuse a plan whose account was charged contract interest after it was priced."""
    charged = interest_posted_through(account)
    if charged is not None and charged > plan.priced_on:
        raise Conflict(
            _(
                "the account was charged interest through %(day)s, after the plan was priced on"
                " %(priced)s: price it again"
            )
            % {"day": charged, "priced": plan.priced_on}
        )


def check_start_before_next_charge(plan: Plan, account: Account, starts_on: dt.date) -> None:
    """A plan must start before the contract next charges interest after it was priced, or its
    figures would be stale by the time it starts."""
    next_charge = next_interest_date(account, plan.priced_on)
    if next_charge is not None and starts_on >= next_charge:
        raise ValidationError(
            "starts_on",
            _(
                "must be before %(day)s, when the contract next charges interest (the plan was"
                " priced on %(priced)s)"
            )
            % {"day": next_charge, "priced": plan.priced_on},
        )


def apply_plan_terms(plan: Plan, *, on: dt.date, clock: Clock) -> dict[str, Any]:
    """Put the plan's terms on the ledger when it becomes active; returns what was done, for
    the plan's history."""
    account = plan.account
    check_still_as_priced(plan, account)
    source = plan_source(plan)
    override = set_rate_override(
        account=account,
        from_on=plan.priced_on + ONE_DAY,
        apr=Decimal(0),
        reason=_("plan #%(id)s: interest as its schedule says") % {"id": plan.pk},
        source=source,
        clock=clock,
    )
    done: dict[str, Any] = {"contract_interest_stops_after": plan.priced_on}
    charges = plan_interest_charges(plan)
    if charges:
        schedule_interest(account=account, source=source, charges=charges, clock=clock)
        done["interest_scheduled"] = sum((c.amount for c in charges), _zero(plan))
        capitalised = [c.capitalised for c in charges if c.capitalised]
        if capitalised:
            done["interest_capitalised"] = sum(capitalised, _zero(plan))
    waived = _waive_fees(plan, account, on=on, clock=clock)
    if waived is not None:
        done["fees_waived"] = waived
    done["rate_override"] = override.pk
    return done


def _zero(plan: Plan) -> Money:
    return Money.zero(plan.currency)


def plan_interest_charges(plan: Plan) -> list[InterestCharge]:
    """The interest each instalment adds, as priced, and the part of it added to the principal:
    all of a payment holiday's when its interest is capitalised, and what a reduced payment
    leaves of the month's interest."""
    holiday_treatment = next(
        (
            phase["params"].get("interest")
            for phase in plan.terms.get("phases", [])
            if phase.get("key") == "payment_holiday"
        ),
        None,
    )
    charges: list[InterestCharge] = []
    for row in plan.schedule:
        added = _money(row["interest_added"], plan.currency)
        if added.minor <= 0:
            continue
        capitalised = _zero(plan)
        if row["phase"] == "payment_holiday" and holiday_treatment == "capitalise":
            capitalised = added
        elif row["phase"] == "reduced_payments":
            capitalised = (added - _money(row["interest"], plan.currency)).max(_zero(plan))
        charges.append(
            InterestCharge(
                number=int(row["number"]),
                due_on=dt.date.fromisoformat(row["due_on"]),
                amount=added,
                capitalised=capitalised,
            )
        )
    return charges


def _money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def _forgiven(plan: Plan) -> Money:
    forgiven = plan.terms.get("forgiven") or {}
    return Money.from_minor(int(forgiven.get("minor", 0)), plan.currency)


def _waive_fees(plan: Plan, account: Account, *, on: dt.date, clock: Clock) -> Money | None:
    """Fees the plan forgives when it starts (an interest freeze's `waive_fees`): never more
    than is owed in fees now."""
    if plan.kind in SETTLEMENT_KINDS:
        return None  # a settlement forgives when it is paid, not when it starts
    amount = _forgiven(plan).min(balances(account).fees)
    if amount.minor <= 0:
        return None
    waive_amount(
        account=account,
        amount=amount,
        on=on,
        components=("fees",),
        reason=_("fees waived under plan #%(id)s") % {"id": plan.pk},
        idempotency_key=f"{plan_source(plan)}:fees",
        clock=clock,
    )
    return amount


def waive_annual_fees(plan: Plan, *, on: dt.date, clock: Clock) -> Money | None:
    """Waive a card's annual fee charged while the plan is kept, when its terms say so (the
    policy's `waive_annual_fee`); returns what was waived tonight, if anything.

    The fee is charged on a statement date and a waiver must come after it (the statement
    billed it), so the review waives it the night after. Only what is still owed of the fee is
    waived: a payment may have cleared it first (fees come first in the waterfall). Keyed per
    fee entry, so a night reviewed twice waives nothing more.
    """
    if not plan.terms.get("waive_annual_fee") or plan.activated_on is None:
        return None
    account = plan.account
    if account.kind != ProductKind.CARD or account.status != AccountStatus.OPEN:
        return None
    fees = JournalEntry.objects.filter(
        account=account,
        kind=EntryKind.ANNUAL_FEE,
        effective_on__gte=plan.activated_on,
        effective_on__lt=on,
    ).order_by("effective_on", "pk")
    waived = _zero(plan)
    for fee in fees:
        key = f"{plan_source(plan)}:annual-fee:{fee.pk}"
        if JournalEntry.objects.filter(idempotency_key=f"{EntryKind.WAIVER}:{key}").exists():
            continue
        charged = sum(line.amount_minor for line in fee.lines.all() if line.book == ANNUAL_FEE)
        owed = book_balances(account).get(ANNUAL_FEE, 0)
        amount = Money.from_minor(min(int(charged), int(owed)), plan.currency)
        if amount.minor <= 0:
            continue
        waive_amount(
            account=account,
            amount=amount,
            on=on,
            components=("fees",),  # fees:annual is the first fee book: only it is cut
            reason=_("annual fee waived under plan #%(id)s") % {"id": plan.pk},
            idempotency_key=key,
            clock=clock,
        )
        waived += amount
    return waived if waived.minor > 0 else None


def end_plan_terms(plan: Plan, *, on: dt.date, reason: str, clock: Clock) -> dict[str, Any]:
    """The plan ended on `on` (completed, broken or cancelled): the contract's rate is back from
    the next day and the plan's interest not yet charged is dropped. Returns what was done."""
    account = plan.account
    source = plan_source(plan)
    done: dict[str, Any] = {}
    override = override_from(account, source)
    if override is not None and (override.until_on is None or override.until_on > on):
        until = max(on, override.from_on - ONE_DAY)
        charged = interest_posted_through(account)
        if charged is not None and charged > until:
            until = charged  # a loan repaid early was charged ahead: nothing is left to charge
        end_rate_override(override=override, until_on=until, reason=reason, clock=clock)
        done["contract_interest_from"] = until + ONE_DAY
    dropped = cancel_scheduled_interest(account=account, source=source, after=on)
    if dropped:
        done["interest_charges_dropped"] = dropped
    return done


def grant_plan_discount(plan: Plan, *, on: dt.date, clock: Clock) -> Money | None:
    """A settlement paid as agreed: forgive the rest, up to the discount agreed."""
    if plan.kind not in SETTLEMENT_KINDS:
        return None
    account = Account.objects.get(pk=plan.account_id)
    if account.status != AccountStatus.OPEN:
        return None
    discount = _forgiven(plan).min(balances(account).total)
    if discount.minor <= 0:
        return None
    grant_settlement_discount(
        account=account,
        amount=discount,
        on=on,
        reason=_("settlement under plan #%(id)s paid as agreed") % {"id": plan.pk},
        idempotency_key=f"{plan_source(plan)}:discount",
        clock=clock,
    )
    return discount


def interest_fallen_due_not_charged(account: Account, as_of: dt.date) -> Money:
    """A loan's instalment interest due by `as_of` that the nightly cycle has not charged yet:
    owed all the same (a payment would charge it first)."""
    if account.kind != ProductKind.LOAN:
        return Money.zero(account.currency)
    minor = sum(
        int(o.interest_minor)
        for o in account.obligations.filter(
            kind=ObligationKind.INSTALMENT, is_posted=False, due_on__lte=as_of
        )
    )
    return Money.from_minor(minor, account.currency)
