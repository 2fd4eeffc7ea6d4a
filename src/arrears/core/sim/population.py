"""Drawing a portfolio of simulated borrowers, column by column.

`draw_population` returns a `BorrowerState`: one NumPy array per attribute (segment, income,
balance, amount due, ability, willingness, UTC offset, reachable channels) plus the dynamic
state the day step updates (Hawkes excitation, annoyance, shocks, promises, plans). Amounts are
integer minor units (int64); the lognormal draws that produce them are rounded once, down, to a
whole minor unit. Each column has its own random stream (see `streams`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from arrears.core.errors import ValidationError
from arrears.core.sim.params import CHANNELS, BehaviourParams, Segment
from arrears.core.sim.streams import population_streams

MAX_BORROWERS = 50_000_000
_NONE = -1  # "no day" in the int32 day columns


@dataclass(kw_only=True)
class BorrowerState:
    """The simulated portfolio: static traits and the state one day step carries to the next."""

    params: BehaviourParams
    start_on: date
    # traits
    segment: np.ndarray  # int16 index into params.segments
    income_minor: np.ndarray  # int64, monthly
    ability_share: np.ndarray  # float64 0..1: share of income free for debts
    willingness: np.ndarray  # float64 0..1
    utc_offset_hours: np.ndarray  # int32
    reachable: np.ndarray  # bool [n, channel]
    pay_percent: np.ndarray  # int32: share of the amount due paid at a payment event
    mu: np.ndarray  # float64: this borrower's base intensity
    # money (integer minor units)
    balance_minor: np.ndarray  # int64: everything owed
    due_minor: np.ndarray  # int64: owed now (minimum due / instalment in arrears)
    ability_left_minor: np.ndarray  # int64: what they can still pay this month
    # dynamic
    excitation: np.ndarray  # float64: Hawkes intensity above the base
    annoyance: np.ndarray  # float64
    shock_until: np.ndarray  # int32 day number the shock ends (-1: none)
    opted_out: np.ndarray  # bool [n, channel]
    promise_due: np.ndarray  # int32 day number a promise falls due (-1: none)
    promise_minor: np.ndarray  # int64: the amount promised
    promise_paid_minor: np.ndarray  # int64: paid since the promise was made
    promise_will_keep: np.ndarray  # bool
    on_plan: np.ndarray  # bool
    plan_instalment_minor: np.ndarray  # int64
    plan_next_due: np.ndarray  # int32 day number
    payment_events: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    paid_total_minor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def size(self) -> int:
        return int(self.segment.shape[0])

    def day_number(self, day: date) -> int:
        return (day - self.start_on).days

    def in_shock(self, day_number: int) -> np.ndarray:
        return self.shock_until > day_number

    def monthly_income_minor(self, day_number: int) -> np.ndarray:
        """Each borrower's income this month: less during a shock."""
        income: np.ndarray = np.floor(self.income_minor * self._income_kept(day_number))
        return income.astype(np.int64)

    def monthly_ability_minor(self, day_number: int) -> np.ndarray:
        """What each borrower can pay in a month: income × free share, less during a shock."""
        kept = self._income_kept(day_number)
        ability: np.ndarray = np.floor(self.income_minor * self.ability_share * kept)
        return ability.astype(np.int64)

    def _income_kept(self, day_number: int) -> np.ndarray:
        """The share of income each borrower keeps: all of it, or less during a shock."""
        drop = self.params.table.income_drop[self.segment]
        kept: np.ndarray = np.where(self.in_shock(day_number), 1.0 - drop, 1.0)
        return kept


def time_zone_of(offset_hours: int) -> str:
    """An IANA zone for a UTC offset (China Standard Time for +8)."""
    if offset_hours == 8:
        return "Asia/Shanghai"
    return "UTC" if offset_hours == 0 else f"Etc/GMT{-offset_hours:+d}"


