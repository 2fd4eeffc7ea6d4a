"""`arrears demo-data` and `arrears demo`: a synthetic portfolio, replayed up to today."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, business_today, handles_errors, print_json, stderr, stdout
from arrears.cli.cycle import progress_bar
from arrears.core.money import Money
from arrears.core.parsing import parse_date

DEMO_DATA_EPILOG = """\
Example:

  arrears demo-data --borrowers 500 --seed 7 --start 2026-01-01

The same seed and start give the same borrowers, accounts and postings, row for row.
"""

DEMO_EPILOG = """\
Example:

  arrears demo --borrowers 2000 --days 90 --seed 42

  arrears demo --borrowers 200 --days 30 --no-serve --json

Run it again later and it only replays the days since the last run.
"""

#: The demo's people and their (well-known, demo-only) password.
DEMO_PASSWORD = "arrears-demo"
DEMO_USERS = (
    ("admin", "admin"),
    ("supervisor", "supervisor"),
    ("agent", "agent"),
    ("compliance", "compliance"),
)


def _generate(*, borrowers: int, seed: int, start_on: dt.date, quiet: bool) -> Any:
    from arrears.demo.portfolio import generate_portfolio

    with progress_bar(disable=quiet) as bar:
        task = bar.add_task(_("Borrowers and accounts"), total=borrowers)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done)

        return generate_portfolio(
            seed=seed, borrowers=borrowers, start_on=start_on, progress=progress
        )


@handles_errors
def demo_data(
    borrowers: Annotated[int, typer.Option(help="How many borrowers to create.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = 42,
    start: Annotated[
        str | None,
        typer.Option(
            help="First business date YYYY-MM-DD; accounts open in the month after it "
            "(default: 90 days ago)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Create a deterministic synthetic portfolio: borrowers (CN, US, GB), cards and loans."""
    start_on = parse_date("start", start) if start else business_today() - dt.timedelta(days=90)
    summary = _generate(borrowers=borrowers, seed=seed, start_on=start_on, quiet=as_json)
    if as_json:
        print_json(summary.as_json())
        return
    stdout.print(
        _(
            "Demo portfolio (seed %(seed)d, from %(start)s): %(borrowers)d borrowers, "
            "%(cards)d cards, %(loans)d loans."
        )
        % {
            "seed": summary.seed,
            "start": summary.start_on,
            "borrowers": summary.borrowers,
            "cards": summary.cards,
            "loans": summary.loans,
        }
    )


@handles_errors
def demo(
    borrowers: Annotated[int, typer.Option(help="How many borrowers to create.")] = 1000,
    days: Annotated[int, typer.Option(help="How many days to replay, ending today.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 42,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web server afterwards.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address the server listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the server listens on.")] = 8000,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (implies nothing else).")
    ] = False,
) -> None:
    """Set up a database, build a demo portfolio, replay DAYS days to today, then serve it."""
    from arrears.cli.setup import ensure_user, prepare_database, run_server
    from arrears.demo.models import DemoPortfolio
    from arrears.demo.replay import replay

    if days < 1:
        from arrears.core.errors import ValidationError

        raise ValidationError("days", _("must be at least 1"))
    started = time.perf_counter()
    today = business_today()
    prepare_database(quiet=as_json)
    existing = DemoPortfolio.objects.first()
    if existing is not None and not as_json:
        stderr.print(
            _("This database already holds a demo portfolio (%(portfolio)s): replaying it.")
            % {"portfolio": existing}
        )
    start_on = existing.start_on if existing else today - dt.timedelta(days=days - 1)
    summary = _generate(
        borrowers=borrowers if not existing else existing.borrowers,
        seed=seed if not existing else existing.seed,
        start_on=start_on,
        quiet=as_json,
    )
    built = time.perf_counter()
    with progress_bar(disable=as_json) as bar:
        task = bar.add_task(_("Replaying days"), total=None)

        def progress(day: dt.date, done: int, total: int) -> None:
            bar.update(
                task, completed=done, total=total, description=_("Replaying %(day)s") % {"day": day}
            )

        replayed = replay(through=today, progress=progress)
    from arrears.demo.logins import equip_staff, link_borrower_logins

    staff = {
        username: ensure_user(username=username, password=DEMO_PASSWORD, role=role)
        for username, role in DEMO_USERS
    }
    equip_staff([staff["agent"], staff["supervisor"]])
    borrower_logins = link_borrower_logins(password=DEMO_PASSWORD)
    finished = time.perf_counter()
    result = {
        "ok": True,
        "portfolio": summary.as_json(),
        "replay": {
            "first_date": replayed.first_date,
            "last_date": replayed.last_date,
            "days": replayed.days,
            "behaviour": vars(replayed.behaviour),
            "cycle": replayed.cycle,
        },
        "buckets": _buckets(),
        "logins": [{"username": u, "password": DEMO_PASSWORD, "role": r} for u, r in DEMO_USERS]
        + [
            {"username": login["username"], "password": DEMO_PASSWORD, "role": "borrower"}
            for login in borrower_logins
        ],
        "seconds": {
            "portfolio": round(built - started, 1),
            "replay": round(finished - built, 1),
        },
    }
    if as_json:
        print_json(result)
    else:
        _print_demo(result, host, port)
    if serve:
        run_server(host, port)


