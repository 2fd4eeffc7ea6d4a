"""The `arrears` command: one Typer app for operators and for `make demo`.

Every command says `Example:` in its `--help`. Commands that print data take `--json`; then
stdout holds only JSON and progress goes to stderr. Bad input exits 2 with a message naming
the field; a database that is not ready exits 1. See docs/cli.md.
"""

from __future__ import annotations

import os

import typer

from arrears.cli import (
    account,
    care_answers,
    care_desk,
    care_line,
    care_mail,
    care_reports,
    care_tickets,
    collection_desk,
    compliance,
    notices,
    plan,
    quote,
    report,
    setup,
    sim,
)
from arrears.cli import care as care_commands
from arrears.cli import collection as collection_commands
from arrears.cli import cycle as cycle_command
from arrears.cli import demo as demo_commands
from arrears.cli import imports as import_command
from arrears.cli import strategy as strategy_commands
from arrears.cli._runtime import DEFAULT_SETTINGS, setup_django

app = typer.Typer(
    name="arrears",
    help="Arrears: loan servicing, collection and hardship (贷后服务平台). See docs/cli.md.",
    epilog="Example:\n\n  arrears demo --borrowers 500 --days 90 --seed 7",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Commands that run without Django (and so without a database).
NO_DJANGO = frozenset({"quote"})


@app.callback()
def _start(ctx: typer.Context) -> None:
    """Start Django before any command that needs the database, in the user's language."""
    if ctx.invoked_subcommand not in NO_DJANGO:
        ctx.call_on_close(setup_django())


app.command("init", epilog=setup.INIT_EPILOG)(setup.init)
app.command("serve", epilog=setup.SERVE_EPILOG)(setup.serve)
app.command("demo-data", epilog=demo_commands.DEMO_DATA_EPILOG)(demo_commands.demo_data)
app.command("demo", epilog=demo_commands.DEMO_EPILOG)(demo_commands.demo)
app.command("cycle", epilog=cycle_command.EPILOG)(cycle_command.cycle)
app.command("import", epilog=import_command.EPILOG)(import_command.import_file)
app.command("quote", epilog=quote.EPILOG)(quote.quote)
app.add_typer(account.app, name="account")
app.add_typer(compliance.app, name="compliance")
app.add_typer(collection_commands.app, name="collection")
collection_desk.register(collection_commands.app)
app.add_typer(strategy_commands.app, name="strategy")
app.add_typer(notices.app, name="notices")
app.add_typer(plan.app, name="plan")
app.add_typer(care_commands.app, name="care")
app.add_typer(report.app, name="report")
app.add_typer(sim.app, name="sim")
for _area in (care_tickets, care_desk, care_line, care_answers, care_reports, care_mail):
    _area.register(care_commands.app)


def main() -> None:
    """Console entry point. Settings default to `arrears.config.settings.dev`.

    `django.setup()` runs in the app callback, i.e. before every command except `quote`, which
    needs no database.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    app()
