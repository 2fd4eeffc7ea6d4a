"""The condition language: what it accepts, what it refuses (and how it says so), how it reads.

The last test is the differential one: random conditions over random accounts give the same
answer one account at a time and over a whole frame.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.strategy import facts_frame, parse_expression, to_polars
from arrears.core.strategy.expressions import evaluate
from tests.core.strategy.builders import account_facts, conditions, facts


def holds(source: str, **changes: object) -> bool:
    """The scalar answer, checked against the frame answer for the same account."""
    account = facts(**changes)
    expression = parse_expression(source)
    scalar = evaluate(expression, account)
    vectorised = facts_frame([account]).select(to_polars(expression)).item()
    assert scalar == vectorised, f"{source}: scalar {scalar}, frame {vectorised}"
    return scalar


def refusal(source: str, field: str = "segments[2].when") -> str:
    with pytest.raises(ValidationError) as caught:
        parse_expression(source, field=field)
    assert caught.value.field == field
    return caught.value.reason


# --- what a condition can say -----------------------------------------------------------------


def test_early_high_balance_segment_condition_reads_as_written():
    rule = "days_past_due between 1 and 30 and balance >= 5000"

    assert holds(rule, days_past_due=7, balance="6200.00")
    assert not holds(rule, days_past_due=31, balance="6200.00")
    assert not holds(rule, days_past_due=7, balance="4999.99")
    assert holds(rule, days_past_due=30, balance="5000.00")


def test_keywords_are_read_in_any_case_and_parentheses_group():
    assert holds("NOT (hardship OR vulnerable) And dispute_open == FALSE")
    assert not holds("not (hardship or vulnerable)", vulnerable=True)


def test_lists_of_codes_and_numbers():
    assert holds('product in ["cn-card-classic", "cn-card-gold"]')
    assert holds("case_stage not in ['late', 'legal']")
    assert holds("broken_promises in [0, 1]")
    assert not holds("no_answer_streak not in [0]")


def test_a_value_may_stand_on_either_side_of_a_comparison():
    assert holds("5000 <= balance", balance="5000.00")
    assert not holds("5000 < balance", balance="5000.00")


def test_two_facts_may_be_compared():
    assert holds("past_due < balance")
    assert holds("days_in_case >= days_past_due")


def test_amounts_compare_exactly_in_every_currency():
    # 0.005 lies between two fen: 0.00 < 0.005 < 0.01 in CNY; JPY has no fraction at all.
    assert holds("balance >= 0.005", balance="0.01")
    assert not holds("balance >= 0.005", balance="0.00")
    assert not holds("balance == 0.005", balance="0.01")
    assert holds("balance != 0.005", balance="0.00")
    assert holds("balance > 4999.5", currency="JPY", balance="5000")
    assert not holds("balance <= 4999.5", currency="JPY", balance="5000")
    assert holds("balance between 4999.5 and 5000.4", currency="JPY", balance="5000")


def test_an_unknown_fact_makes_every_comparison_false_but_is_null_true():
    for rule in (
        "risk_score > 600",
        "risk_score <= 600",
        "risk_score != 600",
        "risk_score in [1, 2]",
        "risk_score not in [1, 2]",
        "risk_score between 0 and 999",
        "risk_score not between 0 and 10",
        "days_since_last_contact == risk_score",
    ):
        assert not holds(rule, risk_score=None), rule
    assert holds("risk_score is null", risk_score=None)
    assert not holds("risk_score is not null", risk_score=None)
    assert holds("not (risk_score > 600)", risk_score=None)


def test_a_condition_remembers_its_source_and_the_facts_it_reads():
    expression = parse_expression("  balance >= 5000 and days_past_due > 3 and balance < 9000 ")

    assert expression.source == "balance >= 5000 and days_past_due > 3 and balance < 9000"
    assert expression.facts == ("balance", "days_past_due")


def test_yaml_true_and_false_are_conditions():
    assert parse_expression(True).source == "true"
    assert not evaluate(parse_expression(False), facts())


# --- what it refuses, naming the field and the column ------------------------------------------


def test_an_unknown_fact_is_named_with_a_suggestion():
    assert refusal("dpd > 30") == 'unknown fact "dpd" at column 1; did you mean "days_past_due"?'
    assert refusal("hardship or vulnerble").endswith('did you mean "vulnerable"?')
    assert "at column 13" in refusal("hardship or vulnerble")


def test_a_value_outside_a_closed_list_is_refused():
    assert refusal('case_stage == "erly"') == (
        'case_stage is never "erly" at column 15; did you mean "early"?'
    )
    assert 'did you mean "zh-hans"' in refusal('language == "zh"')


@pytest.mark.parametrize(
    ("source", "says"),
    [
        (
            "days_past_due > 2.5",
            "days_past_due is a whole number, so it cannot be compared with 2.5",
        ),
        ('days_past_due >= "30"', 'cannot be compared with "30"'),
        ("hardship > 1", 'hardship is true or false: ">" needs a number or an amount'),
        ("balance", "balance is an amount, not a condition at column 1; compare it"),
        ("product < 'a'", '"<" needs a number or an amount'),
        ("balance in [1, 2]", '"in" takes whole numbers or text'),
        ("balance is null", "balance is never unknown"),
        ("days_past_due = 3", 'write "==" to compare'),
        ("3 > 2", "a comparison needs a fact on one side"),
        ("days_past_due > ", "expected a fact or a value, but the condition ends"),
        ("(hardship", 'expected ")"'),
        (
            "hardship vulnerable",
            'expected "and", "or" or the end of the condition, found "vulnerable"',
        ),
        ('product == "cn', "has no closing"),
        ("balance > past_due_minor", 'unknown fact "past_due_minor"'),
        ("balance > days_past_due", "they cannot be compared"),
        ("balance > 0.00001", "more than 4 decimal places"),
        ("days_past_due between 1 or 30", '"and" between the two ends'),
        ("risk_score is nothing", 'expected "null"'),
        ("days_past_due in [days_in_case]", "a list holds values, not facts"),
        ("", "must be a condition"),
        ("hardship and null", '"null" only goes after "is"'),
        ("days_past_due @ 3", "unexpected '@' at column 15"),
    ],
)
def test_a_bad_condition_is_refused_with_a_reason(source, says):
    assert says in refusal(source)


def test_deep_nesting_is_refused_not_crashed():
    assert "nested more than" in refusal("(" * 100 + "hardship" + ")" * 100)
    assert "nested more than" in refusal("not " * 100 + "hardship")


# --- one tree, two back ends -------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=conditions, accounts=st.lists(account_facts(), min_size=1, max_size=12))
def test_a_condition_gives_the_same_answer_one_account_at_a_time_and_over_a_frame(source, accounts):
    expression = parse_expression(source)

    vectorised = facts_frame(accounts).with_columns(to_polars(expression).alias("x"))

    assert vectorised.get_column("x").null_count() == 0
    assert vectorised.get_column("x").to_list() == [evaluate(expression, a) for a in accounts]


def test_the_frame_form_reads_amounts_in_minor_units():
    frame = pl.DataFrame(
        {"balance_minor": [500_000, 499_999, 5_000, 4_999], "minor_exponent": [2, 2, 0, 0]}
    )

    answer = frame.select(to_polars(parse_expression("balance >= 5000"))).to_series()

    assert answer.to_list() == [True, False, True, False]
