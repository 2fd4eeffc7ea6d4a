"""`arrears care ticket …`: tickets 工单 from the command line — open, show, reply, status, list.

Each prints a table (or the ticket) and, with `--json`, JSON; bad input names its field (exit 2).
Borrowers are named by reference and accounts by number, as the lender knows them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, print_json, stdout

OPEN_EPILOG = """\
Example:

  arrears care ticket open --kind dispute --subject "这笔扣款不是我的" --origin phone \\
      --borrower B000123 --account CN_CONSUMER_LOAN-00000042 --body "客户来电称未借款"

A dispute or hardship request is passed to collection at once: a dispute hold on the accounts
(collection contact stops, the accounts leave every work queue), or the hardship flag and a
pause on their collection cases.
"""

SHOW_EPILOG = """\
Example:

  arrears care ticket show T0000042

  arrears care ticket show T0000042 --json

The ticket, its thread (with the messages of tickets merged into it) and its history.
"""

REPLY_EPILOG = """\
Example:

  arrears care ticket reply T0000042 --body "您好，已为您查询。" --as wang.fang --status pending

Delivered on the ticket's channel through the compliance gate. --note keeps it internal.
"""

STATUS_EPILOG = """\
Example:

  arrears care ticket status T0000042 solved --reason "客户确认已解决" --as wang.fang

Statuses: new, open, pending (on the borrower), on_hold (on a third party), solved, closed.
A closed ticket stays closed: a new message from the borrower opens a follow-up.
"""

LIST_EPILOG = """\
Example:

  arrears care ticket list --status new --status open --queue complaints --limit 50 --json
"""

ticket_app = typer.Typer(
    help="Tickets 工单: open, show, reply, status, list.",
    epilog="Example:\n\n  arrears care ticket list --status open",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="The agent's user name (default: the system).")
]


def register(app: typer.Typer) -> None:
    """Add `arrears care ticket …` to `arrears care`."""
    ticket_app.command("open", epilog=OPEN_EPILOG)(open_command)
    ticket_app.command("show", epilog=SHOW_EPILOG)(show)
    ticket_app.command("reply", epilog=REPLY_EPILOG)(reply)
    ticket_app.command("status", epilog=STATUS_EPILOG)(status)
    ticket_app.command("list", epilog=LIST_EPILOG)(list_command)
    app.add_typer(ticket_app, name="ticket")


@handles_errors
def open_command(
    kind: Annotated[str, typer.Option(help="inquiry, complaint, dispute, hardship_request …")],
    subject: Annotated[str, typer.Option(help="What it is about.")],
    origin: Annotated[str, typer.Option(help="The channel it came in on.")] = "agent",
    body: Annotated[str, typer.Option(help="The first message.")] = "",
    borrower: Annotated[str | None, typer.Option(help="The borrower's reference.")] = None,
    account: Annotated[
        list[str] | None, typer.Option(help="An account number (repeat for several).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    by: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a ticket (status new), routed to its queue."""
    from arrears.care.services.tickets import open_ticket

    owner = _borrower(borrower) if borrower else None
    ticket = open_ticket(kind=kind, subject=subject, origin=origin, body=body, borrower=owner,
                         accounts=[_account(n) for n in account or []], priority=priority,
                         by=_user(by))  # fmt: skip
    _print_ticket(ticket, as_json)


@handles_errors
def show(
    reference: Annotated[str, typer.Argument(help="The ticket's reference, e.g. T0000042.")],
    as_json: JsonOption = False,
) -> None:
    """A ticket with its thread and history."""
    from arrears.care.selectors.tickets import ticket_by_reference

    _print_ticket(ticket_by_reference(reference), as_json)


