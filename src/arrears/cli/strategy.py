"""`arrears strategy …`: collection strategies (催收策略) as data.

`check FILE` validates a strategy document and summarises its segments and paths, or names the
field that is wrong (exit 2). Nothing is stored and no database is read. docs/strategies.md
describes the document. Later commands of the same group (`explain ACCOUNT`) sit beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, pgettext, print_json, stdout
from arrears.core.errors import ValidationError
from arrears.core.strategy import Segment, Step, Strategy, TreatmentPath, read_strategy

app = typer.Typer(
    help="Collection strategies: check a strategy document before loading it.",
    epilog="Example:\n\n  arrears strategy check my-strategy.yaml",
    no_args_is_help=True,
)

CHECK_EPILOG = """\
Example:

  arrears strategy check my-strategy.yaml

  arrears strategy check src/arrears/core/data/strategies/conventional-ladder.yaml --json

  cat my-strategy.yaml | arrears strategy check -

Prints the segments (in the order they are tried) and each path's steps. An invalid document
exits 2 with the dotted path of the field that is wrong, e.g.
"paths.ladder.steps[3].channel: sms is not a channel for a warning_letter (letter, email)".
"""


def read_text(file: str) -> str:
    """The text of a file, or of stdin for `-`."""
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError("FILE", _("cannot read %(file)s: %(error)s") % {
            "file": file, "error": error.strerror or error
        }) from None  # fmt: skip
    except UnicodeDecodeError:
        raise ValidationError("FILE", _("%(file)s is not UTF-8 text") % {"file": file}) from None


@app.command("check", epilog=CHECK_EPILOG)
@handles_errors
def check(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="The strategy as YAML; - reads stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate a strategy document: its segments and paths, or the field that is wrong."""
    strategy = read_strategy(read_text(file), source="stdin" if file == "-" else file)
    if as_json:
        print_json(strategy_summary(strategy))
    else:
        _print_summary(strategy)


def strategy_summary(strategy: Strategy) -> dict[str, Any]:
    """The strategy as plain JSON: what `check --json` prints."""
    return {
        "ok": True,
        "code": strategy.code,
        "version": strategy.version,
        "name": {"en": strategy.name.en, "zh": strategy.name.zh},
        "seed": strategy.seed,
        "segments": [_segment_summary(s) for s in strategy.segments],
        "paths": {path_id: _path_summary(p) for path_id, p in strategy.paths.items()},
    }


def _segment_summary(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.id,
        "when": segment.when.source if segment.when else None,
        "action": "none" if segment.leaves_alone else None,
        "paths": [{"path": arm.path, "share": arm.share} for arm in segment.arms],
    }


def _path_summary(path: TreatmentPath) -> dict[str, Any]:
    back_off = path.back_off
    return {
        "back_off": {"when": back_off.when.source, "reason": back_off.reason} if back_off else None,
        "steps": [_step_summary(step) for step in path.steps],
    }


def _step_summary(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "action": step.action.value,
        "on_day": step.on_day,
        "trigger": step.trigger.source if step.trigger else None,
        "when": step.when.source if step.when else None,
        "skip_when": step.skip_when.source if step.skip_when else None,
        "channel": step.channel,
        "template": step.template,
        "repeat_every_days": step.repeat_every_days,
        "until_day": step.until_day,
        "approval": step.approval.value,
    }


def _print_summary(strategy: Strategy) -> None:
    stdout.print(Text(_("Valid strategy"), style="bold green"))
    stdout.print(
        Text(
            _("%(code)s version %(version)s: %(en)s / %(zh)s")
            % {
                "code": strategy.code,
                "version": strategy.version,
                "en": strategy.name.en,
                "zh": strategy.name.zh,
            }
        )
    )
    segments = Table(title=_("Segments (the first that holds applies)"), show_lines=True)
    for heading in (_("Segment"), _("When"), _("Treatment")):
        segments.add_column(heading, overflow="fold")
    for segment in strategy.segments:
        treatment = (
            _("none: leave every queue")
            if segment.leaves_alone
            else ", ".join(f"{arm.path} {arm.share}%" for arm in segment.arms)
        )
        when = segment.when.source if segment.when else _("(every other account)")
        segments.add_row(Text(segment.id), Text(when), Text(treatment))
    stdout.print(segments)
    for path in strategy.paths.values():
        stdout.print(_path_table(path))


