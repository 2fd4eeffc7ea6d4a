"""Queues and skills: where a ticket goes, who takes it, and the borrower's place in line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.care.models import CareQueue, TicketEvent
from arrears.care.selectors.desk import queue_load, queue_position
from arrears.care.services.routing import assign_next, queue_for, take_next_ticket
from tests.care.desk_fixtures import *  # noqa: F403
from tests.care.desk_fixtures import beijing, make_agent, open_at
from tests.conftest import rolled_back

pytestmark = pytest.mark.django_db

MONDAY_0900 = beijing(2026, 3, 9, 9)


def queue(code):  # type: ignore[no-untyped-def]
    return CareQueue.objects.get(code=code)


@pytest.mark.parametrize(
    ("kind", "language", "expected"),
    [
        ("complaint", "zh-hans", "complaints"),
        ("complaint", "en", "complaints"),
        ("hardship_request", "zh-hans", "hardship"),
        ("dispute", "en", "disputes"),
        ("inquiry", "zh-hans", "general_zh"),
        ("inquiry", "en", "general_en"),
        ("callback", "en", "general_en"),
    ],
)
def test_a_ticket_goes_to_the_queue_for_its_kind_and_language(
    default_desk, kind, language, expected
):
    ticket = open_at(MONDAY_0900, kind=kind, language=language)

    assert ticket.queue.code == expected
    assert queue_for(ticket) == ticket.queue


def test_a_queue_naming_the_kind_beats_a_catch_all_queue_listed_first(beijing_desk):
    complaint = open_at(MONDAY_0900, kind="complaint")

    assert beijing_desk.sort_order < queue("complaints").sort_order
    assert complaint.queue.code == "complaints"


def test_assignment_gives_the_ticket_to_the_able_agent_with_fewest_open_tickets(default_desk):
    complaints = queue("complaints")
    busy = make_agent([complaints], skills=["complaints"], languages=["zh-hans"])
    free = make_agent([complaints], skills=["complaints"], languages=["zh-hans"])
    make_agent([complaints], skills=[], languages=["zh-hans"])  # lacks the skill
    make_agent([complaints], skills=["complaints"], languages=["en"])  # wrong language
    earlier = open_at(MONDAY_0900, kind="complaint")
    assert assign_next(ticket=earlier, at=MONDAY_0900) == busy  # tie: lowest id

    later = open_at(beijing(2026, 3, 9, 9, 5), kind="complaint")
    chosen = assign_next(ticket=later, at=beijing(2026, 3, 9, 9, 5))

    assert chosen == free
    later.refresh_from_db()
    assert later.assignee == free.user
    event = TicketEvent.objects.get(ticket=later, kind="assigned")
    assert event.params["agent"] == free.user.username


def test_nobody_gets_a_ticket_beyond_their_capacity(default_desk):
    general = queue("general_zh")
    agent = make_agent([general], skills=["language:zh"], max_open_tickets=1)
    first = open_at(MONDAY_0900)
    second = open_at(MONDAY_0900)

    assert assign_next(ticket=first, at=MONDAY_0900) == agent
    assert assign_next(ticket=second, at=MONDAY_0900) is None
    second.refresh_from_db()
    assert second.assignee is None
    assert not TicketEvent.objects.filter(ticket=second, kind="assigned").exists()


def test_an_agent_pulling_work_takes_the_ticket_due_first(default_desk):
    general = queue("general_zh")
    agent = make_agent([general], skills=["language:zh"])
    older_normal = open_at(MONDAY_0900)
    newer_urgent = open_at(beijing(2026, 3, 9, 10), priority="urgent")  # due 11:00, not 13:00

    taken = take_next_ticket(agent=agent, at=beijing(2026, 3, 9, 10, 5))

    assert taken == newer_urgent
    assert take_next_ticket(agent=agent, at=beijing(2026, 3, 9, 10, 5)) == older_normal
    assert take_next_ticket(agent=agent, at=beijing(2026, 3, 9, 10, 5)) is None


def test_an_agent_without_the_queues_skills_takes_nothing_from_it(default_desk):
    agent = make_agent([queue("complaints")], skills=["language:zh"])
    open_at(MONDAY_0900, kind="complaint")

    assert take_next_ticket(agent=agent, at=MONDAY_0900) is None


def test_the_borrower_sees_their_place_among_tickets_nobody_has_taken(default_desk):
    general = queue("general_zh")
    first = open_at(MONDAY_0900)
    second = open_at(beijing(2026, 3, 9, 9, 10))
    third = open_at(beijing(2026, 3, 9, 9, 20))
    now = beijing(2026, 3, 9, 9, 30)

    assert [queue_position(t, now=now) for t in (first, second, third)] == [1, 2, 3]

    take_next_ticket(agent=make_agent([general], skills=["language:zh"]), at=now)
    first.refresh_from_db()
    assert queue_position(first, now=now) is None
    assert queue_position(third, now=now) == 2


def test_supervisors_see_each_queues_load(default_desk):
    general = queue("general_zh")
    make_agent([general], skills=["language:zh"], max_open_tickets=10)
    make_agent([general], skills=["language:zh"], max_open_tickets=5)
    waiting = open_at(MONDAY_0900)
    taken = open_at(MONDAY_0900)
    assign_next(ticket=taken, at=MONDAY_0900)

    loads = {row.code: row for row in queue_load()}

    assert loads["general_zh"].waiting == 1
    assert loads["general_zh"].assigned == 1
    assert loads["general_zh"].agents == 2
    assert loads["general_zh"].capacity == 15
    assert loads["general_zh"].oldest_waiting_since == waiting.created_at
    assert loads["complaints"].waiting == 0
    assert next(iter(loads)) == "complaints"  # queue order


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacities=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=4),
    tickets=st.integers(min_value=0, max_value=10),
)
def test_assignment_never_puts_an_agent_over_capacity_and_fills_what_capacity_allows(
    default_desk, capacities, tickets
):
    with rolled_back():
        general = queue("general_zh")
        agents = [make_agent([general], skills=["language:zh"], max_open_tickets=c)
                  for c in capacities]  # fmt: skip
        assigned = [assign_next(ticket=open_at(MONDAY_0900), at=MONDAY_0900)
                    for _ in range(tickets)]  # fmt: skip

        given_to = [a for a in assigned if a is not None]
        assert len(given_to) == min(tickets, sum(capacities))
        for agent in agents:
            assert given_to.count(agent) <= agent.max_open_tickets


@pytest.mark.postgres_only
def test_two_agents_pulling_at_once_never_get_the_same_ticket(transactional_db, default_desk):
    from django.db import connections

    general = queue("general_zh")
    agent = make_agent([general], skills=["language:zh"])
    first = open_at(MONDAY_0900)
    second = open_at(beijing(2026, 3, 9, 9, 10))
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # another agent's transaction holds the first ticket
            cursor.execute("SELECT id FROM care_ticket WHERE id = %s FOR UPDATE", [first.pk])

            taken = take_next_ticket(agent=agent, at=beijing(2026, 3, 9, 9, 30))

        assert taken == second
    finally:
        other.rollback()
        other.close()
