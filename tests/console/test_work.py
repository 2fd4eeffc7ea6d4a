"""My work: the collector's queue, best call first, with why each account is there and what the
compliance gate allows now; "Open next" takes the next call for real and opens its account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.collection.models import CollectionAction
from arrears.compliance.services import record_opt_out
from tests.console.agent_desk import *  # noqa: F403
from tests.console.agent_desk import (
    MONDAY,
    collector,
    queued_account,
    shanghai,
    stop_clock,
)
from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db


MY_WORK = "/console/work/"


def test_a_collector_sees_their_queue_best_call_first_with_why_and_what_the_gate_allows(
    client, desk, monday_morning, django_assert_max_num_queries
):
    low = queued_account("李明", value=800)
    high = queued_account("王芳", value=9_000)
    client.force_login(collector())

    with django_assert_max_num_queries(40):
        response = client.get(MY_WORK)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("王芳") < page.index("李明")  # the more valuable call first
    assert high.number in page and low.number in page
    assert "day 14: first call of the early stage" in page  # why it is there
    assert "Call allowed now" in page
    assert 'data-shortcut="n"' in page
    assert "1,039.43" in page  # the amount overdue


def test_an_account_the_gate_refuses_is_left_out_and_counted(client, desk, monday_morning):
    kept = queued_account("王芳")
    refused = queued_account("李明", value=99_000)
    record_opt_out(borrower=refused.borrower, channel="call", source="agent")
    client.force_login(collector())

    page = client.get(MY_WORK).content.decode()

    assert kept.number in page and refused.number not in page
    assert "1 call is left out" in page


def test_open_next_takes_the_best_call_and_opens_its_account(client, desk, monday_morning):
    queued_account("李明", value=800)
    best = queued_account("王芳", value=9_000)
    agent = collector()
    client.force_login(agent)

    response = client.post(reverse("console:open-next"))

    assert response.status_code == 302
    assert response["Location"] == reverse("console:account", args=[best.pk]) + "#call"
    taken = CollectionAction.objects.get(account=best)
    assert taken.assigned_to == agent and taken.taken_at is not None
    assert taken.decision is not None and taken.decision.allowed
    page = client.get(response["Location"]).content.decode()
    assert "You took this call from your queue" in page


def test_open_next_with_nothing_callable_says_the_queue_is_clear(client, desk, monday_morning):
    client.force_login(collector())

    response = client.post(reverse("console:open-next"), follow=True)

    assert "Nothing may be called now" in response.content.decode()


def test_at_night_the_queue_shows_when_the_gate_will_next_allow_the_call(client, desk, monkeypatch):
    stop_clock(monkeypatch, shanghai(MONDAY, 23))
    account = queued_account("王芳")
    client.force_login(collector())

    page = client.get(MY_WORK).content.decode()

    assert "Allowed later" in page and account.number in page
    assert "Next call allowed" in page


def test_my_work_in_chinese(client, desk, monday_morning):
    queued_account("王芳")
    client.force_login(collector())

    page = client.get(MY_WORK, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "我的工作" in page


@pytest.mark.parametrize("role", ["compliance", "supervisor"])
def test_roles_without_a_work_queue_are_refused(client, desk, role):
    client.force_login(make_staff_user(role))

    response = client.get(MY_WORK)

    assert response.status_code == 403


def test_a_staff_member_with_the_permission_but_no_collector_profile_is_told_why(client, desk):
    client.force_login(make_staff_user("agent"))

    response = client.get(MY_WORK)

    assert response.status_code == 403
    assert "not set up as a collector" in response.content.decode()


def test_a_borrower_login_gets_403_and_an_anonymous_visitor_signs_in(client, desk):
    assert client.get(MY_WORK).status_code == 302
    client.force_login(make_borrower_login())
    assert client.get(MY_WORK).status_code == 403
    assert client.post(reverse("console:open-next")).status_code == 403


def test_open_next_only_by_post(client, desk):
    client.force_login(collector())
    assert client.get(reverse("console:open-next")).status_code == 405
