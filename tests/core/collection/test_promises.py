"""Promises to pay (承诺还款): kept, partly kept or broken, and when the treatment resumes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.collection.promises import (
    InstalmentStatus,
    Payment,
    Promise,
    PromisedInstalment,
    PromiseStatus,
    judge_promise,
)
from arrears.core.errors import ValidationError
from arrears.core.money import Money

TAKEN = dt.date(2025, 3, 1)
MAR_10 = dt.date(2025, 3, 10)
APR_10 = dt.date(2025, 4, 10)


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def two_instalments(grace_days: int = 3, **kwargs: object) -> Promise:
    return Promise(
        taken_on=TAKEN,
        instalments=(
            PromisedInstalment(MAR_10, cny("500.00")),
            PromisedInstalment(APR_10, cny("500.00")),
        ),
        grace_days=grace_days,
        **kwargs,  # type: ignore[arg-type]
    )


def paid(on: dt.date, amount: str) -> Payment:
    return Payment(on, cny(amount))


# --- scenarios -----------------------------------------------------------------------------


def test_a_promise_paid_in_full_on_time_is_kept() -> None:
    outcome = judge_promise(
        two_instalments(), [paid(MAR_10, "500.00"), paid(APR_10, "500.00")], as_of=APR_10
    )

    assert outcome.status is PromiseStatus.KEPT
    assert outcome.kept_on == APR_10
    assert [i.status for i in outcome.instalments] == [InstalmentStatus.KEPT] * 2


def test_broken_promise_resumes_treatment_the_day_after_grace() -> None:
    day_after_grace = MAR_10 + dt.timedelta(days=4)  # due + 3 grace days + 1

    outcome = judge_promise(two_instalments(), [], as_of=day_after_grace)

    assert outcome.status is PromiseStatus.BROKEN
    assert outcome.broken_on == day_after_grace
    assert outcome.resume_on == day_after_grace
    assert outcome.pauses_treatment_on(day_after_grace - dt.timedelta(days=1))
    assert not outcome.pauses_treatment_on(day_after_grace)


def test_a_promise_is_still_live_on_the_last_day_of_grace() -> None:
    last_grace_day = MAR_10 + dt.timedelta(days=3)

    outcome = judge_promise(two_instalments(), [], as_of=last_grace_day)

    assert outcome.status is PromiseStatus.LIVE
    assert outcome.instalments[0].status is InstalmentStatus.PENDING


def test_a_payment_in_the_grace_days_keeps_the_instalment() -> None:
    outcome = judge_promise(
        two_instalments(), [paid(MAR_10 + dt.timedelta(days=3), "500.00")], as_of=APR_10
    )

    assert outcome.instalments[0].status is InstalmentStatus.KEPT
    assert outcome.status is PromiseStatus.LIVE


def test_a_live_promise_pauses_the_treatment_until_the_day_after_the_last_instalment() -> None:
    outcome = judge_promise(two_instalments(grace_days=0), [paid(MAR_10, "500.00")], as_of=MAR_10)

    assert outcome.status is PromiseStatus.LIVE
    assert outcome.resume_on == APR_10 + dt.timedelta(days=1)
    assert outcome.pauses_treatment_on(APR_10)
    assert not outcome.pauses_treatment_on(TAKEN - dt.timedelta(days=1))


def test_paying_part_of_an_instalment_keeps_it_partly() -> None:
    outcome = judge_promise(
        two_instalments(),
        [paid(MAR_10, "200.00"), paid(APR_10, "500.00")],
        as_of=dt.date(2025, 5, 1),
    )

    first = outcome.instalments[0]
    assert first.status is InstalmentStatus.PARTLY_KEPT
    assert first.paid == cny("200.00")
    assert first.shortfall == cny("300.00")
    assert outcome.status is PromiseStatus.PARTLY_KEPT


def test_too_little_paid_breaks_the_instalment_when_the_lender_sets_a_minimum_share() -> None:
    promise = two_instalments(partly_kept_share=Decimal("0.5"))

    outcome = judge_promise(promise, [paid(MAR_10, "100.00")], as_of=dt.date(2025, 3, 20))

    assert outcome.instalments[0].status is InstalmentStatus.BROKEN
    assert outcome.status is PromiseStatus.BROKEN


def test_a_shortfall_within_the_tolerance_still_keeps_the_instalment() -> None:
    promise = two_instalments(tolerance=cny("1.00"))

    outcome = judge_promise(promise, [paid(MAR_10, "499.50")], as_of=dt.date(2025, 3, 20))

    assert outcome.instalments[0].status is InstalmentStatus.KEPT
    assert outcome.instalments[0].kept_on == MAR_10


def test_paying_both_instalments_at_once_rolls_the_extra_forward() -> None:
    outcome = judge_promise(two_instalments(), [paid(MAR_10, "1000.00")], as_of=MAR_10)

    assert outcome.status is PromiseStatus.KEPT
    assert outcome.kept_on == MAR_10
    assert outcome.surplus == cny("0.00")


def test_a_late_payment_goes_to_the_next_instalment_not_back_to_the_missed_one() -> None:
    late = MAR_10 + dt.timedelta(days=10)

    outcome = judge_promise(two_instalments(), [paid(late, "500.00")], as_of=APR_10)

    assert outcome.instalments[0].status is InstalmentStatus.BROKEN
    assert outcome.instalments[1].status is InstalmentStatus.KEPT
    assert outcome.status is PromiseStatus.BROKEN


def test_money_beyond_the_promise_is_surplus() -> None:
    outcome = judge_promise(two_instalments(), [paid(MAR_10, "1200.00")], as_of=MAR_10)

    assert outcome.paid == cny("1000.00")
    assert outcome.surplus == cny("200.00")


def test_payments_before_the_promise_was_taken_do_not_count() -> None:
    outcome = judge_promise(
        two_instalments(), [paid(TAKEN - dt.timedelta(days=1), "500.00")], as_of=MAR_10
    )

    assert outcome.paid == cny("0.00")


@pytest.mark.parametrize(
    ("instalments", "field"),
    [
        ((), "instalments"),
        ((PromisedInstalment(MAR_10, cny("0.00")),), "instalments[0].amount"),
        ((PromisedInstalment(dt.date(2025, 2, 1), cny("10.00")),), "instalments[0].due_on"),
        (
            (PromisedInstalment(APR_10, cny("10.00")), PromisedInstalment(MAR_10, cny("10.00"))),
            "instalments[1].due_on",
        ),
        (
            (
                PromisedInstalment(MAR_10, cny("10.00")),
                PromisedInstalment(APR_10, Money("1", "USD")),
            ),
            "instalments[1].amount",
        ),
    ],
)
def test_a_bad_promise_is_refused_naming_the_field(
    instalments: tuple[PromisedInstalment, ...], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        Promise(taken_on=TAKEN, instalments=instalments)

    assert error.value.field == field


def test_grace_longer_than_a_month_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        two_instalments(grace_days=31)

    assert error.value.field == "grace_days"


# --- properties ----------------------------------------------------------------------------


@st.composite
def promises(draw: st.DrawFn) -> Promise:
    count = draw(st.integers(1, 5))
    gaps = draw(st.lists(st.integers(1, 40), min_size=count, max_size=count))
    amounts = draw(st.lists(st.integers(1, 500_000), min_size=count, max_size=count))
    due = TAKEN + dt.timedelta(days=draw(st.integers(0, 10)))
    instalments = []
    for gap, minor in zip(gaps, amounts, strict=True):
        instalments.append(PromisedInstalment(due, Money.from_minor(minor, "CNY")))
        due += dt.timedelta(days=gap)
    return Promise(TAKEN, tuple(instalments), grace_days=draw(st.integers(0, 10)))


@settings(deadline=None)
@given(promise=promises(), data=st.data())
def test_paying_every_instalment_in_full_on_time_always_keeps_the_promise(
    promise: Promise, data: st.DataObject
) -> None:
    payments = []
    for instalment in promise.instalments:
        earliest = max(TAKEN, instalment.due_on - dt.timedelta(days=20))
        day = data.draw(st.dates(earliest, promise.deadline(instalment)))
        payments.append(Payment(day, instalment.amount))

    outcome = judge_promise(promise, payments, as_of=promise.last_deadline + dt.timedelta(days=30))

    assert outcome.status is PromiseStatus.KEPT
    assert outcome.surplus == cny("0.00")


@settings(deadline=None)
@given(promise=promises(), late=st.integers(0, 60))
def test_paying_nothing_always_breaks_the_promise_the_day_after_the_first_grace(
    promise: Promise, late: int
) -> None:
    first_deadline = promise.deadline(promise.instalments[0])
    breaks_on = first_deadline + dt.timedelta(days=1)

    before = judge_promise(promise, [], as_of=first_deadline)
    after = judge_promise(promise, [], as_of=breaks_on + dt.timedelta(days=late))

    assert before.status is PromiseStatus.LIVE
    assert after.status is PromiseStatus.BROKEN
    assert after.broken_on == breaks_on
    assert after.resume_on == breaks_on


@settings(deadline=None)
@given(promise=promises(), extra=st.integers(0, 100_000))
def test_paying_the_whole_promise_on_the_first_day_keeps_every_instalment(
    promise: Promise, extra: int
) -> None:
    amount = promise.amount + Money.from_minor(extra, "CNY")

    outcome = judge_promise(promise, [Payment(TAKEN, amount)], as_of=promise.last_deadline)

    assert outcome.status is PromiseStatus.KEPT
    assert outcome.surplus == Money.from_minor(extra, "CNY")


@settings(deadline=None)
@given(
    promise=promises(),
    payments=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 300_000)), max_size=8),
)
def test_no_money_is_lost_or_invented_in_matching(
    promise: Promise, payments: list[tuple[int, int]]
) -> None:
    received = [
        Payment(TAKEN + dt.timedelta(days=d), Money.from_minor(m, "CNY")) for d, m in payments
    ]
    as_of = TAKEN + dt.timedelta(days=200)

    outcome = judge_promise(promise, received, as_of=as_of)

    assert outcome.paid + outcome.surplus == Money.from_minor(sum(m for _, m in payments), "CNY")
    for result in outcome.instalments:
        assert result.paid + result.shortfall == result.instalment.amount
        assert not result.shortfall.is_negative()
