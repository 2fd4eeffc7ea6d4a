"""The account's position: what is owed and on what terms, from the product."""

from datetime import date
from decimal import Decimal

import pytest

from arrears.core.errors import ValidationError
from arrears.core.hardship.position import ProductKind, months_to_repay, position_from_terms
from arrears.core.money import Money
from arrears.core.products import bundled_products

from .builders import card, cny, loan


def product(code: str) -> object:
    return next(p for p in bundled_products() if p.code == code)


def test_a_card_position_takes_the_purchase_rate_and_works_out_the_months_to_repay() -> None:
    terms = product("cn_card_classic")
    position = position_from_terms(
        terms,  # type: ignore[arg-type]
        principal=cny("10000.00"),
        interest=cny("0.00"),
        fees=cny("0.00"),
        contractual_instalment=cny("1000.00"),
        as_of=date(2026, 3, 5),
    )
    assert position.product_kind is ProductKind.CARD
    assert position.apr == Decimal("18.25") and position.jurisdiction == "CN"
    assert position.remaining_months == 11  # 1,000 a month clears 10,000 at 18.25 % in 11
    assert position.day == 5


def test_a_loan_position_needs_the_instalments_left() -> None:
    loan_terms = next(p for p in bundled_products() if p.kind == "loan")
    with pytest.raises(ValidationError) as error:
        position_from_terms(
            loan_terms,
            principal=Money("1000.00", loan_terms.currency),
            interest=Money("0.00", loan_terms.currency),
            fees=Money("0.00", loan_terms.currency),
            contractual_instalment=Money("100.00", loan_terms.currency),
            as_of=date(2026, 3, 5),
        )
    assert error.value.field == "remaining_months"


def test_months_to_repay_agrees_with_a_simple_count() -> None:
    assert months_to_repay(cny("1200.00"), Decimal(0), cny("100.00")) == 12
    assert months_to_repay(cny("1201.00"), Decimal(0), cny("100.00")) == 13
    assert months_to_repay(cny("12000.00"), Decimal(12), cny("1066.19")) == 12


def test_a_payment_that_never_covers_the_interest_is_refused() -> None:
    with pytest.raises(ValidationError, match="interest") as error:
        months_to_repay(cny("20000.00"), Decimal(24), cny("400.00"))
    assert error.value.field == "payment"


def test_a_position_with_nothing_owed_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        card(principal=cny("0.00"), interest=cny("0.00"), fees=cny("0.00"))
    assert error.value.field == "principal"


def test_an_amount_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        loan(fees=Money("1.00", "USD"))
    assert error.value.field == "fees"


def test_an_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        loan(jurisdiction="FR")
    assert error.value.field == "jurisdiction"
    assert loan().owed == cny("30000.00")


def test_a_card_whose_minimum_never_repays_is_refused_naming_the_instalment() -> None:
    terms = product("cn_card_classic")
    with pytest.raises(ValidationError) as error:
        position_from_terms(
            terms,  # type: ignore[arg-type]
            principal=cny("10000.00"),
            interest=cny("0.00"),
            fees=cny("0.00"),
            contractual_instalment=cny("0.00"),
            as_of=date(2026, 3, 5),
        )
    assert error.value.field == "contractual_instalment"
