"""Autopay reads: mandates, what a debit would collect, upcoming debits and the day's failures.

The engagement app reads these to send the autopay debit notice (`autopay_debits_due`), the
failure notice (`autopay_failures_on`) and to prefer the debit notice over a due-date reminder
(`accounts_with_autopay`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from arrears.core.money import Money
from arrears.servicing.choices import (
    AccountStatus,
    AutopayAmountRule,
    AutopayDebitStatus,
    MandateStatus,
    PaymentStatus,
)
from arrears.servicing.models import (
    Account,
    AutopayDebit,
    AutopayMandate,
    Obligation,
    Payment,
    Statement,
)
from arrears.servicing.selectors.balances import balances
from arrears.servicing.services.arrangements import accounts_under_arrangement, arrangements_for

ONE_DAY = dt.timedelta(days=1)


def active_mandate(account: Account) -> AutopayMandate | None:
    """The account's active autopay mandate, if it has one."""
    return AutopayMandate.objects.filter(account=account, status=MandateStatus.ACTIVE).first()


def accounts_with_autopay(account_ids: Iterable[int]) -> set[int]:
    """The ids, among `account_ids`, of accounts with an active mandate (one query)."""
    return set(
        AutopayMandate.objects.filter(
            account_id__in=list(account_ids), status=MandateStatus.ACTIVE
        ).values_list("account_id", flat=True)
    )


def autopay_amount(
    mandate: AutopayMandate, account: Account, *, for_due_on: dt.date, as_of: dt.date
) -> Money:
    """What the mandate collects for the payment due on `for_due_on`, as things stand on `as_of`.

    - minimum: the obligations due on or before that date still unpaid (the minimum payment or
      the instalment, with anything past due);
    - statement_balance (cards): the balance of the statement due that day less the payments
      received since it closed;
    - fixed: the fixed amount.
    Under an agreed arrangement (a hardship plan) the plan's instalments replace the contract's
    dues: every rule but fixed collects the plan's instalments due by then.
    Never more than the account owes, and nothing when what fell due is already paid (for the
    statement balance: when the statement balance is paid).
    """
    currency = account.currency
    owed = max(balances(account).total.minor, 0)
    arrangement = arrangements_for([account.pk], as_of).get(account.pk)
    if arrangement is not None:  # the plan's instalments replace the contract's dues
        due_by = sum(unpaid for due_on, unpaid in arrangement.dues if due_on <= for_due_on)
        amount = (
            int(mandate.fixed_amount_minor or 0)
            if (mandate.amount_rule == AutopayAmountRule.FIXED and due_by > 0)
            else due_by
        )
        return Money.from_minor(max(0, min(amount, owed)), currency)
    due_by = sum(
        o.unpaid_minor
        for o in Obligation.objects.filter(account=account, due_on__lte=for_due_on)
        if o.unpaid_minor > 0
    )
    if mandate.amount_rule == AutopayAmountRule.STATEMENT_BALANCE:
        amount = _statement_outstanding(account, for_due_on, as_of, fallback=due_by)
    elif mandate.amount_rule == AutopayAmountRule.FIXED:
        amount = int(mandate.fixed_amount_minor or 0) if due_by > 0 else 0
    else:
        amount = due_by
    return Money.from_minor(max(0, min(amount, owed)), currency)


def _statement_outstanding(
    account: Account, for_due_on: dt.date, as_of: dt.date, *, fallback: int
) -> int:
    statement = (
        Statement.objects.filter(account=account, due_on=for_due_on)
        .order_by("-statement_on")
        .first()
    )
    if statement is None:
        return fallback
    paid = Payment.objects.filter(
        account=account,
        status=PaymentStatus.POSTED,
        received_on__gt=statement.statement_on,
        received_on__lte=as_of,
    ).aggregate(total=Sum("amount_minor"))["total"]
    return int(statement.new_balance_minor) - int(paid or 0)


def mandates_to_debit_on(day: dt.date) -> list[tuple[AutopayMandate, dt.date]]:
    """Active mandates whose first debit falls on `day`, each with the due date it pays.

    A mandate debits on the due date less its `debit_days_before_due`, for a due date of an
    obligation (loan instalment, minimum payment) or a statement. A due date already debited
    (any attempt) is left out. Two queries, however many mandates.
    """
    offsets = list(
        AutopayMandate.objects.filter(status=MandateStatus.ACTIVE)
        .values_list("debit_days_before_due", flat=True)
        .distinct()
    )
    if not offsets:
        return []
    condition = Q()
    for days_before in offsets:
        due_on = day + dt.timedelta(days=days_before)
        owes = Exists(Obligation.objects.filter(account=OuterRef("account_id"), due_on=due_on))
        billed = Exists(Statement.objects.filter(account=OuterRef("account_id"), due_on=due_on))
        debited = Exists(AutopayDebit.objects.filter(mandate=OuterRef("pk"), for_due_on=due_on))
        condition |= Q(debit_days_before_due=days_before) & Q(owes | billed) & ~Q(debited)
    live = AutopayMandate.objects.filter(
        status=MandateStatus.ACTIVE, account__status=AccountStatus.OPEN, starts_on__lte=day
    ).select_related("account__product")
    planned = _under_arrangement(live, day)
    mandates = live.filter(condition).exclude(account_id__in=list(planned)).order_by("pk")
    found = [(m, day + dt.timedelta(days=m.debit_days_before_due)) for m in mandates]
    found += [due for dues in planned.values() for due in dues]
    return sorted(found, key=lambda pair: pair[0].pk)


