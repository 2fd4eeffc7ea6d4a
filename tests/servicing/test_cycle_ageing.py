"""The cycle's bulk ageing ages accounts exactly as `age_account` does, one by one.

Differential tests on random portfolios: cards and loans of several products (grace days,
tolerances, own buckets, early charge-off), several weeks of the cycle, and borrowers who pay in
full, in part, within the tolerance, late, back-dated or not at all, and payments reversed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.clock import Clock
from arrears.core.money import Money
from arrears.servicing.choices import AccountStatus, PaymentStatus
from arrears.servicing.models import Account, BucketChange, Obligation, Payment, Product
from arrears.servicing.selectors import delinquency
from arrears.servicing.services.accounts import post_cash_advance, post_purchase
from arrears.servicing.services.ageing import age_account, age_accounts_in_bulk
from arrears.servicing.services.cycle import context as cycle_context
from arrears.servicing.services.cycle import run_business_date, runner
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.payments import post_payment, reverse_payment
from tests.conftest import rolled_back
from tests.factories import make_card_account, make_loan_account
from tests.servicing.cycle_support import product_like

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2025, 1, 10)
DAYS = 80  # two statements and their due dates, grace days, M1 → M2, an early charge-off

SCENARIOS = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def ageing_products() -> list[Product]:
    """Bundled products and variants that exercise every part of the ageing rule."""
    return [
        Product.objects.get(code="cn_card_classic"),  # 3 grace days, 10.00 tolerance
        Product.objects.get(code="us_card_rewards"),  # no grace, no tolerance
        product_like(
            "cn_card_classic",
            "card_own_buckets",
            grace_days_after_due=1,
            dpd_tolerance="0.50",
            charge_off_dpd=40,
            buckets=[
                {"code": "ok", "min_dpd": 0, "max_dpd": 0},
                {"code": "early", "min_dpd": 1, "max_dpd": 9},
                {"code": "late", "min_dpd": 10},
            ],
        ),
        Product.objects.get(code="cn_consumer_loan"),
        product_like(
            "cn_consumer_loan",
            "loan_tolerant",
            grace_days_after_due=2,
            dpd_tolerance="5.00",
            charge_off_dpd=35,
        ),
    ]


def open_portfolio(rng: random.Random, size: int) -> None:
    products = ageing_products()
    for n in range(size):
        product = products[rng.randrange(len(products))]
        opened_on = FIRST_DAY + dt.timedelta(days=rng.randint(0, 12))
        if product.kind == "card":
            card = make_card_account(product=product, opened_on=opened_on)
            if rng.random() < 0.5:  # its own statement day, else the product's
                Account.objects.filter(pk=card.pk).update(statement_day=rng.randint(1, 28))
            for k in range(rng.randint(0, 3)):
                post = post_cash_advance if rng.random() < 0.2 else post_purchase
                post(
                    account=card,
                    amount=Money.from_minor(rng.randint(1_000, 400_000), card.currency),
                    on=opened_on + dt.timedelta(days=rng.randint(0, 15)),
                    idempotency_key=f"spend:{n}:{k}",
                )
        else:
            make_loan_account(
                product=product,
                principal=Money(rng.randint(10, 200) * 100, product.currency),
                months=rng.choice([6, 12]),
                start_on=opened_on,
            )


def borrowers_pay(rng: random.Random, day: dt.date, clock: Clock, never: set[int]) -> None:
    """Before the day's cycle: obligations near their due date are paid in full, in part,
    within the tolerance, over or not at all, sometimes back-dated; the `never` accounts do not
    pay. Now and then an account is repaid in full (a loan is paid off), and a payment is
    reversed (the delinquency it cured comes back)."""
    near = Obligation.objects.filter(
        due_on__range=(day - dt.timedelta(days=40), day + dt.timedelta(days=2)),
        paid_minor__lt=F("amount_minor"),
        account__status=AccountStatus.OPEN,
    ).exclude(account_id__in=never)
    for obligation in near.select_related("account").order_by("pk"):
        habit = rng.random()
        if habit < 0.8:
            continue
        unpaid = obligation.unpaid_minor
        minor = (
            unpaid
            if habit < 0.9
            else max(1, unpaid - rng.choice([1, 50, 400, 700]))
            if habit < 0.97
            else unpaid + rng.choice([100, 50_000])
        )
        account = obligation.account
        received_on = max(day - dt.timedelta(days=rng.choice([0, 0, 0, 1, 3])), account.opened_on)
        post_payment(
            account=account,
            amount=Money.from_minor(minor, account.currency),
            received_on=received_on,
            idempotency_key=f"pay:{obligation.pk}:{day}",
            clock=clock,
        )
    open_accounts = list(
        Account.objects.filter(status=AccountStatus.OPEN, opened_on__lte=day).order_by("pk")
    )
    if open_accounts and rng.random() < 0.05:  # someone repays everything (a loan is paid off)
        account = rng.choice(open_accounts)
        post_payment(
            account=account,
            amount=Money(100_000, account.currency),
            received_on=day,
            idempotency_key=f"payoff:{account.pk}:{day}",
            clock=clock,
        )
    if rng.random() < 0.15:
        posted = list(Payment.objects.filter(status=PaymentStatus.POSTED).order_by("pk"))
        if posted:
            payment = rng.choice(posted)
            reverse_payment(payment=payment, reversed_on=day, reason="returned unpaid", clock=clock)


def age_each_open_account(ctx: CycleContext) -> dict[str, int]:
    """The reference: `age_account` on every open account, one by one, every day."""
    counts: Counter[str] = Counter(aged=0, bucket_changes=0)
    accounts = Account.objects.filter(status=AccountStatus.OPEN).select_related("product")
    for account in accounts.order_by("pk"):
        counts["aged"] += 1
        change = age_account(account=account, as_of=ctx.day, clock=ctx.clock)
        counts["bucket_changes"] += change is not None
    return dict(counts)


@contextmanager
def ageing_step(run: Callable[[CycleContext], dict[str, int]] | None) -> Iterator[None]:
    """The cycle with its ageing step replaced (None: as it is), in chunks of 3 accounts."""
    steps = tuple(
        runner.Step(step.kind, run) if run and step.kind == "age_accounts" else step
        for step in runner.STEPS
    )
    with (
        mock.patch.object(runner, "STEPS", steps),
        mock.patch.object(cycle_context, "CHUNK_SIZE", 3),
    ):
        yield


def figures() -> list[tuple[object, ...]]:
    """Every account's cached figures and status, by order of opening."""
    return list(
        Account.objects.order_by("pk").values_list(
            "status", "days_past_due", "bucket", "past_due_minor", "charged_off_on", "closed_on"
        )
    )


