"""Where a payment goes: the product's waterfall over the ledger's dues, the journal lines
that record it, and the obligations it settles (or, on reversal, reopens).

Helpers of `services.payments`; they run inside its transaction with the account row locked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db.models import F
from django.utils.translation import gettext as _

from arrears.core.allocation import AllocationMethod, AllocationResult, allocate_payment
from arrears.core.clock import Clock
from arrears.core.money import Money
from arrears.core.products import CardTerms
from arrears.servicing.choices import AccountStatus, EntryKind, ProductKind
from arrears.servicing.models import (
    Account,
    JournalEntry,
    Obligation,
    Payment,
    PaymentApplication,
)
from arrears.servicing.selectors import (
    allocation_dues,
    balances,
    current_instalment,
    minimum_due_now,
)
from arrears.servicing.selectors.dues import INTEREST_LOAN, PRINCIPAL_LOAN
from arrears.servicing.services.accounts import post_instalment_interest
from arrears.servicing.services.ledger import CASH, CREDIT_BALANCE, reverse_entry
from arrears.servicing.services.products import product_terms
from arrears.servicing.services.scheduled_interest import post_scheduled_interest

#: Per obligation (by pk): [principal part, interest part] of what a payment settles.
Parts = dict[int, list[int]]


def allocate(account: Account, amount: Money, on: dt.date, clock: Clock | None) -> AllocationResult:
    """Run the product's waterfall over what the account owes on `on`.

    For a loan, instalment interest that has fallen due is charged first if the daily cycle has
    not done it yet; so is interest scheduled by an arrangement (`services.scheduled_interest`),
    on either kind of account. The current instalment's interest may be paid before its due
    date: it is then prepaid (a credit on `interest:loan` until the cycle charges it on the due
    date), so a reversal undoes exactly what the payment did.
    """
    if account.kind == ProductKind.LOAN:
        for due in account.obligations.filter(is_posted=False, due_on__lte=on).order_by("due_on"):
            post_instalment_interest(obligation=due, clock=clock)
    post_scheduled_interest(account=account, through=on, clock=clock)
    terms = product_terms(account.product)
    method = AllocationMethod.OLDEST_FIRST
    if isinstance(terms, CardTerms):
        method = terms.allocation_method
    minimum = None
    if method is AllocationMethod.US_HIGHEST_APR_ABOVE_MINIMUM:
        minimum = minimum_due_now(account, on)
    result = allocate_payment(
        amount,
        allocation_dues(account, on),
        order=terms.allocation_order,
        method=method,
        minimum_due=minimum,
    )
    return result


def payment_lines(amount: Money, result: AllocationResult) -> dict[str, int]:
    """cash +X; each receivable book −what it received; an overpayment to suspense:credit."""
    lines: dict[str, int] = defaultdict(int)
    lines[CASH] += amount.minor
    for allocation in result.allocations:
        lines[allocation.key] -= allocation.amount.minor
    lines[CREDIT_BALANCE] -= result.unapplied.minor
    return dict(lines)


def apply_to_obligations(
    account: Account, payment: Payment, result: AllocationResult, amount: Money
) -> None:
    """Record which obligations the payment settled, oldest first.

    A card's minimum payment counts every unit paid. A loan instalment counts the interest and
    principal paid to its due date; interest paid ahead goes to the current instalment, and
    principal paid ahead to the instalments' principal parts, oldest first.
    """
    ordered = Obligation.objects.filter(account=account).order_by("due_on", "number")
    unpaid = [o for o in ordered if o.unpaid_minor > 0]
    parts: Parts = defaultdict(lambda: [0, 0])
    is_card = account.kind == ProductKind.CARD
    if is_card:
        _spread(unpaid, parts, amount.minor, lambda o: o.unpaid_minor - parts[o.pk][0])
    else:
        _loan_parts(account, unpaid, parts, result, payment.received_on)
    for obligation in unpaid:
        principal, interest = parts.get(obligation.pk, (0, 0))
        if principal + interest == 0:
            continue
        _record_application(
            payment,
            obligation.pk,
            principal + interest,
            principal=0 if is_card else principal,
            interest=0 if is_card else interest,
        )


def _loan_parts(
    account: Account,
    unpaid: list[Obligation],
    parts: Parts,
    result: AllocationResult,
    on: dt.date,
) -> None:
    by_date = {o.due_on: o for o in unpaid}
    current = current_instalment(account, on)
    ahead_principal = 0
    for allocation in result.allocations:
        minor = allocation.amount.minor
        if allocation.key == INTEREST_LOAN:
            target = by_date.get(allocation.due_on) if allocation.due_on else current
            if target is not None:
                room = target.interest_minor - target.paid_interest_minor - parts[target.pk][1]
                parts[target.pk][1] += min(minor, max(room, 0))
        elif allocation.key == PRINCIPAL_LOAN and allocation.due_on is not None:
            parts[by_date[allocation.due_on].pk][0] += minor
        elif allocation.key == PRINCIPAL_LOAN:
            ahead_principal += minor
    _spread(
        unpaid,
        parts,
        ahead_principal,
        lambda o: o.principal_minor - o.paid_principal_minor - parts[o.pk][0],
    )


def _spread(
    obligations: list[Obligation], parts: Parts, minor: int, room: Callable[[Obligation], int]
) -> None:
    """Share `minor` over the obligations' first part, oldest first, each up to its room."""
    for obligation in obligations:
        if minor <= 0:
            return
        share = min(minor, max(room(obligation), 0))
        parts[obligation.pk][0] += share
        minor -= share


