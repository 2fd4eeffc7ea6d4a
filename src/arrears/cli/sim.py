"""`arrears sim run`: simulated borrowers against the real engine (docs/simulation.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from arrears.cli._runtime import _, handles_errors, print_json, stderr, stdout
from arrears.cli.cycle import progress_bar

if TYPE_CHECKING:
    from arrears.core.sim import BehaviourParams
    from arrears.demo.sim import SimOptions

RUN_EPILOG = """\
Example:

  arrears sim run --borrowers 2000 --days 30 --seed 7 \\
      --strategy src/arrears/core/data/strategies/conventional-ladder.yaml --out runs/ladder-7

  arrears sim run --borrowers 500 --days 20 --seed 1 --strategy mine.yaml --out runs/a \\
      --agents 4 --calls-per-agent 80 --params my_behaviour.yaml --json

  arrears sim run --engine lab --borrowers 100000 --days 180 --seed 1 --agents 200 \\
      --calls-per-agent 80 --strategy src/arrears/core/data/strategies/value-first.yaml \\
      --out runs/value-first-1

Without ARREARS_DATABASE_URL the database engine uses a fresh SQLite file in the --out folder;
the lab engine keeps the portfolio in memory and needs no database. The same options and seed
give the same results, byte for byte (apart from the timings).
"""

app = typer.Typer(
    help=_("Simulate borrowers against the real engine (模拟)."), no_args_is_help=True
)


def use_database_in(out: Path) -> None:
    """Point the default connection at a fresh SQLite file in `out` (no ARREARS_DATABASE_URL)."""
    from django.db import connections

    from arrears.core.errors import ValidationError

    database = out / "sim.sqlite3"
    if database.exists():
        raise ValidationError(
            "out", _("already holds a simulation database: %(path)s") % {"path": database}
        )
    out.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    connections["default"].settings_dict["NAME"] = str(database)


@app.command("run", epilog=RUN_EPILOG)
@handles_errors
def run(
    borrowers: Annotated[int, typer.Option(help="How many borrowers to simulate.")] = 1000,
    days: Annotated[int, typer.Option(help="How many days to simulate.")] = 30,
    strategy: Annotated[Path, typer.Option(help="The strategy YAML to make active.")] = Path(
        "src/arrears/core/data/strategies/conventional-ladder.yaml"
    ),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same run.")] = 42,
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("sim-out"),
    agents: Annotated[int, typer.Option(help="Simulated collectors working the queues.")] = 2,
    calls_per_agent: Annotated[int, typer.Option(help="Calls each collector makes a day.")] = 60,
    params: Annotated[
        Path | None, typer.Option(help="Borrower-behaviour YAML (default: the bundled one).")
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="database: the whole platform through its database; lab: the portfolio in "
            "memory with the real strategy and gate (fast, for large runs)."
        ),
    ] = "database",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Replay DAYS days of simulated borrowers through the real nightly cycle, gate and queues."""
    from arrears.demo.sim import SimOptions
    from arrears.demo.sim.run import behaviour_of

    options = SimOptions(
        borrowers=borrowers, days=days, strategy=strategy, seed=seed, out=out,
        agents=agents, calls_per_agent=calls_per_agent, params=params,
    ).check()  # fmt: skip
    behaviour = behaviour_of(options)  # a bad parameter file is refused before anything is written
    if engine == "lab":
        summary = _run_lab(options, behaviour, quiet=as_json)
    elif engine == "database":
        summary = _run_database(options, quiet=as_json)
    else:
        from arrears.core.errors import ValidationError

        raise ValidationError(
            "engine", _("must be database or lab, not %(value)s") % {"value": engine}
        )
    if as_json:
        print_json(summary)
    else:
        _print(summary, out)


def _run_lab(options: SimOptions, behaviour: BehaviourParams, *, quiet: bool) -> dict[str, Any]:
    """The lab engine (`core.sim.lab`): the results written as the database engine writes them."""
    from arrears.core.sim.lab import LabOptions, run_lab
    from arrears.core.strategy.document import load_strategy
    from arrears.demo.sim.results import write_lab_run

    lab = LabOptions(
        strategy=load_strategy(options.strategy), params=behaviour, borrowers=options.borrowers,
        days=options.days, seed=options.seed, agents=options.agents,
        calls_per_agent=options.calls_per_agent, start_on=options.start_on,
        params_name=options.params.name if options.params else "bundled",
    )  # fmt: skip
    with progress_bar(disable=quiet) as bar:
        task = bar.add_task(_("Simulated days"), total=options.days)
        run = run_lab(lab, progress=lambda done, total: bar.update(task, completed=done))
    return write_lab_run(run, options.out)


