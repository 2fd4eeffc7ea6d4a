"""Confidence intervals for champion/challenger comparisons: known values, the truth covered
about 95 % of the time in simulation, and bounds that always hold (Hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.core.stats import (
    Sample,
    mean_difference,
    mean_interval,
    normal_quantile,
    share_difference,
    t_quantile,
    wilson_interval,
)


def test_quantiles_match_the_printed_tables():
    assert normal_quantile(0.975) == pytest.approx(1.959963985, abs=1e-9)
    assert t_quantile(0.95, 1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(0.95, 2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(0.95, 5) == pytest.approx(2.571, abs=5e-3)
    assert t_quantile(0.95, 10) == pytest.approx(2.228, abs=1e-3)
    assert t_quantile(0.95, 30) == pytest.approx(2.042, abs=1e-3)


def test_wilson_interval_of_a_cure_rate_matches_the_textbook_example():
    # 81 cured of 263 delinquent: Wilson 95 % interval 0.2553 – 0.3662 (Newcombe 1998)
    found = wilson_interval(81, 263)
    assert found is not None
    assert found.low == pytest.approx(0.2553, abs=1e-4)
    assert found.high == pytest.approx(0.3662, abs=1e-4)


def test_newcombe_difference_matches_the_published_example():
    # Newcombe 1998, example (a): 56/70 vs 48/80 → difference 0.2, interval 0.0524 – 0.3339
    found = share_difference(48, 80, 56, 70)
    assert found is not None
    assert found.estimate == pytest.approx(0.2)
    assert found.low == pytest.approx(0.0524, abs=1e-3)
    assert found.high == pytest.approx(0.3339, abs=1e-3)
    assert found.excludes_zero


def test_a_share_over_no_accounts_has_no_interval():
    assert wilson_interval(0, 0) is None
    assert share_difference(0, 0, 1, 2) is None
    assert mean_interval(Sample.of([5.0])) is None


def test_welch_interval_of_money_collected_per_account():
    champion = Sample.of([100, 0, 250, 80, 0, 300, 120, 0])
    challenger = Sample.of([400, 0, 350, 500, 0, 200])
    found = mean_difference(champion, challenger)
    assert found is not None
    assert found.estimate == pytest.approx(1450 / 6 - 850 / 8)
    # the arms overlap too much for so few accounts: not significant
    assert not found.excludes_zero


@pytest.mark.parametrize("truth", [0.05, 0.3, 0.5])
def test_wilson_covers_the_true_cure_rate_about_95_percent_of_the_time(truth):
    rng = random.Random(20261129)
    covered = 0
    for _ in range(2000):
        n = 80
        cured = sum(rng.random() < truth for _ in range(n))
        found = wilson_interval(cured, n)
        assert found is not None
        covered += found.contains(truth)
    assert 0.92 <= covered / 2000 <= 0.98


def test_welch_covers_the_true_difference_in_money_collected_about_95_percent_of_the_time():
    rng = random.Random(7)
    covered = 0
    for _ in range(1500):
        a = Sample.of(rng.gauss(100, 40) for _ in range(25))
        b = Sample.of(rng.gauss(130, 90) for _ in range(12))
        found = mean_difference(a, b)
        assert found is not None
        covered += found.contains(30)
    assert 0.93 <= covered / 1500 <= 0.97


@given(st.integers(0, 500), st.integers(1, 500))
def test_a_wilson_interval_stays_inside_0_and_1_and_holds_its_share(successes, extra):
    trials = successes + extra - 1 if successes + extra > 1 else 1
    successes = min(successes, trials)
    found = wilson_interval(successes, trials)
    assert found is not None
    assert 0.0 <= found.low <= found.estimate <= found.high <= 1.0


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_a_difference_of_shares_stays_between_minus_1_and_1_and_holds_its_estimate(na, nb, data):
    sa = data.draw(st.integers(0, na))
    sb = data.draw(st.integers(0, nb))
    found = share_difference(sa, na, sb, nb)
    assert found is not None
    assert -1.0 <= found.low <= found.estimate <= found.high <= 1.0


@given(st.lists(st.integers(0, 10**7), min_size=2, max_size=60))
def test_a_mean_interval_holds_the_mean(values):
    found = mean_interval(Sample.of(values))
    assert found is not None
    assert found.low <= found.estimate + 1e-6 and found.estimate <= found.high + 1e-6
    assert min(values) - 1e-6 <= found.estimate <= max(values) + 1e-6


def test_a_share_of_all_or_nothing_is_an_end_of_its_own_interval():
    # rounding once put 73 of 73 (100 %) just above its interval's upper end
    everyone = wilson_interval(73, 73)
    nobody = wilson_interval(0, 73)
    assert everyone is not None and nobody is not None
    assert everyone.high == everyone.estimate == 1.0
    assert nobody.low == nobody.estimate == 0.0
