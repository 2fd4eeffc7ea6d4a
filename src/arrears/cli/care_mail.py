"""`arrears care mail-server` and `arrears care receive-mail`: e-mail into the desk.

`mail-server` runs the desk's SMTP server (aiosmtpd, `care.mail_server.CareMailHandler`): point
the MX, or the provider's forwarding, at it. `receive-mail` takes one raw mail from a file or
stdin (a `.eml`, or a pipe from the mail system's delivery agent).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from arrears.cli._runtime import _, handles_errors, print_json, stdout
from arrears.core.errors import ValidationError

MAIL_SERVER_EPILOG = """\
Example:

  arrears care mail-server --host 0.0.0.0 --port 2525

Each mail is threaded onto its ticket (In-Reply-To / References, or "[T0000123]" in the
subject) or opens an inquiry; duplicates are taken once; bounces and auto-replies are set aside.
The server answers 451 (try later) when the database is away, so no mail is lost. Ctrl-C stops
it. See docs/care.md, "E-mail and SMS".
"""

RECEIVE_MAIL_EPILOG = """\
Example:

  arrears care receive-mail message.eml --json

  cat message.eml | arrears care receive-mail -

Prints what became of the mail: a new ticket, threaded onto one, a duplicate, or set aside
(and why). See docs/care.md, "E-mail and SMS".
"""


@handles_errors
def mail_server(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (25 needs privileges).")] = 2525,
) -> None:
    """Run the care desk's SMTP server: every mail received goes to its ticket."""
    from aiosmtpd.controller import Controller

    from arrears.care.mail_server import CareMailHandler

    if not 0 < port < 65536:
        raise ValidationError("port", _("must be between 1 and 65535"))
    controller = Controller(CareMailHandler(), hostname=host, port=port)
    controller.start()
    listening = _("Care mail server listening on %(host)s:%(port)s")
    stdout.print(listening % {"host": host, "port": port}, highlight=False)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        controller.stop()


@handles_errors
def receive_mail(
    path: Annotated[str, typer.Argument(help="The raw mail (.eml); - reads stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Take one raw e-mail into the desk, as the mail server would."""
    from arrears.care.services.mail import receive_email

    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        source = Path(path)
        if not source.is_file():
            raise ValidationError("path", _("no such file: %(path)s") % {"path": path})
        raw = source.read_bytes()
    receipt = receive_email(raw).as_dict()
    if as_json:
        print_json(receipt)
        return
    stdout.print(
        _("%(outcome)s: ticket %(ticket)s %(reason)s")
        % {
            "outcome": receipt["outcome"],
            "ticket": receipt["ticket"] or "-",
            "reason": receipt["reason"],
        },
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the e-mail commands to `arrears care`."""
    app.command("mail-server", epilog=MAIL_SERVER_EPILOG)(mail_server)
    app.command("receive-mail", epilog=RECEIVE_MAIL_EPILOG)(receive_mail)
