"""`arrears report kpis`: the collection KPIs of a period, from the platform's own records.

Prints tables with labels in the user's language, or with `--json` exactly the document GET
/api/v1/reports/kpis returns (the same schema serialises both). Definitions: docs/analytics.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from arrears.cli._runtime import _, handles_errors, print_json, stdout

app = typer.Typer(
    help="Reports from the platform's own records (报表). See docs/analytics.md.",
    no_args_is_help=True,
)

KPIS_EPILOG = """\
Example:

  arrears report kpis --from 2026-01-01 --to 2026-02-01

  arrears report kpis --from 2026-01-01 --to 2026-02-01 --product cn_consumer_loan --json

  arrears report kpis --from 2026-01-01 --to 2026-02-01 --strategy-arm call_first

--to is the day after the last. Roll rates compare each account's bucket at the close of the
day before --from with its bucket at the close of the last day. Every KPI is defined in
docs/analytics.md.
"""


@app.command("kpis", epilog=KPIS_EPILOG)
@handles_errors
def kpis_command(
    start: Annotated[str, typer.Option("--from", metavar="DATE", help="First business day.")],
    end: Annotated[str, typer.Option("--to", metavar="DATE", help="The day after the last.")],
    product: Annotated[str | None, typer.Option(help="Only this product (its code).")] = None,
    strategy_arm: Annotated[
        str | None, typer.Option(help="Only accounts on this path (or `strategy:path`).")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="The accounts in this currency.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Roll rates, cure, liquidation, promises kept, contacts, cost, complaints, plans, blocks."""
    from arrears.analytics.schemas import KpisOut
    from arrears.analytics.selectors import kpis
    from arrears.core.parsing import parse_date

    found = kpis(
        start_on=parse_date("from", start),
        end_on=parse_date("to", end),
        product=product,
        strategy_arm=strategy_arm,
        currency=currency,
    )
    document = KpisOut.of(found).model_dump(mode="json")
    if as_json:
        print_json(document)
        return
    stdout.print(_summary(document))
    stdout.print(_roll_rates(document))


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


def _percent(value: str | None) -> str:
    """A share of 1 (a decimal string) as a percentage, "—" when there was nothing to measure."""
    from decimal import Decimal

    return "—" if value is None else f"{Decimal(value) * 100:.2f} %"


def _money(money: dict[str, Any]) -> str:
    return f"{money['amount']} {money['currency']}"


def _plain(value: Any) -> str:
    return "—" if value is None else str(value)


def _summary(doc: dict[str, Any]) -> Table:
    title = _("Collection KPIs %(start)s – %(end)s (%(currency)s)") % {
        "start": doc["period_from"], "end": doc["period_to"], "currency": doc["currency"]
    }  # fmt: skip
    table = _table(title, _("Measure"), _("Value"))
    contacts, promises, plans = doc["contacts"], doc["promises"], doc["plans"]
    rows = [
        (_("Accounts"), str(doc["accounts"])),
        (_("Accounts in collection"), str(doc["accounts_in_collection"])),
        (_("Past due at the start"), str(doc["delinquent_at_start"])),
        (_("Cured"), f"{doc['cured']} ({_percent(doc['cure_rate'])})"),
        (_("Past-due balance at the start"), _money(doc["past_due_at_start"])),
        (_("Collected from them"), _money(doc["collected_from_delinquent"])),
        (_("Liquidation rate"), _percent(doc["liquidation_rate"])),
        (_("Collected (all accounts)"), _money(doc["collected"])),
        (_("Promises fallen due"), str(promises["fell_due"])),
        (_("Promises kept"), f"{promises['kept']} ({_percent(promises['kept_rate'])})"),
        (_("Promises partly kept"),
         f"{promises['partly_kept']} ({_percent(promises['partly_kept_rate'])})"),
        (_("Promises broken"), str(promises["broken"])),
        (_("Outbound contact attempts"), str(contacts["attempts"])),
        (_("Right-party contact rate (calls)"), _percent(contacts["right_party_contact_rate"])),
        (_("Contacts per account in collection"), _plain(contacts["contacts_per_account"])),
        (_("Cost of contacts"), _money(contacts["cost"])),
        (_("Cost per unit collected"), _plain(contacts["cost_per_unit_collected"])),
        (_("Complaints"), str(doc["complaints"])),
        (_("Complaints per 1,000 accounts"), _plain(doc["complaints_per_1000_accounts"])),
        (_("Accounts on plans"),
         f"{plans['accounts_on_plans']} ({_percent(plans['share_on_plans'])})"),
        (_("Plan completion rate"), _percent(plans["completion_rate"])),
        (_("Contacts blocked by the compliance gate"), str(doc["compliance_blocks"])),
        *((_("… by rule %(rule)s") % {"rule": rule}, str(n))
          for rule, n in doc["blocks_by_rule"].items()),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    return table


def _roll_rates(doc: dict[str, Any]) -> Table:
    ends = sorted(
        {end for row in doc["roll_rates"] for end in row["to_shares"]},
        key=lambda end: _column_order(doc, end),
    )
    table = _table(_("Roll rates (bucket at the start → at the end)"), _("From"),
                   _("Accounts"), *ends)  # fmt: skip
    for row in doc["roll_rates"]:
        shares = row["to_shares"]
        table.add_row(
            row["from_bucket"],
            str(row["accounts"]),
            *(_percent(shares[end]) if end in shares else "" for end in ends),
        )
    return table


def _column_order(doc: dict[str, Any], bucket: str) -> int:
    from arrears.analytics.rates import bucket_order

    codes = {end for row in doc["roll_rates"] for end in row["to_shares"]}
    return bucket_order(codes).index(bucket)
