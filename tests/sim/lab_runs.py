"""Hand-made lab runs (`LabRun` with DAILY_SCHEMA / ACCOUNT_SCHEMA frames) for the comparison
tests: every figure is chosen so the expected result can be counted by hand."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from arrears.core.sim import BehaviourParams, bundled_behaviour
from arrears.core.sim.lab.run import ACCOUNT_SCHEMA, DAILY_SCHEMA, DEFAULT_START, LabOptions, LabRun
from arrears.core.strategy.document import Strategy, load_bundled_strategy


@functools.cache
def _ladder() -> Strategy:
    return load_bundled_strategy("conventional-ladder")


@functools.cache
def _behaviour() -> BehaviourParams:
    return bundled_behaviour()


def daily_rows(days: int, **per_day: Sequence[int] | int) -> list[dict[str, Any]]:
    """`days` rows of DAILY_SCHEMA, zero except the columns given (a list: one value per day)."""
    rows = []
    for i in range(days):
        row: dict[str, Any] = {name: 0 for name in DAILY_SCHEMA}
        row["day"] = DEFAULT_START + dt.timedelta(days=i)
        for name, value in per_day.items():
            row[name] = value[i] if isinstance(value, Sequence) else value
        rows.append(row)
    return rows


def account(start: str, end: str, *, balance: int = 10_000, paid: int = 0) -> dict[str, Any]:
    return {
        "account": 0,
        "segment": "prime_card",
        "arm": "ladder",
        "start_bucket": start,
        "end_bucket": end,
        "start_balance_minor": balance,
        "start_past_due_minor": 0 if start == "current" else balance // 10,
        "end_balance_minor": balance - paid,
        "paid_minor": paid,
        "contacts": 0,
        "complaints": 0,
        "on_plan": False,
    }


def lab_run(
    *,
    seed: int = 1,
    daily: Sequence[Mapping[str, Any]] | None = None,
    accounts: Sequence[Mapping[str, Any]] | None = None,
    breaches: int = 0,
    label: str = "",
) -> LabRun:
    daily = list(daily) if daily is not None else daily_rows(3)
    accounts = list(accounts) if accounts is not None else [account("M1", "M1")]
    numbered = [{**row, "account": i} for i, row in enumerate(accounts)]
    options = LabOptions(
        strategy=_ladder(),
        params=_behaviour(),
        borrowers=len(numbered),
        days=len(daily),
        seed=seed,
        label=label,
    )
    return LabRun(
        options=options,
        daily=pl.DataFrame(daily, schema=DAILY_SCHEMA),
        accounts=pl.DataFrame(numbered, schema=ACCOUNT_SCHEMA),
        summary={"breaches": breaches, "currency": "CNY"},
    )


def collected_run(seed: int, collected: Sequence[int], **more: Any) -> LabRun:
    """A run whose days collect the given amounts (minor units) and nothing else happens."""
    return lab_run(seed=seed, daily=daily_rows(len(collected), collected_minor=collected), **more)
