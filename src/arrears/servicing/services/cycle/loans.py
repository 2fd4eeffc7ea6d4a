"""Steps 2 and 6: charge the interest of loan instalments falling due today, and close loans
that are fully repaid."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from arrears.servicing.choices import AccountStatus, ObligationKind, ProductKind
from arrears.servicing.models import Account, Obligation
from arrears.servicing.services.accounts import post_instalment_interest
from arrears.servicing.services.cycle.context import CycleContext, chunked
from arrears.servicing.services.cycle.journal import receivable_balances


def post_loan_instalments(ctx: CycleContext) -> dict[str, int]:
    """Charge the scheduled interest of every open loan's instalment due today, once each.

    Only today's instalments are read (the obligation due-date index); an instalment whose
    interest a payment already charged ahead is marked posted and skipped by the query.
    """
    due = list(
        Obligation.objects.filter(
            kind=ObligationKind.INSTALMENT,
            is_posted=False,
            due_on=ctx.day,
            account__status=AccountStatus.OPEN,
        )
        .select_related("account")
        .order_by("pk")
    )
    counts: Counter[str] = Counter(instalments=0)
    for chunk in chunked(due):
        with transaction.atomic():
            for obligation in chunk:
                post_instalment_interest(obligation=obligation, on=ctx.day, clock=ctx.clock)
                counts["instalments"] += 1
    return dict(counts)


def close_paid_off_loans(ctx: CycleContext) -> dict[str, int]:
    """Mark paid off the open loans whose every obligation is paid and that owe nothing more.

    Payments already close a loan they clear; this catches the rest (a balance cleared by a
    reversal or a credit). The query finds only loans without an unpaid obligation, so a loan
    mid-term costs one index probe and no work.
    """
    unpaid = Obligation.objects.filter(account=OuterRef("pk"), paid_minor__lt=F("amount_minor"))
    candidates = list(
        Account.objects.filter(kind=ProductKind.LOAN, status=AccountStatus.OPEN)
        .filter(Exists(Obligation.objects.filter(account=OuterRef("pk"))))
        .exclude(Exists(unpaid))
        .values_list("pk", flat=True)
    )
    if not candidates:
        return {"paid_off": 0}
    owed = receivable_balances(candidates, as_of=ctx.day)
    paid_off = [
        pk for pk in candidates if not any(amount > 0 for amount in owed.get(pk, {}).values())
    ]
    with transaction.atomic():
        Account.objects.filter(pk__in=paid_off, status=AccountStatus.OPEN).update(
            status=AccountStatus.PAID_OFF, closed_on=ctx.day
        )
    return {"paid_off": len(paid_off)}
