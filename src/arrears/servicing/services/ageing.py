"""Ageing accounts: days past due, bucket and past-due amount, and the moves between buckets.

The figures are cached on `Account` for collection queues and reports; they are always a pure
function of the obligations (`selectors.delinquency_of`), which `selectors.check_account`
verifies. `age_account` ages one account (payments and reversals re-age the account they
touch); `age_accounts_in_bulk` ages many in a handful of queries (the daily cycle). Both apply
the same rule and record the same moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from arrears.common.bulk import (
    EPOCH,
    day_number,
    epoch_days,
    insert_rows,
    table,
    update_rows,
)
from arrears.core.ageing import Delinquency, bucket_for
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import Account, BucketChange, Obligation, Product
from arrears.servicing.selectors import delinquency, delinquency_of
from arrears.servicing.services.arrangements import Arrangement, arrangements_for
from arrears.servicing.services.products import product_terms

#: The cached figures ageing writes, besides `aged_on`.
FIGURES = ("days_past_due", "bucket", "past_due_minor")


@transaction.atomic
def age_account(
    *,
    account: Account,
    as_of: dt.date,
    reason: BucketChangeReason = BucketChangeReason.AGEING,
    clock: Clock | None = None,
) -> BucketChange | None:
    """Recompute the account's delinquency as of a date; record a `BucketChange` if it moved.

    A move to "current" (a cure) is a change like any other. A charged-off account keeps the
    bucket it was charged off in: ageing stops, nothing is updated and None is returned.
    `account` is updated in place as well as in the database.
    """
    if account.status == AccountStatus.CHARGED_OFF:
        return None
    change = _apply(account, delinquency(account, as_of), as_of=as_of, reason=reason)
    Account.objects.filter(pk=account.pk).update(
        **{name: getattr(account, name) for name in FIGURES}, aged_on=as_of
    )
    if change is None:
        return None
    change.recorded_at = (clock or SystemClock()).now()
    change.save(force_insert=True)
    return change


@transaction.atomic
def age_accounts_in_bulk(
    *,
    account_ids: Collection[int],
    as_of: dt.date,
    reason: BucketChangeReason = BucketChangeReason.AGEING,
    terms: Mapping[int, CardTerms | LoanTerms] | None = None,
    clock: Clock | None = None,
    under_arrangement: Collection[int] | None = None,
) -> int:
    """`age_account` for many accounts at once: the same figures and the same bucket changes.

    Set-based, with no model object per account (the daily cycle ages a tenth of the book):
    the accounts are locked (as a payment locks the account it pays), and one query reads each
    with what its unpaid obligations add up to (`_owed`: the database adds them up, so no due
    is read one by one); the rule of `selectors.delinquency_of` then needs only those sums,
    in integers (`AgeingRule`: no `Money`, no dates, no model objects). An
    account under an arrangement (a hardship plan) or in another currency than its product
    goes through `delinquency_of` itself: they are few, and the rule keeps one definition for
    them. The writes are grouped (`_write_figures`) and the bucket changes are one insert.
    Charged-off accounts are left alone. `terms` (product id → terms) saves reading the
    products when the caller has them; `under_arrangement` (every account under an arrangement
    on `as_of`, or more: `arrangements.accounts_under_arrangement`) saves asking the sources
    about the others. Returns how many bucket changes were recorded.
    """
    ids = sorted(set(account_ids))
    if not ids:
        return 0
    _lock(ids)
    terms = terms if terms is not None else _terms_of(ids)
    owed = _owed(ids, terms, as_of)
    if not owed:
        return 0
    asked = [
        a.account_id for a in owed if under_arrangement is None or a.account_id in under_arrangement
    ]
    arrangements = arrangements_for(asked, as_of) if asked else {}
    fresh = _fresh(owed, terms, arrangements, as_of=as_of)
    _write_figures(fresh, as_of)
    return _record_moves(fresh, as_of=as_of, reason=reason, clock=clock)


class Owed(NamedTuple):
    """An account as ageing reads it, with the sums of its unpaid obligations (`_owed`)."""

    account_id: int
    product_id: int
    status: str
    currency: str
    re_aged_on: int | None  # days since 1970-01-01 (`bulk.epoch_days`)
    was_days_past_due: int
    was_bucket: str
    was_past_due_minor: int
    owed_minor: int  # unpaid, fell due before the date
    late_minor: int  # unpaid, fell due before the date less the product's grace days
    oldest_late: int | None  # the oldest of those due dates (days since 1970-01-01)


#: An account's fresh figures beside its cached ones, as `_write_figures` reads them:
#: (account id, days past due, bucket, past due, and the same three as they were).
Fresh = tuple[int, int, str, int, int, str, int]


def _lock(ids: list[int]) -> None:
    """Lock the accounts for the transaction (PostgreSQL; SQLite has one writer at a time)."""
    if not connection.features.has_select_for_update:
        return
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table(Account)} WHERE id IN ({marks}) ORDER BY id FOR UPDATE", ids
        )


def _owed(ids: list[int], terms: Mapping[int, CardTerms | LoanTerms], as_of: dt.date) -> list[Owed]:
    """The accounts that still age (not charged off) with what their unpaid obligations due by
    `as_of` add up to, in one query (by the partial index `obligation_unpaid_idx`): past due
    (before `as_of`), late (before `as_of` less the product's grace days) and the oldest late
    due date. Dues before the account's `re_aged_on` are left out (a re-age)."""
    adapt = connection.ops.adapt_datefield_value
    late_before, late_params = _per_product(
        "a.product_id",
        {pk: adapt(as_of - dt.timedelta(days=t.grace_days_after_due)) for pk, t in terms.items()},
    )
    unpaid = "o.amount_minor - o.paid_minor"

    def total(when: str) -> str:
        return f"CAST(COALESCE(SUM(CASE WHEN {when} THEN {unpaid} END), 0) AS BIGINT)"

    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, a.product_id, a.status, a.currency, {epoch_days('a.re_aged_on')}, "
            "a.days_past_due, a.bucket, a.past_due_minor, "
            f"{total('o.due_on < %s')}, {total(f'o.due_on < {late_before}')}, "
            f"{epoch_days(f'MIN(CASE WHEN o.due_on < {late_before} THEN o.due_on END)')} "
            f"FROM {table(Account)} a LEFT JOIN {table(Obligation)} o ON o.account_id = a.id "
            "AND o.due_on <= %s AND o.paid_minor < o.amount_minor "
            "AND (a.re_aged_on IS NULL OR o.due_on >= a.re_aged_on) "
            f"WHERE a.id IN ({marks}) AND a.status <> %s GROUP BY a.id ORDER BY a.id",
            [
                adapt(as_of),
                *late_params,
                *late_params,
                adapt(as_of),
                *ids,
                AccountStatus.CHARGED_OFF.value,
            ],
        )
        return [Owed._make(row) for row in cursor.fetchall()]


