"""`arrears plan …`: hardship repayment plans from the command line.

`options` prices every option for an account from a financial statement (nothing is stored);
`propose` stores the statement as an assessment and proposes one option; `accept` records the
borrower's agreement; `show` prints a plan. The statement file is the JSON the API takes
(docs/examples/hardship-assessment.json).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, business_today, handles_errors, print_json, stdout
from arrears.cli.compliance import read_document
from arrears.core.errors import ValidationError
from arrears.core.parsing import parse_date

app = typer.Typer(
    help="Hardship repayment plans: price the options, propose, accept, show.",
    epilog="Example:\n\n  arrears plan options C00000001 "
    "--assessment docs/examples/hardship-assessment.json",
    no_args_is_help=True,
)

OPTIONS_EPILOG = """\
Example:

  arrears plan options L00000042 --assessment docs/examples/hardship-assessment.json

  arrears plan options 42 --assessment statement.json --as-of 2026-04-01 --json

The file is the borrower's financial statement (monthly amounts as decimal strings):

  {"currency": "CNY", "region": "CN-T2", "household": {"adults": 1, "dependants": 1},
   "employment": "unemployed", "reason": "job_loss", "temporary": true,
   "expected_recovery_months": 3, "income_after_recovery": "9000.00",
   "incomes": [{"source": "benefits", "amount": "1800.00"}],
   "expenses": [{"category": "housing", "amount": "1500.00"}]}

Prints every option side by side (exact schedule with --json), the recommended one and why,
and the free debt advice to offer. Stores nothing. Exit 2 names a bad field.
"""

PROPOSE_EPILOG = """\
Example:

  arrears plan propose L00000042 --assessment statement.json \\
      --option holiday_then_reamortise:3:capitalise:annuity:11

Stores the statement as the borrower's assessment and proposes the option (its id as
`arrears plan options` prints it). An option that does not fit the borrower's affordability is
refused.
"""

ACCEPT_EPILOG = """\
Example:

  arrears plan accept 7 --via agent --language zh-hans

  arrears plan accept 7 --via portal --language en --starts-on 2026-05-01 --json

Records that the borrower agreed to the plan's terms as shown in that language. A plan starting
today is in force at once; a later one is activated by the nightly cycle on its start date.
"""

SHOW_EPILOG = """\
Example:

  arrears plan show 7

  arrears plan show 7 --json
