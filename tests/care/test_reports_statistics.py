"""The report's median and 90th percentile are nearest-rank: always a duration that was measured."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from arrears.care.selectors.reports import nearest_rank
from arrears.care.selectors.reports.bands import age_band
from arrears.care.selectors.reports.figures import share

durations = st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=60)
percents = st.integers(min_value=1, max_value=100)


@given(durations, percents)
def test_a_percentile_is_one_of_the_measured_durations(values, percent):
    assert nearest_rank(values, percent) in values


@given(durations, percents)
def test_at_least_that_share_of_tickets_took_no_longer_than_the_percentile(values, percent):
    found = nearest_rank(values, percent)

    at_or_below = sum(1 for v in values if v <= found)
    strictly_below = sum(1 for v in values if v < found)
    assert at_or_below * 100 >= percent * len(values)
    assert strictly_below * 100 < percent * len(values)


@given(durations)
def test_the_90th_percentile_is_never_below_the_median(values):
    assert nearest_rank(values, 90) >= nearest_rank(values, 50)


def test_the_median_of_four_replies_is_the_second_fastest():
    assert nearest_rank([1200, 27000, 1800, 27000], 50) == 1800
    assert nearest_rank([1200, 27000, 1800, 27000], 90) == 27000


def test_nothing_measured_has_no_median_and_no_share():
    assert nearest_rank([], 50) is None
    assert share(3, 0) is None
    assert share(1, 3) == 0.3333


@given(st.floats(min_value=0, max_value=3650, allow_nan=False))
def test_every_open_ticket_falls_in_exactly_one_age_band(days):
    age = dt.timedelta(days=days)
    old = age / dt.timedelta(days=1)

    band = age_band(age)

    assert band in {"under_1_day", "1_to_3_days", "3_to_7_days", "7_to_30_days", "over_30_days"}
    assert (band == "under_1_day") == (old < 1)
    assert (band == "over_30_days") == (old >= 30)
