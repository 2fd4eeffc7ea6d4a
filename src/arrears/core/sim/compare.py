"""Champion/challenger in the lab: strategy A against strategy B over paired seeds.

Pure Python (Polars, NumPy), no Django. Each seed runs A and B on the same population with the
same random numbers (common random numbers), so a seed's B − A is mostly the strategies'
doing and little of it is chance; the spread that remains is measured by a **paired bootstrap**
over seeds: the seeds are resampled with replacement (a seeded NumPy `Generator`) and the
statistic recomputed, and the percentile interval of those resamples is reported.

Per metric: the mean over seeds of A and of B, the absolute difference (mean B − mean A) and the
relative difference of totals (Σ B / Σ A − 1), each with its interval, and a verdict from the
absolute interval and the metric's direction. Money in a run stays integer minor units; the
means and intervals are statistics over seeds, so they are floats (as in `core.stats`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import polars as pl

from arrears.core.errors import ValidationError
from arrears.core.sim.lab.run import LabRun

CONTACT_COLUMNS: tuple[str, ...] = (
    "contacts_call",
    "contacts_sms",
    "contacts_email",
    "contacts_in_app",
    "contacts_letter",
)
CURRENT = "current"
_CENT = Decimal("0.01")


class Direction(enum.StrEnum):
    """Which way is better for the lender and the borrower."""

    MORE = "more"  # more is better
    FEWER = "fewer"  # fewer is better


class Verdict(enum.StrEnum):
    B_BETTER = "b_better"
    A_BETTER = "a_better"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    TOO_FEW_RUNS = "too_few_runs"  # one seed (or one with the metric defined): no interval


#: The metrics of a run, in the order reports show them, with the better direction.
METRICS: Mapping[str, Direction] = {
    "net_minor": Direction.MORE,
    "collected_minor": Direction.MORE,
    "cost_minor": Direction.FEWER,
    "contacts": Direction.FEWER,
    "money_per_contact": Direction.MORE,
    "complaints": Direction.FEWER,
    "complaints_per_1000": Direction.FEWER,
    "cure_rate": Direction.MORE,
    "roll_forward_rate": Direction.FEWER,
    "plans_taken": Direction.MORE,
    "promises_kept_rate": Direction.MORE,
    "breaches": Direction.FEWER,
}

MetricValue = int | Decimal | float | None


# --- buckets ----------------------------------------------------------------------------------

_STAGE = re.compile(r"^M(\d+)(\+?)$")


def bucket_rank(code: str) -> tuple[int, int, int, str]:
    """Where a delinquency bucket sits: current < M1 < M2 < … < M6 < M7+ < anything else.

    Codes the scheme does not know (e.g. ``charged_off``) come after every stage, alphabetically.
    """
    if code == CURRENT:
        return (0, 0, 0, "")
    stage = _STAGE.match(code)
    if stage:
        return (1, int(stage.group(1)), 1 if stage.group(2) else 0, "")
    return (2, 0, 0, code)


def bucket_order(codes: Iterable[str]) -> list[str]:
    """The distinct codes in bucket order (`bucket_rank`)."""
    return sorted(set(codes), key=bucket_rank)


# --- one run ----------------------------------------------------------------------------------


def run_metrics(run: LabRun) -> dict[str, MetricValue]:
    """The comparison's measures of one run (keys of `METRICS`).

    Money in minor units (int); `money_per_contact` a Decimal in minor units (2 places); rates
    are floats. A rate with nothing to count (no contacts, nobody delinquent at the start, no
    promise due) is None.
    """
    daily = run.daily
    accounts = run.accounts

    def total(column: str) -> int:
        return int(daily.get_column(column).sum()) if daily.height else 0

    collected = total("collected_minor")
    cost = total("cost_minor")
    contacts = sum(total(c) for c in CONTACT_COLUMNS)
    complaints = total("complaints")
    kept, broken = total("promises_kept"), total("promises_broken")

    start = accounts.get_column("start_bucket").to_list()
    end = accounts.get_column("end_bucket").to_list()
    delinquent = [(s, e) for s, e in zip(start, end, strict=True) if s != CURRENT]
    cured = sum(1 for _, e in delinquent if e == CURRENT)
    rolled = sum(1 for s, e in delinquent if bucket_rank(e) > bucket_rank(s))

    return {
        "net_minor": collected - cost,
        "collected_minor": collected,
        "cost_minor": cost,
        "contacts": contacts,
        "money_per_contact": _per(collected, contacts),
        "complaints": complaints,
        "complaints_per_1000": complaints * 1000 / accounts.height if accounts.height else None,
        "cure_rate": cured / len(delinquent) if delinquent else None,
        "roll_forward_rate": rolled / len(delinquent) if delinquent else None,
        "plans_taken": total("plans_taken"),
        "promises_kept_rate": kept / (kept + broken) if kept + broken else None,
        "breaches": int(run.summary.get("breaches", 0)),
    }


def _per(amount_minor: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(amount_minor) / Decimal(count)).quantize(_CENT, rounding=ROUND_HALF_EVEN)


# --- A against B ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MetricComparison:
    """One metric, A against B, over the seeds where it is defined in both.

    `difference` is mean B − mean A and `relative` Σ B / Σ A − 1 (None when Σ A is 0); each
    `*_interval` is its (low, high) percentile interval, None with fewer than two seeds.
    """

    metric: str
    direction: Direction
    runs: int  # paired seeds counted
    values_a: tuple[MetricValue, ...]  # per seed, as `run_metrics` gave them
    values_b: tuple[MetricValue, ...]
    total_a: int | None  # Σ over the counted seeds, exact, for money and counts (ints)
    total_b: int | None
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    difference_interval: tuple[float, float] | None
    relative: float | None
    relative_interval: tuple[float, float] | None
    verdict: Verdict

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "direction": self.direction.value,
            "runs": self.runs,
            "values_a": [_plain(v) for v in self.values_a],
            "values_b": [_plain(v) for v in self.values_b],
            "total_a": self.total_a,
            "total_b": self.total_b,
            "mean_a": self.mean_a,
            "mean_b": self.mean_b,
            "difference": self.difference,
            "difference_interval": _pair(self.difference_interval),
            "relative": self.relative,
            "relative_interval": _pair(self.relative_interval),
            "verdict": self.verdict.value,
        }


def _pair(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [interval[0], interval[1]]


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Every metric of `METRICS`, A against B, with how the intervals were drawn."""

    metrics: tuple[MetricComparison, ...]
    seeds: tuple[int, ...]
    resamples: int
    bootstrap_seed: int
    level: float

    def metric(self, name: str) -> MetricComparison:
        for row in self.metrics:
            if row.metric == name:
                return row
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seeds": list(self.seeds),
            "resamples": self.resamples,
            "bootstrap_seed": self.bootstrap_seed,
            "level": self.level,
            "metrics": [m.as_dict() for m in self.metrics],
        }


