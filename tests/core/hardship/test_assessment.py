"""The financial statement: what the borrower tells us, checked field by field."""

import json

import pytest

from arrears.core.errors import ValidationError
from arrears.core.hardship.assessment import (
    ESSENTIAL_CATEGORIES,
    Expense,
    ExpenseCategory,
    FinancialStatement,
    Household,
    Income,
    OtherDebt,
    Vulnerability,
    parse_statement,
)
from arrears.core.money import Money

from .builders import cny, statement

EXAMPLE = {
    "currency": "CNY",
    "region": "CN-T2",
    "household": {"adults": 2, "dependants": 1},
    "employment": "unemployed",
    "reason": "job_loss",
    "temporary": True,
    "expected_recovery_months": 3,
    "income_after_recovery": "9000.00",
    "incomes": [{"source": "benefits", "amount": "1800.00"}],
    "expenses": [
        {"category": "housing", "amount": "2500.00"},
        {"category": "leisure", "amount": "300.00"},
    ],
    "other_debts": [{"creditor": "Bank B", "balance": "12000.00", "monthly_payment": "600.00"}],
    "lump_sum_available": "2000.00",
    "vulnerabilities": ["health"],
}


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return error.value.field


def test_a_statement_read_from_json_keeps_every_figure_exactly() -> None:
    parsed = parse_statement(json.loads(json.dumps(EXAMPLE)))
    assert parsed.total_income == cny("1800.00")
    assert parsed.essential_spending == cny("2500.00")
    assert parsed.non_essential_spending == cny("300.00")
    assert parsed.other_debt_payments == cny("600.00")
    assert parsed.household == Household(adults=2, dependants=1)
    assert parsed.income_after_recovery == cny("9000.00")
    assert parsed.lump_sum == cny("2000.00")
    assert parsed.vulnerabilities == {Vulnerability.HEALTH}
    assert parsed.needs_trained_staff


def test_housing_food_and_transport_are_essential_leisure_is_not() -> None:
    assert {
        ExpenseCategory.HOUSING,
        ExpenseCategory.FOOD_HOUSEKEEPING,
        ExpenseCategory.TRANSPORT,
    } <= ESSENTIAL_CATEGORIES
    assert not ExpenseCategory.LEISURE.essential
    assert not ExpenseCategory.EATING_OUT.essential


def test_an_unknown_spending_category_is_refused_by_its_place_in_the_list() -> None:
    data = {
        **EXAMPLE,
        "expenses": [
            {"category": "housing", "amount": "1.00"},
            {"category": "yachts", "amount": "1.00"},
        ],
    }
    with pytest.raises(ValidationError) as error:
        parse_statement(data)
    assert field_of(error) == "expenses[1].category"


def test_a_negative_amount_is_refused() -> None:
    data = {**EXAMPLE, "incomes": [{"source": "wages", "amount": "-5.00"}]}
    with pytest.raises(ValidationError) as error:
        parse_statement(data)
    assert field_of(error) == "incomes[0].amount"
    with pytest.raises(ValidationError) as built:
        Expense("housing", cny("-1.00"))
    assert field_of(built) == "amount"


def test_an_amount_written_as_a_float_is_refused() -> None:
    data = {**EXAMPLE, "incomes": [{"source": "wages", "amount": 1800.5}]}
    with pytest.raises(ValidationError, match="quoted text") as error:
        parse_statement(data)
    assert field_of(error) == "incomes[0].amount"


def test_an_amount_finer_than_a_fen_is_refused() -> None:
    data = {**EXAMPLE, "lump_sum_available": "10.005"}
    with pytest.raises(ValidationError) as error:
        parse_statement(data)
    assert field_of(error) == "lump_sum_available"


def test_an_amount_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        statement(
            expenses=(
                Expense("housing", cny("100.00")),
                Expense("food_housekeeping", Money("5.00", "USD")),
            )
        )
    assert field_of(error) == "expenses[1].amount"


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        parse_statement({**EXAMPLE, "salary": "9000"})
    assert field_of(error) == "salary"
    with pytest.raises(ValidationError) as nested:
        parse_statement({**EXAMPLE, "household": {"adults": 1, "pets": 2}})
    assert field_of(nested) == "household.pets"


def test_a_household_has_at_least_one_adult() -> None:
    with pytest.raises(ValidationError) as error:
        parse_statement({**EXAMPLE, "household": {"adults": 0}})
    assert field_of(error) == "household.adults"


def test_only_a_temporary_difficulty_has_a_recovery_date() -> None:
    with pytest.raises(ValidationError) as error:
        statement(temporary=False, expected_recovery_months=3)
    assert field_of(error) == "expected_recovery_months"


def test_income_after_recovery_needs_to_know_when_recovery_comes() -> None:
    with pytest.raises(ValidationError) as error:
        statement(temporary=True, income_after_recovery=cny("5000.00"))
    assert field_of(error) == "income_after_recovery"


def test_other_debts_are_named_and_add_up() -> None:
    debts = (
        OtherDebt("Bank B", cny("12000.00"), cny("600.00")),
        OtherDebt("Landlord", cny("3000.00"), cny("500.00"), priority=True),
    )
    assert statement(other_debts=debts).other_debt_payments == cny("1100.00")
    with pytest.raises(ValidationError) as error:
        OtherDebt(" ", cny("1.00"), cny("1.00"))
    assert field_of(error) == "creditor"


def test_an_unknown_vulnerability_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        parse_statement({**EXAMPLE, "vulnerabilities": ["health", "grumpy"]})
    assert field_of(error) == "vulnerabilities[1]"


def test_spending_in_a_category_adds_every_line_of_it() -> None:
    two_rents = statement(
        expenses=(Expense("housing", cny("1000.00")), Expense("housing", cny("250.50")))
    )
    assert two_rents.spending_in(ExpenseCategory.HOUSING) == cny("1250.50")


def test_an_empty_statement_has_zero_income_and_spending() -> None:
    empty = FinancialStatement(currency="GBP", region="GB")
    assert empty.total_income == Money.zero("GBP")
    assert empty.essential_spending == Money.zero("GBP")
    assert empty.lump_sum == Money.zero("GBP")
    assert not empty.needs_trained_staff
    assert Income("wages", Money("1.00", "GBP")).source == "wages"