def _run_database(options: SimOptions, *, quiet: bool) -> dict[str, Any]:
    from django.conf import settings

    from arrears.cli.setup import prepare_database
    from arrears.demo.sim import run_simulation

    testing = str(settings.SETTINGS_MODULE).endswith(".test")  # pytest's own database
    if not os.environ.get("ARREARS_DATABASE_URL") and not testing:
        use_database_in(options.out)
    prepare_database(quiet=True)
    with progress_bar(disable=quiet) as bar:
        task = bar.add_task(_("Simulating"), total=None)

        def progress(stage: str, done: int, total: int) -> None:
            label = _("Warm-up") if stage == "warmup" else _("Simulated days")
            bar.update(task, completed=done, total=total, description=label)

        return run_simulation(options, progress=progress)


def _print(summary: dict[str, Any], out: Path) -> None:
    totals = summary["totals"]
    stdout.print(
        _(
            "Simulated %(days)d days of %(borrowers)d borrowers: collected %(collected)s "
            "(minor units), %(calls)d calls, %(sms)d texts, %(promises)d promises, "
            "%(complaints)d complaints."
        )
        % {
            "days": summary["options"]["days"],
            "borrowers": summary["options"]["borrowers"],
            "collected": f"{totals['collected_minor']:,}",
            "calls": totals["contacts_call"],
            "sms": totals["contacts_sms"],
            "promises": totals["promises"],
            "complaints": totals["complaints"],
        }
    )
    stderr.print(
        _("%(seconds)s s per simulated day; results in %(out)s")
        % {"seconds": summary["seconds"]["per_day"], "out": out}
    )


COMPARE_EPILOG = """\
Example:

  arrears sim compare src/arrears/core/data/strategies/conventional-ladder.yaml mine.yaml \\
      --seeds 10 --borrowers 20000 --days 90 --out runs/ladder-vs-mine

  arrears sim compare a.yaml b.yaml --seeds 5 --params base.yaml --params stressed.yaml \\
      --out runs/a-vs-b --json

Each seed runs A and B on the same borrowers with the same random numbers; the table shows
the mean per run, B − A with its 95 % bootstrap interval over the seeds, and a verdict. The
folder gets comparison.json, recovery.png, roll_rates_A.png, roll_rates_B.png and report.html.
"""


@app.command("compare", epilog=COMPARE_EPILOG)
@handles_errors
def compare(
    strategy_a: Annotated[
        Path, typer.Argument(metavar="A", help="The champion's strategy YAML.", show_default=False)
    ],
    strategy_b: Annotated[
        Path,
        typer.Argument(metavar="B", help="The challenger's strategy YAML.", show_default=False),
    ],
    out: Annotated[Path, typer.Option(help="Folder for the report and plots.")],
    seeds: Annotated[int, typer.Option(help="Seeds to run (1 … N), each for A and B.")] = 10,
    borrowers: Annotated[int, typer.Option(help="How many borrowers to simulate.")] = 20_000,
    days: Annotated[int, typer.Option(help="How many days to simulate.")] = 90,
    params: Annotated[
        list[Path] | None,
        typer.Option(
            help="Borrower-behaviour YAML; repeat for one table per parameter set "
            "(default: the bundled one)."
        ),
    ] = None,
    agents: Annotated[int, typer.Option(help="Simulated collectors working the calls.")] = 20,
    calls_per_agent: Annotated[int, typer.Option(help="Calls each collector makes a day.")] = 80,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare strategy A with strategy B over paired seeds: table, plots and an HTML report."""
    from arrears.demo.sim.comparison import (
        CompareOptions,
        load_inputs,
        run_comparison,
        write_report,
    )

    options = CompareOptions(
        strategy_a=strategy_a, strategy_b=strategy_b, out=out, seeds=seeds,
        borrowers=borrowers, days=days, params=tuple(params or ()), agents=agents,
        calls_per_agent=calls_per_agent,
    ).check()  # fmt: skip
    load_inputs(options)  # a bad strategy or parameter file is refused before anything runs
    with progress_bar(disable=as_json) as bar:
        task = bar.add_task(_("Lab runs"), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run_comparison(options, progress=progress)
    files = write_report(result, out)
    if as_json:
        print_json({**result.as_dict(), "files": {name: str(p) for name, p in files.items()}})
        return
    _print_comparison(result)
    stderr.print(_("Report: %(path)s") % {"path": files["report.html"]})


def _print_comparison(result: Any) -> None:
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    from arrears.analytics.simulation import column_titles
    from arrears.demo.sim.comparison import table_rows

    stdout.print(
        _("A: %(a)s · B: %(b)s")
        % {"a": result.strategies.get("A", ""), "b": result.strategies.get("B", "")},
        highlight=False,
    )
    for one in result.sets:
        rows = table_rows(one)
        titles = column_titles(rows[0]["level"] if rows else "95%")
        table = Table(
            title=_("Behaviour parameters: %(params)s") % {"params": one.params},
            title_justify="left",
        )
        for key, title in titles.items():
            table.add_column(title, justify="left" if key in ("label", "verdict") else "right")
        for row in rows:
            table.add_row(*(row[key] for key in titles))
        # never squeeze the figures: wider than the terminal, the lines wrap instead
        needed = Measurement.get(stdout, stdout.options.update_width(10_000), table).maximum
        (stdout if needed <= stdout.width else Console(width=needed)).print(table)
