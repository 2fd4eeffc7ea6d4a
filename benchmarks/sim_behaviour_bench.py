"""How fast the behaviour model steps a simulated portfolio through one day.

Draws N borrowers from the bundled behaviour parameters, then simulates D days in which the
engine contacts a quarter of the portfolio each day (mixed channels and hours, a few plan
offers), and prints milliseconds per simulated day (mean and best) and a few outcome counts.
No Django: this is the pure core the simulator drives.

Run:  .venv/bin/python benchmarks/sim_behaviour_bench.py --borrowers 100000 --days 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from arrears.core.sim import (
    CHANNELS,
    Contacts,
    DayStreams,
    bundled_behaviour,
    draw_population,
    simulate_day,
)

START = dt.date(2026, 3, 2)


def _contacts(n: int, day: int, share: float) -> Contacts:
    rng = np.random.default_rng(day)
    who = rng.choice(n, int(n * share), replace=False)
    size = who.shape[0]
    return Contacts.build(
        borrower=who,
        channel=rng.integers(0, len(CHANNELS), size),
        hour_of_week=rng.integers(0, 168, size),
        plan_offered=rng.random(size) < 0.05,
        plan_affordable=rng.random(size) < 0.5,
        plan_instalment_minor=np.full(size, 50_000),
        population=n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--contact-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    state = draw_population(bundled_behaviour(), args.borrowers, seed=args.seed, start_on=START)
    drawn = time.perf_counter() - started
    streams = DayStreams(args.seed)
    timings, paid, complaints, promises = [], 0, 0, 0
    for k in range(args.days):
        batch = _contacts(args.borrowers, k, args.contact_share)  # the driver's part: not timed
        t0 = time.perf_counter()
        outcome = simulate_day(state, day=START + dt.timedelta(days=k), contacts=batch, rng=streams)
        timings.append(time.perf_counter() - t0)
        paid += int(outcome.paid_minor.sum())
        complaints += int(outcome.complained.sum())
        promises += int(outcome.promised.sum())
    ms = np.array(timings) * 1000
    print(f"borrowers {args.borrowers:,}  days {args.days}  contacts/day {batch.size:,}")
    print(f"draw population: {drawn * 1000:.1f} ms")
    print(f"per simulated day: mean {ms.mean():.1f} ms, best {ms.min():.1f} ms")
    print(f"paid {paid / 100:,.2f} CNY, promises {promises:,}, complaints {complaints:,}")


if __name__ == "__main__":
    main()
