"""Bulk ageing works a product's rule out once per chunk (`ageing.AgeingRule`): the tolerance in
minor units, the first bucket, and the bucket of each count of days past due, remembered. An
account aged with a rule shared by many accounts gets the figures the rule gives it on its own
(`selectors.delinquency_of`'s rule, as `AgeingRule` states it), whatever the others were.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.ageing import bucket_for
from arrears.servicing.models import Product
from arrears.servicing.services.ageing import SETTLED, AgeingRule, Owed
from arrears.servicing.services.products import product_terms
from tests.conftest import rolled_back
from tests.servicing.cycle_support import product_like

pytestmark = pytest.mark.django_db

AS_OF = 20_249  # 2025-06-10 in days since 1970-01-01

ACCOUNT = st.tuples(
    st.integers(min_value=0, max_value=2),  # product
    st.sampled_from(["open", "open", "open", "paid_off", "closed"]),
    st.integers(min_value=0, max_value=5_000),  # owed, minor units
    st.integers(min_value=0, max_value=2_000),  # late, minor units (around the tolerances)
    st.none() | st.integers(min_value=0, max_value=400),  # the oldest late due, days before
)


def expected(account: Owed, terms) -> tuple[int, str, int]:  # type: ignore[no-untyped-def]
    """The rule, stated plainly: no memory, `Money` for the tolerance."""
    if account.status in SETTLED:
        return 0, terms.buckets.buckets[0].code, 0
    days = 0
    if account.late_minor > terms.dpd_tolerance.minor and account.oldest_late is not None:
        days = AS_OF - account.oldest_late
    return days, bucket_for(days, terms.buckets).code, account.owed_minor


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(accounts=st.lists(ACCOUNT, min_size=1, max_size=40))
def test_an_account_aged_with_a_rule_shared_by_its_chunk_gets_its_own_figures(products, accounts):
    with rolled_back():
        # given three products' terms (one with its own buckets and a 0.50 tolerance)
        terms = [
            product_terms(Product.objects.get(code="cn_card_classic")),
            product_terms(Product.objects.get(code="us_card_rewards")),
            product_terms(
                product_like(
                    "cn_card_classic",
                    "card_rule_buckets",
                    dpd_tolerance="0.50",
                    buckets=[
                        {"code": "ok", "min_dpd": 0, "max_dpd": 0},
                        {"code": "early", "min_dpd": 1, "max_dpd": 9},
                        {"code": "late", "min_dpd": 10},
                    ],
                )
            ),
        ]
    rules = [AgeingRule(t) for t in terms]
    rows = [
        Owed(
            account_id=pk,
            product_id=product,
            status=status,
            currency="CNY",
            re_aged_on=None,
            was_days_past_due=0,
            was_bucket="current",
            was_past_due_minor=0,
            owed_minor=owed,
            late_minor=late,
            oldest_late=None if before is None else AS_OF - before,
        )
        for pk, (product, status, owed, late, before) in enumerate(accounts, start=1)
    ]

    # when a chunk's accounts are aged with one rule per product, shared
    shared = [rules[row.product_id].figures(row, as_of=AS_OF) for row in rows]

    # then each gets what the rule gives it alone
    assert shared == [expected(row, terms[row.product_id]) for row in rows]