def _path_table(path: TreatmentPath) -> Table:
    title = _("Path %(path)s") % {"path": path.id}
    if path.back_off:
        title += " — " + _("backs off when %(when)s") % {"when": path.back_off.when.source}
    table = Table(title=title, show_lines=True)
    for heading in (
        _("Step"),
        pgettext("strategy step", "Due"),
        _("Action"),
        _("Channel / template"),
        _("Conditions"),
    ):
        table.add_column(heading, overflow="fold")
    for step in path.steps:
        approval = "\n" + _("(supervisor approves)") if step.needs_approval else ""
        table.add_row(
            Text(step.id),
            Text(_due_text(step)),
            Text(step.action.value + approval),
            Text("\n".join(v for v in (step.channel, step.template) if v) or "—"),
            Text(_conditions_text(step)),
        )
    return table


def _due_text(step: Step) -> str:
    due = (
        _("day %(day)s") % {"day": step.on_day}
        if step.trigger is None
        else _("when %(trigger)s") % {"trigger": step.trigger.source}
    )
    if step.repeat_every_days == 1:
        due += "\n" + _("daily")
    elif step.repeat_every_days:
        due += "\n" + _("every %(days)s days") % {"days": step.repeat_every_days}
    if step.until_day is not None:
        due += " " + _("until day %(day)s") % {"day": step.until_day}
    return due


def _conditions_text(step: Step) -> str:
    lines = []
    if step.when:
        lines.append(_("only when %(condition)s") % {"condition": step.when.source})
    if step.skip_when:
        lines.append(_("skipped when %(condition)s") % {"condition": step.skip_when.source})
    return "\n".join(lines) or "—"


# --- explain (the collection night's view of one account) ------------------------------------

EXPLAIN_EPILOG = """\
Example:

  arrears strategy explain A0000012345

  arrears strategy explain 42 --on 2025-06-10 --json | jq .reason

ACCOUNT is the account number or id. Shows the account's facts as the nightly batch reads them,
every check the active strategy made (segment, arm, step), the action it chooses and why, the
compliance gate's answer for the contact it would propose (when it could first be made; nothing
is logged and no permit issued) and the next action recorded on the case. Writes nothing.
"""


@app.command("explain", epilog=EXPLAIN_EPILOG)
@handles_errors
def explain(
    account: Annotated[str, typer.Argument(metavar="ACCOUNT", help="Account number or id.")],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="Business date (default: today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Why the collection night gives this account its segment, step and contact."""
    from arrears.cli._runtime import business_today
    from arrears.cli.account import find_account
    from arrears.collection.batch.explain import explain_account
    from arrears.core.clock import SystemClock
    from arrears.core.parsing import parse_date

    day = parse_date("on", on) if on else business_today()
    found = explain_account(account=find_account(account), on=day, clock=SystemClock())
    if as_json:
        print_json(found.as_json())
    else:
        _print_explanation(found.as_json())


def _print_explanation(found: dict[str, Any]) -> None:
    stdout.print(
        Text(
            _("Account %(account)s on %(on)s") % {"account": found["account"], "on": found["on"]},
            style="bold",
        )
    )
    facts = Table(title=_("Facts"), show_header=False)
    facts.add_column(_("Fact"))
    facts.add_column(_("Value"), overflow="fold")
    for name, value in found["facts"].items():
        facts.add_row(Text(name), Text("—" if value is None else str(value)))
    stdout.print(facts)
    checks = Table(title=_("What the strategy checked"), show_lines=True)
    for heading in (_("Kind"), _("Of"), _("Test"), _("Answer"), _("Values")):
        checks.add_column(heading, overflow="fold")
    for check in found["checks"]:
        values = ", ".join(f"{k}={v}" for k, v in check["values"].items())
        checks.add_row(*(Text(str(x)) for x in (check["kind"], check["subject"], check["test"],
                                                check["answer"], values)))  # fmt: skip
    stdout.print(checks)
    stdout.print(
        Text(
            _("Segment %(segment)s, path %(arm)s, step %(step)s: %(action)s")
            % {k: found[k] or "—" for k in ("segment", "arm", "step", "action")}
        )
    )
    stdout.print(Text(_("Why: %(reason)s") % {"reason": found["reason"]}))
    contact = found["contact"]
    if contact:
        stdout.print(
            Text(
                _("Contact: %(channel)s to %(address)s at %(at)s — the gate: %(answer)s %(next)s")
                % {
                    **contact,
                    "address": contact["address"] or "—",
                    "next": contact["next_permitted_at"] or "",
                }
            )
        )
    if found["opens_case"]:
        stdout.print(Text(_("No open case: the night opens one.")))
    elif found["case"]:
        case = found["case"]
        stdout.print(
            Text(
                _("Case %(id)s (%(stage)s): next action %(next_action)s on %(on)s — %(why)s")
                % {"id": case["id"], "stage": case["stage"], "next_action": case["next_action"],
                   "on": case["next_action_on"] or "—", "why": case["next_action_reason"] or "—"}
            )
        )  # fmt: skip
    else:
        stdout.print(Text(_("No open case, and the account is not past due.")))
