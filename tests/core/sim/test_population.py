"""Drawing the simulated portfolio: deterministic for a seed, one random stream per trait."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arrears.core.errors import ValidationError
from arrears.core.sim import bundled_behaviour, draw_population

from .builders import START, params, portfolio

COLUMNS = (
    "segment", "income_minor", "balance_minor", "due_minor", "ability_share", "willingness",
    "utc_offset_hours", "reachable", "pay_percent", "mu",
)  # fmt: skip


def test_the_same_seed_draws_the_same_portfolio():
    first = portfolio(bundled_behaviour(), 2_000, seed=42)
    again = portfolio(bundled_behaviour(), 2_000, seed=42)
    for column in COLUMNS:
        np.testing.assert_array_equal(getattr(first, column), getattr(again, column), column)


def test_another_seed_draws_another_portfolio():
    first = portfolio(bundled_behaviour(), 2_000, seed=1)
    other = portfolio(bundled_behaviour(), 2_000, seed=2)
    assert not np.array_equal(first.balance_minor, other.balance_minor)


def test_changing_willingness_leaves_incomes_balances_and_reach_unchanged():
    before = portfolio(params(), 3_000, seed=5)
    after = portfolio(params(willingness={"a": 1.0, "b": 9.0}), 3_000, seed=5)
    assert not np.array_equal(before.willingness, after.willingness)
    for column in ("income_minor", "balance_minor", "ability_share", "reachable", "pay_percent"):
        np.testing.assert_array_equal(getattr(before, column), getattr(after, column), column)


def test_money_columns_are_whole_minor_units_and_nothing_is_due_beyond_the_balance():
    state = portfolio(bundled_behaviour(), 5_000)
    for column in ("income_minor", "balance_minor", "due_minor", "ability_left_minor"):
        assert getattr(state, column).dtype == np.int64, column
    assert (state.due_minor <= state.balance_minor).all()
    assert (state.due_minor >= 1).all()
    prime = state.segment == 0
    np.testing.assert_array_equal(
        state.due_minor[prime], np.maximum(state.balance_minor[prime] * 10 // 100, 1)
    )


def test_segment_shares_match_the_parameters_within_sampling_error():
    n = 20_000
    state = portfolio(bundled_behaviour(), n, seed=3)
    for index, segment in enumerate(bundled_behaviour().segments):
        observed = float((state.segment == index).mean())
        tolerance = 5 * math.sqrt(segment.share * (1 - segment.share) / n)
        assert observed == pytest.approx(segment.share, abs=tolerance), segment.name


def test_base_payment_intensity_follows_willingness():
    state = portfolio(params(), 4_000)
    order = np.argsort(state.willingness)
    assert (np.diff(state.mu[order]) >= 0).all()
    assert state.mu.mean() == pytest.approx(0.042, rel=0.05)


def test_borrowers_live_in_the_segments_time_zone():
    state = portfolio(bundled_behaviour(), 1_000)
    assert set(state.utc_offset_hours.tolist()) == {8}


@pytest.mark.parametrize(("n", "seed", "field"), [(0, 1, "n"), (10, -1, "seed")])
def test_a_bad_size_or_seed_is_refused_naming_it(n, seed, field):
    with pytest.raises(ValidationError) as error:
        draw_population(bundled_behaviour(), n, seed=seed, start_on=START)
    assert error.value.field == field