"""


def _chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("zh")


def _text(texts: dict[str, str]) -> str:
    return texts["zh"] if _chinese() else texts["en"]


def _find_plan(identifier: int) -> Any:
    from arrears.hardship.selectors import plan_by_id

    return plan_by_id(identifier)


@app.command("options", epilog=OPTIONS_EPILOG)
@handles_errors
def options(
    account: Annotated[str, typer.Argument(metavar="ACCOUNT", help="Account number or id.")],
    assessment: Annotated[
        str, typer.Option(metavar="FILE.json", help="The financial statement; - reads stdin.")
    ],
    as_of: Annotated[
        str | None, typer.Option(help="Pricing date YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: every option with its exact schedule.")
    ] = False,
) -> None:
    """Price every repayment option for an account and say which is recommended, and why."""
    from arrears.core.hardship.assessment import parse_statement
    from arrears.hardship.documents import debt_advice_documents
    from arrears.hardship.selectors import debt_advice_for
    from arrears.hardship.services.options import account_by_id_or_number, price_options

    found = account_by_id_or_number(account)
    statement = parse_statement(_mapping(read_document(assessment)))
    day = parse_date("as_of", as_of) if as_of else business_today()
    priced = price_options(account=found, statement=statement, as_of=day)
    language = "zh-hans" if _chinese() else "en"
    document = {
        **priced.document(),
        "debt_advice": debt_advice_documents(
            debt_advice_for(priced.debt_advice_jurisdiction), language
        ),
    }
    if as_json:
        print_json(document)
        return
    stdout.print(_affordability_table(document))
    stdout.print(_options_table(document))
    for reason in document["recommendation"]["reasons"]:
        stdout.print(f"• {_text(reason['text'])}")
    for service in document["debt_advice"]:
        contact = " · ".join(part for part in (service["phone"], service["url"]) if part)
        stdout.print(f"☎ {service['name']} {contact}")


def _mapping(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ValidationError("FILE", _("must be a JSON object: the financial statement"))
    return document


def _affordability_table(document: dict[str, Any]) -> Table:
    table = Table(title=_("Affordability"), show_header=False)
    table.add_column(_("Line"))
    table.add_column(_("Amount"), justify="right")
    for line in document["affordability"]["explanation"]:
        table.add_row(_text(line["text"]), f"{line['amount']['amount']}")
    return table


def _options_table(document: dict[str, Any]) -> Table:
    currency = document["position"]["currency"]
    table = Table(title=_("Repayment options (%(currency)s)") % {"currency": currency})
    table.add_column("", justify="center")
    table.add_column(_("Option"))
    table.add_column(_("Months"), justify="right")
    table.add_column(_("First"), justify="right")
    table.add_column(_("Largest"), justify="right")
    table.add_column(_("Total"), justify="right")
    table.add_column(_("Value to lender"), justify="right")
    table.add_column(_("Affordable"))
    table.add_column(_("Id"))
    for option in document["options"]:
        table.add_row(
            "★" if option["recommended"] else "",
            " → ".join(_text(phase["text"]) for phase in option["phases"]),
            str(option["months"]),
            option["first_payment"]["amount"],
            option["max_payment"]["amount"],
            option["total_payment"]["amount"],
            option["expected_value"]["amount"],
            _("yes") if option["fits"] else _("no"),
            option["id"],
        )
    return table


@app.command("propose", epilog=PROPOSE_EPILOG)
@handles_errors
def propose(
    account: Annotated[str, typer.Argument(metavar="ACCOUNT", help="Account number or id.")],
    assessment: Annotated[
        str, typer.Option(metavar="FILE.json", help="The financial statement; - reads stdin.")
    ],
    option: Annotated[str, typer.Option(help="The option's id, as `plan options` prints it.")],
    source: Annotated[
        str, typer.Option(help="Who filled in the statement: agent or borrower.")
    ] = "agent",
    as_of: Annotated[
        str | None, typer.Option(help="Pricing date YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Store the borrower's statement and propose one of the priced options as their plan."""
    from django.db import transaction

    from arrears.hardship.services import propose_plan, take_assessment
    from arrears.hardship.services.options import account_by_id_or_number

    found = account_by_id_or_number(account)
    statement = _mapping(read_document(assessment))
    day = parse_date("as_of", as_of) if as_of else business_today()
    with transaction.atomic():
        taken = take_assessment(
            borrower=found.borrower, statement=statement, source=source, accounts=[found]
        )
        plan = propose_plan(account=found, assessment=taken, option_id=option, as_of=day)
    _print_plan(plan.pk, as_json)


@app.command("accept", epilog=ACCEPT_EPILOG)
@handles_errors
def accept(
    plan: Annotated[int, typer.Argument(metavar="PLAN", help="The plan's id.")],
    via: Annotated[str, typer.Option(help="How the borrower agreed: agent or portal.")],
    language: Annotated[
        str, typer.Option(help="The language of the terms they read: zh-hans or en.")
    ],
    starts_on: Annotated[
        str | None, typer.Option(help="Start date YYYY-MM-DD (default: today).")
    ] = None,
    digest: Annotated[
        str | None, typer.Option(help="The terms digest shown (refused if the terms changed).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Record the borrower's agreement to a proposed plan."""
    from arrears.hardship.services import accept_plan

    accepted = accept_plan(
        plan=_find_plan(plan),
        via=via,
        language=language,
        terms_digest=digest,
        starts_on=parse_date("starts_on", starts_on) if starts_on else None,
        on=business_today(),
    )
    _print_plan(accepted.pk, as_json)


@app.command("show", epilog=SHOW_EPILOG)
@handles_errors
def show(
    plan: Annotated[int, typer.Argument(metavar="PLAN", help="The plan's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show a plan: its terms, instalments as paid, and its history."""
    _print_plan(plan, as_json)


def _print_plan(plan_id: int, as_json: bool) -> None:
    from arrears.hardship.documents import plan_document

    document = plan_document(_find_plan(plan_id))
    if as_json:
        print_json(document)
        return
    stdout.print(document["terms_text"]["zh" if _chinese() else "en"])
    table = Table(
        title=_("Plan %(id)s: %(status)s") % {"id": document["id"], "status": document["status"]}
    )
    for heading in (_("No."), _("Due date"), _("Amount"), _("Paid"), _("Status")):
        table.add_column(heading)
    for row in document["instalments"]:
        table.add_row(
            str(row["number"]),
            str(row["due_on"]),
            row["amount"]["amount"],
            row["paid"]["amount"],
            row["status"],
        )
    if document["instalments"]:
        stdout.print(table)
    for event in document["events"]:
        stdout.print(f"{event['happened_on']} {event['kind']}")