def draw_population(params: BehaviourParams, n: int, *, seed: int, start_on: date) -> BorrowerState:
    """`n` borrowers drawn from the segments' distributions, the same for the same seed."""
    if not 1 <= n <= MAX_BORROWERS:
        raise ValidationError("n", f"must be between 1 and {MAX_BORROWERS}, got {n}")
    if seed < 0:
        raise ValidationError("seed", f"must be zero or more, got {seed}")
    rng = population_streams(seed)
    segments = params.segments
    shares = np.array([s.share for s in segments])
    segment = rng["segment"].choice(len(segments), size=n, p=shares / shares.sum())
    segment = segment.astype(np.int16)

    def per_segment(pick: Callable[[Segment], object]) -> np.ndarray:
        return np.array([pick(s) for s in segments])[segment]

    income = _lognormal_minor(
        rng["income"],
        per_segment(lambda s: s.income_median_minor),
        per_segment(lambda s: s.income_sigma),
    )
    balance = _lognormal_minor(
        rng["balance"],
        per_segment(lambda s: s.balance_median_minor),
        per_segment(lambda s: s.balance_sigma),
    )
    ability = rng["ability"].beta(
        per_segment(lambda s: s.ability[0]), per_segment(lambda s: s.ability[1])
    )
    willingness = rng["willingness"].beta(
        per_segment(lambda s: s.willingness[0]), per_segment(lambda s: s.willingness[1])
    )
    due = np.maximum(balance * per_segment(lambda s: s.due_percent) // 100, 1).astype(np.int64)
    table = params.table
    mu = table.mu[segment] * willingness / table.willingness_mean[segment]
    reach = per_segment(lambda s: [s.reachable[c] for c in CHANNELS])
    state = BorrowerState(
        params=params,
        start_on=start_on,
        segment=segment,
        income_minor=income,
        ability_share=ability,
        willingness=willingness,
        utc_offset_hours=_pick_weighted(rng["zone"], segment, [s.zones for s in segments]),
        reachable=rng["reachable"].random((n, len(CHANNELS))) < reach,
        pay_percent=_pick_weighted(rng["pay_percent"], segment, [s.pay_percents for s in segments]),
        mu=mu,
        balance_minor=balance,
        due_minor=np.minimum(due, balance),
        ability_left_minor=np.zeros(n, np.int64),
        excitation=np.zeros(n),
        annoyance=np.zeros(n),
        shock_until=np.full(n, _NONE, np.int32),
        opted_out=np.zeros((n, len(CHANNELS)), bool),
        promise_due=np.full(n, _NONE, np.int32),
        promise_minor=np.zeros(n, np.int64),
        promise_paid_minor=np.zeros(n, np.int64),
        promise_will_keep=np.zeros(n, bool),
        on_plan=np.zeros(n, bool),
        plan_instalment_minor=np.zeros(n, np.int64),
        plan_next_due=np.full(n, _NONE, np.int32),
        payment_events=np.zeros(n, np.int64),
        paid_total_minor=np.zeros(n, np.int64),
    )
    state.ability_left_minor = state.monthly_ability_minor(0)
    return state


def _lognormal_minor(
    rng: np.random.Generator, median_minor: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """Lognormal amounts around a median, floored once to whole minor units (at least 1)."""
    draws = median_minor * np.exp(sigma * rng.standard_normal(median_minor.shape[0]))
    amounts: np.ndarray = np.maximum(np.floor(draws), 1)
    return amounts.astype(np.int64)


def _pick_weighted(
    rng: np.random.Generator,
    segment: np.ndarray,
    choices: list[tuple[tuple[int, float], ...]],
) -> np.ndarray:
    """For each borrower, one of their segment's (value, weight) choices."""
    width = max(len(c) for c in choices)
    values = np.zeros((len(choices), width), np.int32)
    cumulative: np.ndarray = np.ones((len(choices), width))
    for i, options in enumerate(choices):
        values[i, : len(options)] = [v for v, _ in options]
        cumulative[i, : len(options)] = np.cumsum([w for _, w in options])
        cumulative[i, len(options) - 1 :] = 1.0  # weights add up to 1; absorb rounding
    u = rng.random((segment.shape[0],))
    index = (u[:, None] >= cumulative[segment]).sum(axis=1)
    index = np.minimum(index, width - 1)
    picked: np.ndarray = values[segment, index]
    return picked
