"""POST /api/v1/care/inbound-email: a mail provider posts raw mail; only a token allowed to add
ticket messages may, and the answer says what became of the mail."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from arrears.care.models import Ticket
from arrears.identity.services import issue_token
from tests.care.channels_fixtures import *  # noqa: F403
from tests.care.channels_fixtures import mail

URL = "/api/v1/care/inbound-email"


def caller(*, may_receive: bool) -> dict[str, str]:
    user = get_user_model().objects.create_user(username=f"mail-relay-{may_receive}")
    if may_receive:
        user.user_permissions.add(Permission.objects.get(codename="add_ticketmessage"))
    _token, secret = issue_token(user=user, name="mail relay")
    return {"Authorization": f"Bearer {secret}"}


def post(raw: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return Client().post(URL, data=raw, content_type="message/rfc822", headers=headers)


@pytest.fixture
def raw_mail(borrower_loan) -> bytes:  # type: ignore[no-untyped-def]
    return bytes(
        mail(
            sender=borrower_loan.borrower.email,
            subject="账单疑问",
            body="上月账单多扣了一笔。",
            message_id="<api-1@mail.example.com>",
        )
    )


def test_a_posted_mail_opens_a_ticket_and_the_same_mail_again_is_a_duplicate(raw_mail):
    headers = caller(may_receive=True)

    first = post(raw_mail, headers)
    again = post(raw_mail, headers)

    ticket = Ticket.objects.get()
    assert first.status_code == 201
    assert first.json() == {
        "outcome": "opened",
        "ticket": ticket.reference,
        "message": ticket.messages.get().pk,
        "reason": "",
    }
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")


def test_a_bounce_posted_with_an_empty_envelope_sender_is_set_aside(raw_mail):
    answer = post(raw_mail, {**caller(may_receive=True), "Envelope-From": "<>"})

    assert (answer.status_code, answer.json()["outcome"], answer.json()["reason"]) == (
        200,
        "ignored",
        "bounce",
    )
    assert Ticket.objects.count() == 0


def test_without_a_token_or_without_the_permission_nothing_is_taken_in(raw_mail):
    anonymous = post(raw_mail, {})
    not_allowed = post(raw_mail, caller(may_receive=False))

    assert (anonymous.status_code, not_allowed.status_code) == (401, 403)
    assert Ticket.objects.count() == 0


def test_an_empty_body_is_refused_naming_the_raw_mail(db):
    answer = post(b"", caller(may_receive=True))

    assert answer.status_code == 422
    assert answer.json()["field"] == "raw"
