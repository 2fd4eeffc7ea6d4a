"""`arrears compliance check FILE.json`: would the compliance gate allow this contact, and why?

The file is one check document (see docs/compliance.md and docs/examples/compliance-request.json):
the jurisdiction, the borrower with addresses, phones, flags, opt-outs and holds, the proposed
contact (channel, address, time, purpose, debts) and the contact history. Nothing is stored and
the borrower need not exist in the database; the profiles are the active ones (as edited in the
admin), or the bundled ones with `--bundled`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, print_json, stdout
from arrears.core.errors import ValidationError

app = typer.Typer(
    help="The compliance gate: check a proposed contact against the jurisdiction's rules.",
    epilog="Example:\n\n  arrears compliance check docs/examples/compliance-request.json",
    no_args_is_help=True,
)

CHECK_EPILOG = """\
Example:

  arrears compliance check docs/examples/compliance-request.json

  arrears compliance check request.json --json | jq .next_permitted_at

  cat request.json | arrears compliance check - --bundled --json

The file (JSON):

  {"jurisdiction": "US", "at": "2025-01-22T14:00:00Z", "channel": "call",
   "address": "+12125550100", "purpose": "collection", "debts": ["ACC-1"],
   "borrower": {"id": "B000123", "addresses": [{"time_zone": "America/New_York"}],
                "phones": ["+12125550100"], "flags": {"no_workplace_contact": false},
                "opt_outs": [], "holds": []},
   "history": [{"at": "2025-01-20T15:00:00Z", "channel": "call",
                "number": "+12125550100", "outcome": "conversation", "debts": ["ACC-1"]}]}

Prints {allowed, rules: [{id, outcome, reason, reason_zh, citation}], next_permitted_at}.
Exit 0 whether allowed or refused; 2 when the file is not a valid request (the field is named).
"""


def read_document(file: str) -> Any:
    """The JSON of a file, or of stdin for `-`; bad JSON names the file, line and column."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError("FILE", _("cannot read %(file)s: %(error)s") % {
            "file": file, "error": error.strerror or error
        }) from None  # fmt: skip
    except UnicodeDecodeError:
        raise ValidationError("FILE", _("%(file)s is not UTF-8 text") % {"file": file}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            "FILE",
            _("%(file)s is not valid JSON (line %(line)d, column %(column)d: %(reason)s)")
            % {"file": file, "line": error.lineno, "column": error.colno, "reason": error.msg},
        ) from None


@app.command("check", epilog=CHECK_EPILOG)
@handles_errors
def check(
    file: Annotated[
        str, typer.Argument(metavar="FILE.json", help="The request as JSON; - reads stdin.")
    ],
    bundled: Annotated[
        bool,
        typer.Option(
            "--bundled", help="Use the profiles shipped with Arrears, not the database's."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Check a proposed contact: allowed or not, every rule's reason, and when it could be."""
    from arrears.compliance.services import check_contact
    from arrears.core.compliance.wire import decision_document

    document = read_document(file)
    answer = decision_document(check_contact(document, bundled=bundled))
    if as_json:
        print_json(answer)
    else:
        _print_answer(answer)


def _print_answer(answer: dict[str, Any]) -> None:
    if answer["allowed"]:
        stdout.print(Text(_("Allowed"), style="bold green"))
    else:
        stdout.print(Text(_("Refused"), style="bold red"))
    stdout.print(
        Text(
            _("Profile: %(version)s   Contact at: %(at)s")
            % {"version": answer["profile"]["version"], "at": answer["at"]}
        )
    )
    next_at = answer["next_permitted_at"]
    stdout.print(
        Text(
            _("Next permitted: %(at)s") % {"at": next_at}
            if next_at
            else _("Next permitted: only when a person lifts the block")
        )
    )
    table = Table(title=_("Rules"), show_lines=True)
    table.add_column(_("Rule"), no_wrap=True)
    table.add_column(_("Answer"), no_wrap=True)
    table.add_column(_("Reason (English / Chinese)"), ratio=3)
    table.add_column(_("Source"), ratio=2)
    styles = {"deny": "red", "flag": "yellow", "allow": "green"}
    for rule in answer["rules"]:
        citation = rule["citation"]
        source = (
            f"{citation['source']} [{citation['ref']}; {citation['status']}]" if citation else ""
        )
        table.add_row(
            Text(rule["id"]),
            Text(rule["outcome"], style=styles.get(rule["outcome"], "")),
            Text(f"{rule['reason']}\n{rule['reason_zh']}"),
            Text(source),
        )
    stdout.print(table)
