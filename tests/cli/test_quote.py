"""`arrears quote`: the schedule, exact to the fen, with no database."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy_financial as npf

QUOTE = (
    "quote",
    "--principal",
    "100000",
    "--apr",
    "4.9",
    "--months",
    "12",
    "--currency",
    "CNY",
    "--start",
    "2026-01-15",
)


def test_annuity_quote_for_100000_cny_at_4_9_percent_over_12_months(cli):
    data = cli.json(*QUOTE, "--method", "annuity")

    payments = [i["payment"]["amount"] for i in data["instalments"]]
    assert payments == ["8556.17"] * 11 + ["8556.12"]
    assert data["totals"] == {
        "payment": {"amount": "102673.99", "minor": 10267399},
        "principal": {"amount": "100000.00", "minor": 10000000},
        "interest": {"amount": "2673.99", "minor": 267399},
    }
    first, last = data["instalments"][0], data["instalments"][-1]
    assert first == {
        "number": 1,
        "due_on": "2026-02-15",
        "payment": {"amount": "8556.17", "minor": 855617},
        "principal": {"amount": "8147.84", "minor": 814784},
        "interest": {"amount": "408.33", "minor": 40833},
        "remaining": {"amount": "91852.16", "minor": 9185216},
    }
    assert last["due_on"] == "2027-01-15" and last["remaining"]["minor"] == 0
    assert data["method"] == "annuity" and data["currency"] == "CNY"


def test_annuity_total_interest_agrees_with_numpy_financial(cli):
    data = cli.json(*QUOTE, "--method", "annuity")

    rate = 0.049 / 12
    exact_payment = -npf.pmt(rate, 12, 100000)
    exact_interest = -np.sum(npf.ipmt(rate, np.arange(1, 13), 12, 100000))
    assert f"{exact_payment:.2f}" == data["instalments"][0]["payment"]["amount"]
    # per-instalment rounding moves the total by at most half a fen per month
    assert abs(Decimal(data["totals"]["interest"]["amount"]) - Decimal(f"{exact_interest:.4f}")) < (
        Decimal("0.06")
    )


def test_equal_principal_quote_pays_the_same_principal_with_falling_payments(cli):
    data = cli.json(*QUOTE, "--method", "equal-principal")

    assert data["method"] == "equal_principal"
    payments = [Decimal(i["payment"]["amount"]) for i in data["instalments"]]
    assert payments == sorted(payments, reverse=True)
    assert payments[0] == Decimal("8741.67") and payments[-1] == Decimal("8367.36")
    # by hand: interest = P · r · (n + 1) / 2 = 100000 × 0.049/12 × 6.5 = 2654.1666…
    assert data["totals"]["interest"] == {"amount": "2654.17", "minor": 265417}
    assert sum(i["principal"]["minor"] for i in data["instalments"]) == 10000000


def test_quote_table_in_english_shows_totals(cli, monkeypatch):
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")
    result = cli(*QUOTE)

    assert result.exit_code == 0
    assert "102,673.99" in result.stdout and "2,673.99" in result.stdout


def test_quote_refuses_a_principal_with_more_decimals_than_the_currency(cli):
    result = cli("quote", "--principal", "100.001", "--apr", "4.9", "--months", "12")

    assert result.exit_code == 2
    assert "principal" in result.stderr and "Traceback" not in result.output


def test_quote_json_error_names_the_field(cli):
    result = cli("quote", "--principal", "1000", "--apr", "4.9", "--months", "0", "--json")

    assert result.exit_code == 2
    assert '"field": "months"' in result.stdout
