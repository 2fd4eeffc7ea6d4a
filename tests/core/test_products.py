"""Product terms as data: parsing, field-named errors, the bundled defaults."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from arrears.core.ageing import DEFAULT_BUCKETS
from arrears.core.allocation import AllocationMethod, Component
from arrears.core.errors import ValidationError
from arrears.core.money import Money, Rounding
from arrears.core.products import (
    BalanceTypeTerms,
    CardTerms,
    LoanTerms,
    bundled_products,
    load_products,
    parse_product,
)


def card(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "card",
        "code": "cn_card",
        "name_en": "Classic card",
        "name_zh": "标准信用卡",
        "currency": "CNY",
        "statement_day": 5,
        "due_days_after_statement": 20,
        "balance_types": [
            {"code": "purchase", "apr": "18.25", "grace": True},
            {"code": "cash", "apr": "18.25", "grace": False},
        ],
        "min_payment_floor": "10.00",
        "min_payment_percent": "10",
        "late_fee": "10.00",
        "jurisdiction": "CN",
    }
    data.update(changes)
    return data


def loan(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "loan",
        "code": "cn_loan",
        "name_en": "Consumer loan",
        "name_zh": "消费贷款",
        "currency": "CNY",
        "apr": "7.2",
        "method": "annuity",
        "min_months": 6,
        "max_months": 36,
        "late_fee": "0.00",
        "jurisdiction": "CN",
    }
    data.update(changes)
    return data


def field_of_error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as error:
        parse_product(data)
    return error.value.field


# --- the bundled products -------------------------------------------------------------------


def test_bundled_products_cover_cards_and_loans_in_every_market() -> None:
    products = {p.code: p for p in bundled_products()}

    assert {(p.kind, p.currency) for p in products.values()} == {
        ("card", "CNY"),
        ("card", "USD"),
        ("card", "GBP"),
        ("loan", "CNY"),
        ("loan", "USD"),
    }
    assert {p.method for p in products.values() if isinstance(p, LoanTerms)} == {
        "annuity",
        "equal_principal",
    }


def test_cn_card_charges_five_hundredths_of_a_percent_a_day() -> None:
    cn_card = next(
        p for p in bundled_products() if isinstance(p, CardTerms) and p.currency == "CNY"
    )

    assert cn_card.balance_type("purchase").apr / 365 == Decimal("0.05")
    assert cn_card.grace_days_after_due == 3
    assert cn_card.dpd_tolerance == Money("10.00", "CNY")


def test_us_card_follows_reg_z() -> None:
    us_card = next(
        p for p in bundled_products() if isinstance(p, CardTerms) and p.currency == "USD"
    )

    assert us_card.allocation_method is AllocationMethod.US_HIGHEST_APR_ABOVE_MINIMUM
    assert us_card.due_days_after_statement >= 21
    assert us_card.balance_type("promo").promo_until == date(2027, 6, 30)
    assert us_card.late_fee == Money("32.00", "USD")


def test_cash_advances_never_have_an_interest_free_period() -> None:
    for product in bundled_products():
        if isinstance(product, CardTerms):
            assert product.balance_type("cash").grace is False


# --- parsing --------------------------------------------------------------------------------


def test_card_terms_are_read_with_their_types() -> None:
    terms = parse_product(card())

    assert isinstance(terms, CardTerms)
    assert terms.kind == "card"
    assert terms.balance_types[0] == BalanceTypeTerms("purchase", Decimal("18.25"), True, None)
    assert terms.min_payment_floor == Money("10.00", "CNY")
    assert terms.min_payment_percent == Decimal("10")


def test_optional_fields_take_their_documented_defaults() -> None:
    terms = parse_product(card())
    loan_terms = parse_product(loan())

    assert isinstance(terms, CardTerms)
    assert terms.rounding is Rounding.HALF_UP
    assert terms.day_count == "act/365"
    assert terms.late_fee_cap is None
    assert terms.allocation_order == (Component.FEES, Component.INTEREST, Component.PRINCIPAL)
    assert terms.allocation_method is AllocationMethod.OLDEST_FIRST
    assert terms.dpd_tolerance == Money("0.00", "CNY")
    assert terms.annual_fee == Money("0.00", "CNY")
    assert terms.grace_days_after_due == 0
    assert terms.buckets == DEFAULT_BUCKETS
    assert terms.charge_off_dpd == 180
    assert terms.calendar_country == "CN"
    assert loan_terms.charge_off_dpd == 90


def test_product_can_configure_its_own_allocation_order_and_buckets() -> None:
    buckets = [{"code": "M0", "min_dpd": 0, "max_dpd": 0}, {"code": "M1+", "min_dpd": 1}]
    terms = parse_product(loan(allocation_order=["interest", "principal", "fees"], buckets=buckets))

    assert terms.allocation_order == (Component.INTEREST, Component.PRINCIPAL, Component.FEES)
    assert [b.code for b in terms.buckets.buckets] == ["M0", "M1+"]


def test_promo_rate_end_may_be_written_as_text() -> None:
    balance_types = [
        {"code": "purchase", "apr": "20"},
        {"code": "promo", "apr": "0", "promo_until": "2026-01-31"},
    ]
    terms = parse_product(card(balance_types=balance_types))

    assert isinstance(terms, CardTerms)
    assert terms.balance_type("promo").promo_until == date(2026, 1, 31)


def test_product_error_names_the_field() -> None:
    bad_cash = {"code": "cash", "apr": "120", "grace": False}
    data = card(balance_types=[{"code": "purchase", "apr": "18.25"}, bad_cash])

    with pytest.raises(ValidationError) as error:
        parse_product(data)
    assert str(error.value) == "balance_types[1].apr: must be between 0 and 100"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "mortgage"}, "kind"),
        ({"colour": "gold"}, "colour"),
        ({"late_fee": 25.0}, "late_fee"),
        ({"late_fee": "25.001"}, "late_fee"),
        ({"late_fee": "25,00"}, "late_fee"),
        ({"late_fee": "-1.00"}, "late_fee"),
        ({"late_fee_cap": "-1.00"}, "late_fee_cap"),
        ({"dpd_tolerance": "abc"}, "dpd_tolerance"),
        ({"currency": "XYZ"}, "currency"),
        ({"code": "CN Card"}, "code"),
        ({"name_zh": ""}, "name_zh"),
        ({"rounding": "bankers"}, "rounding"),
        ({"day_count": "30/360"}, "day_count"),
        ({"statement_day": 29}, "statement_day"),
        ({"statement_day": "5"}, "statement_day"),
        ({"due_days_after_statement": 0}, "due_days_after_statement"),
        ({"grace_days_after_due": -1}, "grace_days_after_due"),
        ({"min_payment_percent": "0.5e2"}, "min_payment_percent"),
        ({"min_payment_percent": "150"}, "min_payment_percent"),
        ({"allocation_order": ["fees", "principal"]}, "allocation_order"),
        ({"allocation_order": "fees"}, "allocation_order"),
        ({"allocation_method": "lifo"}, "allocation_method"),
        ({"charge_off_dpd": 0}, "charge_off_dpd"),
        ({"jurisdiction": "FR"}, "jurisdiction"),
        ({"calendar_country": "FR"}, "calendar_country"),
        ({"buckets": [{"code": "c", "min_dpd": 1}]}, "buckets[0].min_dpd"),
        ({"balance_types": []}, "balance_types"),
        ({"balance_types": [{"code": "cash", "apr": "20", "grace": False}]}, "balance_types"),
        (
            {"balance_types": [{"code": "purchase", "apr": "20"}, {"code": "cash", "apr": "20"}]},
            "balance_types[1].grace",
        ),
        (
            {
                "balance_types": [
                    {"code": "purchase", "apr": "20"},
                    {"code": "purchase", "apr": "9"},
                ]
            },
            "balance_types[1].code",
        ),
        (
            {"balance_types": [{"code": "purchase", "apr": "20", "fee": "1"}]},
            "balance_types[0].fee",
        ),
        (
            {"balance_types": [{"code": "purchase", "apr": "20", "grace": "yes"}]},
            "balance_types[0].grace",
        ),
        (
            {"balance_types": [{"code": "purchase", "apr": "20", "promo_until": "soon"}]},
            "balance_types[0].promo_until",
        ),
        ({"balance_types": ["purchase"]}, "balance_types[0]"),
    ],
)
def test_card_error_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert field_of_error(card(**changes)) == field


def test_missing_required_field_is_named() -> None:
    data = card()
    del data["late_fee"]

    assert field_of_error(data) == "late_fee"


def test_us_card_must_allow_21_days_to_pay() -> None:
    data = card(
        currency="USD", jurisdiction="US", allocation_method="us_reg_z", due_days_after_statement=20
    )

    assert field_of_error(data) == "due_days_after_statement"


def test_us_card_must_pay_above_the_minimum_to_the_highest_apr() -> None:
    data = card(currency="USD", jurisdiction="US", due_days_after_statement=25)

    assert field_of_error(data) == "allocation_method"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"apr": "-0.1"}, "apr"),
        ({"method": "balloon"}, "method"),
        ({"min_months": 0}, "min_months"),
        ({"max_months": 3}, "max_months"),
        ({"statement_day": 5}, "statement_day"),  # a card field on a loan
    ],
)
def test_loan_error_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert field_of_error(loan(**changes)) == field


def test_terms_built_in_code_are_checked_too() -> None:
    terms = parse_product(loan())

    with pytest.raises(ValidationError) as error:
        dataclasses.replace(terms, late_fee=Money("5.00", "USD"))
    assert error.value.field == "late_fee"


def test_terms_are_frozen() -> None:
    terms = parse_product(loan())

    with pytest.raises(dataclasses.FrozenInstanceError):
        terms.code = "other"  # type: ignore[misc]


# --- loading YAML ---------------------------------------------------------------------------

TWO_PRODUCTS = """
- kind: loan
  code: cn_loan
  name_en: Consumer loan
  name_zh: 消费贷款
  currency: CNY
  apr: "7.2"
  method: annuity
  min_months: 6
  max_months: 36
  late_fee: "0.00"
  jurisdiction: CN
