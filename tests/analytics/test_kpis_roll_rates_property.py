"""Roll-rate rows sum to 1 for every non-empty start bucket, whatever the bucket histories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.analytics.rates import shares_summing_to_one
from arrears.analytics.selectors import kpis
from tests.conftest import rolled_back

START = dt.date(2025, 3, 1)
END = dt.date(2025, 4, 1)
BUCKETS = ["current", "M1", "M2", "M3", "M7+", "charged_off"]

#: One change: (days after 1 February, bucket moved to).
changes = st.lists(
    st.tuples(st.integers(min_value=0, max_value=70), st.sampled_from(BUCKETS)), max_size=5
)


@given(counts=st.dictionaries(st.sampled_from(BUCKETS), st.integers(1, 10_000), min_size=1))
def test_shares_of_a_row_add_up_to_exactly_one_and_each_is_within_a_quantum(counts):
    shares = shares_summing_to_one(counts)
    assert sum(shares.values()) == Decimal(1)
    total = sum(counts.values())
    for bucket, n in counts.items():
        assert abs(shares[bucket] - Decimal(n) / total) < Decimal("0.0001")


@pytest.fixture
def four_loans(db):  # type: ignore[no-untyped-def]
    from tests.factories import make_loan_account

    return [make_loan_account(start_on=dt.date(2025, 1, 15)) for _ in range(4)]


def _bucket_before(history: list[tuple[int, str]], day: dt.date) -> str:
    """By hand: the bucket moved to by the last change before `day`, else current."""
    before = [(on, i, to) for i, (on, to) in enumerate(history) if _day(on) < day]
    return max(before)[2] if before else "current"


def _day(offset: int) -> dt.date:
    return dt.date(2025, 2, 1) + dt.timedelta(days=offset)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(histories=st.lists(changes, min_size=4, max_size=4))
def test_roll_rate_rows_sum_to_one_and_count_each_account_once(four_loans, histories):
    from arrears.servicing.models import BucketChange

    with rolled_back():
        expected: dict[str, Counter[str]] = {}
        for loan, history in zip(four_loans, histories, strict=True):
            previous = "current"
            for on, to in sorted(history, key=lambda change: change[0]):
                BucketChange.objects.create(
                    account=loan, changed_on=_day(on), from_bucket=previous, to_bucket=to,
                    days_past_due=0, reason="ageing",
                    recorded_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                )  # fmt: skip
                previous = to
            ordered = sorted(history, key=lambda change: change[0])
            start, end = _bucket_before(ordered, START), _bucket_before(ordered, END)
            expected.setdefault(start, Counter())[end] += 1
        found = kpis(start_on=START, end_on=END)
        for row in found.roll_rates:
            assert row.accounts > 0
            assert sum(row.to_shares.values()) == Decimal(1)
            assert Counter(row.to_accounts) == expected[row.from_bucket]
        assert {row.from_bucket for row in found.roll_rates} == set(expected)
