"""A simulated day: who answers, pays, promises, complains, opts out and takes a plan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.sim import (
    CHANNELS,
    Contacts,
    DayStreams,
    answer_probability,
    bundled_behaviour,
    local_hour_of_week,
    simulate_day,
)

from .builders import START, calls, calm, no_lift, params, portfolio, run_days

FIELDS = (
    "paid_minor", "payment_events", "promised", "promise_kept", "complained", "opted_out",
    "plan_taken", "shock_started",
)  # fmt: skip


def _mixed_contacts(state, k):
    rng = np.random.default_rng(k)
    who = rng.choice(state.size, state.size // 4, replace=False)
    return Contacts.build(
        borrower=who,
        channel=rng.integers(0, len(CHANNELS), who.shape[0]),
        hour_of_week=rng.integers(0, 168, who.shape[0]),
        plan_offered=rng.random(who.shape[0]) < 0.1,
        plan_affordable=rng.random(who.shape[0]) < 0.5,
        plan_instalment_minor=np.full(who.shape[0], 50_000),
        population=state.size,
    )


def test_the_same_seed_gives_the_same_responses_day_after_day():
    first = portfolio(bundled_behaviour(), 3_000, seed=1)
    again = portfolio(bundled_behaviour(), 3_000, seed=1)
    days = run_days(first, 20, seed=2, contacts=_mixed_contacts)
    repeat = run_days(again, 20, seed=2, contacts=_mixed_contacts)
    for one, other in zip(days, repeat, strict=True):
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(one, name), getattr(other, name), name)
    np.testing.assert_array_equal(first.balance_minor, again.balance_minor)


def test_a_different_complaint_model_does_not_change_who_answers_or_pays():
    touchy = params(treatment__complaint={"intercept": -2.0, "slope": 2.0})
    base = portfolio(params(), 3_000, seed=4)
    other = portfolio(touchy, 3_000, seed=4)
    days = run_days(base, 10, seed=5, contacts=_mixed_contacts)
    changed = run_days(other, 10, seed=5, contacts=_mixed_contacts)
    assert sum(d.complained.sum() for d in changed) > sum(d.complained.sum() for d in days)
    for one, other_day in zip(days, changed, strict=True):
        np.testing.assert_array_equal(one.answered, other_day.answered)
        np.testing.assert_array_equal(one.paid_minor, other_day.paid_minor)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), days=st.integers(1, 45))
def test_payments_never_exceed_what_is_owed_or_what_the_borrower_can_afford(seed, days):
    state = portfolio(bundled_behaviour(), 400, seed=seed)
    owed = state.balance_minor.copy()
    for k, outcome in enumerate(run_days(state, days, seed=seed, contacts=_mixed_contacts)):
        assert outcome.paid_minor.dtype == np.int64
        assert (outcome.paid_minor >= 0).all()
        assert (outcome.paid_minor <= owed).all()
        owed -= outcome.paid_minor
        assert (state.ability_left_minor >= 0).all(), k
    np.testing.assert_array_equal(state.balance_minor, owed)
    assert (state.paid_total_minor <= state.income_minor * 2).all()  # a month's ability, twice


def test_nobody_pays_once_nothing_is_owed():
    state = portfolio(calm(), 500)
    state.balance_minor[:] = 0
    state.due_minor[:] = 0
    outcomes = run_days(state, 10, contacts=lambda s, k: calls(s, np.arange(s.size)))
    assert all(o.paid_minor.sum() == 0 for o in outcomes)


@settings(max_examples=30, deadline=None)
@given(contacts=st.integers(0, 6), weight=st.floats(0.01, 5.0))
def test_annoyance_rises_with_each_contact_of_the_day(contacts, weight):
    p = calm(treatment__annoyance_per_contact={c: weight for c in CHANNELS})
    fewer, more = portfolio(p, 50, seed=1), portfolio(p, 50, seed=1)
    fewer.reachable[:] = more.reachable[:] = True
    everyone = np.arange(50)
    run_days(fewer, 1, contacts=lambda s, k: calls(s, np.tile(everyone, contacts)))
    run_days(more, 1, contacts=lambda s, k: calls(s, np.tile(everyone, contacts + 1)))
    assert (more.annoyance > fewer.annoyance).all()
    np.testing.assert_allclose(more.annoyance - fewer.annoyance, weight)


def test_annoyance_fades_by_half_over_the_half_life():
    state = portfolio(calm(treatment__annoyance_half_life_days=7), 10)
    state.annoyance[:] = 8.0
    run_days(state, 7)
    np.testing.assert_allclose(state.annoyance, 4.0)


@settings(max_examples=30, deadline=None)
@given(
    intercept=st.floats(-10.0, 0.0),
    slope=st.floats(0.0, 3.0),
    calm_level=st.floats(0.0, 5.0),
    extra=st.floats(0.1, 10.0),
)
def test_the_more_annoyed_the_borrower_the_more_likely_a_complaint(
    intercept, slope, calm_level, extra
):
    # The same random numbers for both portfolios: any complaint from the calmer borrowers
    # must also come from the angrier ones, so complaints can only rise with annoyance.
    p = calm(treatment__complaint={"intercept": intercept, "slope": slope})
    calmer, angrier = portfolio(p, 300, seed=3), portfolio(p, 300, seed=3)
    calmer.annoyance[:] = calm_level
    angrier.annoyance[:] = calm_level + extra
    batch = lambda s, k: calls(s, np.arange(s.size), reached=0)  # noqa: E731
    (low,) = run_days(calmer, 1, contacts=batch)
    (high,) = run_days(angrier, 1, contacts=batch)
    assert (high.complained | ~low.complained).all()


def test_nobody_complains_on_a_day_without_contact():
    state = portfolio(calm(treatment__complaint={"intercept": 10.0, "slope": 1.0}), 200)
    state.annoyance[:] = 50
    (outcome,) = run_days(state, 1)
    assert not outcome.complained.any()


def test_answer_chance_is_low_at_night_and_peaks_early_evening():
    state = portfolio(bundled_behaviour(), 2_000)
    tuesday = 24
    night = answer_probability(state, "call", tuesday + 3).mean()
    noon = answer_probability(state, "call", tuesday + 12).mean()
    evening = answer_probability(state, "call", tuesday + 19).mean()
    assert night < noon < evening


def test_annoyed_borrowers_answer_less():
    state = portfolio(calm(), 200)
    before = answer_probability(state, "call", 19)
    state.annoyance[:] = 5.0
    after = answer_probability(state, "call", 19)
    assert (after <= before).all() and after.sum() < before.sum()


def test_a_borrower_who_opted_out_of_sms_cannot_be_reached_by_sms():
    state = portfolio(calm(), 20)
    state.opted_out[:, CHANNELS.index("sms")] = True
    assert (answer_probability(state, "sms", 12) == 0).all()
    assert (answer_probability(state, "call", 19) > 0).any()


def test_local_hour_of_week_adds_the_borrowers_offset():
    state = portfolio(bundled_behaviour(), 5)
    assert (local_hour_of_week(state, 165) == (165 + 8) % 168).all()


def test_a_stop_reply_opts_the_borrower_out_of_that_channel():
    state = portfolio(calm(treatment__opt_out={"intercept": 20.0, "slope": 0.0}), 30)
    state.reachable[:] = True
    sms = CHANNELS.index("sms")
    batch = Contacts.build(
        borrower=np.arange(30), channel=["sms"] * 30, hour_of_week=[12] * 30, population=30
    )
    (outcome,) = run_days(state, 1, contacts=lambda s, k: batch)
    assert (outcome.opted_out == sms).all()
    assert state.opted_out[:, sms].all()


def test_a_promise_made_on_a_call_falls_due_and_is_kept_or_broken():
    p = calm(promises={"make": 1.0, "keep": 0.5, "days_to_pay": 3})
    state = portfolio(p, 2_000, seed=6)
    state.reachable[:] = True
    first = run_days(state, 1, contacts=lambda s, k: calls(s, np.arange(s.size)))[0]
    promised = first.promised
    assert promised.sum() > 300  # every effective call (about half of them) ends in a promise
    np.testing.assert_array_equal(first.promise_minor[promised], state.promise_minor[promised])
    later = run_days(state, 3, first=1)
    due_day = later[-1]
    assert (due_day.promise_kept | due_day.promise_broken)[promised].all()
    assert not (due_day.promise_kept & due_day.promise_broken).any()
    kept = due_day.promise_kept
    assert (state.promise_paid_minor[kept] >= first.promise_minor[kept]).all()
    assert 0.3 < kept[promised].mean() < 0.7


def test_an_affordable_plan_is_taken_more_often_than_an_unaffordable_one():
    p = calm(plans={"uptake_affordable": 0.6, "uptake_unaffordable": 0.1, "keep_monthly": 0.9})
    state = portfolio(p, 4_000, seed=9)
    who = np.arange(4_000)
    affordable = who % 2 == 0
    batch = Contacts.build(
        borrower=who,
        channel=["call"] * 4_000,
        hour_of_week=[19] * 4_000,
        right_party=[1] * 4_000,
        plan_offered=np.ones(4_000, bool),
        plan_affordable=affordable,
        plan_instalment_minor=np.full(4_000, 10_000),
        population=4_000,
    )
    (outcome,) = run_days(state, 1, contacts=lambda s, k: batch)
    assert outcome.plan_taken[affordable].mean() == pytest.approx(0.6, abs=0.05)
    assert outcome.plan_taken[~affordable].mean() == pytest.approx(0.1, abs=0.03)
    assert (state.plan_instalment_minor[outcome.plan_taken] == 10_000).all()


def test_a_plan_instalment_falls_due_a_month_later_and_a_missed_one_breaks_the_plan():
    p = calm(plans={"uptake_affordable": 1.0, "uptake_unaffordable": 1.0, "keep_monthly": 0.5})
    state = portfolio(p, 1_000, seed=2)
    offer = Contacts.build(
        borrower=np.arange(1_000), channel=["call"] * 1_000, hour_of_week=[19] * 1_000,
        right_party=[1] * 1_000, plan_offered=np.ones(1_000, bool),
        plan_instalment_minor=np.full(1_000, 1), population=1_000,
    )  # fmt: skip
    run_days(state, 1, contacts=lambda s, k: offer)
    assert state.on_plan.all()
    outcomes = run_days(state, 30, first=1)
    month_end = outcomes[-1]
    assert month_end.plan_broken.mean() == pytest.approx(0.5, abs=0.06)
    assert (state.on_plan == ~month_end.plan_broken).all()


def test_shocks_start_at_the_monthly_hazard_and_cut_what_the_borrower_can_pay():
    p = params(shocks__job_loss_monthly=0.3, shocks__illness_monthly=0.0)
    state = portfolio(p, 20_000, seed=1)
    before = state.ability_left_minor.copy()
    outcomes = run_days(state, 30)
    shocked = np.any([o.shock_started for o in outcomes], axis=0)
    assert shocked.mean() == pytest.approx(0.3, abs=0.02)
    assert (state.ability_left_minor[shocked] <= before[shocked]).all()


def test_contacts_must_name_known_channels_and_borrowers():
    from arrears.core.errors import ValidationError

    with pytest.raises(ValidationError) as error:
        Contacts.build(borrower=[0], channel=["fax"], hour_of_week=[1], population=1)
    assert error.value.field == "channel"
    with pytest.raises(ValidationError) as error:
        Contacts.build(borrower=[5], channel=["sms"], hour_of_week=[1], population=2)
    assert error.value.field == "borrower"
    with pytest.raises(ValidationError) as error:
        Contacts.build(borrower=[0], channel=["sms"], hour_of_week=[168], population=2)
    assert error.value.field == "hour_of_week"


def test_the_day_step_uses_the_day_number_from_the_start():
    state = portfolio(calm(), 100)
    outcome = simulate_day(state, day=START, contacts=Contacts.none(), rng=DayStreams(1))
    assert outcome.day == START


def test_what_was_paid_since_the_promise_counts_towards_keeping_it():
    p = calm(promises={"make": 1.0, "keep": 0.0, "days_to_pay": 2}, hawkes=no_lift())
    state = portfolio(p, 300, seed=3)
    state.reachable[:] = True
    state.mu[:] = 0.0  # nobody pays of their own accord …
    (first,) = run_days(state, 1, contacts=lambda s, k: calls(s, np.arange(s.size)))
    promised = first.promised
    assert promised.any()
    # … but half of those who promised pay the whole promise the next day, as the ledger sees it
    early = promised & (np.arange(300) % 2 == 0)
    state.promise_paid_minor[early] = state.promise_minor[early]
    (_, due_day) = run_days(state, 2, first=1)
    assert due_day.promise_kept[early].all()
    assert due_day.promise_broken[promised & ~early].all()


def test_a_borrower_who_owes_less_than_the_instalment_keeps_the_plan_by_paying_it_off():
    p = calm(
        plans={"uptake_affordable": 1.0, "uptake_unaffordable": 1.0, "keep_monthly": 1.0},
        hawkes=no_lift(),
    )
    state = portfolio(p, 50, seed=4)
    state.mu[:] = 0.0
    offer = Contacts.build(
        borrower=np.arange(50), channel=["call"] * 50, hour_of_week=[19] * 50,
        right_party=[1] * 50, plan_offered=np.ones(50, bool),
        plan_instalment_minor=np.full(50, 10_000), population=50,
    )  # fmt: skip
    run_days(state, 1, contacts=lambda s, k: offer)
    state.balance_minor[:] = 3_000
    state.ability_left_minor[:] = 1_000_000
    state.income_minor[:] = 10_000_000
    outcomes = run_days(state, 30, first=1)
    assert (outcomes[-1].paid_minor == 3_000).all()
    assert not outcomes[-1].plan_broken.any()
    assert (state.balance_minor == 0).all()