def compare(
    pairs: Sequence[tuple[LabRun, LabRun]],
    *,
    resamples: int = 10_000,
    seed: int = 0,
    level: float = 0.95,
) -> Comparison:
    """A (first of each pair) against B (second), the pairs run with the same seed."""
    if not pairs:
        raise ValidationError("seeds", "compare needs at least one pair of runs")
    if resamples < 1:
        raise ValidationError("resamples", f"must be at least 1, not {resamples}")
    if not 0 < level < 1:
        raise ValidationError("level", f"must be between 0 and 1, not {level}")
    for a, b in pairs:
        if a.options.seed != b.options.seed:
            raise ValidationError(
                "seeds", f"A and B must be run with the same seed, not {a.options.seed} and "
                f"{b.options.seed}"
            )  # fmt: skip
    metrics_a = [run_metrics(a) for a, _ in pairs]
    metrics_b = [run_metrics(b) for _, b in pairs]
    rows = tuple(
        compare_values(
            name,
            [m[name] for m in metrics_a],
            [m[name] for m in metrics_b],
            resamples=resamples,
            seed=seed,
            level=level,
        )
        for name in METRICS
    )
    return Comparison(
        metrics=rows,
        seeds=tuple(a.options.seed for a, _ in pairs),
        resamples=resamples,
        bootstrap_seed=seed,
        level=level,
    )


