"""The collection API: what a collector and a supervisor do over HTTP; bad input is a 422
naming the field and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from arrears.collection.models import CollectionAction, ContactOutcome, Promise
from arrears.collection.services import open_case, schedule_call
from arrears.compliance.models import ContactAttempt
from arrears.identity.services import issue_token
from tests.api.conftest import ApiClient, assert_problem
from tests.collection.conftest import overdue_loan, primary_mobile

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_case(desk):  # type: ignore[no-untyped-def]
    """An overdue loan's case opened today (the API runs on the real clock)."""
    account = overdue_loan()
    return open_case(account=account, on=timezone.localdate(), reason="overdue")


@pytest.fixture
def as_user(make_collector):  # type: ignore[no-untyped-def]
    def make(username: str, role: str = "collector", **fields: Any) -> ApiClient:
        user = make_collector(username, role=role, **fields)
        _token, secret = issue_token(user=user, name="tests")
        client = ApiClient(secret)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


def base(case):
    return f"/api/v1/accounts/{case.account_id}"


def outcome_body(case, **changes):
    return {
        "disposition": "no_answer",
        "number": primary_mobile(case.account),
        "started_at": (timezone.now() - dt.timedelta(minutes=2)).isoformat(),
        "duration_seconds": 25,
        **changes,
    }


def test_a_collector_records_a_call_outcome(today_case, as_user):
    collector = as_user("li")

    response = collector.post(f"{base(today_case)}/outcomes", outcome_body(today_case))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["disposition"], body["contact_outcome"], body["case_id"]) == (
        "no_answer",
        "no_answer",
        today_case.pk,
    )
    assert body["next_step"]
    assert ContactAttempt.objects.get().agent == collector.user


def test_an_unknown_disposition_is_a_422_naming_it_and_writes_nothing(today_case, as_user):
    response = as_user("li").post(
        f"{base(today_case)}/outcomes", outcome_body(today_case, disposition="shouted")
    )

    assert_problem(response, 422, "disposition")
    assert not ContactAttempt.objects.exists() and not ContactOutcome.objects.exists()


def test_a_promise_taken_over_the_api_once_per_key(today_case, as_user):
    collector = as_user("li")
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    body = {"instalments": [{"due_on": due, "amount": "500.00"}], "grace_days": 1}
    headers = {"Idempotency-Key": "ptp-api-1"}

    first = collector.post(f"{base(today_case)}/promises", body, headers=headers)
    again = collector.post(f"{base(today_case)}/promises", body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["total"] == {"minor": 50000, "currency": "CNY", "amount": "500.00"}
    assert Promise.objects.count() == 1
    listed = collector.get(f"{base(today_case)}/promises").json()
    assert listed["count"] == 1 and listed["items"][0]["status"] == "live"


@pytest.mark.parametrize(
    ("days_ahead", "amount", "field"),
    [
        (-1, "10.00", "instalments[0].due_on"),
        (400, "10.00", "instalments[0].due_on"),
        (2, "10.001", "instalments[0].amount"),
        (2, 10, "instalments[0].amount"),
        (2, "99999999.00", "instalments"),
    ],
)
def test_a_bad_promise_is_a_422_naming_the_field(today_case, as_user, days_ahead, amount, field):
    due = (timezone.localdate() + dt.timedelta(days=days_ahead)).isoformat()

    response = as_user("li").post(
        f"{base(today_case)}/promises", {"instalments": [{"due_on": due, "amount": amount}]}
    )

    assert_problem(response, 422, field)
    assert not Promise.objects.exists()


def test_escalations_are_requested_by_collectors_and_decided_by_supervisors(today_case, as_user):
    collector, supervisor = as_user("li"), as_user("boss", role="collection_supervisor")

    response = collector.post(
        f"/api/v1/cases/{today_case.pk}/escalations", {"kind": "lawyers_letter"}
    )

    assert response.status_code == 201, response.content
    escalation = response.json()
    assert escalation["status"] == "not_eligible"
    assert any(not c["passed"] and c["text_zh"] for c in escalation["checks"])
    refused = collector.post(f"/api/v1/escalations/{escalation['id']}/reject", {"reason": "no"})
    assert_problem(refused, 403)
    not_waiting = supervisor.post(f"/api/v1/escalations/{escalation['id']}/reject", {"reason": "x"})
    assert_problem(not_waiting, 409)


def test_a_collector_works_the_queue_over_the_api(today_case, as_user, early_queue):
    collector = as_user("li", queues=[early_queue])
    now = timezone.now()
    call = schedule_call(
        case=today_case,
        at=now,
        number=primary_mobile(today_case.account),
        key="api-call",
        reason="call",
        now=now,
    )
    # due now, whatever the hour the test runs at (the gate then says now or later)
    CollectionAction.objects.filter(pk=call.pk).update(status="queued", due_at=now)

    queue = collector.get("/api/v1/collection/queue")
    taken = collector.post("/api/v1/collection/queue/take-next", {})

    assert queue.status_code == 200 and taken.status_code == 200
    # the gate decides by the hour of day in Shanghai: either callable now, or later
    listed = queue.json()["ready"] + queue.json()["later"]
    assert [i["account_id"] for i in listed] == [today_case.account_id]
    body = taken.json()
    if body["taken"]:
        assert body["permit_id"] and body["action"]["case_id"] == today_case.pk
    else:
        assert queue.json()["ready"] == []


def test_supervisors_see_the_load_and_the_agencies(today_case, as_user):
    supervisor, collector = as_user("boss", role="collection_supervisor"), as_user("li")

    load = supervisor.get("/api/v1/collection/load")
    agencies = supervisor.get(
        "/api/v1/collection/agency-performance", start_on="2025-01-01", end_on="2025-12-31"
    )

    assert load.status_code == 200 and "queues" in load.json()
    assert agencies.status_code == 200 and agencies.json() == []
    assert_problem(collector.get("/api/v1/collection/load"), 403)


def test_a_case_shows_its_history(today_case, as_user):
    body = as_user("li").get(f"/api/v1/cases/{today_case.pk}").json()

    assert body["stage"] == "early"
    assert [e["kind"] for e in body["events"]] == ["opened"]
    cases = as_user("zhou").get(f"{base(today_case)}/cases").json()
    assert [c["id"] for c in cases] == [today_case.pk]


def test_the_dispositions_are_listed_in_both_languages(desk, as_user):
    body = as_user("li").get("/api/v1/collection/dispositions").json()

    codes = {d["code"]: d for d in body}
    assert codes["right_party_contact"]["label_zh"] == "本人接通"
    assert len(codes) == 15


def test_without_a_token_nothing_is_shown(today_case):
    assert_problem(ApiClient(None).get(f"/api/v1/cases/{today_case.pk}"), 401)