def _per_product(column: str, values: Mapping[int, Any]) -> tuple[str, list[Any]]:
    """SQL for a value that depends on the product, and its parameters."""
    whens = " ".join("WHEN %s THEN %s" for _ in values)
    return f"CASE {column} {whens} END", [p for item in values.items() for p in item]


def _fresh(
    owed: list[Owed],
    terms: Mapping[int, CardTerms | LoanTerms],
    arrangements: Mapping[int, Arrangement],
    *,
    as_of: dt.date,
) -> list[Fresh]:
    """Each account's fresh figures beside its cached ones, by account id: by `AgeingRule`,
    but for the few accounts that the sums cannot take (an arrangement, or a currency other
    than the product's), by `delinquency_of` itself."""
    odd = [
        account
        for account in owed
        if account.account_id in arrangements
        or account.currency != terms[account.product_id].dpd_tolerance.currency
    ]
    scalar = _each_on_its_own(odd, terms, arrangements, as_of) if odd else {}
    today = day_number(as_of)
    rules: dict[int, AgeingRule] = {}
    fresh: list[Fresh] = []
    for account in owed:
        figures = scalar.get(account.account_id)
        if figures is None:
            rule = rules.get(account.product_id)
            if rule is None:
                rule = rules[account.product_id] = AgeingRule(terms[account.product_id])
            figures = rule.figures(account, as_of=today)
        fresh.append(
            (
                account.account_id,
                *figures,
                account.was_days_past_due,
                account.was_bucket,
                account.was_past_due_minor,
            )
        )
    return fresh


