"""SLA clocks on the desk's real calendars, through the services and the database.

The Beijing desk is open 09:00–12:00 and 13:30–18:00 on weekdays, closed on Chinese public
holidays and open on 调休 make-up Saturdays. An inquiry's first reply is due within 4 business
hours (the bundled `standard` policy).
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.models import Incident
from arrears.care.selectors.sla import ticket_facts, ticket_sla_of
from arrears.care.services.tickets import receive_message, reply_to_ticket
from arrears.core.care.sla import ClockState
from arrears.core.care.sla_policy import Metric, TicketStatus
from tests.care.desk_fixtures import *  # noqa: F403
from tests.care.desk_fixtures import beijing, open_at

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def first_reply(ticket, now):  # type: ignore[no-untyped-def]
    clock = ticket_sla_of(ticket, now=now).clock(Metric.FIRST_REPLY)
    assert clock is not None
    return clock


def test_a_4_hour_first_reply_set_at_friday_1700_falls_due_on_monday_1200(beijing_desk):
    ticket = open_at(beijing(2026, 3, 6, 17), queue=beijing_desk)

    clock = first_reply(ticket, beijing(2026, 3, 6, 17, 30))

    assert clock.due_at == beijing(2026, 3, 9, 12)
    assert clock.state is ClockState.RUNNING


def test_on_the_default_desk_saturday_morning_counts(default_desk):
    ticket = open_at(beijing(2026, 3, 6, 17))

    assert ticket.queue.code == "general_zh"
    assert first_reply(ticket, beijing(2026, 3, 6, 17)).due_at == beijing(2026, 3, 7, 12)


def test_the_clock_stops_while_pending_on_the_borrower_and_restarts_when_they_reply(
    beijing_desk,
):
    ticket = open_at(beijing(2026, 3, 9, 9), queue=beijing_desk)
    reply_to_ticket(ticket=ticket, body="请提供账单截图。", by=None, status="pending",
                    at=beijing(2026, 3, 9, 10))  # fmt: skip

    paused = ticket_sla_of(ticket, now=beijing(2026, 3, 10, 16)).clock(Metric.RESOLUTION)
    assert paused is not None
    assert paused.state is ClockState.PAUSED
    assert paused.elapsed == HOUR

    receive_message(
        ticket=ticket, body="截图已发送。", channel="portal", at=beijing(2026, 3, 11, 10)
    )
    sla = ticket_sla_of(ticket, now=beijing(2026, 3, 11, 11))
    running = sla.clock(Metric.RESOLUTION)
    assert running is not None
    assert running.state is ClockState.RUNNING
    assert running.elapsed == 2 * HOUR
    next_reply = sla.clock(Metric.NEXT_REPLY, cycle=1)
    assert next_reply is not None
    assert next_reply.started_at == beijing(2026, 3, 11, 10)
    assert next_reply.elapsed == HOUR


def test_golden_week_does_not_count(beijing_desk):
    ticket = open_at(beijing(2026, 9, 30, 17), queue=beijing_desk)

    clock = first_reply(ticket, beijing(2026, 10, 5, 12))

    assert clock.elapsed == HOUR
    assert clock.due_at == beijing(2026, 10, 8, 12)


def test_a_tiaoxiu_saturday_counts(beijing_desk):
    ticket = open_at(beijing(2026, 10, 9, 17), queue=beijing_desk)

    clock = first_reply(ticket, beijing(2026, 10, 9, 17))

    assert clock.due_at == beijing(2026, 10, 10, 12)  # 调休 Saturday, Monday's hours


def test_an_outage_stops_the_clock(beijing_desk):
    ticket = open_at(beijing(2026, 3, 9, 9), queue=beijing_desk)
    Incident.objects.create(title_en="Core banking down", title_zh="核心系统故障",
                            notice_en="x", notice_zh="x", started_at=beijing(2026, 3, 9, 10),
                            ended_at=beijing(2026, 3, 9, 11))  # fmt: skip

    clock = first_reply(ticket, beijing(2026, 3, 9, 12))

    assert clock.elapsed == 2 * HOUR
    assert clock.due_at == beijing(2026, 3, 9, 15, 30)


def test_an_outage_still_going_on_keeps_the_clock_stopped(beijing_desk):
    ticket = open_at(beijing(2026, 3, 9, 9), queue=beijing_desk)
    Incident.objects.create(title_en="Line down", title_zh="热线故障", notice_en="x",
                            notice_zh="x", started_at=beijing(2026, 3, 9, 10))  # fmt: skip

    assert first_reply(ticket, beijing(2026, 3, 10, 17)).elapsed == HOUR


def test_ticket_facts_read_the_status_timeline_and_messages(beijing_desk):
    ticket = open_at(beijing(2026, 3, 9, 9), queue=beijing_desk)
    reply_to_ticket(ticket=ticket, body="您好", by=None, status="pending",
                    at=beijing(2026, 3, 9, 10))  # fmt: skip
    receive_message(ticket=ticket, body="谢谢", channel="portal", at=beijing(2026, 3, 9, 11))

    facts = ticket_facts(ticket)

    statuses = [c.status for c in facts.history]
    assert statuses == [TicketStatus.NEW, TicketStatus.PENDING, TicketStatus.OPEN]
    assert facts.agent_replies == (beijing(2026, 3, 9, 10),)
    assert facts.borrower_messages == (beijing(2026, 3, 9, 9), beijing(2026, 3, 9, 11))
    assert facts.jurisdiction is None  # no borrower known


def test_a_borrowers_complaint_carries_their_jurisdiction(default_desk):
    from tests.factories import make_borrower

    ticket = open_at(beijing(2026, 3, 9, 9), kind="complaint", borrower=make_borrower())

    assert ticket_facts(ticket).jurisdiction == "CN"
    clock = ticket_sla_of(ticket, now=beijing(2026, 3, 9, 10)).clock(Metric.FINAL_RESPONSE)
    assert clock is not None
    assert clock.regulatory_due_at == beijing(2026, 3, 25)
