"""The compliance API: the same check as the CLI, holds and decisions, and who may do what."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from arrears.compliance.models import Hold, OptOut
from arrears.compliance.services import check_contact, request_permit
from arrears.core.compliance.wire import decision_document
from tests.api.conftest import ApiClient, assert_problem
from tests.compliance.conftest import US_MOBILE_E164, mobile_of
from tests.compliance.test_cli import EXAMPLE, MARS
from tests.core.compliance.test_wire import changed

pytestmark = pytest.mark.django_db


def example() -> dict:  # type: ignore[type-arg]
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def hold_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "dispute",
        "start_on": "2025-01-14",
        "review_on": "2025-02-14",
        "reason": "disputes the late fee in writing",
    }
    body.update(changes)
    return body


def test_the_check_answers_as_the_cli_does(agent_api, profiles):
    response = agent_api.post("/api/v1/compliance/check", example())

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer == json.loads(json.dumps(decision_document(check_contact(example()))))
    assert answer["allowed"] is False
    assert answer["next_permitted_at"] == "2025-01-27T16:00:00Z"
    refusal = next(r for r in answer["rules"] if r["outcome"] == "deny")
    assert refusal["id"] == "frequency.after_conversation"
    assert refusal["citation"]["ref"] == "US-FREQ-01"


def test_the_check_needs_a_token(db):
    response = ApiClient(None).post("/api/v1/compliance/check", example())

    assert_problem(response, 401)


def test_the_check_needs_a_role_that_may_check(api_as):
    response = api_as(None).post("/api/v1/compliance/check", example())

    assert_problem(response, 403)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("borrower.addresses", MARS, "borrower.addresses[0].time_zone"),
        ("at", "2025-01-22T18:30:00", "at"),
        ("history.1.outcome", "hung up", "history[1].outcome"),
        ("colour", "red", "colour"),
        ("jurisdiction", "JP", "jurisdiction"),
    ],
)
def test_a_bad_check_is_422_naming_the_field(agent_api, path, value, field):
    response = agent_api.post("/api/v1/compliance/check", changed(example(), path, value))

    assert_problem(response, 422, field=field)


def test_a_supervisor_sets_a_hold_and_an_agent_sees_it_on_the_account(
    supervisor_api, agent_api, us_card
):
    borrower = us_card.borrower

    created = supervisor_api.post(
        f"/api/v1/borrowers/{borrower.pk}/holds", hold_body(account_id=us_card.pk)
    )

    assert created.status_code == 201, created.content
    hold = created.json()
    assert (hold["kind"], hold["account_id"], hold["set_by"]) == (
        "dispute",
        us_card.pk,
        "supervisor-user",
    )
    listed = agent_api.get(f"/api/v1/accounts/{us_card.pk}/holds", all="true")
    assert listed.status_code == 200, listed.content
    assert [h["id"] for h in listed.json()] == [hold["id"]]


def test_an_agent_may_not_set_a_hold(agent_api, us_card):
    response = agent_api.post(f"/api/v1/borrowers/{us_card.borrower.pk}/holds", hold_body())

    assert_problem(response, 403)
    assert not Hold.objects.exists()


def test_a_compliance_officer_sets_and_lifts_a_hold_once(compliance_api, us_card):
    created = compliance_api.post(f"/api/v1/borrowers/{us_card.borrower.pk}/holds", hold_body())
    hold_id = created.json()["id"]

    lifted = compliance_api.post(f"/api/v1/holds/{hold_id}/lift", {"reason": "answered"})
    again = compliance_api.post(f"/api/v1/holds/{hold_id}/lift", {"reason": "again"})

    assert lifted.status_code == 200 and lifted.json()["lifted_by"] == "compliance-user"
    assert_problem(again, 409)


def test_a_hold_that_says_neither_end_nor_review_is_422_naming_the_field(supervisor_api, us_card):
    response = supervisor_api.post(
        f"/api/v1/borrowers/{us_card.borrower.pk}/holds", hold_body(review_on=None)
    )

    assert_problem(response, 422, field="review_on")


def test_a_hold_on_another_borrower_s_account_is_refused(supervisor_api, us_card, cn_loan):
    response = supervisor_api.post(
        f"/api/v1/borrowers/{us_card.borrower.pk}/holds", hold_body(account_id=cn_loan.pk)
    )

    assert_problem(response, 422, field="account")


def test_current_holds_leave_out_lifted_and_ended_ones(agent_api, us_card):
    from arrears.compliance.services import lift_hold, set_hold

    borrower = us_card.borrower
    ended = set_hold(
        borrower=borrower,
        kind="cease_communication",
        start_on=dt.date(2020, 1, 1),
        end_on=dt.date(2020, 2, 1),
        reason="old",
    )
    lifted = set_hold(
        borrower=borrower,
        kind="dispute",
        start_on=dt.date(2020, 1, 1),
        review_on=dt.date(2099, 1, 1),
        reason="lifted",
    )
    lift_hold(hold=lifted, reason="answered")
    current = set_hold(
        borrower=borrower,
        kind="attorney",
        start_on=dt.date(2020, 1, 1),
        review_on=dt.date(2099, 1, 1),
        reason="represented",
    )

    now = agent_api.get(f"/api/v1/accounts/{us_card.pk}/holds").json()
    every = agent_api.get(f"/api/v1/accounts/{us_card.pk}/holds", all="true").json()

    assert [h["id"] for h in now] == [current.pk]
    assert {h["id"] for h in every} == {ended.pk, lifted.pk, current.pk}


def test_the_account_s_latest_decisions_come_with_their_reasons(
    agent_api, us_card, ny_clock, django_assert_max_num_queries
):
    for hour in range(3):
        request_permit(
            borrower=us_card.borrower,
            account=us_card,
            channel="call",
            address=US_MOBILE_E164,
            purpose="collection",
            at=ny_clock.now() + dt.timedelta(hours=12 * hour),
            clock=ny_clock,
        )

    with django_assert_max_num_queries(8):
        response = agent_api.get(f"/api/v1/accounts/{us_card.pk}/decisions", limit=2)

    assert response.status_code == 200, response.content
    page = response.json()
    assert page["count"] == 3 and len(page["items"]) == 2
    latest = page["items"][0]
    assert set(latest["rules"][0]) == {
        "id", "outcome", "reason", "reason_zh", "citation", "next_permitted_at",
    }  # fmt: skip
    refused = [d for d in page["items"] if not d["allowed"]]
    assert refused and refused[0]["denied_rules"] == ["hours.window"]  # 22:00 New York


def test_an_agent_records_a_stop_heard_on_the_phone(agent_api, cn_loan, cn_clock):
    borrower = cn_loan.borrower

    response = agent_api.post(
        f"/api/v1/borrowers/{borrower.pk}/opt-outs",
        {
            "channel": "sms",
            "address": mobile_of(borrower),
            "source": "agent",
            "message": "别再发短信",
        },
    )

    assert response.status_code == 201, response.content
    assert OptOut.objects.get().source == "agent"
    texted = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=cn_clock,
    )
    assert texted.denied_rule_ids == ["channel.opt_out"]


def test_an_opt_out_without_a_token_is_401(db, us_card):
    response = ApiClient(None).post(
        f"/api/v1/borrowers/{us_card.borrower.pk}/opt-outs", {"channel": "sms", "source": "x"}
    )

    assert_problem(response, 401)


def test_reading_holds_of_an_unknown_account_is_404(agent_api):
    assert_problem(agent_api.get("/api/v1/accounts/999999/holds"), 404)
