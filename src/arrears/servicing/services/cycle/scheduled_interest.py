"""A step after the instalments: charge the interest agreed in advance (a repayment plan's)
that falls due today."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from arrears.servicing.choices import AccountStatus
from arrears.servicing.models import Account, ScheduledInterest
from arrears.servicing.services.cycle.context import CycleContext, chunked
from arrears.servicing.services.scheduled_interest import post_scheduled_interest


def post_scheduled_interest_due(ctx: CycleContext) -> dict[str, int]:
    """Charge, for every open account, the scheduled interest due by today and not yet charged.

    Only accounts with such a charge are read (the partial index on what is still to charge);
    a payment may already have charged today's, which the query then no longer finds.
    """
    account_ids = list(
        ScheduledInterest.objects.filter(
            due_on__lte=ctx.day,
            entry__isnull=True,
            cancelled_on__isnull=True,
            account__status=AccountStatus.OPEN,
        )
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .distinct()
    )
    counts: Counter[str] = Counter(charges=0)
    for chunk in chunked(account_ids):
        with transaction.atomic():
            for account in Account.objects.filter(pk__in=list(chunk)).order_by("pk"):
                counts["charges"] += post_scheduled_interest(
                    account=account, through=ctx.day, clock=ctx.clock
                )
    return dict(counts)