def compare_values(
    metric: str,
    values_a: Sequence[MetricValue],
    values_b: Sequence[MetricValue],
    *,
    resamples: int = 10_000,
    seed: int = 0,
    level: float = 0.95,
) -> MetricComparison:
    """One metric's paired comparison from its per-seed values (None: undefined for that seed).

    Seeds where the metric is undefined in A or B are left out of the statistics. Every metric
    with the same number of counted seeds is resampled with the same seed indices.
    """
    direction = METRICS[metric]
    counted = [
        (a, b) for a, b in zip(values_a, values_b, strict=True) if a is not None and b is not None
    ]
    both = [(float(a), float(b)) for a, b in counted]
    whole = all(isinstance(v, int) for pair in counted for v in pair)
    common: dict[str, Any] = {
        "metric": metric,
        "direction": direction,
        "runs": len(both),
        "values_a": tuple(values_a),
        "values_b": tuple(values_b),
        "total_a": sum(int(a) for a, _ in counted) if whole and counted else None,
        "total_b": sum(int(b) for _, b in counted) if whole and counted else None,
    }
    if not both:
        return MetricComparison(
            **common,
            mean_a=None,
            mean_b=None,
            difference=None,
            difference_interval=None,
            relative=None,
            relative_interval=None,
            verdict=Verdict.TOO_FEW_RUNS,
        )
    a = np.array([p[0] for p in both], dtype=np.float64)
    b = np.array([p[1] for p in both], dtype=np.float64)
    n = len(both)
    difference = float(np.mean(b - a))
    total_a = float(a.sum())
    relative = float(b.sum()) / total_a - 1 if total_a else None
    difference_interval = relative_interval = None
    if n >= 2:
        picks = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
        tail = (1 - level) / 2
        difference_interval = _percentile(difference, (b - a)[picks].mean(axis=1), tail)
        if relative is not None:
            sums_a = a[picks].sum(axis=1)
            if np.all(sums_a != 0):
                resampled = b[picks].sum(axis=1) / sums_a - 1
                relative_interval = _percentile(relative, resampled, tail)
    return MetricComparison(
        **common,
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
        difference=difference,
        difference_interval=difference_interval,
        relative=relative,
        relative_interval=relative_interval,
        verdict=verdict(difference_interval, direction),
    )


def _percentile(estimate: float, resampled: np.ndarray, tail: float) -> tuple[float, float]:
    """The percentile interval, widened to hold the estimate: with very few seeds the
    resamples' quantiles can miss it, and an interval that excludes its own estimate misleads."""
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return (min(float(low), estimate), max(float(high), estimate))


def verdict(interval: tuple[float, float] | None, direction: Direction) -> Verdict:
    """B better when the whole interval of B − A lies on B's better side of zero, A better when
    it lies on the other side, else no clear difference; no interval, too few runs."""
    if interval is None:
        return Verdict.TOO_FEW_RUNS
    low, high = interval
    if low > 0:
        return Verdict.B_BETTER if direction is Direction.MORE else Verdict.A_BETTER
    if high < 0:
        return Verdict.A_BETTER if direction is Direction.MORE else Verdict.B_BETTER
    return Verdict.NO_CLEAR_DIFFERENCE


def _plain(value: MetricValue) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- curves and matrices ----------------------------------------------------------------------


def recovery_curves(runs: Sequence[LabRun]) -> pl.DataFrame:
    """Cumulative money collected by day, as a share of what the delinquent accounts owed at the
    start (the sum of their `start_balance_minor`), over the seeds: mean, lowest and highest.

    Columns: `day` (1 = the first simulated day), `mean`, `low`, `high` (floats, shares).
    """
    if not runs:
        raise ValidationError("runs", "recovery curves need at least one run")
    curves: list[np.ndarray] = []
    for run in runs:
        owed = int(
            run.accounts.filter(pl.col("start_bucket") != CURRENT)
            .get_column("start_balance_minor")
            .sum()
        )
        collected = run.daily.sort("day").get_column("collected_minor").cum_sum().to_numpy()
        curves.append(collected / owed if owed else np.zeros(len(collected)))
    days = min(len(c) for c in curves)
    stacked = np.vstack([c[:days] for c in curves]).astype(np.float64)
    return pl.DataFrame(
        {
            "day": np.arange(1, days + 1, dtype=np.int64),
            "mean": stacked.mean(axis=0),
            "low": stacked.min(axis=0),
            "high": stacked.max(axis=0),
        }
    )


def roll_matrix(runs: Sequence[LabRun]) -> pl.DataFrame:
    """Accounts by start bucket × end bucket, pooled over the runs, with each row's shares.

    Columns: `start_bucket`, `end_bucket`, `accounts` (int), `share` (of the start bucket's
    accounts); one row per pair that occurs, in bucket order.
    """
    if not runs:
        raise ValidationError("runs", "a roll-rate matrix needs at least one run")
    pooled = pl.concat([r.accounts.select("start_bucket", "end_bucket") for r in runs])
    counts = pooled.group_by("start_bucket", "end_bucket").agg(
        pl.len().cast(pl.Int64).alias("accounts")
    )
    counts = counts.with_columns(
        (pl.col("accounts") / pl.col("accounts").sum().over("start_bucket")).alias("share")
    )
    rank = {
        code: i
        for i, code in enumerate(
            bucket_order(
                pooled.get_column("start_bucket").to_list()
                + pooled.get_column("end_bucket").to_list()
            )
        )
    }
    return (
        counts.with_columns(
            pl.col("start_bucket").replace_strict(rank, return_dtype=pl.Int64).alias("_s"),
            pl.col("end_bucket").replace_strict(rank, return_dtype=pl.Int64).alias("_e"),
        )
        .sort("_s", "_e")
        .drop("_s", "_e")
    )
