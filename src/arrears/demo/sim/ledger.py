"""The ledger side of a simulated day: what each borrower owes, and posting what they paid.

The simulated borrowers' amounts are copied FROM the ledger every day (bulk reads), so the
behaviour model never pays what the books do not say is owed; what they pay goes back through
the real payment service, one payment per borrower and day, with an idempotency key.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.db.models import F, Sum

from arrears.core.money import Money
from arrears.core.sim import BorrowerState
from arrears.demo.portfolio import business_clock
from arrears.demo.sim.book import Book
from arrears.servicing.choices import AccountStatus, PaymentChannel, PaymentStatus
from arrears.servicing.models import Account, Obligation, Payment
from arrears.servicing.services.cycle.journal import receivable_balances

KEY_PREFIX = "sim:pay:"
_CHUNK = 500


def refresh_from_ledger(state: BorrowerState, book: Book, *, day: dt.date) -> None:
    """Copy each account's balance and amount due (unpaid dues up to `day`) into the state."""
    ids = book.account_ids.tolist()
    position = {a: i for i, a in enumerate(ids)}
    balance = np.zeros(state.size, np.int64)
    for first in range(0, len(ids), 5_000):
        chunk = ids[first : first + 5_000]
        for account_id, books in receivable_balances(chunk, as_of=day).items():
            balance[position[account_id]] = max(sum(books.values()), 0)
    due = np.zeros(state.size, np.int64)
    rows = (
        Obligation.objects.filter(due_on__lte=day, paid_minor__lt=F("amount_minor"))
        .values("account_id")
        .annotate(owed=Sum(F("amount_minor") - F("paid_minor")))
        .order_by()
    )
    for row in rows.iterator():
        if row["account_id"] in position:
            due[position[row["account_id"]]] = row["owed"]
    charged_off = Account.objects.filter(status=AccountStatus.CHARGED_OFF).values_list(
        "pk", flat=True
    )
    for account_id in charged_off:
        if account_id in position:  # a recovery: anything towards the balance
            i = position[account_id]
            due[i] = balance[i]
    state.balance_minor = balance
    state.due_minor = np.minimum(due, balance)


def post_payments(paid_minor: np.ndarray, book: Book, *, day: dt.date, currency: str) -> int:
    """Post each borrower's payment of the day; returns how many were posted."""
    from arrears.servicing.services.payments import post_payment

    payers = np.flatnonzero(paid_minor > 0)
    clock = business_clock(day)
    accounts = Account.objects.in_bulk(book.account_ids[payers].tolist())
    posted = 0
    for first in range(0, payers.size, _CHUNK):
        with transaction.atomic():
            for i in payers[first : first + _CHUNK].tolist():
                account = accounts[int(book.account_ids[i])]
                post_payment(
                    account=account,
                    amount=Money.from_minor(int(paid_minor[i]), currency),
                    received_on=day,
                    idempotency_key=f"{KEY_PREFIX}{account.number}:{day.isoformat()}",
                    channel=PaymentChannel.OTHER,
                    clock=clock,
                )
                posted += 1
    return posted


def ledger_payments_minor(*, first: dt.date, last: dt.date) -> int:
    """Everything the ledger received from the simulated borrowers on the simulated days."""
    total = Payment.objects.filter(
        status=PaymentStatus.POSTED,
        received_on__gte=first,
        received_on__lte=last,
        idempotency_key__startswith=KEY_PREFIX,
    ).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)
