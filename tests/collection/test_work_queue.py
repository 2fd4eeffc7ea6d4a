"""The agent's work queue: ordered by the value of a call now, lawful now, routed by skill and
capacity; taking the next call locks it, so two agents never get the same one."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from arrears.collection.choices import ActionStatus
from arrears.collection.models import CollectionAction
from arrears.collection.selectors import queue_load, work_queue
from arrears.collection.services import (
    flag_hardship,
    open_case,
    record_call_outcome,
    release_action,
    schedule_call,
    take_next_action,
)
from arrears.compliance.services import record_opt_out
from arrears.core.errors import Conflict, ValidationError
from tests.collection.conftest import MONDAY, clock_at, overdue_loan, primary_mobile, shanghai

pytestmark = pytest.mark.django_db


def queued_call(case, *, value=None, hour=9, key=None):
    action = schedule_call(
        case=case,
        at=shanghai(MONDAY, hour),
        number=primary_mobile(case.account),
        key=key or f"call-{case.pk}-{hour}",
        reason="a call",
        now=shanghai(MONDAY, hour),
        clock=clock_at(MONDAY, hour),
    )
    if value is not None:
        CollectionAction.objects.filter(pk=action.pk).update(expected_value_minor=value)
        action.refresh_from_db()
    return action


def new_case(**loan):
    account = overdue_loan(**loan)
    return open_case(account=account, on=MONDAY, reason="overdue", clock=clock_at(MONDAY, 8))


@pytest.fixture
def agent(make_collector, early_queue):  # type: ignore[no-untyped-def]
    return make_collector("li", queues=[early_queue], languages=["zh-hans"])


def test_the_queue_puts_the_most_valuable_call_first(desk, agent):
    low, high, none = new_case(), new_case(), new_case()
    queued_call(low, value=500)
    queued_call(high, value=9_000)
    queued_call(none)
    CollectionAction.objects.filter(case=none).update(expected_value_minor=None)

    view = work_queue(agent, now=shanghai(MONDAY, 10))

    assert [item.action.case for item in view.ready] == [high, low, none]


def test_the_queue_never_shows_an_account_the_gate_refuses_now(desk, agent):
    callable_case, opted_out = new_case(), new_case()
    queued_call(callable_case)
    queued_call(opted_out, value=99_999)
    record_opt_out(
        borrower=opted_out.borrower, channel="call", source="agent", clock=clock_at(MONDAY, 9)
    )

    view = work_queue(agent, now=shanghai(MONDAY, 10))

    assert [item.action.case for item in view.ready] == [callable_case]
    assert view.refused == 1
    taken = take_next_action(agent=agent, clock=clock_at(MONDAY, 10))
    assert taken is not None and taken.action.case == callable_case


def test_at_night_the_queue_shows_when_the_gate_allows_the_call(desk, agent):
    case = new_case()
    queued_call(case)

    view = work_queue(agent, now=shanghai(MONDAY, 23))

    assert view.ready == []
    (item,) = view.later
    assert item.next_permitted_at == shanghai(MONDAY + dt.timedelta(days=1), 8)
    assert take_next_action(agent=agent, clock=clock_at(MONDAY, 23)) is None
    item.action.refresh_from_db()
    assert (item.action.status, item.action.due_at) == (
        ActionStatus.DEFERRED,
        shanghai(MONDAY + dt.timedelta(days=1), 8),
    )


def test_hardship_cases_go_only_to_collectors_trained_for_them(desk, make_collector, early_queue):
    plain = make_collector("plain", queues=[early_queue])
    trained = make_collector("trained", queues=[early_queue], skills=["hardship_trained"])
    case = new_case()
    flag_hardship(case=case, on=MONDAY - dt.timedelta(days=40), reason="lost job",
                  clock=clock_at(MONDAY, 8))  # fmt: skip
    queued_call(case)

    assert work_queue(plain, now=shanghai(MONDAY, 10)).ready == []
    assert [i.action.case for i in work_queue(trained, now=shanghai(MONDAY, 10)).ready] == [case]


def test_a_collector_sees_only_borrowers_speaking_their_languages(
    desk, make_collector, early_queue
):
    english = make_collector("en-only", queues=[early_queue], languages=["en"])
    queued_call(new_case())

    assert work_queue(english, now=shanghai(MONDAY, 10)).ready == []


def test_a_collector_at_capacity_sees_only_their_own_cases(desk, make_collector, early_queue):
    full = make_collector("full", queues=[early_queue], max_open_cases=0)
    queued_call(new_case())

    assert work_queue(full, now=shanghai(MONDAY, 10)).ready == []


def test_a_paused_case_is_not_called(desk, agent):
    case = new_case()
    queued_call(case)
    flag_hardship(case=case, on=MONDAY, reason="claim", clock=clock_at(MONDAY, 8))

    assert work_queue(agent, now=shanghai(MONDAY, 10)).ready == []


def test_taking_the_next_call_gives_a_permit_and_the_outcome_uses_it(desk, agent):
    case = new_case()
    queued_call(case)

    taken = take_next_action(agent=agent, clock=clock_at(MONDAY, 10))

    assert taken is not None
    assert (taken.action.assigned_to, taken.permit.channel) == (agent, "call")
    done = record_call_outcome(
        case=case,
        action=taken.action,
        disposition="right_party_contact",
        number=taken.action.address,
        started_at=shanghai(MONDAY, 10, 1),
        permit=taken.permit,
        agent=agent,
        clock=clock_at(MONDAY, 10, 6),
    )
    taken.action.refresh_from_db()
    assert taken.action.status == ActionStatus.DONE
    assert done.attempt.permit == taken.permit
    # a call taken is not taken again by the next request
    assert take_next_action(agent=agent, clock=clock_at(MONDAY, 10, 7)) is None


def test_a_call_taken_can_be_given_back(desk, agent, make_collector, early_queue):
    queued_call(new_case())
    taken = take_next_action(agent=agent, clock=clock_at(MONDAY, 10))
    other = make_collector("zhao", queues=[early_queue])

    with pytest.raises(Conflict):
        release_action(action=taken.action, agent=other)
    release_action(action=taken.action, agent=agent)

    assert take_next_action(agent=other, clock=clock_at(MONDAY, 10, 1)) is not None


def test_only_collectors_have_a_queue(desk, django_user_model):
    stranger = django_user_model.objects.create_user(username="stranger")

    with pytest.raises(ValidationError) as error:
        work_queue(stranger, now=shanghai(MONDAY, 10))
    assert error.value.field == "agent"


def test_supervisors_see_the_load_per_queue_and_per_collector(desk, agent, early_queue):
    queued_call(new_case(), hour=9)
    queued_call(new_case(), hour=11)
    take_next_action(agent=agent, clock=clock_at(MONDAY, 10))

    load = queue_load(now=shanghai(MONDAY, 10))

    (row,) = load.queues
    assert (row.queue, row.waiting, row.ready, row.taken) == (early_queue, 2, 1, 1)
    assert row.oldest_due_at == shanghai(MONDAY, 9)
    (mine,) = load.collectors
    assert (mine.calls_in_hand, mine.capacity) == (1, 300)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_the_next_call_together_never_get_the_same_one(
    desk, make_collector, early_queue
):
    assert connection.vendor == "postgresql"
    agents = [make_collector(f"agent{n}", queues=[early_queue]) for n in range(4)]
    for n in range(4):
        queued_call(new_case(), value=1000 * (n + 1))
    start = threading.Barrier(len(agents))
    taken: list[int] = []
    errors: list[BaseException] = []

    def take(agent) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            with transaction.atomic():
                got = take_next_action(agent=agent, clock=clock_at(MONDAY, 10))
            if got is not None:
                taken.append(got.action.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(taken) == 4 and len(set(taken)) == 4
