"""How fast `evaluate_frame` applies a strategy to a facts frame (the nightly batch's step).

Builds a random facts frame of N accounts (NumPy, seeded: a plausible mix of days past due,
balances in CNY and JPY, promises, flags and last steps), evaluates the bundled
conventional-ladder strategy over it, and prints rows per second (best of --repeat runs), the
outcome mix, and — as a check — how many of a sample of rows the scalar `evaluate` answers
identically.

Run:  .venv/bin/python benchmarks/strategy_eval_bench.py --rows 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl

from arrears.core.strategy import (
    FACTS,
    account_facts,
    evaluate,
    evaluate_frame,
    facts_schema,
    load_bundled_strategy,
)

AS_OF = dt.date(2026, 11, 28)


def random_facts(rows: int, seed: int) -> pl.DataFrame:
    """A seeded, plausible facts frame with every column of `facts_schema()`."""
    rng = np.random.default_rng(seed)
    strategy = load_bundled_strategy("conventional-ladder")
    step_ids = ["", *dict.fromkeys(s.id for p in strategy.paths.values() for s in p.steps)]
    jpy = rng.random(rows) < 0.05
    exponent = np.where(jpy, 0, 2)
    dpd = np.where(rng.random(rows) < 0.1, 0, rng.integers(1, 150, rows))
    balance = rng.lognormal(8.5, 1.2, rows).astype(np.int64) * np.where(jpy, 1, 100)

    def flag(p: float) -> np.ndarray:
        return rng.random(rows) < p

    def maybe(values: np.ndarray, p_null: float) -> pl.Series:
        return pl.Series(values).scatter(np.flatnonzero(flag(p_null)), None)

    data = {
        "account_id": np.arange(1, rows + 1, dtype=np.int64),
        "borrower_id": np.arange(1, rows + 1, dtype=np.int64),
        "product": rng.choice(["cn-card-classic", "cn-card-gold", "cn-loan"], rows),
        "product_kind": rng.choice(["card", "loan"], rows, p=[0.8, 0.2]),
        "currency": np.where(jpy, "JPY", "CNY"),
        "days_past_due": dpd,
        "bucket": rng.choice(["current", "M1", "M2", "M3", "M4"], rows),
        "balance_minor": balance,
        "past_due_minor": balance // 10,
        "risk_score": maybe(rng.integers(300, 850, rows), 0.2),
        "case_stage": rng.choice(["early", "mid", "late"], rows),
        "days_in_case": dpd,
        "promise_status": rng.choice(
            ["none", "live", "kept", "broken"], rows, p=[0.7, 0.1, 0.1, 0.1]
        ),
        "broken_promises": rng.integers(0, 3, rows),
        "last_disposition": rng.choice(["", "no_answer", "promise_to_pay", "busy"], rows),
        "no_answer_streak": rng.integers(0, 6, rows),
        "right_party_contacts_30d": rng.integers(0, 4, rows),
        "days_since_last_contact": maybe(rng.integers(0, 30, rows), 0.3),
        "engaged_recently": flag(0.1),
        "hardship": flag(0.05),
        "vulnerable": flag(0.02),
        "dispute_open": flag(0.02),
        "on_plan": flag(0.03),
        "language": rng.choice(["zh-hans", "en"], rows, p=[0.9, 0.1]),
        "jurisdiction": rng.choice(["CN", "US"], rows, p=[0.9, 0.1]),
        "has_valid_phone": flag(0.9),
        "has_valid_email": flag(0.6),
        "last_step": rng.choice(step_ids, rows),
        "days_since_last_step": maybe(rng.integers(0, 10, rows), 0.2),
        "minor_exponent": exponent,
    }
    frame = pl.DataFrame(data)
    return frame.select(pl.col(c).cast(t) for c, t in facts_schema().items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2000, help="rows checked with evaluate()")
    args = parser.parse_args()

    strategy = load_bundled_strategy("conventional-ladder")
    started = time.perf_counter()
    facts = random_facts(args.rows, args.seed)
    seconds = time.perf_counter() - started
    print(f"facts frame: {args.rows:,} rows × {len(FACTS)} facts in {seconds:.2f}s")

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        answers = evaluate_frame(strategy, facts, as_of=AS_OF)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"evaluate_frame: best {best:.3f}s of {args.repeat} "
        f"({args.rows / best:,.0f} rows/s; runs: {', '.join(f'{t:.3f}' for t in timings)})"
    )
    print(answers.group_by("outcome").len().sort("len", descending=True))

    sample = facts.head(args.sample)
    started = time.perf_counter()
    scalar = [
        evaluate(strategy, account_facts(row), as_of=AS_OF).as_row()
        for row in sample.iter_rows(named=True)
    ]
    scalar_seconds = time.perf_counter() - started
    agree = sum(a == b for a, b in zip(scalar, answers.head(args.sample).to_dicts(), strict=True))
    print(
        f"scalar evaluate: {args.sample / scalar_seconds:,.0f} rows/s; "
        f"agrees with evaluate_frame on {agree}/{args.sample} rows"
    )


if __name__ == "__main__":
    main()