def _buckets() -> list[dict[str, Any]]:
    from arrears.demo.report import bucket_report

    return [
        {
            "bucket": line.bucket,
            "status": line.status,
            "currency": line.currency,
            "accounts": line.accounts,
            "owed": {"minor": line.owed_minor, "currency": line.currency},
        }
        for line in bucket_report()
    ]


def _print_demo(result: dict[str, Any], host: str, port: int) -> None:
    replay_info = result["replay"]
    behaviour = replay_info["behaviour"]
    stdout.print(
        _(
            "Replayed %(days)d days (%(first)s → %(last)s): %(payments)d payments, "
            "%(reversals)d returned, %(purchases)d card purchases, %(cash)d cash advances."
        )
        % {
            "days": replay_info["days"],
            "first": replay_info["first_date"] or "—",
            "last": replay_info["last_date"] or "—",
            "payments": behaviour["payments"],
            "reversals": behaviour["reversals"],
            "purchases": behaviour["purchases"],
            "cash": behaviour["cash_advances"],
        }
    )
    table = Table(title=_("Accounts by bucket"))
    table.add_column(_("Bucket"))
    table.add_column(_("Status"))
    table.add_column(_("Accounts"), justify="right")
    table.add_column(_("Balance owed"), justify="right")
    totals: dict[str, tuple[int, int]] = {}
    for line in result["buckets"]:
        owed = Money.from_minor(line["owed"]["minor"], line["currency"])
        table.add_row(
            line["bucket"],
            line["status"],
            f"{line['accounts']:,}",
            f"{owed.amount:,} {owed.currency}",
        )
        count, minor = totals.get(line["currency"], (0, 0))
        totals[line["currency"]] = (count + line["accounts"], minor + line["owed"]["minor"])
    table.add_section()
    for currency, (count, minor) in sorted(totals.items()):
        total_owed = Money.from_minor(minor, currency)
        table.add_row(_("Total"), "", f"{count:,}", f"{total_owed.amount:,} {currency}")
    stdout.print(table)
    logins = Table(title=_("Demo logins (password: %(password)s)") % {"password": DEMO_PASSWORD})
    logins.add_column(_("User"))
    logins.add_column(_("Role"))
    for login in result["logins"]:
        logins.add_row(login["username"], login["role"])
    stdout.print(logins)
    stdout.print(
        _(
            "Console: http://%(host)s:%(port)d/console/  ·  Borrower portal: "
            "http://%(host)s:%(port)d/portal/  ·  Sign in: http://%(host)s:%(port)d/login/"
        )
        % {"host": host, "port": port}
    )
    stdout.print(
        _("Admin: http://%(host)s:%(port)d/admin/  ·  API: http://%(host)s:%(port)d/api/v1/docs")
        % {"host": host, "port": port}
    )
    stderr.print(_("Built in %(portfolio)s s, replayed in %(replay)s s.") % result["seconds"])
