"""Behaviour parameters, portfolios and contact batches for the simulator tests."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from arrears.core.sim import (
    BehaviourParams,
    BorrowerState,
    Contacts,
    DayOutcome,
    DayStreams,
    draw_population,
    parse_behaviour,
    simulate_day,
)

START = date(2026, 3, 2)  # a Monday


@cache
def _bundled_raw() -> dict[str, Any]:
    text = resources.files("arrears.core.data").joinpath("sim_behaviour.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def raw_params() -> dict[str, Any]:
    """A fresh copy of the bundled YAML as data, to edit in a test."""
    return copy.deepcopy(_bundled_raw())


def one_segment(**changes: Any) -> dict[str, Any]:
    """The bundled YAML with only the prime card segment, its fields overridden by dotted path."""
    raw = raw_params()
    segment = raw["segments"]["prime_card"]
    segment["share"] = 1.0
    raw["segments"] = {"prime_card": segment}
    for path, value in changes.items():
        target = segment
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return raw


def params(**changes: Any) -> BehaviourParams:
    return parse_behaviour(one_segment(**changes))


def calm(**changes: Any) -> BehaviourParams:
    """One segment with no shocks, so only the repayment process and contacts matter."""
    return params(shocks__job_loss_monthly=0.0, shocks__illness_monthly=0.0, **changes)


def no_lift(mu: float = 0.03) -> dict[str, Any]:
    """A repayment process that contacts do not excite (to isolate promises and plans)."""
    zero = {"call": 0.0, "sms": 0.0, "email": 0.0, "in_app": 0.0, "letter": 0.0}
    return {"mu": mu, "alpha_pay": 0.06, "beta": 0.15, "alpha_contact": zero}


def portfolio(p: BehaviourParams, n: int, *, seed: int = 7) -> BorrowerState:
    return draw_population(p, n, seed=seed, start_on=START)


def deep_pockets(state: BorrowerState) -> BorrowerState:
    """Owes and can pay far more than the process will ever take: payments are never capped."""
    big = 10**12
    state.income_minor[:] = big
    state.ability_share[:] = 1.0
    state.ability_left_minor[:] = big
    state.balance_minor[:] = big * 10
    state.due_minor[:] = big
    return state


def calls(
    state: BorrowerState, who: np.ndarray | list[int], *, reached: int = 1, hour: int = 19
) -> Contacts:
    who = np.asarray(who, np.int64)
    return Contacts.build(
        borrower=who,
        channel=np.full(who.shape[0], "call"),
        hour_of_week=np.full(who.shape[0], hour),
        right_party=np.full(who.shape[0], reached),
        population=state.size,
    )


def keep_owing(state: BorrowerState) -> None:
    """As the ledger would each night: a new amount falls due, so there is always one to pay."""
    state.due_minor[:] = 10**9
    state.balance_minor[:] = 10**13


def run_days(
    state: BorrowerState,
    days: int,
    *,
    seed: int = 11,
    contacts: Any = None,
    first: int = 0,
    every_day: Any = None,
) -> list[DayOutcome]:
    """Simulate `days` days; `contacts(state, k)` gives day k's batch (none when omitted or
    None); `every_day(state)` runs before each day (the driver's nightly update)."""
    streams = DayStreams(seed)
    outcomes = []
    for k in range(first, first + days):
        if every_day:
            every_day(state)
        batch = (contacts(state, k) if contacts else None) or Contacts.none()
        outcomes.append(
            simulate_day(state, day=START + timedelta(days=k), contacts=batch, rng=streams)
        )
    return outcomes
