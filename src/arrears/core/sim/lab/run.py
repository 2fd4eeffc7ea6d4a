"""What a lab run is asked and what it gives back: `LabOptions` in, `LabRun` out.

The lab is the simulator's fast engine: the whole portfolio lives in memory as columns, and each
simulated day runs the **real** strategy evaluation (`core.strategy.vectorised.evaluate_frame`,
the nightly batch's own code) and the **real** vectorised compliance gate
(`core.compliance.vectorised.decide_batch`) over every account at once, with the borrowers'
behaviour from `core.sim`. Servicing is kept to what collection reads (amount past due, days
past due, bucket, balance); `arrears sim run --engine database` runs the full platform instead.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from arrears.core.collection.value import ContactValueModel
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError
from arrears.core.sim.lab.book import BUCKETS, LabBook, bucket_index
from arrears.core.sim.lab.day import Lab, run_day
from arrears.core.sim.lab.gate import ContactLog
from arrears.core.sim.params import CHANNELS, BehaviourParams
from arrears.core.sim.population import draw_population
from arrears.core.sim.streams import POPULATION_PURPOSES, DayStreams, generator
from arrears.core.strategy.document import Strategy

Progress = Callable[[int, int], None]  # (days done, days)

#: The first simulated day when none is given (a Monday, so weeks line up in the results).
DEFAULT_START = dt.date(2026, 3, 2)

#: One row per simulated day. Money in minor units of the portfolio's currency.
DAILY_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "collected_minor": pl.Int64(),  # paid by borrowers that day
    "cost_minor": pl.Int64(),  # what the day's contacts cost (per-channel cost table)
    "contacts_call": pl.Int64(),  # calls placed (each with an allowing gate decision)
    "contacts_sms": pl.Int64(),
    "contacts_email": pl.Int64(),
    "contacts_in_app": pl.Int64(),
    "contacts_letter": pl.Int64(),
    "calls_right_party": pl.Int64(),  # calls the borrower answered (本人接通)
    "refused": pl.Int64(),  # proposals the gate refused
    "promises": pl.Int64(),  # promises to pay made
    "promises_kept": pl.Int64(),
    "promises_broken": pl.Int64(),
    "plans_offered": pl.Int64(),
    "plans_taken": pl.Int64(),
    "complaints": pl.Int64(),
    "opt_outs": pl.Int64(),
    "delinquent": pl.Int64(),  # accounts past due at the end of the day
    "cured": pl.Int64(),  # accounts that went from past due to current that day
}

#: One row per account at the end of the run.
ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "account": pl.Int64(),  # 0..n-1, the borrower's index in the population
    "segment": pl.String(),  # the behaviour segment (prime_card, …)
    "arm": pl.String(),  # the strategy path the account was on at the end ('' when none)
    "start_bucket": pl.String(),  # bucket on the first simulated day (current, M1, M2, …)
    "end_bucket": pl.String(),  # bucket after the last simulated day
    "start_balance_minor": pl.Int64(),
    "start_past_due_minor": pl.Int64(),
    "end_balance_minor": pl.Int64(),
    "paid_minor": pl.Int64(),  # paid during the run
    "contacts": pl.Int64(),  # contacts delivered during the run, all channels
    "complaints": pl.Int64(),
    "on_plan": pl.Boolean(),  # on a repayment plan at the end
}


@dataclass(frozen=True, kw_only=True)
class LabOptions:
    """One lab run. `strategy` is a checked strategy document; `params` the behaviour."""

    strategy: Strategy
    params: BehaviourParams
    borrowers: int
    days: int
    seed: int
    agents: int = 20  # collectors working the call queue
    calls_per_agent: int = 80  # calls each makes in a day
    start_on: dt.date = DEFAULT_START
    label: str = ""  # a name for the run in reports (defaults to the strategy code)
    params_name: str = "bundled"  # where the behaviour parameters came from
    audit_per_day: int = 20  # contacts a day re-checked one by one with the scalar gate

    def check(self) -> LabOptions:
        _between("borrowers", self.borrowers, 1, 10_000_000)
        _between("days", self.days, 1, 3_660)
        _between("seed", self.seed, 0, 2**63 - 1)
        _between("agents", self.agents, 0, 100_000)
        _between("calls_per_agent", self.calls_per_agent, 0, 10_000)
        return self


@dataclass(frozen=True, kw_only=True)
class LabRun:
    """What a lab run gives back: the daily table, the accounts' end state and the summary.

    `summary` holds: `options` (borrowers, days, seed, agents, calls_per_agent, strategy code
    and version, params name, start_on), `currency`, `totals` (each daily column summed),
    `net_minor` (collected − cost), `contacts` (all channels), `breaches` (contacts delivered
    without an allowing gate decision: 0 by construction, counted to prove it),
    `accounts_delinquent_at_start`, and `seconds` (set-up, per simulated day).
    """

    options: LabOptions
    daily: pl.DataFrame  # DAILY_SCHEMA
    accounts: pl.DataFrame  # ACCOUNT_SCHEMA
    summary: dict[str, Any] = field(default_factory=dict)


def _between(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValidationError(name, f"must be from {low} to {high}, not {value}")


def run_lab(options: LabOptions, *, progress: Progress | None = None) -> LabRun:
    """Run the lab: draw the population, open the book, step the days, gather the results.

    The same options give the same run (every draw comes from the seed's streams); two
    strategies run with one seed meet the same borrowers and the same random numbers.
    """
    options.check()
    started = time.perf_counter()
    lab = _open_lab(options)
    before = _snapshot(lab, 0)
    built = time.perf_counter()
    rows, seconds = [], []
    for k in range(options.days):
        tick = time.perf_counter()
        rows.append(run_day(lab, k, options.start_on + dt.timedelta(days=k)))
        seconds.append(round(time.perf_counter() - tick, 4))
        if progress:
            progress(k + 1, options.days)
    daily = pl.DataFrame(rows, schema=DAILY_SCHEMA)
    accounts = _accounts(lab, before, options.days)
    summary = _summary(options, lab, daily, accounts, [started, built], seconds)
    return LabRun(options=options, daily=daily, accounts=accounts, summary=summary)


def _open_lab(options: LabOptions) -> Lab:
    state = draw_population(
        options.params, options.borrowers, seed=options.seed, start_on=options.start_on
    )
    book = LabBook.open(state, generator(options.seed, POPULATION_PURPOSES["lab_missed"]))
    cost = ContactValueModel().cost
    n = state.size
    return Lab(
        strategy=options.strategy,
        state=state,
        book=book,
        log=ContactLog(),
        streams=DayStreams(options.seed),
        capacity=(options.agents, options.calls_per_agent),
        costs_minor=np.array([cost[Channel(name)].minor for name in CHANNELS], np.int64),
        contacts=np.zeros(n, np.int64),
        complaints=np.zeros(n, np.int64),
        arm=np.full(n, "", object),
        audit_rng=generator(options.seed, POPULATION_PURPOSES["lab_audit"]),
        audit_per_day=options.audit_per_day,
    )


def _snapshot(lab: Lab, k: int) -> dict[str, np.ndarray]:
    return {
        "bucket": np.array(BUCKETS, object)[bucket_index(lab.book.days_past_due(k))],
        "balance": lab.state.balance_minor.copy(),
        "past_due": lab.book.past_due_minor.copy(),
        "paid": lab.state.paid_total_minor.copy(),
    }


def _accounts(lab: Lab, before: dict[str, np.ndarray], days: int) -> pl.DataFrame:
    after = _snapshot(lab, days)
    names = np.array([s.name for s in lab.state.params.segments], object)
    return pl.DataFrame(
        {
            "account": np.arange(lab.state.size, dtype=np.int64),
            "segment": names[lab.state.segment],
            "arm": lab.arm,
            "start_bucket": before["bucket"],
            "end_bucket": after["bucket"],
            "start_balance_minor": before["balance"],
            "start_past_due_minor": before["past_due"],
            "end_balance_minor": after["balance"],
            "paid_minor": after["paid"] - before["paid"],
            "contacts": lab.contacts,
            "complaints": lab.complaints,
            "on_plan": lab.state.on_plan,
        },
        schema=ACCOUNT_SCHEMA,
    )


def _summary(
    options: LabOptions,
    lab: Lab,
    daily: pl.DataFrame,
    accounts: pl.DataFrame,
    marks: list[float],
    seconds: list[float],
) -> dict[str, Any]:
    totals = {name: int(daily[name].sum()) for name in daily.columns if name != "day"}
    contacts = sum(totals[f"contacts_{name}"] for name in CHANNELS)
    return {
        "options": {
            "borrowers": options.borrowers,
            "days": options.days,
            "seed": options.seed,
            "agents": options.agents,
            "calls_per_agent": options.calls_per_agent,
            "strategy": {"code": options.strategy.code, "version": options.strategy.version},
            "params": options.params_name,
            "start_on": options.start_on.isoformat(),
            "label": options.label or options.strategy.code,
        },
        "currency": options.params.currency,
        "totals": totals,
        "net_minor": totals["collected_minor"] - totals["cost_minor"],
        "contacts": contacts,
        "breaches": lab.breaches,
        "audited_per_day": options.audit_per_day,
        "accounts_delinquent_at_start": int((accounts["start_past_due_minor"] > 0).sum()),
        "seconds": {
            "setup": round(marks[1] - marks[0], 3),
            "per_day": round(sum(seconds) / max(len(seconds), 1), 4),
            "days": seconds,
        },
    }
