"""Seconds per simulated day of the lab engine (`arrears sim run --engine lab`, issue 9).

    .venv/bin/python benchmarks/sim_lab_bench.py            # 100,000 borrowers × 180 days
    .venv/bin/python benchmarks/sim_lab_bench.py --borrowers 20000 --days 30 --strategy value-first

Each day runs the real strategy evaluation and the real vectorised compliance gate over the whole
portfolio, the collectors' calls, the borrowers' behaviour and the book. Prints JSON: set-up
seconds, total seconds, mean / median / slowest seconds per simulated day, the day's contacts, and
the machine's load average (times are noisy: compare runs made side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from arrears.core.sim import bundled_behaviour
from arrears.core.sim.lab import LabOptions, run_lab
from arrears.core.strategy.document import load_bundled_strategy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategy", default="conventional-ladder")
    parser.add_argument("--agents", type=int, help="collectors (default: one per 500 borrowers)")
    parser.add_argument("--calls-per-agent", type=int, default=80)
    args = parser.parse_args()
    options = LabOptions(
        strategy=load_bundled_strategy(args.strategy), params=bundled_behaviour(),
        borrowers=args.borrowers, days=args.days, seed=args.seed,
        agents=args.agents if args.agents is not None else max(1, args.borrowers // 500),
        calls_per_agent=args.calls_per_agent,
    )  # fmt: skip

    def progress(done: int, total: int) -> None:
        print(f"\rday {done}/{total}", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    run = run_lab(options, progress=progress)
    total = time.perf_counter() - started
    print(file=sys.stderr)
    days = run.summary["seconds"]["days"]
    print(
        json.dumps(
            {
                "borrowers": args.borrowers,
                "days": args.days,
                "strategy": args.strategy,
                "setup_seconds": run.summary["seconds"]["setup"],
                "total_seconds": round(total, 1),
                "per_day_mean": round(statistics.fmean(days), 3),
                "per_day_median": round(statistics.median(days), 3),
                "per_day_max": round(max(days), 3),
                "contacts_per_day": round(run.summary["contacts"] / args.days),
                "load_average": [round(x, 1) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