def undo_applications(payment: Payment) -> None:
    """Negative copies of a payment's applications, reopening exactly what it paid."""
    for application in list(payment.applications.filter(amount_minor__gt=0)):
        _record_application(
            payment,
            application.obligation_id,
            -application.amount_minor,
            principal=-application.principal_minor,
            interest=-application.interest_minor,
        )


def _record_application(
    payment: Payment, obligation_id: int, amount: int, *, principal: int, interest: int
) -> None:
    PaymentApplication.objects.create(
        payment=payment,
        obligation_id=obligation_id,
        amount_minor=amount,
        principal_minor=principal,
        interest_minor=interest,
    )
    Obligation.objects.filter(pk=obligation_id).update(
        paid_minor=F("paid_minor") + amount,
        paid_principal_minor=F("paid_principal_minor") + principal,
        paid_interest_minor=F("paid_interest_minor") + interest,
    )


def settle_status(account: Account, on: dt.date, clock: Clock | None) -> None:
    """A loan with nothing left owing is paid off; one that owes again (a reversal) reopens.

    On payoff the interest prepaid for the current period is charged there and then (an
    early repayment pays the current period's interest in full); when a reversal reopens the
    loan, such early charges are withdrawn again, so the instalment is charged on its due date.
    """
    if account.kind != ProductKind.LOAN:
        return
    owes = balances(account).total.amount > 0
    if account.status == AccountStatus.OPEN and not owes:
        account.status, account.closed_on = AccountStatus.PAID_OFF, on
        prepaid = account.obligations.filter(
            is_posted=False, due_on__gt=on, paid_interest_minor__gt=0
        )
        for obligation in prepaid:
            post_instalment_interest(obligation=obligation, on=on, clock=clock)
    elif account.status == AccountStatus.PAID_OFF and owes:
        account.status, account.closed_on = AccountStatus.OPEN, None
        _withdraw_early_interest(account, on, clock)
    else:
        return
    Account.objects.filter(pk=account.pk).update(status=account.status, closed_on=account.closed_on)


def _withdraw_early_interest(account: Account, on: dt.date, clock: Clock | None) -> None:
    """Reverse the interest charged ahead of due dates still to come (by a payoff)."""
    for obligation in account.obligations.filter(is_posted=True, due_on__gt=on):
        charge = (
            JournalEntry.objects.filter(
                account=account,
                kind=EntryKind.INTEREST,
                idempotency_key__startswith=f"instalment-interest:{account.pk}:{obligation.number}",
                effective_on__lt=obligation.due_on,
                reversed_by__isnull=True,
            )
            .order_by("-id")
            .first()
        )
        if charge is None:
            continue
        reverse_entry(
            entry=charge, effective_on=on, memo=_("Interest charged ahead withdrawn"), clock=clock
        )
        Obligation.objects.filter(pk=obligation.pk).update(is_posted=False)
