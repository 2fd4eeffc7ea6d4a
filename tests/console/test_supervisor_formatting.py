"""The supervisor's figures as the screens write them: shares as percents, figures with their
places, and confidence intervals (low – high; a difference with its estimate first and a sign on
every end), money in the reader's language; a dash where there is no figure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from arrears.console.templatetags.supervisor import (
    figure_interval,
    minor_amount,
    minor_interval,
    number,
    percent,
    points_interval,
    share_interval,
    signed_interval,
    signed_minor_interval,
)
from arrears.core.stats import Interval

SHARE = Interval(estimate=0.25, low=0.123, high=0.456)
DIFFERENCE_OF_SHARES = Interval(estimate=0.123, low=-0.02, high=0.265)
MONEY = Interval(estimate=12345.678, low=-9876.5, high=23456.49)


def test_shares_and_figures_keep_the_places_asked_for():
    assert percent(Decimal("0.25")) == "25.0%"
    assert percent(0.5, 0) == "50%"
    assert percent(Decimal("0.12346"), "2") == "12.35%"
    assert number(1234.5678) == "1,234.57"
    assert number(3, 0) == "3"
    assert number(Decimal("0.12345"), 3) == "0.123"


def test_intervals_read_low_to_high_and_a_difference_carries_its_sign():
    assert share_interval(SHARE) == "12.3% – 45.6%"
    assert points_interval(DIFFERENCE_OF_SHARES) == "+12.3 (−2.0 – +26.5)"
    assert figure_interval(MONEY) == "-9,876.50 – 23,456.49"
    assert signed_interval(MONEY) == "+12,345.68 (−9,876.50 – +23,456.49)"


@pytest.mark.parametrize(
    ("language", "interval", "difference", "amount"),
    [
        ("en", "-CN¥98.76 – CN¥234.56", "+CN¥123.46 (−CN¥98.76 – +CN¥234.56)", "CN¥123.46"),
        ("zh-hans", "-¥98.76 – ¥234.56", "+¥123.46 (−¥98.76 – +¥234.56)", "¥123.46"),
    ],
)
def test_money_per_account_is_rounded_to_a_fen_in_the_readers_language(
    language, interval, difference, amount
):
    with translation.override(language):
        assert minor_interval(MONEY, "CNY") == interval
        assert signed_minor_interval(MONEY, "CNY") == difference
        assert minor_amount(12345.6, "CNY") == amount


def test_no_figure_is_a_dash():
    assert {percent(None), percent(""), number(None), number(""), minor_amount(None, "CNY")} == {
        "—"
    }
    for interval_of in (share_interval, points_interval, figure_interval, signed_interval):
        assert interval_of(None) == "—"
    assert minor_interval(None, "CNY") == signed_minor_interval(None, "CNY") == "—"
