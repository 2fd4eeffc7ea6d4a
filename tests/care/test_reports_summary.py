"""The supervisors' care report matches what a supervisor counts by hand on a small desk.

The portfolio is in `reports_fixtures` (calendar: weekdays 09:00–12:00 and 13:00–17:30 in
Shanghai; period Friday 6 to Tuesday 10 November 2026; report made Wednesday 25 November 12:00).
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.selectors.reports import care_report
from arrears.core.errors import ValidationError
from tests.care.reports_fixtures import (
    AS_OF,
    END_ON,
    START_ON,
    build_portfolio,
    local,
    quiet_delivery,  # noqa: F401 (fixture)
)
from tests.factories import make_loan_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_delivery")]

HOUR = 3600


def report(**filters):
    return care_report(start_on=START_ON, end_on=END_ON, at=AS_OF, **filters)


@pytest.fixture
def desk():
    return build_portfolio()


def test_first_reply_time_counts_only_open_hours(desk):
    """Friday 17:30 (closing) to Monday 09:30 is 30 business minutes, not 64 hours."""
    found = report()

    # First replies sent in the period: T1 (30 min; 64 h), T2 (7.5 h; 24 h), T3 (20 min),
    # T5 (7.5 h; 72 h). Nearest rank: the median of four is the second, the 90th the fourth.
    assert found.first_reply.count == 4
    assert found.first_reply.median_business_seconds == 30 * 60
    assert found.first_reply.p90_business_seconds == 7.5 * HOUR
    assert found.first_reply.median_calendar_seconds == 24 * HOUR
    assert found.first_reply.p90_calendar_seconds == 72 * HOUR


def test_resolution_time_runs_from_opening_to_the_solve(desk):
    found = report()

    # Solved in the period: T1 (Fri 17:30 → Mon 10:00: 1 h open; 64.5 h) and T5 (7.5 h; 72 h).
    assert found.resolution.count == 2
    assert found.resolution.median_business_seconds == HOUR
    assert found.resolution.p90_business_seconds == 7.5 * HOUR
    assert found.resolution.median_calendar_seconds == 64.5 * HOUR
    assert found.resolution.p90_calendar_seconds == 72 * HOUR


def test_sla_targets_count_in_the_period_they_were_met_or_breached(desk):
    rows = {(a.scope, a.key, a.metric): (a.met, a.breached) for a in report().sla}

    # First reply: met T1, T3; breached T2 (due Mon 14:00), T5, T6, T7 (complaints: 2 h).
    # T4's first reply was breached on 2 November, before the period: not counted here.
    assert rows[("desk", "", "first_reply")] == (2, 4)
    assert rows[("queue", "general", "first_reply")] == (2, 1)
    assert rows[("queue", "complaints", "first_reply")] == (0, 3)
    assert rows[("agent", "li.na", "first_reply")] == (2, 2)
    assert rows[("agent", "wang.wei", "first_reply")] == (0, 2)
    # Resolution (complaints have a final response instead): T1 met; T4 breached Mon 13:30;
    # T2 still running, T3 paused while pending.
    assert rows[("desk", "", "resolution")] == (1, 1)
    assert rows[("queue", "general", "resolution")] == (1, 1)
    assert rows[("agent", "li.na", "resolution")] == (1, 0)
    assert rows[("agent", "", "resolution")] == (0, 1)
    assert ("queue", "complaints", "resolution") not in rows


def test_sla_attainment_share_is_met_over_decided(desk):
    desk_first_reply = next(a for a in report().sla if a.key == "" and a.metric == "first_reply")

    assert desk_first_reply.decided == 6
    assert desk_first_reply.share_met == pytest.approx(0.3333)


def test_backlog_at_the_end_of_each_day(desk):
    days = {d.day: (d.total, d.by_status) for d in report().backlog_by_day}

    quiet = {"new": 4, "open": 0, "pending": 0, "on_hold": 0}
    assert days[dt.date(2026, 11, 6)] == (4, quiet)  # T1, T4, T5, T6
    assert days[dt.date(2026, 11, 8)] == (4, quiet)  # the weekend changes nothing
    assert days[dt.date(2026, 11, 9)] == (4, quiet)  # T1, T5 solved; T2, T7 opened
    assert days[dt.date(2026, 11, 10)] == (5, {"new": 3, "open": 1, "pending": 1, "on_hold": 0})
    assert len(days) == 5


def test_backlog_at_the_end_of_a_day_by_queue_and_age(desk):
    tuesday = report().backlog_by_day[-1]

    assert tuesday.by_queue == {"complaints": 2, "general": 3}  # T6, T7; T2, T3, T4
    # At Wednesday 00:00: T2 (Mon 09:00) and T7 1–3 days, T3 under a day, T4 (2 Nov) 7–30,
    # T6 (Fri 09:00) 3–7 days.
    assert tuesday.by_age == {
        "under_1_day": 1,
        "1_to_3_days": 2,
        "3_to_7_days": 1,
        "7_to_30_days": 1,
        "over_30_days": 0,
    }


def test_backlog_now_by_status_queue_and_age(desk):
    now = report().backlog_now

    assert now.total == 6  # T2, T3, T4, T6, T8, T10
    assert now.by_status == {"new": 4, "open": 1, "pending": 1, "on_hold": 0}
    assert now.by_queue == {"complaints": 1, "general": 5}
    assert now.by_age == {
        "under_1_day": 1,
        "1_to_3_days": 1,
        "3_to_7_days": 0,
        "7_to_30_days": 4,
        "over_30_days": 0,
    }


def test_contact_rate_is_tickets_per_thousand_active_accounts(desk):
    for _ in range(3):
        make_loan_account()
    closed = make_loan_account()
    type(closed).objects.filter(pk=closed.pk).update(closed_on=dt.date(2026, 10, 1))

    rate = report().contact_rate

    assert rate.active_accounts == 3
    assert rate.tickets == 6  # T1, T2, T3, T5, T6, T7
    assert rate.per_1000_accounts == 2000.0
    assert [(r.origin, r.tickets, r.per_1000_accounts) for r in rate.by_origin] == [
        ("email", 3, 1000.0),
        ("chat", 1, 333.33),
        ("phone", 1, 333.33),
        ("portal", 1, 333.33),
    ]


def test_contact_rate_without_accounts_is_not_a_number(desk):
    assert report().contact_rate.per_1000_accounts is None


def test_the_line_abandonment_wait_and_service_level(desk):
    line = report().line

    assert (line.offered, line.answered, line.abandoned, line.callback_instead) == (5, 3, 1, 1)
    assert line.after_hours == 1
    assert line.abandonment_rate == 0.2
    assert line.average_wait_seconds == 20  # (10 + 30 + 20) / 3
    assert line.answered_within_20s == 2
    assert line.service_level == 0.4


def test_callbacks_booked_kept_and_missed(desk):
    callbacks = report().line.callbacks

    assert (callbacks.booked, callbacks.kept, callbacks.missed, callbacks.waiting) == (3, 1, 1, 1)
    assert callbacks.kept_share == pytest.approx(0.3333)


def test_complaints_by_cause_with_final_responses_and_the_regulatory_limit(desk):
    causes = {c.cause: c for c in report().complaints}

    fees = causes["fees_and_interest"]
    # T5 answered after 7.5 open hours (72 h); T7 after 90 open hours (16 days), a day past
    # the CN limit (the end of 24 November).
    assert (fees.received, fees.final_responses, fees.past_limit) == (2, 2, 1)
    assert fees.final_response.median_business_seconds == 7.5 * HOUR
    assert fees.final_response.p90_business_seconds == 90 * HOUR
    assert fees.final_response.p90_calendar_seconds == 16 * 24 * HOUR
    conduct = causes["collection_conduct"]
    # T6 is still unanswered, past its limit (the end of 21 November).
    assert (conduct.received, conduct.final_responses, conduct.past_limit) == (1, 0, 1)
    assert conduct.final_response.median_calendar_seconds is None
    assert [c.cause for c in report().complaints] == ["fees_and_interest", "collection_conduct"]


def test_satisfaction_surveys_sent_answered_and_scored(desk):
    found = report().satisfaction

    assert (found.sent, found.answered, found.satisfied) == (3, 2, 1)
    assert found.average_score == 4.0
    assert found.answer_rate == pytest.approx(0.6667)
    assert found.satisfied_share == 0.5


def test_a_queue_report_counts_only_that_queue(desk):
    found = report(queue="general")

    assert found.zone == "Asia/Shanghai"
    assert found.contact_rate.tickets == 3  # T1, T2, T3
    assert found.first_reply.count == 3
    assert {a.key for a in found.sla if a.scope == "queue"} == {"general"}
    assert (found.line.offered, found.line.abandoned) == (4, 1)
    assert found.line.callbacks.booked == 2
    assert found.complaints == []
    assert found.backlog_now.by_queue == {"general": 5}
    assert found.satisfaction.sent == 2  # T1, T2


def test_an_agent_report_counts_that_agents_tickets_and_calls(desk):
    found = report(agent="li.na")

    assert found.first_reply.count == 3  # T1, T3, T5
    assert found.backlog_now.total == 1  # T3
    assert (found.line.offered, found.line.answered) == (2, 2)
    assert {a.key for a in found.sla if a.scope == "agent"} == {"li.na"}


def test_a_report_of_a_period_not_yet_over_stops_at_now(desk):
    found = care_report(start_on=START_ON, end_on=END_ON, at=local(9, 12))

    # At Monday noon: T1 answered 09:30 and solved 10:00; T5 answered 09:00; T2 not yet.
    assert found.first_reply.count == 2
    assert [d.day for d in found.backlog_by_day] == [dt.date(2026, 11, d) for d in (6, 7, 8)]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"start_on": END_ON, "end_on": START_ON}, "to"),
        ({"start_on": START_ON, "end_on": START_ON}, "to"),
        ({"start_on": dt.date(1, 1, 1), "end_on": dt.date(1, 1, 2)}, "from"),
        ({"start_on": START_ON, "end_on": START_ON + dt.timedelta(days=401)}, "to"),
        ({"start_on": START_ON, "end_on": END_ON, "queue": "nowhere"}, "queue"),
        ({"start_on": START_ON, "end_on": END_ON, "agent": "nobody"}, "agent"),
    ],
)
def test_a_report_of_an_impossible_period_or_unknown_queue_names_the_field(filters, field):
    with pytest.raises(ValidationError) as raised:
        care_report(at=AS_OF, **filters)

    assert raised.value.field == field


def test_the_report_reads_in_a_fixed_number_of_queries(desk, django_assert_num_queries):
    """Twice the tickets, calls and surveys cost no more queries: the reads are in bulk."""
    with django_assert_num_queries(10):
        first = report()
    for key in ("T1", "T2", "T3"):
        source = desk.tickets[key]
        from tests.care.reports_fixtures import make_ticket

        make_ticket(desk.general, source.created_at, origin="sms", assignee=desk.li_na)
    with django_assert_num_queries(10):
        second = report()
    assert second.contact_rate.tickets == first.contact_rate.tickets + 3


def test_an_outage_is_not_counted_against_the_desk(desk):
    """Business time leaves out recorded outages, as the SLA clocks do."""
    from arrears.care.models import Incident

    Incident.objects.create(
        title_en="Phone system down", title_zh="电话系统故障", notice_en="…", notice_zh="…",
        started_at=local(9, 9), ended_at=local(9, 9, 30),
    )  # fmt: skip

    found = report()

    # T1 (Fri 17:30 → Mon 09:30) now took no business time, T2 (Mon 09:00 → Tue 09:00) 7 h;
    # T3 (20 min) and T5 (Fri 09:00 → Mon 09:00, 7.5 h) are untouched.
    assert found.first_reply.median_business_seconds == 20 * 60
    assert found.first_reply.p90_business_seconds == 7.5 * HOUR
    assert found.first_reply.median_calendar_seconds == 24 * HOUR
