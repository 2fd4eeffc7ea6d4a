"""Strategy comparison (`core.sim.compare`): each run's measures match hand counts, and the paired
bootstrap over seeds says B is better only when every seed's evidence points that way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.sim.compare import (
    METRICS,
    Verdict,
    bucket_order,
    compare,
    compare_values,
    recovery_curves,
    roll_matrix,
    run_metrics,
)
from tests.sim.lab_runs import account, collected_run, daily_rows, lab_run

# --- one run: hand counts ---------------------------------------------------------------------


def _hand_counted_run():  # type: ignore[no-untyped-def]
    daily = daily_rows(
        2,
        collected_minor=[30_000, 12_000],
        cost_minor=[500, 700],
        contacts_call=[10, 4],
        contacts_sms=[5, 0],
        contacts_email=[1, 0],
        contacts_in_app=[0, 2],
        contacts_letter=[0, 2],
        complaints=[1, 2],
        promises_kept=[3, 0],
        promises_broken=[0, 1],
        plans_taken=[1, 1],
    )
    accounts = [
        account("current", "current"),
        account("current", "M1"),  # not delinquent at the start: counts for neither rate
        account("M1", "current"),  # cured
        account("M1", "M2"),  # rolled forward
        account("M2", "M2"),
        account("M3", "M7+"),  # rolled forward
        account("M2", "current"),  # cured
        account("M3", "M1"),  # better, not cured
    ]
    return lab_run(daily=daily, accounts=accounts, breaches=0)


def test_a_runs_money_contacts_and_complaints_are_its_daily_totals():
    metrics = run_metrics(_hand_counted_run())

    assert metrics["collected_minor"] == 42_000
    assert metrics["cost_minor"] == 1_200
    assert metrics["net_minor"] == 40_800
    assert metrics["contacts"] == 24
    assert metrics["money_per_contact"] == Decimal("1750.00")
    assert metrics["complaints"] == 3
    assert metrics["complaints_per_1000"] == pytest.approx(375.0)  # 3 of 8 accounts
    assert metrics["plans_taken"] == 2
    assert metrics["promises_kept_rate"] == pytest.approx(0.75)  # 3 kept, 1 broken
    assert metrics["breaches"] == 0


def test_cure_and_roll_forward_count_only_accounts_delinquent_at_the_start():
    metrics = run_metrics(_hand_counted_run())

    assert metrics["cure_rate"] == pytest.approx(2 / 6)
    assert metrics["roll_forward_rate"] == pytest.approx(2 / 6)


def test_rates_with_nothing_to_count_are_left_undefined():
    run = lab_run(daily=daily_rows(2), accounts=[account("current", "current")])
    metrics = run_metrics(run)

    assert metrics["money_per_contact"] is None
    assert metrics["cure_rate"] is None
    assert metrics["roll_forward_rate"] is None
    assert metrics["promises_kept_rate"] is None
    assert metrics["contacts"] == 0


def test_buckets_run_from_current_through_the_stages_to_m7_plus():
    codes = ["M7+", "M2", "current", "M10", "charged_off", "M1", "M6"]

    assert bucket_order(codes) == ["current", "M1", "M2", "M6", "M7+", "M10", "charged_off"]


# --- A against B ------------------------------------------------------------------------------


def test_a_hand_computed_comparison_of_two_seeds():
    pairs = [
        (collected_run(1, [100]), collected_run(1, [150])),
        (collected_run(2, [200]), collected_run(2, [260])),
    ]
    result = compare(pairs, resamples=10_000, seed=3).metric("collected_minor")

    assert result.mean_a == 150 and result.mean_b == 205
    assert result.total_a == 300 and result.total_b == 410  # exact minor units
    assert result.difference == 55  # seeds gained 50 and 60
    # resampled seeds give 50, 55 or 60 (chances ¼, ½, ¼): the 95 % interval is 50 to 60
    assert result.difference_interval == (50, 60)
    assert result.relative == pytest.approx(410 / 300 - 1)
    # both seeds 1 → 300/200 − 1; both seeds 2 → 520/400 − 1
    assert result.relative_interval == pytest.approx((0.3, 0.5))
    assert result.verdict is Verdict.B_BETTER
    assert compare(pairs, seed=3).seeds == (1, 2)


def test_b_collecting_more_on_one_seed_and_less_on_another_is_no_clear_difference():
    pairs = [
        (collected_run(1, [100]), collected_run(1, [90])),
        (collected_run(2, [200]), collected_run(2, [220])),
    ]
    result = compare(pairs).metric("collected_minor")

    assert result.difference_interval == (-10, 20)
    assert result.verdict is Verdict.NO_CLEAR_DIFFERENCE


def test_fewer_complaints_everywhere_makes_b_better_and_more_makes_a_better():
    fewer = compare_values("complaints", [5, 7, 6], [2, 3, 1])
    more = compare_values("complaints", [2, 3, 1], [5, 7, 6])

    assert fewer.verdict is Verdict.B_BETTER
    assert more.verdict is Verdict.A_BETTER


def test_one_seed_gives_the_estimates_but_no_interval():
    result = compare([(collected_run(1, [100]), collected_run(1, [150]))])
    collected = result.metric("collected_minor")

    assert collected.difference == 50
    assert collected.relative == pytest.approx(0.5)
    assert collected.difference_interval is None
    assert collected.relative_interval is None
    assert collected.verdict is Verdict.TOO_FEW_RUNS


def test_no_money_collected_by_a_leaves_the_relative_difference_undefined():
    result = compare_values("collected_minor", [0, 0], [10, 20])

    assert result.relative is None and result.relative_interval is None
    assert result.difference == 15
    assert result.verdict is Verdict.B_BETTER


def test_every_metric_is_compared_in_the_reports_order():
    pairs = [(collected_run(s, [100]), collected_run(s, [100])) for s in (1, 2)]

    assert [m.metric for m in compare(pairs).metrics] == list(METRICS)


def test_the_bootstrap_is_the_same_for_the_same_seed():
    a, b = [10, 40, 25, 31], [12, 35, 40, 33]

    assert compare_values("net_minor", a, b, seed=9) == compare_values("net_minor", a, b, seed=9)


def test_runs_of_different_seeds_are_not_compared_as_a_pair():
    with pytest.raises(ValidationError) as error:
        compare([(collected_run(1, [100]), collected_run(2, [100]))])
    assert error.value.field == "seeds"


def test_nothing_to_compare_is_refused():
    with pytest.raises(ValidationError) as error:
        compare([])
    assert error.value.field == "seeds"


# --- properties -------------------------------------------------------------------------------

seed_values = st.lists(st.integers(-1_000_000, 1_000_000), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), metric=st.sampled_from(sorted(METRICS)))
def test_the_interval_holds_the_estimate(data, metric):
    a = data.draw(seed_values)
    b = data.draw(st.lists(st.integers(-1_000_000, 1_000_000), min_size=len(a), max_size=len(a)))
    result = compare_values(metric, a, b, resamples=500, seed=1)

    low, high = result.difference_interval
    assert low <= result.difference <= high
    if result.relative_interval is not None:
        low, high = result.relative_interval
        assert low <= result.relative <= high


@settings(max_examples=60, deadline=None)
@given(a=st.lists(st.integers(1, 10_000_000), min_size=1, max_size=8))
def test_identical_strategies_differ_by_zero_with_a_zero_width_interval(a):
    result = compare_values("net_minor", a, list(a), resamples=500)

    assert result.difference == 0 and result.relative == 0
    if len(a) > 1:
        assert result.difference_interval == (0, 0)
        assert result.relative_interval == (0, 0)
        assert result.verdict is Verdict.NO_CLEAR_DIFFERENCE


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_swapping_a_and_b_flips_the_difference_and_the_verdict(data):
    a = data.draw(seed_values)
    b = data.draw(st.lists(st.integers(-1_000_000, 1_000_000), min_size=len(a), max_size=len(a)))
    forward = compare_values("net_minor", a, b, resamples=500, seed=4)
    backward = compare_values("net_minor", b, a, resamples=500, seed=4)

    assert backward.difference == -forward.difference
    low, high = forward.difference_interval
    assert backward.difference_interval == pytest.approx((-high, -low), abs=1e-6)
    flipped = {Verdict.A_BETTER: Verdict.B_BETTER, Verdict.B_BETTER: Verdict.A_BETTER}
    assert backward.verdict == flipped.get(forward.verdict, forward.verdict)


# --- recovery curves and roll-rate matrices ---------------------------------------------------


def test_the_recovery_curve_is_cumulative_money_over_what_the_delinquent_owed_at_the_start():
    owing = [account("M1", "M1", balance=1_000), account("current", "current", balance=50_000)]
    runs = [
        lab_run(seed=1, daily=daily_rows(3, collected_minor=[100, 0, 200]), accounts=owing),
        lab_run(seed=2, daily=daily_rows(3, collected_minor=[300, 100, 0]), accounts=owing),
    ]
    curves = recovery_curves(runs)

    assert curves["day"].to_list() == [1, 2, 3]
    assert curves["mean"].to_list() == pytest.approx([0.2, 0.25, 0.35])
    assert curves["low"].to_list() == pytest.approx([0.1, 0.1, 0.3])
    assert curves["high"].to_list() == pytest.approx([0.3, 0.4, 0.4])


def test_the_roll_matrix_pools_the_seeds_and_gives_each_start_buckets_shares():
    first = [account("M1", "current"), account("M1", "M2"), account("current", "current")]
    second = [account("M1", "M2"), account("M1", "M2"), account("M2", "M3")]
    matrix = roll_matrix([lab_run(seed=1, accounts=first), lab_run(seed=2, accounts=second)])

    assert matrix.rows() == [
        ("current", "current", 1, 1.0),
        ("M1", "current", 1, 0.25),
        ("M1", "M2", 3, 0.75),
        ("M2", "M3", 1, 1.0),
    ]
