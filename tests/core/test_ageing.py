"""Delinquency ageing: days past due (逾期天数), buckets (账龄), cure and charge-off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.ageing import (
    DEFAULT_BUCKETS,
    Bucket,
    BucketScheme,
    bucket_for,
    cured,
    days_past_due,
    delinquency,
    is_charge_off_due,
)
from arrears.core.errors import ValidationError
from arrears.core.money import Money

DUE = date(2025, 3, 10)
NO_TOLERANCE = Money("0", "CNY")


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def dpd(unpaid: list[tuple[date, Money]], as_of: date, tolerance: str = "0", **kw: int) -> int:
    return days_past_due(unpaid, as_of=as_of, tolerance=cny(tolerance), **kw)


# --- days past due --------------------------------------------------------------------------


def test_due_date_itself_is_day_zero() -> None:
    assert dpd([(DUE, cny("500.00"))], as_of=DUE) == 0


def test_day_after_the_due_date_is_day_one() -> None:
    assert dpd([(DUE, cny("500.00"))], as_of=DUE + timedelta(days=1)) == 1


def test_dpd_counts_from_the_oldest_unpaid_due() -> None:
    unpaid = [(date(2025, 2, 10), cny("500.00")), (date(2025, 1, 10), cny("500.00"))]

    assert dpd(unpaid, as_of=date(2025, 3, 1)) == 50


def test_paid_dues_do_not_count() -> None:
    unpaid = [(date(2025, 1, 10), cny("0.00")), (date(2025, 2, 10), cny("300.00"))]

    assert dpd(unpaid, as_of=date(2025, 2, 20)) == 10


def test_credit_on_a_due_does_not_count() -> None:
    assert dpd([(date(2025, 1, 10), cny("-5.00"))], as_of=date(2025, 2, 20)) == 0


def test_nothing_unpaid_is_current() -> None:
    assert days_past_due([], as_of=DUE, tolerance=NO_TOLERANCE) == 0


def test_amounts_not_yet_due_do_not_count() -> None:
    assert dpd([(DUE + timedelta(days=5), cny("500.00"))], as_of=DUE) == 0


def test_shortfall_within_tolerance_is_not_delinquent() -> None:
    unpaid = [(date(2025, 1, 10), cny("4.00")), (date(2025, 2, 10), cny("5.00"))]

    assert dpd(unpaid, as_of=date(2025, 3, 1), tolerance="10.00") == 0


def test_shortfall_exactly_at_tolerance_is_not_delinquent() -> None:
    assert dpd([(DUE, cny("10.00"))], as_of=DUE + timedelta(days=40), tolerance="10.00") == 0


def test_shortfall_above_tolerance_counts_from_the_oldest_due() -> None:
    unpaid = [(date(2025, 1, 10), cny("6.00")), (date(2025, 2, 10), cny("5.00"))]

    assert dpd(unpaid, as_of=date(2025, 3, 1), tolerance="10.00") == 50


def test_amount_due_today_does_not_push_an_old_small_shortfall_past_tolerance() -> None:
    unpaid = [(date(2025, 2, 10), cny("5.00")), (DUE, cny("800.00"))]

    assert dpd(unpaid, as_of=DUE, tolerance="10.00") == 0


def test_payment_within_grace_days_is_on_time() -> None:
    unpaid = [(DUE, cny("500.00"))]

    assert dpd(unpaid, as_of=DUE + timedelta(days=3), grace_days=3) == 0


def test_after_grace_days_dpd_counts_from_the_due_date() -> None:
    unpaid = [(DUE, cny("500.00"))]

    assert dpd(unpaid, as_of=DUE + timedelta(days=4), grace_days=3) == 4


def test_unpaid_amount_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        dpd([(DUE, cny("1.00")), (DUE, Money("1.00", "USD"))], as_of=DUE)
    assert error.value.field == "unpaid[1]"


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        dpd([], as_of=DUE, tolerance="-1.00")
    assert error.value.field == "tolerance"


def test_negative_grace_days_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        dpd([], as_of=DUE, grace_days=-1)
    assert error.value.field == "grace_days"


# --- buckets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (0, "current"),
        (1, "M1"),
        (29, "M1"),
        (30, "M2"),
        (59, "M2"),
        (60, "M3"),
        (90, "M4"),
        (120, "M5"),
        (150, "M6"),
        (179, "M6"),
        (180, "M7+"),
        (10_000, "M7+"),
    ],
)
def test_default_buckets(days: int, code: str) -> None:
    assert bucket_for(days).code == code


def test_default_buckets_are_labelled_in_both_languages() -> None:
    m1 = bucket_for(15)
    last = bucket_for(400)

    assert (m1.label_en, m1.label_zh) == ("1–29 days", "逾期1-29天 (M1)")
    assert (last.label_en, last.label_zh) == ("180+ days", "逾期180天以上 (M7+)")


def test_negative_dpd_has_no_bucket() -> None:
    with pytest.raises(ValidationError) as error:
        bucket_for(-1)
    assert error.value.field == "dpd"


def scheme(*ranges: tuple[str, int, int | None]) -> BucketScheme:
    return BucketScheme(tuple(Bucket(code, lo, hi, code, code) for code, lo, hi in ranges))


def test_product_can_use_its_own_buckets() -> None:
    thirty_day = scheme(("C", 0, 0), ("X", 1, 30), ("Y", 31, None))

    assert [bucket_for(d, thirty_day).code for d in (0, 30, 31)] == ["C", "X", "Y"]


@pytest.mark.parametrize(
    ("ranges", "field"),
    [
        ((), "buckets"),
        ((("C", 1, None),), "buckets[0].min_dpd"),
        ((("C", 0, 0), ("M1", 1, 29), ("M3", 60, None)), "buckets[2].min_dpd"),
        ((("C", 0, 0), ("M1", 1, 29), ("M2", 29, None)), "buckets[2].min_dpd"),
        ((("C", 0, 0), ("M1", 1, None), ("M2", 30, None)), "buckets[1].max_dpd"),
        ((("C", 0, 0), ("M1", 1, 29)), "buckets[1].max_dpd"),
        ((("C", 0, 0), ("M1", 1, 0), ("M2", 1, None)), "buckets[1].max_dpd"),
        ((("C", 0, 0), ("C", 1, None)), "buckets[1].code"),
        ((("C", 0, 0), (" ", 1, None)), "buckets[1].code"),
    ],
)
def test_bucket_scheme_error_names_the_field(
    ranges: tuple[tuple[str, int, int | None], ...], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        scheme(*ranges)
    assert error.value.field == field


def test_buckets_are_read_from_product_configuration() -> None:
    configured = BucketScheme.from_list(
        [
            {"code": "current", "min_dpd": 0, "max_dpd": 0},
            {"code": "M1", "min_dpd": 1, "max_dpd": 30, "label_zh": "M1（1-30天）"},
            {"code": "M2+", "min_dpd": 31},
        ]
    )

    assert [b.code for b in configured.buckets] == ["current", "M1", "M2+"]
    assert configured.buckets[1].label_zh == "M1（1-30天）"
    assert configured.buckets[1].label_en == "1–30 days"
    assert configured.buckets[2].max_dpd is None
    assert configured.buckets[2].label_zh == "逾期31天以上 (M2+)"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ("M1", "buckets"),
        ([{"code": "current", "min_dpd": 0, "colour": "red"}], "buckets[0].colour"),
        ([{"code": "current", "min_dpd": "0"}], "buckets[0].min_dpd"),
        (
            [{"code": "c", "min_dpd": 0, "max_dpd": 0}, {"code": "d", "min_dpd": -1}],
            "buckets[1].min_dpd",
        ),
        ([{"min_dpd": 0}], "buckets[0].code"),
        ([{"code": "c", "min_dpd": 0, "label_zh": 3}], "buckets[0].label_zh"),
        ([3], "buckets[0]"),
        (
            [{"code": "c", "min_dpd": 0, "max_dpd": 0}, {"code": "d", "min_dpd": 2}],
            "buckets[1].min_dpd",
        ),
    ],
)
def test_configured_bucket_error_names_the_field(items: object, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        BucketScheme.from_list(items)  # type: ignore[arg-type]
    assert error.value.field == field


# --- charge-off and cure --------------------------------------------------------------------


def test_charge_off_is_due_on_reaching_the_products_dpd() -> None:
    assert not is_charge_off_due(179, 180)
    assert is_charge_off_due(180, 180)
    assert is_charge_off_due(200, 180)


def test_charge_off_dpd_must_be_positive() -> None:
    with pytest.raises(ValidationError) as error:
        is_charge_off_due(10, 0)
    assert error.value.field == "charge_off_dpd"


def test_account_is_cured_when_it_becomes_current() -> None:
    assert cured(previous_dpd=35, dpd=0)
    assert not cured(previous_dpd=35, dpd=3)
    assert not cured(previous_dpd=0, dpd=0)


# --- properties -----------------------------------------------------------------------------

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
amounts = st.integers(min_value=-1_000, max_value=100_000).map(lambda m: Money.from_minor(m, "CNY"))
unpaid_lists = st.lists(st.tuples(dates, amounts), max_size=8)
tolerances = st.integers(min_value=0, max_value=2_000).map(lambda m: Money.from_minor(m, "CNY"))


def dpd_as_the_contract_words_it(
    unpaid: list[tuple[date, Money]], as_of: date, tolerance: Money
) -> int:
    """docs/architecture.md: ignore dues from the newest backwards while their total is within
    tolerance; DPD counts from the oldest due left."""
    counting = sorted((d, m) for d, m in unpaid if m.amount > 0 and d < as_of)
    running = Money.zero("CNY")
    while counting and running + counting[-1][1] <= tolerance:
        running += counting.pop()[1]
    return (as_of - counting[0][0]).days if counting else 0


@settings(max_examples=200)
@given(unpaid=unpaid_lists, as_of=dates, tolerance=tolerances)
def test_dpd_is_never_negative_and_follows_the_contract(
    unpaid: list[tuple[date, Money]], as_of: date, tolerance: Money
) -> None:
    result = days_past_due(unpaid, as_of=as_of, tolerance=tolerance)

    assert result >= 0
    assert result == dpd_as_the_contract_words_it(unpaid, as_of, tolerance)


@settings(max_examples=200)
@given(unpaid=unpaid_lists, as_of=dates, tolerance=tolerances, grace=st.integers(0, 10))
def test_grace_days_never_make_an_account_more_delinquent(
    unpaid: list[tuple[date, Money]], as_of: date, tolerance: Money, grace: int
) -> None:
    with_grace = days_past_due(unpaid, as_of=as_of, tolerance=tolerance, grace_days=grace)

    assert 0 <= with_grace <= days_past_due(unpaid, as_of=as_of, tolerance=tolerance)


@st.composite
def bucket_schemes(draw: st.DrawFn) -> BucketScheme:
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=400), max_size=9)))
    starts = [0, *cuts]
    ends: list[int | None] = [c - 1 for c in cuts]
    ranges = [
        (f"B{i}", lo, hi) for i, (lo, hi) in enumerate(zip(starts, [*ends, None], strict=True))
    ]
    return scheme(*ranges)


@settings(max_examples=200)
@given(
    days=st.integers(min_value=0, max_value=100_000),
    buckets=st.one_of(st.just(DEFAULT_BUCKETS), bucket_schemes()),
)
def test_every_dpd_falls_in_exactly_one_bucket(days: int, buckets: BucketScheme) -> None:
    holding = [b for b in buckets.buckets if b.holds(days)]

    assert holding == [bucket_for(days, buckets)]


# --- an account's delinquency: days past due, bucket, past-due amount ------------------------


def test_delinquency_counts_what_fell_due_before_today_as_past_due() -> None:
    # 100.00 due 10 March, 50.00 due 10 April, 70.00 due today (day 0), 30.00 not due yet
    unpaid = [
        (DUE, cny("100.00")),
        (date(2025, 4, 10), cny("50.00")),
        (date(2025, 4, 12), cny("70.00")),
        (date(2025, 5, 10), cny("30.00")),
    ]
    fresh = delinquency(unpaid, as_of=date(2025, 4, 12), tolerance=NO_TOLERANCE)
    assert (fresh.days_past_due, fresh.bucket.code, fresh.past_due) == (33, "M2", cny("150.00"))


def test_a_shortfall_in_its_grace_days_is_past_due_but_not_days_past_due() -> None:
    fresh = delinquency(
        [(DUE, cny("100.00"))], as_of=DUE + timedelta(days=2), tolerance=NO_TOLERANCE, grace_days=3
    )
    assert (fresh.days_past_due, fresh.bucket.code, fresh.past_due) == (0, "current", cny("100"))


def test_an_account_owing_nothing_due_is_current_in_the_products_first_bucket() -> None:
    own = scheme(("ok", 0, 4), ("late", 5, None))
    fresh = delinquency([], as_of=DUE, tolerance=Money("10", "USD"), scheme=own)
    assert (fresh.days_past_due, fresh.bucket.code, fresh.past_due) == (0, "ok", Money("0", "USD"))


@settings(max_examples=200)
@given(
    unpaid=unpaid_lists,
    as_of=dates,
    tolerance=tolerances,
    grace=st.integers(0, 10),
    buckets=st.one_of(st.just(DEFAULT_BUCKETS), bucket_schemes()),
)
def test_delinquency_is_days_past_due_its_bucket_and_the_sum_due_before_the_date(
    unpaid: list[tuple[date, Money]],
    as_of: date,
    tolerance: Money,
    grace: int,
    buckets: BucketScheme,
) -> None:
    fresh = delinquency(unpaid, as_of=as_of, tolerance=tolerance, grace_days=grace, scheme=buckets)

    dpd = days_past_due(unpaid, as_of=as_of, tolerance=tolerance, grace_days=grace)
    assert fresh.days_past_due == dpd
    assert fresh.bucket == bucket_for(dpd, buckets)
    assert fresh.past_due.minor == sum(m.minor for d, m in unpaid if d < as_of and m.minor > 0)
    # what falls due later never changes today's figures
    later = [(as_of + timedelta(days=1 + n), cny("5.00")) for n in range(3)]
    assert (
        delinquency(
            [*unpaid, *later], as_of=as_of, tolerance=tolerance, grace_days=grace, scheme=buckets
        )
        == fresh
    )
