"""The phone line over HTTP: the IVR's greeting, calls, waits, callbacks, incidents, status."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from arrears.care.models import Callback, PhoneCall, Ticket
from arrears.identity.services import issue_token
from tests.care.line_fixtures import (
    beijing_borrower,
    make_calendar,
    make_line_queue,
    mobile_of,
    notice_templates,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_templates")]
__all__ = ["notice_templates"]
LINE_PERMISSIONS = ("phonecall", "callback", "incident")
ALWAYS_OPEN = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class Api:
    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def desk_api() -> Api:
    user = get_user_model().objects.create_user(username="ivr")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="care", content_type__model__in=LINE_PERMISSIONS
        )
    )
    _token, secret = issue_token(user=user, name="ivr")
    return Api(secret)


@pytest.fixture
def queue() -> Any:
    return make_line_queue(calendar=make_calendar(ALWAYS_OPEN), code="hotline")


def test_the_ivr_gets_a_greeting_with_the_wait_for_a_known_borrower(desk_api, queue):
    borrower = beijing_borrower()

    response = desk_api.post(
        "/care/calls/inbound", {"number": mobile_of(borrower), "queue": "hotline"}
    )

    assert response.status_code == 200, response.content
    greeting = response.json()
    assert greeting["borrower_id"] == borrower.pk
    assert greeting["open"] is True
    assert greeting["wait_band"] == "wait.under_2_minutes"
    assert greeting["script"]
    assert PhoneCall.objects.filter(pk=greeting["call_id"], outcome="waiting").exists()


def test_a_call_logged_as_abandoned_over_the_api_opens_a_callback_ticket(desk_api, queue):
    borrower = beijing_borrower()
    greeting = desk_api.post(
        "/care/calls/inbound", {"number": mobile_of(borrower), "queue": "hotline"}
    ).json()
    started = PhoneCall.objects.get(pk=greeting["call_id"]).started_at

    response = desk_api.post(
        "/care/calls",
        {
            "call_id": greeting["call_id"],
            "queue": "hotline",
            "outcome": "abandoned",
            "started_at": started.isoformat(),
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["ticket"] == Ticket.objects.get(borrower=borrower).reference


def test_the_wait_and_the_callback_slots_of_a_queue_can_be_read(desk_api, queue):
    borrower = beijing_borrower()

    wait = desk_api.get("/care/queues/hotline/wait")
    slots = desk_api.get("/care/queues/hotline/callback-slots", number=mobile_of(borrower))

    assert wait.status_code == 200, wait.content
    assert wait.json()["words_zh"] == "2分钟以内"
    assert slots.status_code == 200, slots.content
    assert slots.json()["slots"]


def test_a_callback_booked_over_the_api_then_completed(desk_api, queue):
    borrower = beijing_borrower()
    slots = desk_api.get("/care/queues/hotline/callback-slots", number=mobile_of(borrower)).json()
    first = slots["slots"][0]["start"]

    booked = desk_api.post(
        "/care/callbacks", {"queue": "hotline", "number": mobile_of(borrower), "slot_start": first}
    )
    assert booked.status_code == 201, booked.content
    callback_id = booked.json()["id"]
    done = desk_api.post(f"/care/callbacks/{callback_id}/complete", {"outcome": "cancelled"})

    assert done.status_code == 200, done.content
    assert Callback.objects.get(pk=callback_id).status == "cancelled"


def test_a_booking_without_a_slot_or_an_unknown_queue_is_refused(desk_api, queue):
    response = desk_api.post(
        "/care/callbacks", {"queue": "hotline", "number": "+8613800000000", "keep_place": False}
    )

    assert response.status_code == 422
    assert "slot" in response.content.decode()
    assert desk_api.get("/care/queues/nowhere/wait").status_code == 404


def test_the_incident_switch_shows_its_notice_on_the_public_status(desk_api):
    started = desk_api.post(
        "/care/incidents",
        {
            "title_en": "Payments down",
            "title_zh": "还款故障",
            "notice_en": "Payments are delayed.",
            "notice_zh": "还款处理延迟。",
        },
    )
    assert started.status_code == 201, started.content

    status = Api(None).get("/care/status")

    assert status.status_code == 200
    assert status.json()["notice_zh"] == "还款处理延迟。"
    ended = desk_api.post(f"/care/incidents/{started.json()['id']}/end")
    assert ended.status_code == 200, ended.content
    assert ended.json()["callbacks_swept_at"] is not None
    assert Api(None).get("/care/status").json()["incident"] is None


def test_the_line_api_needs_the_desks_permissions(queue):
    user = get_user_model().objects.create_user(username="nobody")
    _token, secret = issue_token(user=user, name="t")

    response = Api(secret).post(
        "/care/calls/inbound", {"number": "+8613800000000", "queue": "hotline"}
    )

    assert response.status_code == 403
    assert not PhoneCall.objects.exists()