class AgeingRule:
    """`selectors.delinquency_of` (without an arrangement) for the accounts of one product, from
    the sums of each account's unpaid dues, in exact integers: days past due, bucket and
    past-due minor units.

    A paid-off or closed account is current. Otherwise days past due count from the oldest due
    whose grace days are over, unless what is late in total is within the product's tolerance
    (`Money` holds whole minor units, so the comparison is exact); the past-due amount is
    everything due before the day. The product's tolerance, first bucket and the bucket of each
    count of days are worked out once, not per account (a chunk's accounts share a handful of
    products and of day counts)."""

    __slots__ = ("_buckets", "_by_days", "_current", "_tolerance_minor")

    def __init__(self, terms: CardTerms | LoanTerms) -> None:
        self._tolerance_minor = terms.dpd_tolerance.minor
        self._buckets = terms.buckets
        self._current = terms.buckets.buckets[0].code
        self._by_days: dict[int, str] = {}

    def figures(self, account: Owed, *, as_of: int) -> tuple[int, str, int]:
        """The account's figures on `as_of` (days since 1970-01-01)."""
        if account.status in SETTLED:
            return 0, self._current, 0
        days = 0
        if account.late_minor > self._tolerance_minor and account.oldest_late is not None:
            days = as_of - account.oldest_late
        bucket = self._by_days.get(days)
        if bucket is None:  # bucket_for refuses a negative count: never remembered
            bucket = self._by_days[days] = bucket_for(days, self._buckets).code
        return days, bucket, account.owed_minor


#: An account that owes nothing whatever its schedule still lists (`delinquency_of`).
SETTLED = frozenset({AccountStatus.PAID_OFF.value, AccountStatus.CLOSED.value})


def _each_on_its_own(
    accounts: list[Owed],
    terms: Mapping[int, CardTerms | LoanTerms],
    arrangements: Mapping[int, Arrangement],
    as_of: dt.date,
) -> dict[int, tuple[int, str, int]]:
    """`selectors.delinquency_of` itself, account by account (arrangements, odd currencies):
    (days past due, bucket, past-due minor units) by account id."""
    dues: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for account_id, due_on, unpaid in _unpaid_obligations([a.account_id for a in accounts], as_of):
        dues[account_id].append((due_on, unpaid))
    found: dict[int, tuple[int, str, int]] = {}
    for row in accounts:
        account = Account(
            pk=row.account_id,
            product_id=row.product_id,
            status=row.status,
            currency=row.currency,
            re_aged_on=None if row.re_aged_on is None else EPOCH + dt.timedelta(row.re_aged_on),
        )
        fresh = delinquency_of(
            account,
            terms[row.product_id],
            dues.get(row.account_id, ()),
            as_of=as_of,
            arrangement=arrangements.get(row.account_id),
        )
        found[row.account_id] = (fresh.days_past_due, fresh.bucket.code, fresh.past_due.minor)
    return found


def _unpaid_obligations(account_ids: list[int], as_of: dt.date) -> list[tuple[int, dt.date, int]]:
    """(account, due_on, unpaid minor units) of each obligation due by `as_of` and not paid in
    full."""
    rows = (
        Obligation.objects.filter(
            account_id__in=account_ids, due_on__lte=as_of, paid_minor__lt=F("amount_minor")
        )
        .order_by()  # any order will do (the default one joins the accounts)
        .values_list("account_id", "due_on", "amount_minor", "paid_minor")
    )
    return [(pk, due_on, int(amount) - int(paid)) for pk, due_on, amount, paid in rows]


