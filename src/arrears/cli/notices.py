"""`arrears notices dispatch`: send the due messages of the outbox, once or as a loop.

The dispatcher is the one way a notice leaves: each message gets a compliance permit at send
time and is handed to its channel (SMTP, the SMS provider, the letter folder, the in-app inbox).
Killing it at any moment is safe: a message caught half-way is taken up again, with the same
idempotency key, once its lease (`ARREARS_OUTBOX_LEASE_SECONDS`) has run out. See
docs/engagement-channels.md.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from types import FrameType
from typing import Annotated

import typer

from arrears.cli._runtime import _, handles_errors, print_json, stderr, stdout

app = typer.Typer(
    help="Notices: send what the outbox holds.",
    epilog="Example:\n\n  arrears notices dispatch --limit 500",
    no_args_is_help=True,
)

DISPATCH_EPILOG = """\
Example:

  arrears notices dispatch

  arrears notices dispatch --limit 500 --json

  arrears notices dispatch --loop --interval 10

Without --loop: one batch of at most --limit due messages, then exit.

With --loop: batch after batch, waiting --interval seconds when nothing more is due. SIGTERM
stops it once the batch in hand is done; Ctrl-C stops it at once.

Killing the dispatcher, even with SIGKILL, sends nothing twice: see docs/engagement-channels.md.
"""

#: What a run reports, in this order (the dispatcher's `DispatchCounts`).
COUNT_NAMES = ("claimed", "sent", "deferred", "blocked", "retried", "failed")


class StopRequest:
    """SIGTERM asks a looping dispatcher to stop once the batch in hand is done."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when asked to stop."""
        deadline = time.monotonic() + seconds
        while not self.asked and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))


@app.command("dispatch", epilog=DISPATCH_EPILOG)
@handles_errors
def dispatch(
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="At most this many messages per batch.")
    ] = 200,
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep dispatching until stopped (SIGTERM, Ctrl-C).")
    ] = False,
    interval: Annotated[
        float,
        typer.Option(min=0.1, max=3600, help="With --loop: seconds to wait when nothing is due."),
    ] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Send the due outbox messages: each with its own permit, each exactly once."""
    from arrears.engagement.dispatch import dispatch_outbox

    totals: Counter[str] = Counter(dict.fromkeys(COUNT_NAMES, 0))
    batches = 0
    stop = StopRequest()
    previous = signal.signal(signal.SIGTERM, stop) if loop else None
    try:
        while not stop.asked:
            counts = dispatch_outbox(limit=limit).as_dict()
            totals.update(counts)
            batches += 1
            if not loop:
                break
            if counts["claimed"] < limit:
                stop.wait(interval)
    except KeyboardInterrupt:
        pass  # the message in hand is rolled back and sent by the next run
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if loop:
        stderr.print(_("Dispatcher stopped."))
    result = {"ok": True, "batches": batches, **{name: totals[name] for name in COUNT_NAMES}}
    if as_json:
        print_json(result)
    else:
        stdout.print(
            _(
                "Claimed %(claimed)d, sent %(sent)d, deferred %(deferred)d, blocked %(blocked)d, "
                "to retry %(retried)d, failed %(failed)d."
            )
            % result
        )
