"""Seconds per simulated day of `arrears sim run` (issue 9), for a given number of borrowers.

    .venv/bin/python benchmarks/sim_run_bench.py 2000 --days 10                 # SQLite, temp file
    ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simbench \\
        .venv/bin/python benchmarks/sim_run_bench.py 20000 --days 10 --use-database-url

Each run needs a fresh database: without --use-database-url a new SQLite file in a temporary
folder; with it, the database ARREARS_DATABASE_URL names is dropped and created again (local
PostgreSQL only). Prints the set-up, warm-up and per-day seconds as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRATEGY = ROOT / "src/arrears/core/data/strategies/conventional-ladder.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("borrowers", type=int)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--calls-per-agent", type=int, default=120)
    parser.add_argument("--use-database-url", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sim-bench-"))
    if not args.use_database_url:
        os.environ["ARREARS_DATABASE_URL"] = f"sqlite:///{folder / 'sim.sqlite3'}"
    else:
        _recreate_postgres(os.environ["ARREARS_DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.dev")
    import django

    django.setup()
    from arrears.cli.setup import prepare_database
    from arrears.demo.sim import SimOptions, run_simulation

    prepare_database(quiet=True)
    options = SimOptions(
        borrowers=args.borrowers, days=args.days, strategy=STRATEGY, seed=args.seed,
        out=folder / "out", agents=args.agents, calls_per_agent=args.calls_per_agent,
    )  # fmt: skip

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)

    summary = run_simulation(options, progress=progress)
    print(file=sys.stderr)
    seconds = summary["seconds"]
    print(
        json.dumps(
            {
                "borrowers": args.borrowers,
                "days": args.days,
                "database": "postgresql" if args.use_database_url else "sqlite",
                "setup_s": seconds["setup"],
                "warmup_s": seconds["warmup"],
                "seconds_per_simulated_day": seconds["per_day"],
                "days_s": seconds["days"],
                "contacts": {
                    k: v for k, v in summary["totals"].items() if k.startswith("contacts_")
                },
                "collected_minor": summary["totals"]["collected_minor"],
            },
            indent=2,
        )
    )


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
