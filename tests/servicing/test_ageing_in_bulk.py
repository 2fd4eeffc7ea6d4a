"""Bulk ageing (sums of the unpaid dues read in SQL, the rule applied to them) against
`age_account`, one account at a time, on random accounts built straight from their obligations.

The cycle's differential tests (test_cycle_ageing.py) reach these states through payments; this
one reaches the corners directly: grace days and tolerances at their edges, dues before a
re-age, paid-off, closed and charged-off accounts, stale cached figures, and accounts under an
arrangement (which bulk ageing hands to `delinquency_of` itself) mixed with the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.servicing.choices import ObligationKind
from arrears.servicing.models import Account, BucketChange, Obligation, Product
from arrears.servicing.services.ageing import age_account, age_accounts_in_bulk
from arrears.servicing.services.arrangements import (
    Arrangement,
    register_arrangement_source,
    unregister_arrangement_source,
)
from arrears.servicing.services.products import product_terms
from tests.conftest import rolled_back
from tests.factories import make_borrower, make_card_account
from tests.servicing.cycle_support import product_like

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 10)

DUE = st.tuples(
    st.integers(min_value=-150, max_value=5),  # due date, days from AS_OF
    st.integers(min_value=1, max_value=30_000),  # amount, minor units
    st.sampled_from(["unpaid", "paid", "half", "short", "short"]),  # what is left of it
    # a shortfall (minor units) at the edge of the product's tolerance: one less, equal, one more
    st.sampled_from([-1, 0, 1]),
)
ACCOUNT = st.fixed_dictionaries(
    {
        "product": st.integers(min_value=0, max_value=2),
        "status": st.sampled_from(["open", "open", "open", "paid_off", "closed", "charged_off"]),
        "re_aged": st.none() | st.integers(min_value=-120, max_value=0),
        "cached": st.tuples(
            st.integers(min_value=0, max_value=200),
            st.integers(min_value=0, max_value=9),
            st.integers(min_value=0, max_value=100_000),
        ),
        "dues": st.lists(DUE, max_size=4),
        "arranged": st.sampled_from(["no", "no", "under", "plan"]),
        "plan": st.tuples(
            st.integers(min_value=-90, max_value=0),
            st.lists(st.tuples(st.integers(-60, 30), st.integers(1, 20_000)), max_size=3),
        ),
    }
)


class Plans:
    """An arrangement source for the test: some accounts under a plan, and a few more listed
    as under an arrangement that gives none (as the protocol allows)."""

    def __init__(self) -> None:
        self.under: set[int] = set()
        self.plans: dict[int, Arrangement] = {}

    def accounts_under_arrangement(self, as_of: dt.date) -> Collection[int]:
        return self.under

    def arrangements(
        self, account_ids: Collection[int], as_of: dt.date
    ) -> Mapping[int, Arrangement]:
        return {pk: plan for pk, plan in self.plans.items() if pk in set(account_ids)}


@pytest.fixture
def plans():
    source = Plans()
    register_arrangement_source("test_plans", source)
    yield source
    unregister_arrangement_source("test_plans")


def ageing_products() -> list[Product]:
    return [
        Product.objects.get(code="cn_card_classic"),  # 3 grace days, 10.00 tolerance
        Product.objects.get(code="us_card_rewards"),  # no grace, no tolerance
        product_like(
            "cn_card_classic",
            "card_own_buckets",
            grace_days_after_due=1,
            dpd_tolerance="0.50",
            buckets=[
                {"code": "ok", "min_dpd": 0, "max_dpd": 0},
                {"code": "early", "min_dpd": 1, "max_dpd": 9},
                {"code": "late", "min_dpd": 10},
            ],
        ),
    ]


def open_accounts(specs: list[dict], plans: Plans) -> list[int]:
    products = ageing_products()
    borrower = make_borrower()
    ids = []
    for spec in specs:
        product = products[spec["product"]]
        account = make_card_account(product=product, borrower=borrower)
        _owes(account, spec["dues"], product_terms(product).dpd_tolerance.minor)
        scheme = product_terms(product).buckets.buckets
        dpd, bucket, past_due = spec["cached"]
        Account.objects.filter(pk=account.pk).update(
            status=spec["status"],
            re_aged_on=None if spec["re_aged"] is None else AS_OF + dt.timedelta(spec["re_aged"]),
            days_past_due=dpd,
            bucket=scheme[bucket % len(scheme)].code,
            past_due_minor=past_due,
        )
        if spec["arranged"] != "no":
            plans.under.add(account.pk)
        if spec["arranged"] == "plan":
            starts, dues = spec["plan"]
            plans.plans[account.pk] = Arrangement(
                starts_on=AS_OF + dt.timedelta(starts),
                dues=tuple((AS_OF + dt.timedelta(on), minor) for on, minor in dues),
            )
        ids.append(account.pk)
    return ids


def _owes(account: Account, dues: list[tuple[int, int, str, int]], tolerance: int) -> None:
    obligations = []
    for number, (on, amount, habit, edge) in enumerate(dues, start=1):
        unpaid = {
            "unpaid": amount,
            "paid": 0,
            "half": amount // 2,
            "short": max(1, tolerance + edge),
        }[habit]
        obligations.append(
            Obligation(
                account=account,
                kind=ObligationKind.MINIMUM_PAYMENT,
                number=number,
                due_on=AS_OF + dt.timedelta(on),
                amount_minor=max(amount, unpaid),
                paid_minor=max(amount, unpaid) - unpaid,
            )
        )
    Obligation.objects.bulk_create(obligations)


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    accounts = list(
        Account.objects.order_by("pk").values_list(
            "pk", "status", "days_past_due", "bucket", "past_due_minor", "aged_on"
        )
    )
    changes = list(
        BucketChange.objects.order_by("account_id", "id").values_list(
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


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(ACCOUNT, min_size=1, max_size=8),
    as_of_shift=st.sampled_from([0, 1, 3]),
    told_who_is_arranged=st.booleans(),
)
def test_ageing_in_bulk_writes_what_ageing_each_account_writes(
    products, clock, plans, specs, as_of_shift, told_who_is_arranged
):
    as_of = AS_OF + dt.timedelta(as_of_shift)
    with rolled_back():
        # given random accounts, with what they owe, their status and their cached figures
        ids = open_accounts(specs, plans)

        # when they are aged one by one, and (from the same state) in bulk
        with rolled_back():
            for account in Account.objects.filter(pk__in=ids).order_by("pk"):
                age_account(account=account, as_of=as_of, clock=clock)
            each = snapshot()
        with rolled_back():
            recorded = age_accounts_in_bulk(
                account_ids=list(reversed(ids)),
                as_of=as_of,
                clock=clock,
                under_arrangement=plans.under if told_who_is_arranged else None,
            )
            bulk = snapshot()

        # then the figures, aged_on and bucket changes are the same, and in the same order
        assert bulk == each
        assert recorded == len(each[1])
