"""`arrears quote`: a loan's repayment schedule, computed by the core with no database."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, business_today, handles_errors, print_json, stdout
from arrears.core.errors import ValidationError
from arrears.core.money import Money, Rounding
from arrears.core.parsing import parse_amount, parse_date, parse_decimal
from arrears.core.schedule import RepaymentMethod, Schedule, instalment_schedule

EPILOG = """\
Example:

  arrears quote --principal 100000 --apr 4.9 --months 12 --method annuity \
      --currency CNY --start 2026-01-15

  arrears quote --principal 100000 --apr 4.9 --months 12 --method equal-principal --json
"""

_METHODS = {
    "annuity": RepaymentMethod.ANNUITY,
    "equal-instalment": RepaymentMethod.ANNUITY,
    "equal-principal": RepaymentMethod.EQUAL_PRINCIPAL,
    "equal_principal": RepaymentMethod.EQUAL_PRINCIPAL,
}


@handles_errors
def quote(
    principal: Annotated[
        str, typer.Option(help="Amount lent, in major units, e.g. 100000 or 2500.50.")
    ],
    apr: Annotated[str, typer.Option(help="Annual rate in percent: 4.9 means 4.9 %.")],
    months: Annotated[int, typer.Option(help="Number of monthly instalments.")],
    method: Annotated[
        str,
        typer.Option(help="annuity (等额本息, equal instalments) or equal-principal (等额本金)."),
    ] = "annuity",
    currency: Annotated[str, typer.Option(help="ISO 4217 currency code.")] = "CNY",
    start: Annotated[
        str | None, typer.Option(help="Drawdown date YYYY-MM-DD (default: today).")
    ] = None,
    repayment_day: Annotated[
        int | None,
        typer.Option(help="Day of the month instalments fall due (default: the start date's day)."),
    ] = None,
    rounding: Annotated[
        str, typer.Option(help="Rounding of each month's interest: half_up, half_even, down, up.")
    ] = "half_up",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (amounts as strings and minor units).")
    ] = False,
) -> None:
    """Quote a loan: the full instalment schedule and its totals (no database needed)."""
    currency = currency.strip().upper()
    chosen = _METHODS.get(method.strip().lower())
    if chosen is None:
        raise ValidationError("method", "use annuity or equal-principal")
    try:
        policy = Rounding(rounding)
    except ValueError:
        raise ValidationError("rounding", f"use one of {', '.join(Rounding)}") from None
    amount = parse_amount("principal", principal, currency)
    schedule = instalment_schedule(
        principal=amount,
        apr=parse_decimal("apr", apr),
        months=months,
        method=chosen,
        start_on=parse_date("start", start) if start else business_today(),
        repayment_day=repayment_day,
        rounding=policy,
    )
    if as_json:
        print_json(quote_as_json(schedule, apr=apr.strip(), method=chosen, principal=amount))
    else:
        stdout.print(_quote_table(schedule))


def _money(value: Money) -> dict[str, Any]:
    return {"amount": str(value.amount), "minor": value.minor}


def quote_as_json(
    schedule: Schedule, *, apr: str, method: RepaymentMethod, principal: Money
) -> dict[str, Any]:
    """The documented JSON shape: every amount as {"amount": "1234.56", "minor": 123456}."""
    first = schedule.instalments[0]
    return {
        "currency": principal.currency,
        "principal": _money(principal),
        "apr": apr,
        "months": len(schedule.instalments),
        "method": method.value,
        "first_due_on": first.due_on,
        "instalments": [
            {
                "number": i.number,
                "due_on": i.due_on,
                "payment": _money(i.payment),
                "principal": _money(i.principal),
                "interest": _money(i.interest),
                "remaining": _money(i.remaining),
            }
            for i in schedule.instalments
        ],
        "totals": {
            "payment": _money(schedule.total_payment),
            "principal": _money(schedule.total_principal),
            "interest": _money(schedule.total_interest),
        },
    }


def _quote_table(schedule: Schedule) -> Table:
    currency = schedule.total_payment.currency
    table = Table(title=_("Repayment schedule (%(currency)s)") % {"currency": currency})
    table.add_column(_("No."), justify="right")
    table.add_column(_("Due date"))
    for heading in (_("Payment"), _("Principal"), _("Interest"), _("Remaining principal")):
        table.add_column(heading, justify="right")
    for i in schedule.instalments:
        table.add_row(
            str(i.number),
            i.due_on.isoformat(),
            f"{i.payment.amount:,}",
            f"{i.principal.amount:,}",
            f"{i.interest.amount:,}",
            f"{i.remaining.amount:,}",
        )
    table.add_section()
    table.add_row(
        "",
        _("Total"),
        f"{schedule.total_payment.amount:,}",
        f"{schedule.total_principal.amount:,}",
        f"{schedule.total_interest.amount:,}",
        "",
    )
    return table
