"""The repayment process: its long-run rate, and what effective contacts add to it."""

from __future__ import annotations

import math

import numpy as np

from .builders import calls, calm, deep_pockets, keep_owing, portfolio, run_days


def test_without_contacts_the_long_run_payment_rate_is_mu_over_one_minus_the_branching_ratio():
    # μ/(1 − α/β) is the stationary mean of the process. Over T days a borrower's payment count
    # has variance ≈ T·m/(1 − α/β)² (the Hawkes index of dispersion), so the portfolio's mean
    # daily rate has standard error sqrt(m / ((1 − α/β)² · N · T)); we allow five of them.
    p = calm(hawkes={"mu": 0.03, "alpha_pay": 0.09, "beta": 0.15, "alpha_contact": _none()})
    n, burn_in, days = 8_000, 120, 300
    state = deep_pockets(portfolio(p, n, seed=21))
    branching = 0.09 / 0.15
    expected = float(state.mu.mean()) / (1 - branching)

    run_days(state, burn_in, seed=4, every_day=keep_owing)
    counted_from = state.payment_events.copy()
    run_days(state, days, seed=4, first=burn_in, every_day=keep_owing)
    observed = float((state.payment_events - counted_from).sum()) / (n * days)

    standard_error = math.sqrt(expected / ((1 - branching) ** 2 * n * days))
    assert abs(observed - expected) < 5 * standard_error, (observed, expected, standard_error)


def test_more_effective_contacts_bring_more_payments():
    p = calm()
    quiet = portfolio(p, 6_000, seed=8)
    called = portfolio(p, 6_000, seed=8)
    half = np.arange(0, 6_000, 2)

    run_days(quiet, 30, seed=9)
    run_days(called, 30, seed=9, contacts=lambda s, k: calls(s, half) if k % 7 == 0 else None)

    assert called.paid_total_minor.sum() > quiet.paid_total_minor.sum()
    assert called.payment_events[half].sum() > quiet.payment_events[half].sum()


def test_an_effective_contact_raises_tomorrows_chance_of_paying_and_the_lift_decays():
    p = calm()
    state = portfolio(p, 1_000, seed=2)
    run_days(state, 1, seed=3, contacts=lambda s, k: calls(s, np.arange(s.size)))
    lifted = state.excitation.copy()
    assert lifted.max() > 0
    run_days(state, 5, seed=3, first=1)
    reached_and_quiet = (lifted > 0) & (state.payment_events == 0)
    assert reached_and_quiet.sum() > 50
    assert (state.excitation[reached_and_quiet] < lifted[reached_and_quiet]).all()


def _none() -> dict[str, float]:
    return {"call": 0.0, "sms": 0.0, "email": 0.0, "in_app": 0.0, "letter": 0.0}
