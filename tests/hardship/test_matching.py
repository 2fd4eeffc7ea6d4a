"""Matching payments to plan instalments: the one rule the review and ageing share (pure)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.hardship.choices import InstalmentStatus
from arrears.hardship.matching import (
    Instalment,
    all_paid,
    first_missed,
    match_payments,
    on_time_run_completed,
)

START = dt.date(2025, 4, 1)


def monthly(*amounts: int) -> list[Instalment]:
    return [
        Instalment(n, START + dt.timedelta(days=30 * n), amount)
        for n, amount in enumerate(amounts, start=1)
    ]


def test_a_payment_on_the_due_date_keeps_the_instalment():
    plan = monthly(1000, 1000)
    standing = match_payments(plan, [(plan[0].due_on, 1000)], as_of=plan[0].due_on, grace_days=3)
    assert [s.status for s in standing] == [InstalmentStatus.KEPT, InstalmentStatus.DUE]


def test_a_payment_within_the_grace_days_is_kept_late_and_after_them_missed():
    plan = monthly(1000)
    due = plan[0].due_on
    late = match_payments(
        plan, [(due + dt.timedelta(days=3), 1000)], as_of=due + dt.timedelta(3), grace_days=3
    )
    assert late[0].status is InstalmentStatus.KEPT_LATE
    waiting = match_payments(plan, [], as_of=due + dt.timedelta(days=3), grace_days=3)
    assert waiting[0].status is InstalmentStatus.DUE
    missed = match_payments(plan, [], as_of=due + dt.timedelta(days=4), grace_days=3)
    assert first_missed(missed) == missed[0]


def test_a_large_payment_carries_to_the_next_instalments_and_a_holiday_month_keeps_itself():
    plan = monthly(0, 500, 500)
    standing = match_payments(plan, [(START, 800)], as_of=plan[1].due_on, grace_days=0)
    assert [(s.paid_minor, s.status) for s in standing] == [
        (0, InstalmentStatus.KEPT),
        (500, InstalmentStatus.KEPT),
        (300, InstalmentStatus.DUE),
    ]
    assert standing[1].paid_on == START


def test_re_ageing_needs_consecutive_on_time_payments_and_a_late_one_starts_again():
    plan = monthly(0, 100, 100, 100, 100)
    on_time = [(i.due_on, 100) for i in plan[1:]]
    standing = match_payments(plan, on_time, as_of=plan[-1].due_on, grace_days=5)
    assert on_time_run_completed(standing, 3) == 4  # the holiday month does not count
    late_second = [(plan[1].due_on + dt.timedelta(days=2), 100), *on_time[1:]]
    standing = match_payments(plan, late_second, as_of=plan[-1].due_on, grace_days=5)
    assert on_time_run_completed(standing, 3) == 5
    assert all_paid(standing)


amounts = st.lists(st.integers(min_value=0, max_value=5_000), min_size=1, max_size=12)
payments = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=6_000)),
    max_size=12,
)


# a loaded machine may generate slowly: that is not what these properties are about
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(amounts, payments, st.integers(min_value=0, max_value=400), st.integers(0, 15))
def test_what_is_matched_never_exceeds_what_was_paid_or_owed_and_fills_in_due_order(
    plan_amounts, paid, as_of_day, grace
):
    plan = monthly(*plan_amounts)
    received = [(START + dt.timedelta(days=d), m) for d, m in paid]
    as_of = START + dt.timedelta(days=as_of_day)
    standing = match_payments(plan, received, as_of=as_of, grace_days=grace)

    counted = sum(m for on, m in received if on <= as_of)
    matched = sum(s.paid_minor for s in standing)
    assert matched == min(counted, sum(plan_amounts))
    assert all(0 <= s.paid_minor <= s.amount_minor for s in standing)
    short = [s.number for s in standing if s.unpaid_minor > 0]
    if short:  # everything after the first instalment not covered is untouched
        assert all(s.paid_minor == 0 for s in standing if s.number > short[0])
    for s in standing:
        if s.status is InstalmentStatus.KEPT:
            assert s.paid_on is not None and s.paid_on <= s.due_on
        if s.status is InstalmentStatus.DUE:
            assert as_of <= s.due_on + dt.timedelta(days=grace)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(amounts, payments, st.tuples(st.integers(0, 400), st.integers(1, 6_000)))
def test_one_more_payment_never_unpays_an_instalment(plan_amounts, paid, extra):
    plan = monthly(*plan_amounts)
    received = [(START + dt.timedelta(days=d), m) for d, m in paid]
    as_of = START + dt.timedelta(days=500)
    before = match_payments(plan, received, as_of=as_of, grace_days=3)
    more = [*received, (START + dt.timedelta(days=extra[0]), extra[1])]
    after = match_payments(list(reversed(plan)), list(reversed(more)), as_of=as_of, grace_days=3)
    assert all(a.paid_minor >= b.paid_minor for a, b in zip(after, before, strict=True))