def _under_arrangement(
    live: QuerySet[AutopayMandate], day: dt.date
) -> dict[int, list[tuple[AutopayMandate, dt.date]]]:
    """Mandates of accounts under an arrangement (by account id), each with the plan's due date
    it debits today, if any: such an account is debited on the plan's dates, not the contract's."""
    under = accounts_under_arrangement(day)
    if not under:
        return {}
    mandates = list(live.filter(account_id__in=list(under)))
    arrangements = arrangements_for([m.account_id for m in mandates], day)
    debited = set(
        AutopayDebit.objects.filter(mandate__in=mandates).values_list("mandate_id", "for_due_on")
    )
    planned: dict[int, list[tuple[AutopayMandate, dt.date]]] = {}
    for mandate in mandates:
        arrangement = arrangements.get(mandate.account_id)
        if arrangement is None:  # a plan that leaves the contract's dues in force
            continue
        due_on = day + dt.timedelta(days=mandate.debit_days_before_due)
        owes = any(d == due_on and unpaid > 0 for d, unpaid in arrangement.dues)
        planned[mandate.account_id] = (
            [(mandate, due_on)] if owes and (mandate.pk, due_on) not in debited else []
        )
    return planned


@dataclass(frozen=True)
class UpcomingDebit:
    """A debit autopay will attempt: for the debit notice (amount as of the day it is read)."""

    mandate: AutopayMandate
    account: Account
    debit_on: dt.date
    for_due_on: dt.date
    attempt: int
    amount: Money


def autopay_debits_due(day: dt.date, within_days: int = 0) -> list[UpcomingDebit]:
    """The debits autopay will attempt from `day` through `day + within_days`.

    First attempts (from the mandates and the due dates on record) and retries already
    scheduled; the amount is what the rule gives as of `day`. Debits whose amount is nothing
    (already paid) are left out: there is nothing to announce.
    """
    upcoming: list[UpcomingDebit] = []
    for offset in range(within_days + 1):
        debit_on = day + dt.timedelta(days=offset)
        for mandate, due_on in mandates_to_debit_on(debit_on):
            upcoming.append(_upcoming(mandate, mandate.account, debit_on, due_on, 1, day))
    retries = AutopayDebit.objects.filter(
        status=AutopayDebitStatus.FAILED,
        next_retry_on__gte=day,
        next_retry_on__lte=day + dt.timedelta(days=within_days),
        mandate__status=MandateStatus.ACTIVE,
        account__status=AccountStatus.OPEN,
    ).select_related("mandate", "account__product")
    for failed in retries:
        assert failed.next_retry_on is not None
        upcoming.append(
            _upcoming(
                failed.mandate,
                failed.account,
                failed.next_retry_on,
                failed.for_due_on,
                failed.attempt + 1,
                day,
            )
        )
    return [debit for debit in upcoming if debit.amount.minor > 0]


def _upcoming(
    mandate: AutopayMandate,
    account: Account,
    debit_on: dt.date,
    due_on: dt.date,
    attempt: int,
    as_of: dt.date,
) -> UpcomingDebit:
    amount = autopay_amount(mandate, account, for_due_on=due_on, as_of=as_of)
    return UpcomingDebit(mandate, account, debit_on, due_on, attempt, amount)


def autopay_failures_on(day: dt.date) -> QuerySet[AutopayDebit]:
    """Debits refused on `day` or returned on `day` (for the failure notice).

    Each row says why (`failure_code`), whether it will be retried (`next_retry_on`) and
    whether the mandate is still active (`mandate.status`).
    """
    return (
        AutopayDebit.objects.filter(
            Q(status=AutopayDebitStatus.FAILED, attempted_on=day)
            | Q(status=AutopayDebitStatus.RETURNED, returned_on=day)
        )
        .select_related("mandate", "account__borrower")
        .order_by("pk")
    )


def autopay_debits(account: Account) -> QuerySet[AutopayDebit]:
    """Every debit of an account, newest due date first."""
    return AutopayDebit.objects.filter(account=account).order_by("-for_due_on", "-attempt")
