"""The dashboard's own series, counted by hand on the March 2025 book (tests/analytics/
conftest.py tells its story): buckets over time, calls by hour of the week, and the segment
and agent filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.analytics.selectors.dashboard import dashboard, history_dates
from arrears.collection.models import Case
from arrears.core.errors import ValidationError
from tests.analytics.conftest import END, START
from tests.factories import make_staff_user

NOW = dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC)


def march(**filters):  # type: ignore[no-untyped-def]
    return dashboard(start_on=START, end_on=END, now=NOW, **filters)


def test_the_history_samples_six_dates_from_the_first_day_to_the_day_after_the_last():
    assert history_dates(START, END) == [
        dt.date(2025, 3, 1), dt.date(2025, 3, 7), dt.date(2025, 3, 13),
        dt.date(2025, 3, 20), dt.date(2025, 3, 26), dt.date(2025, 4, 1),
    ]  # fmt: skip
    assert history_dates(START, START + dt.timedelta(days=2)) == [
        START,
        START + dt.timedelta(days=1),
        START + dt.timedelta(days=2),
    ]


def test_delinquency_by_bucket_over_march_follows_each_account(book):
    history = {point.on: point.by_bucket for point in march().bucket_history}
    # 1 March (as aged on 28 Feb): Ann current; Bo, Chen M1; Dong, Fay M2; Eve not yet open
    assert history[dt.date(2025, 3, 1)] == {"current": 1, "M1": 2, "M2": 2}
    # 7 March: Eve opened on the 5th (current); Dong's payment of the 5th took him back to M1
    assert history[dt.date(2025, 3, 7)] == {"current": 2, "M1": 3, "M2": 1}
    # 1 April (as aged on 31 March): Bo cured; Chen rolled to M2; Fay to M3
    assert history[dt.date(2025, 4, 1)] == {"current": 3, "M2": 2, "M3": 1}


def test_calls_are_counted_by_the_local_hour_of_the_week_with_their_right_party_contacts(book):
    hours = march().calls_by_hour
    assert len(hours) == 168
    busy = {(h.weekday, h.hour): (h.attempts, h.right_party) for h in hours if h.attempts}
    # Chen: Monday 3 March 10:00 no answer, Tuesday 4 March 10:00 reached (Shanghai time);
    # the February call, Dong's SMS and his inbound call do not count
    assert busy == {(1, 10): (1, 0), (2, 10): (1, 1)}


def test_the_segment_filter_keeps_only_accounts_with_a_case_in_that_segment(book):
    Case.objects.filter(account=book.bo).update(segment="early_high")
    found = march(segment="early_high").kpis
    assert found.accounts == 1
    assert found.cured == 1 and found.cure_rate is not None
    assert march().kpis.accounts == 6


def test_the_agent_filter_keeps_only_the_collectors_cases(book):
    collector = make_staff_user("collector", "zhao.collector")
    Case.objects.filter(account__in=[book.chen, book.dong]).update(agent=collector)
    found = march(agent="zhao.collector")
    assert found.kpis.accounts == 2
    assert found.kpis.contacts.call_attempts == 2  # Chen's March calls
    assert found.kpis.cured == 0
    assert sum(h.attempts for h in found.calls_by_hour) == 2


def test_an_unknown_agent_is_refused_naming_the_field(book):
    with pytest.raises(ValidationError) as refused:
        march(agent="nobody")
    assert refused.value.field == "agent"


def test_the_dashboard_costs_a_bounded_number_of_queries(book, django_assert_max_num_queries):
    march()  # the care desk sets up its default queues and calendars on first use
    with django_assert_max_num_queries(40):
        found = march()
    assert found.kpis.accounts == 6
    assert timezone.is_aware(found.care.as_of)