def moves() -> list[tuple[object, ...]]:
    """Every bucket change, the account named by its order of opening (ids differ per run)."""
    rank = {
        pk: n for n, pk in enumerate(Account.objects.order_by("pk").values_list("pk", flat=True))
    }
    rows = BucketChange.objects.values_list(
        "account_id",
        "changed_on",
        "from_bucket",
        "to_bucket",
        "days_past_due",
        "reason",
        "recorded_at",
    )
    return sorted((rank[account_id], *rest) for account_id, *rest in rows)


def replay(
    seed: int, size: int, clock: Clock, after_each_day: Callable[[dt.date], None]
) -> list[object]:
    """Open a random portfolio and run DAYS dates of payments and cycle; what ageing wrote."""
    rng = random.Random(seed)
    open_portfolio(rng, size)
    opened = Account.objects.order_by("pk").values_list("pk", flat=True)
    never = {pk for pk in opened if rng.random() < 0.25}
    history: list[object] = []
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        borrowers_pay(rng, day, clock, never)
        run_business_date(day=day, clock=clock)
        history.append((day, figures()))
        after_each_day(day)
    history.append(moves())
    return history


def every_open_account_is_aged_as_of(day: dt.date) -> None:
    for account in Account.objects.filter(status=AccountStatus.OPEN).select_related("product"):
        fresh = delinquency(account, day)
        cached = (account.days_past_due, account.bucket, account.past_due_minor)
        assert cached == (fresh.days_past_due, fresh.bucket.code, fresh.past_due.minor), (
            account.pk,
            day,
        )


@SCENARIOS
@given(seed=st.integers(min_value=0, max_value=2**32), size=st.integers(min_value=4, max_value=12))
def test_the_cycle_ages_every_account_as_if_each_were_aged_on_its_own_every_day(
    products, clock, seed, size
):
    # given a random portfolio and borrowers, run through the cycle as it is: the accounts that
    # can move today, aged in bulk, a chunk at a time
    with rolled_back(), ageing_step(None):
        in_bulk = replay(seed, size, clock, after_each_day=every_open_account_is_aged_as_of)

    # when the same portfolio and borrowers run through a cycle that instead ages every open
    # account with age_account, one by one, every day
    with rolled_back(), ageing_step(age_each_open_account):
        one_by_one = replay(seed, size, clock, after_each_day=lambda day: None)

    # then every day the accounts' figures, status and charge-offs are the same, and so are
    # the bucket changes recorded (and each day the bulk run's figures were today's)
    assert in_bulk == one_by_one


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    accounts = list(
        Account.objects.order_by("pk").values_list(
            "pk", "status", "days_past_due", "bucket", "past_due_minor", "aged_on"
        )
    )
    changes = sorted(
        BucketChange.objects.values_list(
            "account_id",
            "changed_on",
            "from_bucket",
            "to_bucket",
            "days_past_due",
            "reason",
            "recorded_at",
        )
    )
    return accounts, changes


@SCENARIOS
@given(seed=st.integers(min_value=0, max_value=2**32), size=st.integers(min_value=4, max_value=12))
def test_ageing_in_bulk_writes_what_ageing_each_account_writes(products, clock, seed, size):
    # given random portfolios at every stage of a cycle run (current, in grace, within the
    # tolerance, delinquent, cured, paid off, charged off)
    jumps = random.Random(seed + 1)

    def compare(day: dt.date) -> None:
        # when all the accounts are aged as of a later day, in bulk and one by one
        as_of = day + dt.timedelta(days=jumps.choice([1, 1, 2, 5, 30]))
        with rolled_back():
            for account in Account.objects.select_related("product").order_by("pk"):
                age_account(account=account, as_of=as_of, clock=clock)
            each = snapshot()
        with rolled_back():
            ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
            recorded = age_accounts_in_bulk(account_ids=ids, as_of=as_of, clock=clock)
            bulk = snapshot()
        # then they write the same figures, aged_on and bucket changes
        assert bulk == each
        assert recorded == len(each[1]) - BucketChange.objects.count()

    with rolled_back(), ageing_step(None):
        replay(seed, size, clock, after_each_day=compare)