@handles_errors
def reply(
    reference: Annotated[str, typer.Argument(help="The ticket's reference.")],
    body: Annotated[str, typer.Option(help="The reply's text.")],
    status: Annotated[str | None, typer.Option(help="Move the ticket too.")] = None,
    note: Annotated[bool, typer.Option("--note", help="An internal note, never sent.")] = False,
    final: Annotated[bool, typer.Option("--final", help="The written final response.")] = False,
    by: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reply to the borrower (or add an internal note)."""
    from arrears.care.selectors.tickets import ticket_by_reference
    from arrears.care.services.tickets import add_note, reply_to_ticket

    ticket = ticket_by_reference(reference)
    if note:
        add_note(ticket=ticket, body=body, by=_user(by))
    else:
        reply_to_ticket(ticket=ticket, body=body, by=_user(by), status=status,
                        final_response=final)  # fmt: skip
    _print_ticket(ticket_by_reference(reference), as_json)


@handles_errors
def status(
    reference: Annotated[str, typer.Argument(help="The ticket's reference.")],
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help="The status to move to.")],
    reason: Annotated[str, typer.Option(help="Why, in your words.")] = "",
    by: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a ticket to another status."""
    from arrears.care.selectors.tickets import ticket_by_reference
    from arrears.care.services.tickets import change_status

    change_status(ticket=ticket_by_reference(reference), status=new_status, reason=reason,
                  by=_user(by))  # fmt: skip
    _print_ticket(ticket_by_reference(reference), as_json)


@handles_errors
def list_command(
    status: Annotated[list[str] | None, typer.Option(help="A status (repeat for several).")] = None,
    queue: Annotated[str | None, typer.Option(help="A queue's code.")] = None,
    assignee: Annotated[str | None, typer.Option(help="An agent's user name.")] = None,
    kind: Annotated[str | None, typer.Option(help="A ticket kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Tickets to show.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The desk's tickets, newest first."""
    from arrears.care.models import CareQueue
    from arrears.care.selectors.tickets import desk_tickets
    from arrears.core.errors import ValidationError

    found_queue = CareQueue.objects.filter(code=queue).first() if queue else None
    if queue and found_queue is None:
        raise ValidationError("queue", _("is not a queue's code"))
    tickets = desk_tickets(
        queue=found_queue, status=status or None, kind=kind, assignee=_user(assignee, "assignee")
    )
    rows = [_row(t) for t in tickets[:limit]]
    if as_json:
        print_json({"tickets": rows})
        return
    table = Table(title=_("Tickets"))
    for heading in (_("Reference"), _("Kind"), _("Status"), _("Priority"), _("Queue"),
                    _("Assignee"), _("Subject")):  # fmt: skip
        table.add_column(heading)
    for row in rows:
        table.add_row(*(Text(str(row[k] or "-")) for k in
                        ("reference", "kind", "status", "priority", "queue", "assignee")),
                      Text(row["subject"][:50]))  # fmt: skip
    stdout.print(table)


# --- lookups and output ------------------------------------------------------------------------
def _user(username: str | None, field: str = "as") -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    from arrears.core.errors import ValidationError

    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise ValidationError(field, _("there is no user %(name)s") % {"name": username})
    return user


def _borrower(reference: str) -> Any:
    from arrears.core.errors import ValidationError
    from arrears.servicing.models import Borrower

    found = Borrower.objects.filter(reference=reference).first()
    if found is None:
        raise ValidationError("borrower", _("is not a borrower's reference"))
    return found


def _account(number: str) -> Any:
    from arrears.core.errors import ValidationError
    from arrears.servicing.models import Account

    found = Account.objects.filter(number=number).first()
    if found is None:
        raise ValidationError("account", _("there is no account %(number)s") % {"number": number})
    return found


def _row(ticket: Any) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "kind": ticket.kind,
        "status": ticket.status,
        "priority": ticket.priority,
        "subject": ticket.subject,
        "origin": ticket.origin,
        "borrower": ticket.borrower.reference if ticket.borrower else None,
        "queue": ticket.queue.code if ticket.queue else None,
        "assignee": ticket.assignee.get_username() if ticket.assignee else None,
        "follow_up_of": ticket.follow_up_of.reference if ticket.follow_up_of else None,
        "merged_into": ticket.merged_into.reference if ticket.merged_into else None,
        "created_at": ticket.created_at,
        "first_replied_at": ticket.first_replied_at,
    }


def _print_ticket(ticket: Any, as_json: bool) -> None:
    from arrears.care.selectors.tickets import ticket_history, ticket_thread

    thread = [
        {"ticket": m.ticket.reference, "direction": m.direction, "channel": m.channel,
         "author": m.author.get_username() if m.author else None, "body": m.body,
         "created_at": m.created_at}
        for m in ticket_thread(ticket)
    ]  # fmt: skip
    lines = ticket_history(ticket)
    history = [
        {"at": line.at, "kind": line.event.kind, "reason": line.event.reason, "words": line.words}
        for line in lines
    ]
    data = {**_row(ticket), "accounts": [a.number for a in ticket.accounts.all()],
            "thread": thread, "history": history}  # fmt: skip
    if as_json:
        print_json(data)
        return
    stdout.print(Text(f"{ticket.reference} · {ticket.subject} · {ticket.status}"))
    table = Table(title=_("History"))
    table.add_column(_("When"))
    table.add_column(_("What"))
    for line in lines:
        table.add_row(Text(line.at.isoformat(timespec="minutes")), Text(line.words))
    stdout.print(table)
    for message in thread:
        stdout.print(Text(f"[{message['direction']}] {message['body']}"))
