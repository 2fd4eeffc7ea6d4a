"""Steps 4 and 5: age the accounts that can have moved, then charge off those past the limit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from arrears.servicing.choices import AccountStatus, BucketChangeReason, EntryKind
from arrears.servicing.models import Account, BucketChange, Obligation
from arrears.servicing.services.ageing import age_accounts_in_bulk
from arrears.servicing.services.arrangements import accounts_under_arrangement
from arrears.servicing.services.cycle.context import CycleContext, chunked
from arrears.servicing.services.cycle.journal import receivable_balances
from arrears.servicing.services.ledger import LOSS_CHARGE_OFF, post_entry

#: The `to_bucket` of the bucket change recorded at charge-off (an account's `bucket` keeps the
#: delinquency bucket it was charged off in).
CHARGED_OFF = "charged_off"


def age_accounts(ctx: CycleContext) -> dict[str, int]:
    """Age, a chunk at a time, every open account whose figures can move today.

    Each chunk takes a handful of queries (`age_accounts_in_bulk`): the same rule, figures and
    bucket moves as `age_account` one account at a time. The accounts under an arrangement are
    asked for once, not per chunk: only their chunks ask the sources for the arrangements.
    """
    counts: Counter[str] = Counter(aged=0, bucket_changes=0)
    arranged = accounts_under_arrangement(ctx.day)
    accounts = accounts_to_age(ctx, arranged=arranged)
    for chunk in chunked(accounts):
        with transaction.atomic():
            moved = age_accounts_in_bulk(
                account_ids=chunk,
                as_of=ctx.day,
                terms=ctx.terms,
                clock=ctx.clock,
                under_arrangement=arranged,
            )
        counts["aged"] += len(chunk)
        counts["bucket_changes"] += moved
    return dict(counts)


def accounts_to_age(ctx: CycleContext, *, arranged: Collection[int] | None = None) -> list[int]:
    """The open accounts (ids) that are not current, or that owe an obligation due before today.

    The others cannot move today, so they are not read: an account whose cached figures are
    current (0 days past due, nothing past due, the first bucket) and that owes nothing due
    before today is current today too. An obligation due today is on its day 0: it makes
    nothing past due (that counts dues *before* today) and no day past due (a due counts once
    its date, and any grace days, have passed). So ageing it would only move `aged_on`. An
    account under an arrangement (a hardship plan) is always aged: its dues are the plan's
    (`arranged`: those accounts, when the caller has asked the sources already).
    """
    unpaid_before_today = Obligation.objects.filter(
        account=OuterRef("pk"), due_on__lt=ctx.day, paid_minor__lt=F("amount_minor")
    )
    not_current = Q(days_past_due__gt=0) | Q(past_due_minor__gt=0)
    for pk, terms in ctx.terms.items():
        not_current |= Q(product_id=pk) & ~Q(bucket=terms.buckets.buckets[0].code)
    if arranged is None:
        arranged = accounts_under_arrangement(ctx.day)
    if arranged:
        not_current |= Q(pk__in=sorted(arranged))
    return list(
        Account.objects.filter(status=AccountStatus.OPEN)
        .filter(not_current | Exists(unpaid_before_today))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def charge_off_accounts(ctx: CycleContext) -> dict[str, int]:
    """Charge off (核销) open accounts whose days past due reached the product's limit.

    One entry per account moves every receivable book to `loss:charge_off`; the account stops
    ageing and accruing, and later payments on it are recoveries.
    """
    by_limit: dict[int, list[int]] = defaultdict(list)
    for pk, terms in ctx.terms.items():
        by_limit[terms.charge_off_dpd].append(pk)
    due = Q(pk__in=[])
    for limit, product_ids in by_limit.items():
        due |= Q(product_id__in=product_ids, days_past_due__gte=limit)
    accounts = list(Account.objects.filter(due, status=AccountStatus.OPEN).order_by("pk"))
    for chunk in chunked(accounts):
        with transaction.atomic():
            owed = receivable_balances([a.pk for a in chunk], as_of=ctx.day)
            for account in chunk:
                _post_charge_off(account, owed.get(account.pk, {}), ctx)
            BucketChange.objects.bulk_create(
                BucketChange(
                    account=account,
                    changed_on=ctx.day,
                    from_bucket=account.bucket,
                    to_bucket=CHARGED_OFF,
                    days_past_due=account.days_past_due,
                    reason=BucketChangeReason.CHARGE_OFF,
                    recorded_at=ctx.clock.now(),
                )
                for account in chunk
            )
            Account.objects.filter(pk__in=[a.pk for a in chunk]).update(
                status=AccountStatus.CHARGED_OFF, charged_off_on=ctx.day
            )
    return {"charged_off": len(accounts)}


def _post_charge_off(account: Account, owed: dict[str, int], ctx: CycleContext) -> None:
    """Move every receivable book's balance to the charge-off loss, in one keyed entry."""
    if not owed:
        return
    post_entry(
        account=account,
        kind=EntryKind.CHARGE_OFF,
        effective_on=ctx.day,
        lines={
            **{book: -amount for book, amount in owed.items()},
            LOSS_CHARGE_OFF: sum(owed.values()),
        },
        idempotency_key=f"chargeoff:{account.pk}",
        memo=f"charge-off at {account.days_past_due} days past due",
        clock=ctx.clock,
    )