- kind: loan
  code: us_loan
  name_en: Personal loan
  name_zh: 个人贷款
  currency: USD
  apr: "11.99"
  method: annuity
  min_months: 12
  max_months: 60
  late_fee: 15.00
  jurisdiction: US
"""


def test_load_products_names_the_product_in_errors() -> None:
    with pytest.raises(ValidationError) as error:
        load_products(TWO_PRODUCTS)
    assert error.value.field == "products[1].late_fee"
    assert "quoted" in error.value.reason


def test_load_products_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "products.yaml"
    path.write_text(TWO_PRODUCTS.replace("15.00", '"15.00"'), encoding="utf-8")

    by_path = load_products(path)
    by_name = load_products(str(path))

    assert [p.code for p in by_path] == ["cn_loan", "us_loan"]
    assert by_name == by_path


def test_product_codes_are_unique() -> None:
    text = TWO_PRODUCTS.replace("us_loan", "cn_loan").replace("15.00", '"15.00"')

    with pytest.raises(ValidationError) as error:
        load_products(text)
    assert error.value.field == "products[1].code"


@pytest.mark.parametrize("text", ["kind: loan\ncode: x\n", "- [unclosed\n"])
def test_products_file_must_be_a_yaml_list(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        load_products(text)
    assert error.value.field == "products"
