"""The lab engine: the real strategy and gate over an in-memory book, day by day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from arrears.core.errors import ValidationError
from arrears.core.sim import BorrowerState, bundled_behaviour, draw_population
from arrears.core.sim.lab import ACCOUNT_SCHEMA, DAILY_SCHEMA, LabOptions, run_lab
from arrears.core.sim.lab.book import CYCLE_DAYS, LabBook
from arrears.core.sim.lab.day import lender_moment, plan_offer
from arrears.core.sim.lab.gate import ContactLog, decide
from arrears.core.sim.params import CHANNEL_INDEX
from arrears.core.strategy.document import load_bundled_strategy, read_strategy

LADDER = load_bundled_strategy("conventional-ladder")
QUIET = read_strategy(
    """
code: quiet
version: "1"
name: {en: Leave alone, zh: 不打扰}
segments:
  - {id: all, name: {en: All, zh: 全部}, paths: [{path: quiet, share: 100}]}
paths:
  quiet:
    name: {en: Quiet, zh: 静默}
    steps:
      - {id: never, on_day: 999, action: call}
"""
)


def options(**changes: object) -> LabOptions:
    base = LabOptions(
        strategy=LADDER, params=bundled_behaviour(), borrowers=400, days=12, seed=3,
        agents=1, calls_per_agent=40,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ladder_run():  # type: ignore[no-untyped-def]
    return run_lab(options(audit_per_day=10_000))


def test_a_run_gives_the_daily_table_and_every_account(ladder_run) -> None:  # type: ignore[no-untyped-def]
    assert ladder_run.daily.schema == pl.Schema(DAILY_SCHEMA)
    assert ladder_run.daily.height == 12
    assert ladder_run.accounts.schema == pl.Schema(ACCOUNT_SCHEMA)
    assert ladder_run.accounts.height == 400
    assert ladder_run.accounts["start_past_due_minor"].min() > 0  # the book enters collection


def test_money_adds_up_to_the_cent(ladder_run) -> None:  # type: ignore[no-untyped-def]
    accounts, daily = ladder_run.accounts, ladder_run.daily
    assert daily["collected_minor"].sum() == accounts["paid_minor"].sum() > 0
    # no interest or fees in the lab: what is owed at the end is what was owed less what was paid
    assert (
        accounts["start_balance_minor"] - accounts["paid_minor"] == accounts["end_balance_minor"]
    ).all()
    summary = ladder_run.summary
    assert (
        summary["net_minor"]
        == summary["totals"]["collected_minor"] - summary["totals"]["cost_minor"]
    )


def test_every_contact_made_is_one_the_online_gate_allows_too(ladder_run) -> None:  # type: ignore[no-untyped-def]
    contacts = ladder_run.summary["contacts"]
    assert contacts > 100
    # every contact of the run was re-checked one by one with the scalar gate: none refused
    assert ladder_run.summary["audited_per_day"] == 10_000
    assert ladder_run.summary["breaches"] == 0


def test_collectors_never_make_more_calls_than_they_have_time_for(ladder_run) -> None:  # type: ignore[no-untyped-def]
    assert ladder_run.daily["contacts_call"].max() <= 40
    assert ladder_run.daily["contacts_call"].sum() > 0
    none = run_lab(options(agents=0, days=5))
    assert none.daily["contacts_call"].sum() == 0


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    first, again, other = run_lab(options()), run_lab(options()), run_lab(options(seed=4))
    assert first.daily.equals(again.daily) and first.accounts.equals(again.accounts)
    assert not first.accounts.equals(other.accounts)


def test_leaving_everyone_alone_costs_nothing_and_annoys_nobody() -> None:
    quiet = run_lab(options(strategy=QUIET))
    totals = quiet.summary["totals"]
    assert quiet.summary["contacts"] == 0 and totals["cost_minor"] == 0
    assert totals["complaints"] == 0 and totals["opt_outs"] == 0
    assert totals["collected_minor"] > 0  # some borrowers pay unprompted


def test_two_strategies_with_one_seed_meet_the_same_borrowers() -> None:
    a, b = run_lab(options()), run_lab(options(strategy=QUIET))
    same = ["account", "segment", "start_bucket", "start_balance_minor", "start_past_due_minor"]
    assert a.accounts.select(same).equals(b.accounts.select(same))


def test_bad_options_name_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        run_lab(options(borrowers=0))
    assert error.value.field == "borrowers"


# --- the book -----------------------------------------------------------------------------


def _book(n: int = 3) -> tuple[LabBook, BorrowerState]:
    state = draw_population(bundled_behaviour(), n, seed=1, start_on=dt.date(2026, 3, 2))
    book = LabBook.open(state, np.random.default_rng(0))
    return book, state


def test_an_unpaid_instalment_falls_due_each_cycle_and_days_past_due_run_from_the_oldest() -> None:
    book, state = _book()
    first = book.past_due_minor.copy()
    missed = -book.oldest_due  # days since the first missed instalment
    assert (book.days_past_due(0) == missed).all()
    for k in range(1, CYCLE_DAYS + 1):
        book.fall_due(k, state)
    nxt = np.minimum(book.instalment_minor, state.balance_minor - first)
    assert (book.past_due_minor == first + nxt).all()
    assert (book.days_past_due(CYCLE_DAYS) == CYCLE_DAYS + missed).all()


def test_paying_the_oldest_instalment_moves_the_days_past_due_to_the_next() -> None:
    book, state = _book(1)
    for k in range(1, CYCLE_DAYS + 1):
        book.fall_due(k, state)
    k = CYCLE_DAYS
    oldest = int(book.oldest_due[0])
    paid = book.instalment_minor.copy()
    state.balance_minor -= paid
    cured = book.settle(paid, k, state)
    assert not cured[0]
    assert book.oldest_due[0] == oldest + CYCLE_DAYS
    rest = book.past_due_minor.copy()
    state.balance_minor -= rest
    assert book.settle(rest, k, state)[0]  # paying the rest cures the account
    assert book.days_past_due(k)[0] == 0 and book.step[0] == ""


def test_a_borrower_who_told_us_of_hardship_is_offered_what_they_can_pay() -> None:
    book, state = _book(200)
    who = np.arange(200)
    standard, _ = plan_offer(state, book, who, 0)
    book.hardship[:] = True
    fitted, affordable = plan_offer(state, book, who, 0)
    ability = state.monthly_ability_minor(0)
    assert (fitted <= standard).all()
    longest = -(-state.balance_minor // 36)
    assert ((fitted <= ability) | (fitted == np.maximum(longest, 1))).all()
    assert (affordable == (fitted <= ability)).all()


# --- the gate -----------------------------------------------------------------------------


def test_the_gate_refuses_a_text_after_stop_and_a_call_at_night() -> None:
    _, state = _book(2)
    state.opted_out[0, CHANNEL_INDEX["sms"]] = True
    day = dt.date(2026, 3, 4)
    now = lender_moment(day, 30).astype(dt.datetime).replace(tzinfo=dt.UTC)
    who = np.array([0, 1, 1])
    channel = np.array([CHANNEL_INDEX["sms"], CHANNEL_INDEX["sms"], CHANNEL_INDEX["call"]])
    at = np.array([lender_moment(day, 12 * 60)] * 2 + [lender_moment(day, 23 * 60)])
    allowed, next_at = decide(state, ContactLog(), who, channel, at, now=now)
    assert allowed.tolist() == [False, True, False]
    assert np.isnat(next_at[0])  # a STOP is lifted only by the borrower
    assert next_at[2] > at[2]  # the night call may be made once the quiet hours end


def test_a_strategy_file_runs_as_it_would_at_night(tmp_path: Path) -> None:
    text = Path("src/arrears/core/data/strategies/conventional-ladder.yaml").read_text()
    run = run_lab(options(strategy=read_strategy(text), days=3))
    assert run.summary["options"]["strategy"] == {
        "code": "conventional-ladder",
        "version": "2026-11",
    }


# --- scenarios in the collectors' words (value-first, the shipped optimised strategy) ------


def _lab(borrowers: int = 40):  # type: ignore[no-untyped-def]
    from arrears.core.sim.lab.run import _open_lab

    value_first = load_bundled_strategy("value-first")
    return _open_lab(options(strategy=value_first, borrowers=borrowers, agents=1))


def _days(lab, count: int) -> None:  # type: ignore[no-untyped-def]
    from arrears.core.sim.lab.day import run_day

    start = dt.date(2026, 3, 2)
    for k in range(count):
        run_day(lab, k, start + dt.timedelta(days=k))


def _attempts(lab, borrower: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = lab.log.frame.filter(pl.col("party_id") == borrower).sort("at")
    return list(zip(rows["channel"].to_list(), rows["outcome"].to_list(), strict=True))


def test_a_borrower_who_never_answers_gets_the_self_service_link_after_four_calls() -> None:
    lab = _lab()
    never = 2
    lab.state.reachable[never, CHANNEL_INDEX["call"]] = True
    lab.state.reachable[never, CHANNEL_INDEX["sms"]] = True
    lab.state.annoyance[never] = 1e6  # picks up no call, ever
    lab.state.mu[never] = 0.0  # and never pays of their own accord
    _days(lab, 16)
    attempts = _attempts(lab, never)
    assert attempts[:4] == [("call", "no_answer")] * 4
    assert attempts[4][0] == "sms"  # the self-service link instead of a fifth call
    assert "call" not in [channel for channel, _ in attempts[5:]]


def test_a_borrower_who_told_us_of_hardship_is_offered_a_plan_and_not_chased() -> None:
    lab = _lab()
    told = 5
    lab.book.hardship[told] = True
    _days(lab, 1)
    assert lab.arm[told] == "plan_first"
    assert _attempts(lab, told)[0][0] == "sms"  # the affordable options, not a collection call
    assert lab.arm[6] == "value"  # a borrower who has not told us is called instead


def test_a_borrower_on_a_plan_is_left_alone() -> None:
    lab = _lab()
    on_plan = 7
    lab.state.on_plan[on_plan] = True
    lab.state.plan_instalment_minor[on_plan] = 1
    _days(lab, 10)
    assert _attempts(lab, on_plan) == []
    assert lab.contacts[on_plan] == 0
