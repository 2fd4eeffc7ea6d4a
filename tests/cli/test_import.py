"""`arrears import`: every row checked first; one bad row and nothing is written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from arrears.servicing.models import Account, Borrower, JournalEntry, Payment
from tests.factories import make_card_account, make_loan_account

BORROWERS = [
    {
        "reference": "IMP-001",
        "full_name": "王芳",
        "country": "CN",
        "mobile": "13812345678",
        "email": "wang.fang@example.com",
        "city": "上海市",
        "region": "上海市",
        "monthly_income": "12000.00",
    },
    {
        "reference": "IMP-002",
        "full_name": "Mary Smith",
        "country": "US",
        "mobile": "+1 212 467 1234",
        "region": "NY",
        "time_zone": "America/New_York",
        "preferred_language": "en",
        "date_of_birth": "1980-04-01",
    },
    {
        "reference": "IMP-003",
        "full_name": "艾力·买买提",
        "country": "CN",
        "mobile": "+8615912345678",
        "region": "新疆维吾尔自治区",
        "time_zone": "Asia/Urumqi",
        "monthly_income": "6500",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    frame = pl.DataFrame(
        {name: [row.get(name) for row in rows] for name in columns},
        schema={name: pl.String for name in columns},
    )
    frame.write_parquet(path)
    return path


def errors_of(data: dict) -> list[tuple[int | None, str | None]]:
    return [(error["row"], error["column"]) for error in data["errors"]]


# --- borrowers ----------------------------------------------------------------------------------


def test_importing_good_borrowers_registers_each_with_its_phone_and_zone(cli, db, tmp_path):
    data = cli.json("import", "borrowers", str(write_csv(tmp_path / "b.csv", BORROWERS)))

    assert data == {
        "ok": True,
        "kind": "borrowers",
        "rows": 3,
        "written": 3,
        "skipped": 0,
        "errors": [],
    }
    wang = Borrower.objects.get(reference="IMP-001")
    assert wang.monthly_income_minor == 1_200_000 and wang.income_currency == "CNY"
    assert wang.contact_points.get(kind="mobile").value == "+8613812345678"
    assert Borrower.objects.get(reference="IMP-003").time_zone == "Asia/Urumqi"
    assert Borrower.objects.get(reference="IMP-002").preferred_language == "en"


def test_a_borrower_file_with_bad_rows_writes_nothing(cli, db, tmp_path):
    rows = [
        *BORROWERS,
        {"reference": "IMP-001", "full_name": "", "country": "XX"},
        {"reference": "IMP-005", "full_name": "李雷", "country": "CN", "mobile": "12345"},
        {
            "reference": "IMP-006",
            "full_name": "韩梅梅",
            "country": "CN",
            "monthly_income": "12.345",
            "time_zone": "Asia/Beijing",
        },
    ]
    path = write_csv(tmp_path / "b.csv", rows)

    data = cli.json("import", "borrowers", str(path), code=2)

    assert data["ok"] is False and data["written"] == 0
    assert errors_of(data) == [
        (4, "reference"),
        (4, "full_name"),
        (4, "country"),
        (5, "mobile"),
        (6, "time_zone"),
        (6, "monthly_income"),
    ]
    assert data["errors"][0]["reason"] == "repeats row 1"
    assert Borrower.objects.count() == 0


# --- accounts -----------------------------------------------------------------------------------


@pytest.fixture
def borrowers(cli, products, tmp_path):
    cli.json("import", "borrowers", str(write_csv(tmp_path / "borrowers.csv", BORROWERS)))


ACCOUNTS = [
    {
        "number": "IMP-C-1",
        "borrower_reference": "IMP-001",
        "product_code": "cn_card_classic",
        "opened_on": "2025-01-10",
        "credit_limit": "20000",
        "opening_balance": "1234.56",
    },
    {
        "number": "IMP-L-1",
        "borrower_reference": "IMP-003",
        "product_code": "cn_consumer_loan",
        "opened_on": "2025-01-15",
        "principal": "100000.00",
        "months": "12",
        "apr": "4.9",
    },
    {
        "borrower_reference": "IMP-002",
        "product_code": "us_personal_loan",
        "opened_on": "2025-02-01",
        "principal": "5000",
        "months": "24",
        "repayment_method": "equal_principal",
        "repayment_day": "5",
    },
]


def test_importing_good_accounts_opens_cards_and_loans(cli, borrowers, tmp_path):
    data = cli.json("import", "accounts", str(write_csv(tmp_path / "a.csv", ACCOUNTS)))

    assert data["ok"] and data["written"] == 3
    loan = Account.objects.get(number="IMP-L-1")
    assert loan.principal_minor == 10_000_000 and loan.obligations.count() == 12
    assert str(loan.apr) == "4.9000"
    card = Account.objects.get(number="IMP-C-1")
    assert card.credit_limit_minor == 2_000_000
    us_loan = Account.objects.get(borrower__reference="IMP-002")
    assert us_loan.repayment_method == "equal_principal" and us_loan.repayment_day == 5


def test_an_account_file_with_bad_rows_writes_nothing_and_names_rows_and_columns(
    cli, borrowers, tmp_path
):
    rows = [
        *ACCOUNTS,
        {
            "borrower_reference": "NOBODY",
            "product_code": "cn_consumer_loan",
            "opened_on": "2025-01-15",
            "principal": "12.345",
            "months": "12",
        },
        {
            "borrower_reference": "IMP-001",
            "product_code": "cn_card_classic",
            "opened_on": "15/01/2025",
            "credit_limit": "5000",
            "months": "12",
        },
    ]
    result = cli("import", "accounts", str(write_csv(tmp_path / "a.csv", rows)), "--json")

    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert sorted(errors_of(data)) == [
        (4, "borrower_reference"),
        (4, "principal"),
        (5, "months"),
        (5, "opened_on"),
    ]
    reasons = {(e["row"], e["column"]): e["reason"] for e in data["errors"]}
    assert "decimal places" in reasons[(4, "principal")]
    assert Account.objects.count() == 0


# --- payments -----------------------------------------------------------------------------------


@pytest.fixture
def loan(products):
    return make_loan_account(number="IMP-L-9")


@pytest.fixture
def card(products):
    return make_card_account(number="IMP-C-9")


def payment_rows(loan, card) -> list[dict[str, str]]:
    return [
        {
            "idempotency_key": "bank-2025-02-15-0001",
            "account": loan.number,
            "amount": "1000.00",
            "received_on": "2025-02-15",
            "channel": "bank_transfer",
            "external_reference": "TX1",
        },
        {
            "idempotency_key": "bank-2025-02-16-0002",
            "account": loan.number,
            "amount": "500",
            "received_on": "2025-02-16",
            "currency": "CNY",
        },
        {
            "idempotency_key": "bank-2025-02-16-0003",
            "account": card.number,
            "amount": "88.80",
            "received_on": "2025-02-16",
        },
    ]


def test_importing_payments_posts_each_once_even_when_imported_twice(cli, loan, card, tmp_path):
    path = write_csv(tmp_path / "p.csv", payment_rows(loan, card))

    first = cli.json("import", "payments", str(path))
    entries_after_first = JournalEntry.objects.count()
    second = cli.json("import", "payments", str(path))

    assert (first["written"], first["skipped"]) == (3, 0)
    assert (second["written"], second["skipped"]) == (0, 3)
    assert Payment.objects.count() == 3
    assert JournalEntry.objects.count() == entries_after_first
    assert Payment.objects.get(idempotency_key="bank-2025-02-15-0001").amount_minor == 100_000


def test_a_payment_file_with_bad_rows_posts_nothing(cli, loan, card, tmp_path):
    rows = [
        *payment_rows(loan, card),
        {
            "idempotency_key": "k-4",
            "account": loan.number,
            "amount": "12.345",
            "received_on": "2025-02-17",
        },
        {
            "idempotency_key": "k-5",
            "account": "NO-SUCH-ACCOUNT",
            "amount": "10",
            "received_on": "2025-02-17",
        },
        {
            "idempotency_key": "bank-2025-02-15-0001",
            "account": loan.number,
            "amount": "1e3",
            "received_on": "2025-02-17",
            "currency": "USD",
        },
    ]
    result = cli("import", "payments", str(write_csv(tmp_path / "p.csv", rows)), "--json")

    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert sorted(errors_of(data)) == [
        (4, "amount"),
        (5, "account"),
        (6, "amount"),
        (6, "currency"),
        (6, "idempotency_key"),
    ]
    assert Payment.objects.count() == 0


def test_a_file_missing_a_required_column_is_refused_before_any_row(cli, loan, card, tmp_path):
    rows = payment_rows(loan, card)
    path = write_csv(
        tmp_path / "p.csv", rows, columns=["idempotency_key", "account", "received_on"]
    )

    data = cli.json("import", "payments", str(path), code=2)

    assert data["errors"] == [
        {"row": None, "column": "amount", "reason": "required column is missing from the file"}
    ]
    assert Payment.objects.count() == 0


def test_an_empty_required_cell_is_reported_with_its_row(cli, loan, card, tmp_path):
    rows = payment_rows(loan, card)
    rows[1]["amount"] = ""
    data = cli.json("import", "payments", str(write_csv(tmp_path / "p.csv", rows)), code=2)

    assert data["errors"] == [{"row": 2, "column": "amount", "reason": "a value is required"}]
    assert Payment.objects.count() == 0


def test_human_output_lists_row_line_and_column(cli, loan, card, tmp_path):
    rows = payment_rows(loan, card)
    rows[2]["amount"] = "12.345"
    result = cli("import", "payments", str(write_csv(tmp_path / "p.csv", rows)))

    assert result.exit_code == 2
    assert "amount" in result.stderr and "12.345" in result.stderr
    assert Payment.objects.count() == 0


# --- Parquet ------------------------------------------------------------------------------------


def test_parquet_payments_import_like_csv(cli, loan, card, tmp_path):
    path = write_parquet(tmp_path / "p.parquet", payment_rows(loan, card))

    data = cli.json("import", "payments", str(path))

    assert (data["rows"], data["written"]) == (3, 3)
    assert Payment.objects.count() == 3


def test_a_parquet_file_with_bad_rows_posts_nothing(cli, loan, card, tmp_path):
    rows = [
        *payment_rows(loan, card),
        {
            "idempotency_key": "k-4",
            "account": loan.number,
            "amount": "12.345",
            "received_on": "2025-02-17",
        },
        {
            "idempotency_key": "k-5",
            "account": "NO-SUCH-ACCOUNT",
            "amount": "10",
            "received_on": "2025-02-17",
        },
    ]
    data = cli.json("import", "payments", str(write_parquet(tmp_path / "p.parquet", rows)), code=2)

    assert sorted(errors_of(data)) == [(4, "amount"), (5, "account")]
    assert Payment.objects.count() == 0


def test_a_parquet_file_missing_a_column_is_refused(cli, loan, card, tmp_path):
    rows = [
        {k: v for k, v in row.items() if k != "received_on"} for row in payment_rows(loan, card)
    ]
    data = cli.json("import", "payments", str(write_parquet(tmp_path / "p.parquet", rows)), code=2)

    assert errors_of(data) == [(None, "received_on")]
    assert Payment.objects.count() == 0


def test_parquet_amounts_stored_as_floats_are_refused(cli, loan, card, tmp_path):
    frame = pl.DataFrame(
        {
            "idempotency_key": ["f-1"],
            "account": [loan.number],
            "amount": [1000.10],
            "received_on": ["2025-02-15"],
        }
    )
    frame.write_parquet(tmp_path / "p.parquet")

    data = cli.json("import", "payments", str(tmp_path / "p.parquet"), code=2)

    assert errors_of(data) == [(None, "amount")]
    assert "floating point" in data["errors"][0]["reason"]


def test_parquet_decimal_and_date_columns_are_read_exactly(cli, loan, card, tmp_path):
    from datetime import date
    from decimal import Decimal

    frame = pl.DataFrame(
        {
            "idempotency_key": ["d-1", "d-2"],
            "account": [loan.number, card.number],
            "amount": [Decimal("1234.56"), Decimal("0.10")],
            "received_on": [date(2025, 2, 15), date(2025, 2, 16)],
        },
        schema_overrides={"amount": pl.Decimal(18, 3)},
    )
    frame.write_parquet(tmp_path / "p.parquet")

    data = cli.json("import", "payments", str(tmp_path / "p.parquet"))

    assert data["written"] == 2
    assert sorted(Payment.objects.values_list("amount_minor", flat=True)) == [10, 123_456]


@pytest.mark.django_db
def test_import_errors_speak_chinese_to_a_chinese_terminal(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("ARREARS_LANGUAGE", "zh-hans")
    path = tmp_path / "payments.csv"
    path.write_text("nonsense\n1\n")
    result = cli("import", "payments", str(path))
    assert result.exit_code == 2
    assert "列" in result.output or "缺少" in result.output, result.output
