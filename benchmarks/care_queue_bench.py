"""Erlang C and Erlang A against a discrete-event simulation, over a grid of loads.

For each line (agents × utilisation, with or without abandonment) the formulas in
`arrears.core.care.queueing` are set beside `arrears.core.care.simulation.simulate_line`,
run as independent seeded replications; the simulated figure is the mean of the replications
± its standard error, and |z| is how many standard errors the formula is away. It also times
the formulas. Prints a Markdown table for docs/BENCHMARKS.md ("Care desk queueing").

Each replication starts with an empty line, so its first `--warm-up` share of callers is not
measured (heavily loaded Erlang C lines take long to fill: with too short a run the simulated
waits come out low).

Run:  .venv/bin/python benchmarks/care_queue_bench.py --callers 250000 --replications 8
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

from arrears.core.care.queueing import LineFigures, ServiceTarget, agents_needed, line_figures
from arrears.core.care.simulation import SimulatedLine, simulate_line

AHT = 180.0  # seconds
PATIENCE = 120.0  # seconds, for Erlang A
AGENTS = (5, 20, 50, 100)
ERLANG_C_UTILISATION = (0.7, 0.85, 0.95)
ERLANG_A_UTILISATION = (0.85, 1.0, 1.2)
FIGURES: tuple[
    tuple[str, Callable[[LineFigures], float], Callable[[SimulatedLine], float]], ...
] = (
    ("P(wait)", lambda f: f.p_wait, lambda s: s.p_wait),
    ("P(abandon)", lambda f: f.p_abandon, lambda s: s.p_abandon),
    ("SL 20 s", lambda f: f.service_level, lambda s: s.service_level),
    ("ASA s", lambda f: f.mean_answer_wait_seconds, lambda s: s.mean_answer_wait_seconds),
)


def compare(agents: int, utilisation: float, patience: float | None, callers: int,
            replications: int, seed: int, warm_up: int) -> tuple[list[str], float]:  # fmt: skip
    calls = utilisation * agents * 3600 / AHT
    formula = line_figures(calls_per_hour=calls, aht_seconds=AHT, agents=agents,
                           patience_seconds=patience)  # fmt: skip
    runs = [
        simulate_line(
            calls_per_hour=calls,
            aht_seconds=AHT,
            agents=agents,
            patience_seconds=patience,
            callers=callers,
            warm_up=warm_up,
            seed=seed + r,
        )
        for r in range(replications)
    ]
    cells = [formula.model.value.replace("_", " ").title(), str(agents), f"{utilisation:.2f}",
             "—" if patience is None else f"{patience:g}"]  # fmt: skip
    worst = 0.0
    for name, of_formula, of_run in FIGURES:
        if patience is None and name == "P(abandon)":
            cells.append("0 / 0")
            continue
        values = [of_run(run) for run in runs]
        mean = statistics.fmean(values)
        error = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        expected = of_formula(formula)
        z = abs(expected - mean) / error if error > 0 else 0.0
        worst = max(worst, z)
        digits = 1 if name == "ASA s" else 4
        cells.append(f"{expected:.{digits}f} / {mean:.{digits}f} ± {error:.{digits}f}")
    cells.append(f"{worst:.1f}")
    return cells, worst


def timings() -> list[str]:
    """Median wall time of one evaluation (µs), n = 50 agents at 96 % utilisation."""
    cases: dict[str, Callable[[], object]] = {
        "Erlang C figures": lambda: line_figures(calls_per_hour=960, aht_seconds=AHT, agents=50),
        "Erlang A figures": lambda: line_figures(calls_per_hour=960, aht_seconds=AHT, agents=50,
                                                 patience_seconds=PATIENCE),
        "agents needed, Erlang C": lambda: agents_needed(
            calls_per_hour=960, aht_seconds=AHT, target=ServiceTarget(80, 20)),
        "agents needed, Erlang A": lambda: agents_needed(
            calls_per_hour=960, aht_seconds=AHT, target=ServiceTarget(80, 20),
            patience_seconds=PATIENCE),
    }  # fmt: skip
    lines = []
    for name, run in cases.items():
        samples = []
        for _ in range(30):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1e6)
        lines.append(f"| {name} | {statistics.median(samples):,.0f} µs |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=100_000, help="callers per replication")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--warm-up", type=float, default=0.2, help="share of each run's callers not measured"
    )
    args = parser.parse_args()
    header = ["model", "agents", "utilisation", "patience s"] + [
        f"{name} formula / simulated" for name, _, _ in FIGURES
    ] + ["worst |z|"]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    started = time.perf_counter()
    worst = 0.0
    grid = [(n, u, None) for n in AGENTS for u in ERLANG_C_UTILISATION] + [
        (n, u, PATIENCE) for n in AGENTS for u in ERLANG_A_UTILISATION
    ]
    for agents, utilisation, patience in grid:
        cells, z = compare(agents, utilisation, patience, args.callers, args.replications,
                           args.seed, int(args.callers * args.warm_up))  # fmt: skip
        worst = max(worst, z)
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"\n{len(grid)} lines, {args.replications} × {args.callers:,} callers each "
          f"(first {args.warm_up:.0%} not measured), "
          f"worst |z| {worst:.1f}, {time.perf_counter() - started:.0f} s")  # fmt: skip
    print("\n| evaluation | median |\n|---|---|")
    print("\n".join(timings()))


if __name__ == "__main__":
    main()
