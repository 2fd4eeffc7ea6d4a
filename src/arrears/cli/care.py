"""`arrears care …`: the care desk from the command line.

`staffing` answers "what will callers live through with this many agents, and how many do we
need?" with Erlang A (callers hang up after `--patience` seconds on average) or, without a
patience, Erlang C (nobody hangs up). Pure arithmetic: nothing is read or stored.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, print_json, stdout, user_language
from arrears.core.care.labels import label
from arrears.core.care.queueing import (
    LineFigures,
    QueueModel,
    ServiceTarget,
    agents_needed,
    line_figures,
    wait_band,
)
from arrears.core.errors import ValidationError

app = typer.Typer(
    help="The care desk: staffing the inbound line (Erlang A / Erlang C).",
    epilog="Example:\n\n  arrears care staffing --calls-per-hour 2880 --aht 60 --patience 120 "
    "--agents 50 --target 80/20",
    no_args_is_help=True,
)

STAFFING_EPILOG = """\
Example:

  arrears care staffing --calls-per-hour 2880 --aht 60 --patience 120 --agents 50

  arrears care staffing --calls-per-hour 2880 --aht 60 --patience 120 --agents 50 \
      --target 80/20 --json

  arrears care staffing --calls-per-hour 2880 --aht 60 --target 80/20     # Erlang C, agents needed

Reports the chance a caller waits, the mean wait (all callers, and answered callers), the share
who hang up, the service level (share of all callers answered within the target's seconds, or
--answer-within) and agent occupancy. With --patience the model is Erlang A (callers hang up
after that many seconds on average); without it, Erlang C (nobody hangs up). With --target
(percent/seconds, e.g. 80/20) it also reports the fewest agents that meet it; --agents may then
be left out to see the line at that staffing. See docs/care.md.
"""


@app.command("staffing", epilog=STAFFING_EPILOG)
@handles_errors
def staffing(
    calls_per_hour: Annotated[float, typer.Option(help="Calls offered per hour.")],
    aht: Annotated[float, typer.Option(help="Average handling time per call, in seconds.")],
    agents: Annotated[
        int | None, typer.Option(help="Agents on the phones (default: the agents needed).")
    ] = None,
    patience: Annotated[
        float | None,
        typer.Option(help="Mean seconds a caller waits before hanging up (Erlang A)."),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Service target percent/seconds, e.g. 80/20.")
    ] = None,
    answer_within: Annotated[
        float | None,
        typer.Option(help="Seconds for the service level (default: the target's, else 20)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What callers live through at a staffing level, and the agents a target needs."""
    goal = ServiceTarget.parse("target", target) if target else None
    if agents is None and goal is None:
        raise ValidationError("agents", "give --agents, or --target to find the agents needed")
    within = answer_within if answer_within is not None else (goal.within_seconds if goal else 20)
    needed = None
    if goal is not None:
        needed = agents_needed(calls_per_hour=calls_per_hour, aht_seconds=aht, target=goal,
                               patience_seconds=patience)  # fmt: skip
    staffed = agents if agents is not None else needed
    assert staffed is not None
    figures = line_figures(calls_per_hour=calls_per_hour, aht_seconds=aht, agents=staffed,
                           patience_seconds=patience, answer_within_seconds=within)  # fmt: skip
    report = staffing_report(figures, calls_per_hour=calls_per_hour, aht=aht, patience=patience,
                             target=goal, needed=needed)  # fmt: skip
    if as_json:
        print_json(report)
    else:
        stdout.print(_staffing_table(report))


def staffing_report(
    figures: LineFigures,
    *,
    calls_per_hour: float,
    aht: float,
    patience: float | None,
    target: ServiceTarget | None,
    needed: int | None,
) -> dict[str, Any]:
    """The documented JSON shape (shares as fractions 0..1, times in seconds; null = never)."""
    report: dict[str, Any] = {
        "model": figures.model.value,
        "calls_per_hour": calls_per_hour,
        "aht_seconds": aht,
        "patience_seconds": patience,
        "agents": figures.agents,
        "load_erlangs": _number(figures.load_erlangs),
        "stable": figures.stable,
        "chance_to_wait": _number(figures.p_wait),
        "mean_wait_seconds": _number(figures.mean_wait_seconds),
        "mean_answer_wait_seconds": _number(figures.mean_answer_wait_seconds),
        "abandonment": _number(figures.p_abandon),
        "service_level": {
            "share": _number(figures.service_level),
            "within_seconds": figures.answer_within_seconds,
        },
        "occupancy": _number(figures.occupancy),
        "wait_band": wait_band(figures.mean_wait_seconds).key
        if math.isfinite(figures.mean_wait_seconds)
        else "wait.over_10_minutes",
    }
    if target is not None:
        report["target"] = {
            "percent": target.percent,
            "within_seconds": target.within_seconds,
            "agents_needed": needed,
            "met": figures.stable and figures.service_level * 100 >= target.percent,
        }
    return report


def _number(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _seconds(value: float | None) -> str:
    return _("never settles") if value is None else f"{value:.1f} s"


def _staffing_table(report: dict[str, Any]) -> Table:
    model = "Erlang A" if report["model"] == QueueModel.ERLANG_A else "Erlang C"
    table = Table(title=_("The inbound line (%(model)s)") % {"model": model})
    table.add_column(_("Figure"))
    table.add_column(_("Value"), justify="right")
    level = report["service_level"]
    language = user_language()
    rows = [
        (_("Agents"), str(report["agents"])),
        (_("Offered load (erlangs)"), f"{report['load_erlangs']:.2f}"),
        (_("Chance to wait"), _percent(report["chance_to_wait"])),
        (_("Mean wait, all callers"), _seconds(report["mean_wait_seconds"])),
        (_("Mean wait, answered callers"), _seconds(report["mean_answer_wait_seconds"])),
        (_("Callers who hang up"), _percent(report["abandonment"])),
        (
            _("Answered within %(seconds)s s") % {"seconds": f"{level['within_seconds']:g}"},
            _percent(level["share"]),
        ),
        (_("Agent occupancy"), _percent(report["occupancy"])),
        (_("Wait to announce"), label(report["wait_band"], language)),
    ]
    goal = report.get("target")
    if goal is not None:
        rows.append(
            (
                _("Agents needed for %(target)s") % {"target": f"{goal['percent']:g}/"
                                                     f"{goal['within_seconds']:g}"},
                str(goal["agents_needed"]),
            )
        )  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    return table
