"""Step 3: the late fee (滞纳金 / 违约金) on an obligation whose grace days ran out yesterday.

An obligation due on D with `grace_days_after_due` g (还款宽限期) is on time until the end of
D + g; on D + g + 1 it is late if more than the product's tolerance is still unpaid. Each
obligation is charged at most once (key `latefee:{obligation_id}`). An account under an
arrangement (a hardship plan, `services.arrangements`) is charged none: the plan's instalments
stand in for the contract's dues while it is kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet

from arrears.core.card import late_fee
from arrears.core.money import Money
from arrears.core.products import CardTerms
from arrears.servicing.choices import AccountStatus, EntryKind
from arrears.servicing.models import Obligation
from arrears.servicing.services.arrangements import accounts_under_arrangement
from arrears.servicing.services.cycle.context import CycleContext, Terms, chunked
from arrears.servicing.services.ledger import INCOME_FEES, post_entry

LATE_FEE_BOOK = "fees:late"


def assess_late_fees(ctx: CycleContext) -> dict[str, int]:
    """Charge the late fee on each obligation that became late today; returns counts."""
    counts: Counter[str] = Counter(late_fees=0, within_tolerance=0)
    became_late = _obligations_late_from(ctx)
    if became_late is None:
        return dict(counts)
    for chunk in chunked(list(became_late)):
        with transaction.atomic():
            for obligation in chunk:
                counts[_charge_late_fee(obligation, ctx)] += 1
    return dict(counts)


def _charge_late_fee(obligation: Obligation, ctx: CycleContext) -> str:
    """Post the late fee unless the shortfall is within tolerance; returns what happened."""
    account = obligation.account
    terms = ctx.terms[account.product_id]
    unpaid = Money.from_minor(obligation.unpaid_minor, account.currency)
    if unpaid <= terms.dpd_tolerance:
        return "within_tolerance"
    fee = late_fee_for(terms, unpaid).minor
    if fee <= 0:
        return "no_fee"
    _entry, created = post_entry(
        account=account,
        kind=EntryKind.LATE_FEE,
        effective_on=ctx.day,
        lines={LATE_FEE_BOOK: fee, INCOME_FEES: -fee},
        idempotency_key=f"latefee:{obligation.pk}",
        memo=f"late fee: {obligation.kind} {obligation.number} due {obligation.due_on}",
        clock=ctx.clock,
    )
    return "late_fees" if created else "already_charged"


def late_fee_for(terms: Terms, unpaid: Money) -> Money:
    """A card's fee never exceeds the unpaid minimum (`core.card.late_fee`); a loan's is the
    product's fee, limited by its cap."""
    if isinstance(terms, CardTerms):
        return late_fee(minimum_unpaid=unpaid, fee=terms.late_fee, cap=terms.late_fee_cap)
    fee = terms.late_fee
    return fee if terms.late_fee_cap is None else fee.min(terms.late_fee_cap)


def _obligations_late_from(ctx: CycleContext) -> QuerySet[Obligation] | None:
    """Unpaid obligations of open accounts whose grace ended yesterday (one query; None if no
    product charges a late fee)."""
    by_grace: dict[int, list[int]] = defaultdict(list)
    for pk, terms in ctx.terms.items():
        if terms.late_fee.minor > 0:
            by_grace[terms.grace_days_after_due].append(pk)
    if not by_grace:
        return None
    when = Q()
    for grace_days, product_ids in by_grace.items():
        due_on = ctx.day - timedelta(days=grace_days + 1)
        when |= Q(due_on=due_on, account__product_id__in=product_ids)
    late = Obligation.objects.filter(when).filter(
        account__status=AccountStatus.OPEN, paid_minor__lt=F("amount_minor")
    )
    arranged = accounts_under_arrangement(ctx.day)
    if arranged:
        late = late.exclude(account_id__in=sorted(arranged))
    return late.select_related("account").order_by("pk")
