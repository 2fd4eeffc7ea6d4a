"""The book's movement over the period in one aggregate query: buckets at the start and at
the end, money collected, past-due balances at the start, who was in collection.

"The bucket of an account at a date D" is the `to_bucket` of its last `BucketChange` with
`changed_on` before D (the latest `changed_on`, then the latest recorded), i.e. its bucket at
the close of the day before D; an account with no change before D was current. So the bucket
at the start is the bucket at the close of the day before `start_on`, and the bucket at the
end the bucket at the close of the period's last day (the day before `end_on`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Count as CountOf
from django.db.models.functions import Coalesce

from arrears.analytics.rates import CURRENT
from arrears.analytics.selectors.scope import Scope
from arrears.collection.models import Case as CollectionCase
from arrears.servicing.choices import PaymentStatus
from arrears.servicing.models import (
    BucketChange,
    Obligation,
    ObligationAdjustment,
    Payment,
    PaymentApplication,
)


@dataclass(frozen=True)
class BookMovement:
    """Accounts that share a start bucket, an end bucket, whether they were already open at the
    start and whether they were in collection; with their money figures (minor units)."""

    start_bucket: str
    end_bucket: str
    open_at_start: bool
    in_collection: bool
    accounts: int
    collected_minor: int
    past_due_at_start_minor: int


def book_movements(scope: Scope) -> list[BookMovement]:
    """One GROUP BY over the report's accounts, each annotated by correlated subqueries."""
    rows = (
        scope.accounts()
        .annotate(
            start_bucket=_bucket_before(scope.start_on),
            end_bucket=_bucket_before(scope.end_on),
            open_at_start=Case(
                When(opened_on__lt=scope.start_on, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            in_collection=Exists(
                CollectionCase.objects.filter(
                    account=OuterRef("pk"), opened_on__lt=scope.end_on
                ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start_on))
            ),
            collected_each=_collected(scope),
            past_due_each=_past_due_at(scope),
        )
        .values("start_bucket", "end_bucket", "open_at_start", "in_collection")
        .annotate(
            accounts=CountOf("pk"),
            collected=Sum("collected_each"),
            past_due=Sum("past_due_each"),
        )
        .order_by()
    )
    return [
        BookMovement(
            start_bucket=row["start_bucket"],
            end_bucket=row["end_bucket"],
            open_at_start=bool(row["open_at_start"]),
            in_collection=bool(row["in_collection"]),
            accounts=int(row["accounts"]),
            collected_minor=int(row["collected"] or 0),
            past_due_at_start_minor=int(row["past_due"] or 0),
        )
        for row in rows
    ]


def _bucket_before(day: object) -> Coalesce:
    last_change = (
        BucketChange.objects.filter(account=OuterRef("pk"), changed_on__lt=day)
        .order_by("-changed_on", "-id")
        .values("to_bucket")[:1]
    )
    return Coalesce(Subquery(last_change), Value(CURRENT))


def _sum_of(queryset: object, field: str) -> Coalesce:
    """The sum of `field` over a correlated queryset, 0 when it has no rows."""
    total = queryset.order_by().values("_one").annotate(total=Sum(field)).values("total")  # type: ignore[attr-defined]
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _collected(scope: Scope) -> Coalesce:
    """Posted (not reversed) payments received in the period."""
    payments = Payment.objects.filter(
        account=OuterRef("pk"),
        status=PaymentStatus.POSTED,
        received_on__gte=scope.start_on,
        received_on__lt=scope.end_on,
    ).annotate(_one=Value(1))
    return _sum_of(payments, "amount_minor")


def _past_due_at(scope: Scope) -> Coalesce:
    """What fell due before the start and was still unpaid at the start: the obligations due
    before `start_on` (as they stood then: later waivers added back) less what payments
    received before `start_on` paid of them."""
    start = scope.start_on
    due = Obligation.objects.filter(account=OuterRef("pk"), due_on__lt=start).annotate(
        _one=Value(1)
    )
    waived_since = ObligationAdjustment.objects.filter(
        obligation__account=OuterRef("pk"),
        obligation__due_on__lt=start,
        entry__effective_on__gte=start,
    ).annotate(_one=Value(1))
    paid_before = PaymentApplication.objects.filter(
        obligation__account=OuterRef("pk"),
        obligation__due_on__lt=start,
        payment__received_on__lt=start,
    ).annotate(_one=Value(1))
    return Coalesce(
        _sum_of(due, "amount_minor")
        - _sum_of(waived_since, "amount_minor")
        - _sum_of(paid_before, "amount_minor"),
        Value(0),
        output_field=IntegerField(),
    )
