"""`arrears account show`: the documented summary, amounts in minor units."""

from __future__ import annotations

from tests.factories import cny, make_loan_account

SUMMARY_KEYS = {
    "id",
    "borrower",
    "number",
    "kind",
    "product",
    "currency",
    "as_of",
    "status",
    "days_past_due",
    "bucket",
    "aged_on",
    "balances",
    "minimum_due",
    "next_due_date",
    "past_due_amount",
    "accrued_interest",
}


def test_account_show_json_has_the_documented_keys_in_minor_units(cli, products):
    loan = make_loan_account(principal=cny("12000"), months=12, number="SHOW-L-1")

    data = cli.json("account", "show", loan.number, "--as-of", "2025-01-20")

    assert set(data) == SUMMARY_KEYS
    assert data["number"] == "SHOW-L-1" and data["status"] == "open"
    assert data["as_of"] == "2025-01-20" and data["next_due_date"] == "2025-02-15"
    assert data["days_past_due"] == 0 and data["bucket"]["code"] == "current"
    assert data["balances"]["principal"] == {"minor": 1_200_000, "currency": "CNY"}
    assert set(data["balances"]) == {"principal", "interest", "fees", "credit", "total"}
    for key in ("minimum_due", "past_due_amount"):
        assert isinstance(data[key]["minor"], int) and data[key]["currency"] == "CNY"


def test_account_show_finds_an_account_by_its_numeric_id(cli, products):
    loan = make_loan_account(number="SHOW-L-2")

    data = cli.json("account", "show", str(loan.pk), "--as-of", "2025-01-20")

    assert data["number"] == "SHOW-L-2" and data["id"] == loan.pk


def test_account_show_prints_a_table_for_people(cli, products, monkeypatch):
    loan = make_loan_account(number="SHOW-L-3")

    result = cli("account", "show", loan.number, "--as-of", "2025-01-20")

    assert result.exit_code == 0
    assert "SHOW-L-3" in result.stdout and "12,000.00 CNY" in result.stdout


def test_an_unknown_account_exits_2_with_a_message(cli, db):
    result = cli("account", "show", "NO-SUCH")

    assert result.exit_code == 2
    assert "NO-SUCH" in result.stderr and "Traceback" not in result.output


def test_a_bad_date_names_the_option(cli, products):
    loan = make_loan_account(number="SHOW-L-4")

    data = cli.json("account", "show", loan.number, "--as-of", "31/01/2025", code=2)

    assert data["error"]["field"] == "as_of"


def test_the_command_speaks_chinese_without_leaking_the_language(cli, products, monkeypatch):
    from django.utils import translation

    loan = make_loan_account(number="SHOW-L-5")
    monkeypatch.setenv("ARREARS_LANGUAGE", "zh-hans")
    before = translation.get_language()

    result = cli("account", "show", loan.number, "--as-of", "2025-01-20")

    assert result.exit_code == 0
    assert "正常" in result.stdout  # the bucket's Chinese label
    assert "个人消费分期贷款" in result.stdout  # the product's Chinese name
    assert translation.get_language() == before
