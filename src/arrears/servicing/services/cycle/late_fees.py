"""Step 3: the late fee (滞纳金 / 违约金) on an obligation whose grace days ran out yesterday.

An obligation due on D with `grace_days_after_due` g (还款宽限期) is on time until the end of
D + g; on D + g + 1 it is late if more than the product's tolerance is still unpaid. Each
obligation is charged at most once (key `latefee:{obligation_id}`). An account under an
arrangement (a hardship plan, `services.arrangements`) is charged none: the plan's instalments
stand in for the contract's dues while it is kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
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
from arrears.servicing.services.ledger import INCOME_FEES, EntryRow, post_entry_rows

LATE_FEE_BOOK = "fees:late"


def assess_late_fees(ctx: CycleContext) -> dict[str, int]:
    """Charge the late fee on each obligation that became late today; returns counts.

    A chunk's fees are posted together (`ledger.post_entry_rows`: the same entries and lines,
    in the same order, as `post_entry` one obligation at a time, in a handful of queries)."""
    counts: Counter[str] = Counter(late_fees=0, within_tolerance=0)
    became_late = _obligations_late_from(ctx)
    if became_late is None:
        return dict(counts)
    for chunk in chunked(list(became_late)):
        with transaction.atomic():
            for outcome in _charge_late_fees(chunk, ctx):
                counts[outcome] += 1
    return dict(counts)


def _charge_late_fees(obligations: Sequence[Obligation], ctx: CycleContext) -> list[str]:
    """Post the late fees of these obligations (none within tolerance or of no fee); what
    happened to each, in their order."""
    outcomes: list[str] = []
    entries: list[EntryRow] = []
    for obligation in obligations:
        entry = _late_fee_entry(obligation, ctx)
        if isinstance(entry, str):
            outcomes.append(entry)
        else:
            outcomes.append("")  # posted below
            entries.append(entry)
    posted = iter(post_entry_rows(entries, clock=ctx.clock))
    return [
        outcome or ("late_fees" if next(posted)[1] else "already_charged") for outcome in outcomes
    ]


def _late_fee_entry(obligation: Obligation, ctx: CycleContext) -> EntryRow | str:
    """The late fee's entry, or why there is none (within tolerance, no fee)."""
    account = obligation.account
    terms = ctx.terms[account.product_id]
    unpaid = Money.from_minor(obligation.unpaid_minor, account.currency)
    if unpaid <= terms.dpd_tolerance:
        return "within_tolerance"
    fee = late_fee_for(terms, unpaid).minor
    if fee <= 0:
        return "no_fee"
    return EntryRow(
        account.pk,
        account.currency,
        EntryKind.LATE_FEE,
        ctx.day,
        {LATE_FEE_BOOK: fee, INCOME_FEES: -fee},
        f"latefee:{obligation.pk}",
        f"late fee: {obligation.kind} {obligation.number} due {obligation.due_on}",
    )


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
