"""The batch and the per-account evaluation of a strategy give the same answers, reasons included.

Hypothesis draws random strategies (splits, triggers, conditions, skips, repeats, back-offs)
and random accounts and shrinks any disagreement to a small case; seeded portfolios of
thousands of accounts add volume on the bundled and the example strategies.
"""

from __future__ import annotations

import dataclasses
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.strategy import (
    OUTPUT_SCHEMA,
    evaluate,
    evaluate_frame,
    facts_frame,
    load_bundled_strategy,
    parse_strategy,
    read_strategy,
)
from tests.core.strategy.builders import (
    AS_OF,
    STEP_IDS,
    account_facts,
    facts,
    random_facts,
    strategy_documents,
)
from tests.core.strategy.test_document import EXAMPLE


def assert_same_answers(strategy, accounts):
    batch = evaluate_frame(strategy, facts_frame(accounts), as_of=AS_OF)

    assert batch.schema == pl.Schema(OUTPUT_SCHEMA)
    one_by_one = [evaluate(strategy, account, as_of=AS_OF).as_row() for account in accounts]
    for expected, found in zip(one_by_one, batch.to_dicts(), strict=True):
        assert found == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=strategy_documents(),
    accounts=st.lists(account_facts(), min_size=1, max_size=25),
)
def test_random_strategies_decide_the_same_one_by_one_and_in_bulk(document, accounts):
    assert_same_answers(parse_strategy(document), accounts)


@pytest.mark.parametrize(
    "strategy",
    [load_bundled_strategy("conventional-ladder"), read_strategy(EXAMPLE)],
    ids=["bundled", "example"],
)
def test_a_seeded_portfolio_of_thousands_decides_the_same_one_by_one_and_in_bulk(strategy):
    rng = random.Random(20261128)
    step_ids = ["", *{s.id for p in strategy.paths.values() for s in p.steps}, *STEP_IDS]
    accounts = [
        dataclasses.replace(random_facts(rng, account_id), last_step=rng.choice(step_ids))
        for account_id in range(1, 4001)
    ]

    assert_same_answers(strategy, accounts)


# --- the frame's contract ---------------------------------------------------------------------


def test_the_batch_answers_in_the_order_of_the_facts():
    strategy = read_strategy(EXAMPLE)
    accounts = [
        facts(account_id=i, days_past_due=i % 40, dispute_open=i % 7 == 0)
        for i in range(300, 0, -1)
    ]

    batch = evaluate_frame(strategy, facts_frame(accounts), as_of=AS_OF)

    assert batch.get_column("account_id").to_list() == list(range(300, 0, -1))


def test_an_empty_frame_gives_an_empty_answer_with_every_column():
    batch = evaluate_frame(read_strategy(EXAMPLE), facts_frame([]), as_of=AS_OF)

    assert batch.is_empty()
    assert batch.schema == pl.Schema(OUTPUT_SCHEMA)


def test_the_batch_reads_only_the_facts_the_strategy_names():
    strategy = read_strategy(EXAMPLE)
    frame = facts_frame([facts(days_past_due=45, balance="900")])

    needed = frame.select(
        "account_id", "days_past_due", "last_step", "days_since_last_step", "dispute_open",
        "hardship", "vulnerable", "balance_minor", "engaged_recently", "no_answer_streak",
        "minor_exponent",
    )  # fmt: skip

    assert evaluate_frame(strategy, needed, as_of=AS_OF).get_column("step").to_list() == ["sms_d1"]


def test_a_missing_fact_column_is_named():
    frame = facts_frame([facts()]).drop("balance_minor")

    with pytest.raises(ValidationError) as caught:
        evaluate_frame(read_strategy(EXAMPLE), frame, as_of=AS_OF)

    assert caught.value.field == "facts.balance_minor"


def test_a_currency_exponent_out_of_range_is_refused():
    frame = facts_frame([facts()]).with_columns(pl.lit(7).alias("minor_exponent"))

    with pytest.raises(ValidationError) as caught:
        evaluate_frame(read_strategy(EXAMPLE), frame, as_of=AS_OF)

    assert caught.value.field == "facts.minor_exponent"


def test_a_strategy_with_the_same_ids_but_other_days_is_walked_by_its_own_days():
    """The walk's expressions are built once per path: a path with the same ids and other
    days (the next version of the strategy) must not be walked by the first one's."""
    rng = random.Random(20261129)
    accounts = [random_facts(rng, account_id) for account_id in range(1, 1501)]
    earlier = read_strategy(EXAMPLE)
    later = read_strategy(
        EXAMPLE.replace("on_day: 30,", "on_day: 25,").replace("on_day: 3,", "on_day: 4,")
    )
    assert earlier != later

    for strategy in (earlier, later, earlier):
        assert_same_answers(strategy, accounts)
