"""The ticket API: what an agent does with tickets over HTTP; bad input is a 422 naming the
field and writes nothing; the list reads in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from arrears.care.models import Ticket, TicketEvent, TicketMessage
from arrears.compliance.models import Hold
from arrears.identity.services import issue_token
from tests.api.conftest import ApiClient, assert_problem
from tests.care.ticket_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BASE = "/api/v1/care/tickets"
EVERYTHING = ("view_ticket", "add_ticket", "change_ticket", "add_ticketmessage")


def desk_client(username: str, *codenames: str) -> ApiClient:
    user = get_user_model().objects.create_user(username=username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="care", codename__in=codenames)
    )
    _token, secret = issue_token(user=user, name="tests")
    client = ApiClient(secret)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def agent(db) -> ApiClient:
    return desk_client("wang.fang", *EVERYTHING)


def opened(agent: ApiClient, **body: Any) -> dict[str, Any]:
    response = agent.post(
        BASE, {"kind": "inquiry", "subject": "提前还款", "origin": "phone", **body}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_agent_opens_a_ticket_for_a_borrower_and_reads_it_back(agent, borrower_loan):
    body = opened(agent, borrower_id=borrower_loan.borrower_id, account_ids=[borrower_loan.pk],
                  body="客户来电询问提前还款", priority="high")  # fmt: skip

    assert (body["status"], body["priority"], body["accounts"]) == (
        "new", "high", [borrower_loan.number],
    )  # fmt: skip
    assert [m["body"] for m in body["thread"]] == ["客户来电询问提前还款"]
    read = agent.get(f"{BASE}/{body['reference']}").json()
    assert read["reference"] == body["reference"]
    assert [h["reason"] for h in read["history"]] == ["ticket.opened"]
    assert read["history"][0]["words"]


def test_a_hardship_request_shows_the_free_debt_advice_of_the_borrowers_jurisdiction(
    agent, borrower_loan
):
    from arrears.hardship.services.content import load_debt_advice

    load_debt_advice()
    hardship = opened(
        agent,
        kind="hardship_request",
        subject="失业了，暂时还不上",
        borrower_id=borrower_loan.borrower_id,
        account_ids=[borrower_loan.pk],
    )
    inquiry = opened(agent, borrower_id=borrower_loan.borrower_id)

    advice = agent.get(f"{BASE}/{hardship['reference']}").json()["debt_advice"]
    assert advice and {a["jurisdiction"] for a in advice} == {"CN"}
    assert {"cn-12378", "cn-12348"} <= {a["code"] for a in advice}
    assert agent.get(f"{BASE}/{inquiry['reference']}").json()["debt_advice"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "praise"}, "kind"),
        ({"subject": ""}, "subject"),
        ({"language": "fr"}, "language"),
        ({"colour": "red"}, "colour"),
        ({"borrower_id": 999_999}, "borrower_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(agent, changes, field):
    body = {"kind": "inquiry", "subject": "提前还款", **changes}

    assert_problem(agent.post(BASE, body), 422, field)

    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()


def test_another_borrowers_account_is_refused_by_name(agent, borrower_loan, other_loan):
    body = {"kind": "dispute", "subject": "不是我的", "borrower_id": borrower_loan.borrower_id,
            "account_ids": [borrower_loan.pk, other_loan.pk]}  # fmt: skip

    assert_problem(agent.post(BASE, body), 422, "accounts")

    assert not Ticket.objects.exists() and not Hold.objects.exists()


def test_an_unknown_account_is_named_by_its_place(agent, borrower_loan):
    body = {"kind": "inquiry", "subject": "x", "borrower_id": borrower_loan.borrower_id,
            "account_ids": [borrower_loan.pk, 999_999]}  # fmt: skip

    assert_problem(agent.post(BASE, body), 422, "account_ids[1]")


def test_the_desk_list_filters_and_pages_in_a_fixed_number_of_queries(
    agent, borrower_loan, django_assert_num_queries
):
    for n in range(3):
        opened(agent, subject=f"问题 {n}", borrower_id=borrower_loan.borrower_id,
               account_ids=[borrower_loan.pk])  # fmt: skip
    opened(agent, kind="complaint", subject="投诉")

    with django_assert_num_queries(6):  # token, 2 × permissions, count, page, accounts
        page = agent.get(BASE, kind="inquiry", limit=2).json()
    for n in range(6):
        opened(agent, subject=f"更多 {n}", borrower_id=borrower_loan.borrower_id,
               account_ids=[borrower_loan.pk])  # fmt: skip
    with django_assert_num_queries(6):
        agent.get(BASE, limit=50)

    assert page["count"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["accounts"] == [borrower_loan.number]
    assert agent.get(BASE, status=["new", "open"]).json()["count"] == 10
    assert agent.get(BASE, status="solved").json()["count"] == 0


def test_reply_note_and_status_over_the_api(desk, agent, borrower_loan):
    ref = opened(agent, origin="email", borrower_id=borrower_loan.borrower_id,
                 account_ids=[borrower_loan.pk])["reference"]  # fmt: skip

    reply = agent.post(f"{BASE}/{ref}/replies", {"body": "您好，已为您查询。", "status": "pending"})
    note = agent.post(f"{BASE}/{ref}/notes", {"body": "等客户回复流水"})
    solved = agent.post(f"{BASE}/{ref}/status", {"status": "solved", "reason": "客户确认"})

    assert reply.status_code == 201, reply.content
    assert reply.json()["ticket"]["status"] == "pending"
    assert reply.json()["message"]["outbox_message_id"] is not None
    assert note.status_code == 201 and note.json()["message"]["outbox_message_id"] is None
    assert solved.status_code == 200 and solved.json()["status"] == "solved"
    detail = agent.get(f"{BASE}/{ref}").json()
    assert [m["direction"] for m in detail["thread"]] == ["outbound", "internal"]
    assert detail["first_replied_at"] is not None


def test_a_refused_status_move_is_a_422_and_a_closed_ticket_a_409(agent):
    ref = opened(agent)["reference"]
    agent.post(f"{BASE}/{ref}/status", {"status": "closed"})

    assert_problem(agent.post(f"{BASE}/{ref}/status", {"status": "open"}), 422, "status")
    assert_problem(agent.post(f"{BASE}/{ref}/replies", {"body": "在吗"}), 409)
    assert not TicketMessage.objects.filter(direction="outbound").exists()


def test_priority_kind_and_assignee_over_the_api(agent, borrower_loan):
    ref = opened(agent, borrower_id=borrower_loan.borrower_id,
                 account_ids=[borrower_loan.pk])["reference"]  # fmt: skip

    assert agent.post(f"{BASE}/{ref}/priority", {"priority": "urgent"}).json()["priority"] == (
        "urgent"
    )
    assert agent.post(f"{BASE}/{ref}/kind", {"kind": "dispute"}).json()["kind"] == "dispute"
    assigned = agent.post(f"{BASE}/{ref}/assign", {"username": "wang.fang"}).json()
    assert assigned["assignee"] == "wang.fang"
    assert agent.post(f"{BASE}/{ref}/assign", {"unassign": True}).json()["assignee"] is None
    assert Hold.objects.get().account == borrower_loan
    assert_problem(agent.post(f"{BASE}/{ref}/assign", {"username": "nobody"}), 422, "username")


def test_without_a_name_the_ticket_goes_to_an_agent_with_room_or_says_none_has(agent):
    ref = opened(agent)["reference"]

    assert_problem(agent.post(f"{BASE}/{ref}/assign", {}), 422, "username")


def test_merge_and_link_over_the_api(agent, borrower_loan, other_loan):
    first = opened(agent, body="第一封")["reference"]
    second = opened(agent, body="第二封")["reference"]

    linked = agent.post(f"{BASE}/{second}/link", {"borrower_id": borrower_loan.borrower_id,
                                                   "account_ids": [borrower_loan.pk]})  # fmt: skip
    merged = agent.post(f"{BASE}/{first}/merge", {"into": second})

    assert linked.status_code == 200 and linked.json()["accounts"] == [borrower_loan.number]
    assert merged.status_code == 200, merged.content
    assert merged.json()["merged"] == [first]
    assert [m["body"] for m in merged.json()["thread"]] == ["第一封", "第二封"]
    assert agent.get(f"{BASE}/{first}").json()["merged_into"] == second
    assert_problem(agent.post(f"{BASE}/{second}/merge", {"into": second}), 422, "target")
    assert_problem(agent.post(f"{BASE}/{second}/merge", {"into": "T9999999"}), 422, "into")
    wrong = agent.post(f"{BASE}/{second}/link", {"account_ids": [other_loan.pk]})
    assert_problem(wrong, 422, "accounts")


def test_a_reader_without_the_permission_is_refused_and_an_unknown_ticket_is_a_404(agent):
    ref = opened(agent)["reference"]
    reader = desk_client("reader", "view_ticket")

    assert_problem(reader.post(f"{BASE}/{ref}/notes", {"body": "x"}), 403)
    assert_problem(desk_client("nobody").get(BASE), 403)
    assert reader.get(f"{BASE}/{ref}").status_code == 200
    assert_problem(reader.get(f"{BASE}/T9999999"), 404)
