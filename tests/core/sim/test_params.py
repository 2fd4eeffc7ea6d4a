"""Behaviour parameters: the shipped defaults load, and bad values are refused by name."""

from __future__ import annotations

import pytest

from arrears.core.errors import ValidationError
from arrears.core.sim import CHANNELS, bundled_behaviour, load_behaviour, parse_behaviour
from arrears.core.sim.params import HOURS_PER_WEEK

from .builders import one_segment, raw_params


def test_the_shipped_defaults_load_with_three_segments_whose_shares_add_up_to_one():
    params = bundled_behaviour()
    assert params.segment_names() == ("prime_card", "near_prime_card", "online_loan")
    assert sum(s.share for s in params.segments) == pytest.approx(1.0)
    assert params.currency == "CNY"


def test_every_shipped_repayment_process_is_stable():
    for segment in bundled_behaviour().segments:
        assert segment.hawkes.branching_ratio < 1, segment.name


def test_incomes_and_balances_are_read_into_integer_minor_units():
    prime = bundled_behaviour().segments[0]
    assert prime.income_median_minor == 1_200_000
    assert isinstance(prime.balance_median_minor, int)


def test_answer_curves_cover_every_hour_of_the_week_low_at_night_and_peaking_early_evening():
    call = bundled_behaviour().answer_curves["call"]
    assert len(call) == HOURS_PER_WEEK
    tuesday = 24
    assert call[tuesday + 3] < 0.05  # 03:00
    assert max(call[tuesday : tuesday + 24]) == call[tuesday + 19]  # 19:00
    saturday = 5 * 24
    assert call[saturday + 9] > call[tuesday + 9]  # weekends differ: at home in the morning


def test_a_repayment_process_that_would_explode_is_refused_naming_alpha_pay():
    with pytest.raises(ValidationError) as error:
        parse_behaviour(one_segment(hawkes__alpha_pay=0.2, hawkes__beta=0.1))
    assert error.value.field == "segments.prime_card.hawkes.alpha_pay"
    assert "below 1" in error.value.reason


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("promises__keep", 1.5, "segments.prime_card.promises.keep"),
        ("treatment__complaint__slope", -0.1, "segments.prime_card.treatment.complaint.slope"),
        ("hawkes__beta", 0, "segments.prime_card.hawkes.beta"),
        ("income__median", 9000.0, "segments.prime_card.income.median"),
        ("income__median", "12.345", "segments.prime_card.income.median"),
        ("due_percent", "10", "segments.prime_card.due_percent"),
        ("product_kind", "mortgage", "segments.prime_card.product_kind"),
        ("share", 0.5, "segments"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(path, value, field):
    with pytest.raises(ValidationError) as error:
        parse_behaviour(one_segment(**{path: value}))
    assert error.value.field == field


def test_a_missing_channel_is_refused_naming_it():
    raw = one_segment()
    del raw["segments"]["prime_card"]["reachable"]["sms"]
    with pytest.raises(ValidationError) as error:
        parse_behaviour(raw)
    assert error.value.field == "segments.prime_card.reachable.sms"


def test_an_unknown_field_is_refused_naming_it():
    raw = one_segment()
    raw["segments"]["prime_card"]["hawkes"]["gamma"] = 0.1
    with pytest.raises(ValidationError) as error:
        parse_behaviour(raw)
    assert error.value.field == "segments.prime_card.hawkes.gamma"


def test_answer_curve_hours_must_increase():
    raw = raw_params()
    raw["answer_curves"]["sms"]["weekday"] = [[0, 0.1], [9, 0.5], [8, 0.6]]
    with pytest.raises(ValidationError) as error:
        parse_behaviour(raw)
    assert error.value.field == "answer_curves.sms.weekday[2][0]"


def test_every_channel_needs_an_answer_curve():
    raw = raw_params()
    del raw["answer_curves"]["letter"]
    with pytest.raises(ValidationError) as error:
        parse_behaviour(raw)
    assert error.value.field == "answer_curves.letter"
    assert "letter" in CHANNELS


def test_text_that_is_not_yaml_is_refused():
    with pytest.raises(ValidationError) as error:
        load_behaviour("segments: [unclosed")
    assert error.value.field == "behaviour"


def test_every_shipped_segment_has_words_in_english_and_chinese():
    from arrears.core.labels import say
    from arrears.core.sim.labels import SIM_LABELS

    for name in bundled_behaviour().segment_names():
        key = f"segment.{name}"
        assert say(SIM_LABELS, key) != key
        assert say(SIM_LABELS, key, language="zh-hans") != say(SIM_LABELS, key)
