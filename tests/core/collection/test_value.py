"""The expected value of a contact now: balance × chance to pay after contact − cost."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.collection.value import (
    PPM,
    ContactValueModel,
    contact_value,
    contact_values,
    rank_by_value,
    rate_ppm,
)
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError
from arrears.core.money import Money


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def test_the_value_is_balance_times_chance_minus_cost() -> None:
    # M2 base 0.20 × answer rate 0.50 × call uplift 0.30 = 0.03; 10,000 × 0.03 − 2.00
    result = contact_value(
        balance_at_risk=cny("10000.00"), bucket="M2", channel=Channel.CALL, answer_rate=0.5
    )

    assert result.chance_ppm == 30_000
    assert result.value == cny("298.00")
    assert result.cost == cny("2.00")


def test_a_call_at_a_good_hour_is_worth_more_than_at_a_bad_one() -> None:
    good = contact_value(
        balance_at_risk=cny("5000.00"), bucket="M1", channel=Channel.CALL, answer_rate=0.6
    )
    bad = contact_value(
        balance_at_risk=cny("5000.00"), bucket="M1", channel=Channel.CALL, answer_rate=0.05
    )

    assert good.value > bad.value


def test_a_tiny_balance_is_not_worth_a_call() -> None:
    result = contact_value(
        balance_at_risk=cny("20.00"), bucket="M3", channel=Channel.CALL, answer_rate=0.4
    )

    assert result.value.is_negative()


def test_a_message_uses_the_models_reach_instead_of_an_answer_rate() -> None:
    result = contact_value(balance_at_risk=cny("1000.00"), bucket="M1", channel=Channel.SMS)

    assert result.reach_ppm == 900_000
    # 0.35 × 0.90 × 0.08 = 0.0252 → 25.20 − 0.05
    assert result.value == cny("25.15")


def test_the_chance_to_pay_is_capped() -> None:
    model = ContactValueModel(uplift={Channel.CALL: Decimal("10")}, cap=Decimal("0.5"))

    result = contact_value(
        balance_at_risk=cny("100.00"), bucket="current", channel=Channel.CALL, answer_rate=1.0,
        model=model,
    )  # fmt: skip

    assert result.chance_ppm == PPM // 2


def test_a_call_needs_an_answer_rate() -> None:
    with pytest.raises(ValidationError) as error:
        contact_value(balance_at_risk=cny("100.00"), bucket="M1", channel=Channel.CALL)

    assert error.value.field == "answer_rate"


def test_an_unknown_bucket_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        contact_value(
            balance_at_risk=cny("100.00"), bucket="M99", channel=Channel.SMS, answer_rate=None
        )

    assert error.value.field == "bucket"


def test_a_model_with_a_probability_above_one_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        ContactValueModel(base_propensity={"M1": Decimal("1.2")})

    assert error.value.field == "base_propensity.M1"


def test_answer_rates_round_half_up_to_parts_per_million() -> None:
    assert rate_ppm(0.0000005) == 1
    assert rate_ppm(1.5) == PPM
    assert rate_ppm(-0.1) == 0


def test_the_work_queue_puts_the_most_valuable_contact_first() -> None:
    frame = pl.DataFrame(
        {
            "case_id": ["c1", "c2", "c3"],
            "balance_minor": [100_000, 5_000_000, 800_000],
            "bucket": ["M1", "M2", "M1"],
            "channel": ["call", "call", "sms"],
            "answer_rate": [0.5, 0.5, None],
        }
    )

    ranked = rank_by_value(contact_values(frame))

    assert ranked["case_id"].to_list() == ["c2", "c3", "c1"]
    assert ranked["rank"].to_list() == [1, 2, 3]


# --- the vectorised form agrees with the scalar form ---------------------------------------

BUCKETS = ["current", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER, Channel.IN_APP]


@st.composite
def queue_rows(draw: st.DrawFn) -> list[tuple[int, str, Channel, float | None]]:
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        channel = draw(st.sampled_from(CHANNELS))
        rate = (
            draw(st.floats(0, 1)) if channel is Channel.CALL else draw(st.none() | st.floats(0, 1))
        )
        rows.append((draw(st.integers(0, 10**10)), draw(st.sampled_from(BUCKETS)), channel, rate))
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=queue_rows(), cap=st.decimals("0.01", "1", places=4))
def test_vectorised_values_equal_the_scalar_values(
    rows: list[tuple[int, str, Channel, float | None]], cap: Decimal
) -> None:
    model = ContactValueModel(cap=cap)
    frame = pl.DataFrame(
        {
            "balance_minor": [r[0] for r in rows],
            "bucket": [r[1] for r in rows],
            "channel": [str(r[2]) for r in rows],
            "answer_rate": [r[3] for r in rows],
        },
        schema={"balance_minor": pl.Int64, "bucket": pl.String, "channel": pl.String,
                "answer_rate": pl.Float64},
    )  # fmt: skip

    values = contact_values(frame, model)

    for row, value_minor, chance in zip(
        rows, values["value_minor"].to_list(), values["chance_ppm"].to_list(), strict=True
    ):
        scalar = contact_value(
            balance_at_risk=Money.from_minor(row[0], "CNY"),
            bucket=row[1],
            channel=row[2],
            answer_rate=row[3],
            model=model,
        )
        assert (value_minor, chance) == (scalar.value.minor, scalar.chance_ppm)


def test_the_vectorised_form_refuses_an_unknown_bucket() -> None:
    frame = pl.DataFrame(
        {"balance_minor": [1], "bucket": ["M99"], "channel": ["sms"], "answer_rate": [None]}
    )

    with pytest.raises(ValidationError) as error:
        contact_values(frame)

    assert error.value.field == "bucket"