def _write_figures(fresh: list[Fresh], as_of: dt.date) -> None:
    """`aged_on` for every account, and the figures that moved, in a few statements: the
    accounts whose figures did not change in one; those only some days older (the common daily
    case: a delinquent account one day older) as `days_past_due = days_past_due + n`, one
    statement per n (exact, since the rows are locked); the others in one bulk update."""
    unchanged: list[int] = []
    older_by: dict[int, list[int]] = defaultdict(list)  # days → accounts only that much older
    rewritten: list[tuple[object, ...]] = []
    for pk, dpd, bucket, past_due, was_dpd, was_bucket, was_past_due in fresh:
        if (bucket, past_due) != (was_bucket, was_past_due):
            rewritten.append((dpd, bucket, past_due, as_of, pk))
        elif dpd != was_dpd:
            older_by[dpd - was_dpd].append(pk)
        else:
            unchanged.append(pk)
    day = connection.ops.adapt_datefield_value(as_of)
    with connection.cursor() as cursor:
        if unchanged:
            _update_where_in(cursor, "aged_on = %s", [day], unchanged)
        for days, ids in older_by.items():
            _update_where_in(
                cursor, "days_past_due = days_past_due + %s, aged_on = %s", [days, day], ids
            )
    update_rows(Account, [*FIGURES, "aged_on"], rewritten)


def _update_where_in(cursor: Any, sets: str, params: list[Any], ids: list[int]) -> None:
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(f"UPDATE {table(Account)} SET {sets} WHERE id IN ({marks})", [*params, *ids])


def _record_moves(
    fresh: list[Fresh], *, as_of: dt.date, reason: BucketChangeReason, clock: Clock | None
) -> int:
    """A `BucketChange` for each account whose bucket moved (a cure included), in one insert,
    in the order of the accounts (as `age_account` one by one would record them)."""
    now: dt.datetime | None = None
    rows = []
    for account_id, dpd, bucket, _past_due, _was_dpd, was, _was_past_due in fresh:
        if bucket != was:
            now = now or (clock or SystemClock()).now()
            rows.append((account_id, as_of, was, bucket, dpd, str(reason), now))
    return insert_rows(BucketChange, MOVE_COLUMNS, rows)


MOVE_COLUMNS = (
    "account_id",
    "changed_on",
    "from_bucket",
    "to_bucket",
    "days_past_due",
    "reason",
    "recorded_at",
)


@transaction.atomic
def re_age_account(
    *, account: Account, on: dt.date, clock: Clock | None = None
) -> BucketChange | None:
    """Re-age the account (账龄重置) under a kept repayment plan: from `on`, what fell due
    before that date and is still unpaid no longer counts for ageing.

    The amounts stay owed (the ledger is untouched); only their delinquency is forgiven, as an
    agreed plan allows. The account is aged at once as of `on`; a move of bucket is recorded as
    a `BucketChange` with reason "re-aged". Whether a re-age is allowed (how many on-time
    payments, how often) is the caller's policy. Refused for a charged-off account, and for a
    date before the account's last re-age or ageing (re-ageing never rewrites the past).
    """
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status == AccountStatus.CHARGED_OFF:
        raise Conflict(_("a charged-off account cannot be re-aged"))
    for earlier in (account.re_aged_on, account.aged_on):
        if earlier is not None and on < earlier:
            raise ValidationError(
                "on",
                _("is before %(earlier)s, when the account was last aged or re-aged")
                % {"earlier": earlier},
            )
    account.re_aged_on = on
    Account.objects.filter(pk=account.pk).update(re_aged_on=on)
    return age_account(account=account, as_of=on, reason=BucketChangeReason.RE_AGED, clock=clock)


def _apply(
    account: Account, fresh: Delinquency, *, as_of: dt.date, reason: BucketChangeReason
) -> BucketChange | None:
    """Set the account's cached figures; the (unsaved) move when its bucket changed."""
    previous = account.bucket
    account.days_past_due = fresh.days_past_due
    account.bucket = fresh.bucket.code
    account.past_due_minor = fresh.past_due.minor
    account.aged_on = as_of
    if fresh.bucket.code == previous:
        return None
    return BucketChange(
        account=account,
        changed_on=as_of,
        from_bucket=previous,
        to_bucket=fresh.bucket.code,
        days_past_due=fresh.days_past_due,
        reason=reason,
    )


def _terms_of(account_ids: list[int]) -> dict[int, CardTerms | LoanTerms]:
    """The terms of the accounts' products, as `age_account` reads them."""
    products = Product.objects.filter(accounts__id__in=account_ids).distinct()
    return {product.pk: product_terms(product) for product in products}
