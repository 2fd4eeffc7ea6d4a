"""How KPI rates are rounded, and how a lender's contact costs are read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test.utils import override_settings

from arrears.analytics.costs import contact_costs
from arrears.analytics.rates import bucket_order, per_thousand, rate, ratio
from arrears.core.errors import ValidationError


def test_a_rate_over_nothing_is_none_not_zero():
    assert rate(0, 0) is None
    assert per_thousand(3, 0) is None


def test_rates_are_rounded_once_half_up_to_four_places():
    assert rate(1, 3) == Decimal("0.3333")
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(1, 8) == Decimal("0.1250")
    assert ratio(1, 8, places=2) == Decimal("0.13")  # 0.125 rounds up
    assert per_thousand(1, 6) == Decimal("166.67")


def test_buckets_are_ordered_by_age_with_charged_off_last():
    assert bucket_order({"charged_off", "M2", "current", "X9", "M7+"}) == [
        "current", "M2", "M7+", "X9", "charged_off",
    ]  # fmt: skip


@override_settings(ARREARS_CONTACT_COSTS={"CNY": {"call": "2.80", "robocall": "0.30"}})
def test_a_lenders_costs_override_the_defaults_and_may_add_channels():
    costs = contact_costs("CNY")
    assert costs["call"] == Decimal("2.80")
    assert costs["sms"] == Decimal("0.05")  # the default
    assert costs["robocall"] == Decimal("0.30")


@override_settings(ARREARS_CONTACT_COSTS={"CNY": {"call": "cheap"}})
def test_a_cost_that_is_not_an_amount_is_refused_naming_the_setting():
    with pytest.raises(ValidationError) as refused:
        contact_costs("CNY")
    assert refused.value.field == "ARREARS_CONTACT_COSTS.CNY.call"


@override_settings(ARREARS_CONTACT_COSTS={"USD": {"sms": "-0.01"}})
def test_a_negative_cost_is_refused():
    with pytest.raises(ValidationError) as refused:
        contact_costs("USD")
    assert refused.value.field == "ARREARS_CONTACT_COSTS.USD.sms"


def test_a_currency_without_defaults_costs_nothing_unless_set():
    assert contact_costs("EUR") == {}
