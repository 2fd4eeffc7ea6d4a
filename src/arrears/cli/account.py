"""`arrears account show`: one account's standing, as the servicing selectors see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, print_json, stdout
from arrears.core.errors import NotFound
from arrears.core.money import Money
from arrears.core.parsing import parse_date

app = typer.Typer(
    help="Look at accounts.",
    epilog="Example:\n\n  arrears account show C00000001 --json",
    no_args_is_help=True,
)

SHOW_EPILOG = """\
Example:

  arrears account show C00000001

  arrears account show 42 --as-of 2026-03-31 --json
"""


def find_account(identifier: str) -> Any:
    """The account with this number, else with this numeric id."""
    from arrears.servicing.models import Account

    account = Account.objects.select_related("borrower", "product").filter(number=identifier)
    found = account.first()
    if found is None and identifier.strip().isdigit():
        found = (
            Account.objects.select_related("borrower", "product").filter(pk=int(identifier)).first()
        )
    if found is None:
        raise NotFound(_("no account with number or id %(id)s") % {"id": identifier})
    return found


def summary_as_json(account: Any, summary: Mapping[str, Any]) -> dict[str, Any]:
    """`selectors.account_summary` plus the account's id and borrower reference.

    Every amount is {"minor": <int minor units>, "currency": "CNY"}.
    """
    return {"id": account.pk, "borrower": account.borrower.reference, **summary}


@app.command("show", epilog=SHOW_EPILOG)
@handles_errors
def show(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="Account number or numeric id.")],
    as_of: Annotated[
        str | None, typer.Option(help="Business date YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (amounts in minor units).")
    ] = False,
) -> None:
    """Show an account: status, days past due, bucket, balances and what is due next."""
    from arrears.cli._runtime import business_today
    from arrears.servicing.selectors import account_summary

    account = find_account(identifier)
    day = parse_date("as_of", as_of) if as_of else business_today()
    result = summary_as_json(account, account_summary(account, as_of=day))
    if as_json:
        print_json(result)
    else:
        stdout.print(_summary_table(account, result))


def _amount(money: Mapping[str, Any] | None) -> str:
    if money is None:
        return "—"
    currency = str(money["currency"])
    return f"{Money.from_minor(int(money['minor']), currency).amount:,} {currency}"


def _summary_table(account: Any, data: Mapping[str, Any]) -> Table:
    from django.utils.translation import get_language

    balances = data["balances"]
    bucket = data["bucket"]
    chinese = (get_language() or "").startswith("zh")
    bucket_label = bucket["label_zh"] if chinese else bucket["label_en"]
    product_name = account.product.name_zh if chinese else account.product.name_en
    table = Table(title=_("Account %(number)s") % {"number": account.number}, show_header=False)
    table.add_column(_("Field"))
    table.add_column(_("Value"))
    rows = [
        (_("Borrower"), f"{account.borrower.reference} {account.borrower.full_name}"),
        (_("Product"), f"{account.product.code} · {product_name}"),
        (_("As of"), str(data["as_of"])),
        (_("Status"), str(account.get_status_display())),
        (_("Days past due"), str(data["days_past_due"])),
        (
            _("Bucket"),
            bucket["code"]
            if bucket_label == bucket["code"]
            else f"{bucket['code']} · {bucket_label}",
        ),
        (_("Principal"), _amount(balances.get("principal"))),
        (_("Interest"), _amount(balances.get("interest"))),
        (_("Fees"), _amount(balances.get("fees"))),
        (_("Credit balance"), _amount(balances.get("credit"))),
        (_("Total balance"), _amount(balances.get("total"))),
        (_("Minimum due"), _amount(data.get("minimum_due"))),
        (_("Next due date"), str(data.get("next_due_date") or "—")),
        (_("Past-due amount"), _amount(data.get("past_due_amount"))),
        (_("Accrued interest"), _amount(data.get("accrued_interest"))),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
