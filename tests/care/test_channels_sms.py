"""A borrower's text, through the real signed SMS webhook, lands on the desk: threaded onto the
ticket whose reply it answers, or their open ticket, else a new inquiry; a STOP never does."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from arrears.care.models import Ticket, TicketMessage
from arrears.care.services.tickets import open_ticket, reply_to_ticket
from arrears.engagement.channels.base import RecordingAdapter
from arrears.engagement.channels.sms import SIGNATURE_HEADER, sign
from arrears.engagement.dispatch import dispatch_outbox
from arrears.engagement.inbox import InboundMessage
from tests.care.channels_fixtures import *  # noqa: F403
from tests.care.channels_fixtures import CN_MORNING, mobile_of


@pytest.fixture(autouse=True)
def webhook_clock(monkeypatch, cn_clock):  # type: ignore[no-untyped-def]
    """The webhooks record on the desk's clock."""
    monkeypatch.setattr("arrears.engagement.webhooks.clock", lambda: cn_clock)
    return cn_clock


def text_in(client, *, number, body, sid):  # type: ignore[no-untyped-def]
    """The SMS provider posts a signed inbound text."""
    form = urlencode({"From": number, "To": "+8610690000", "Body": body, "MessageSid": sid})
    answer = client.post(
        "/webhooks/sms/inbound",
        data=form,
        content_type="application/x-www-form-urlencoded",
        headers={SIGNATURE_HEADER: sign(form.encode(), "test-webhook-secret")},
    )
    assert answer.status_code == 200
    return answer


def test_a_text_from_a_borrower_opens_an_inquiry_on_their_file(client, borrower_loan):
    borrower = borrower_loan.borrower

    text_in(client, number=mobile_of(borrower), body="请问本月还款日是哪天？", sid="SM-in-1")

    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.origin, ticket.borrower) == ("inquiry", "sms", borrower)
    assert ticket.subject == "请问本月还款日是哪天？"
    message = ticket.messages.get()
    assert (message.body, message.channel, message.direction) == (
        "请问本月还款日是哪天？",
        "sms",
        "inbound",
    )
    attempt = message.contact_attempt  # the one engagement recorded, not a second
    assert (attempt.channel, attempt.direction, attempt.borrower) == ("sms", "inbound", borrower)


def test_a_text_answering_our_sms_reply_threads_onto_that_ticket_and_opens_it(
    client, borrower_loan, cn_clock
):
    borrower = borrower_loan.borrower
    asked = open_ticket(
        kind="inquiry",
        subject="还款日",
        origin="sms",
        body="还款日？",
        borrower=borrower,
        at=CN_MORNING,
    )
    newer = open_ticket(
        kind="complaint",
        subject="态度",
        origin="email",
        body="投诉",
        borrower=borrower,
        at=CN_MORNING,
    )
    reply_to_ticket(
        ticket=asked, body="每月15日。可以改吗？", by=None, status="pending", at=CN_MORNING
    )
    dispatch_outbox(clock=cn_clock, adapters={"sms": RecordingAdapter("sms", clock=cn_clock)})

    text_in(client, number=mobile_of(borrower), body="改到20日", sid="SM-in-2")

    asked.refresh_from_db()
    assert asked.status == "open"
    assert asked.messages.filter(direction="inbound").last().body == "改到20日"
    assert not newer.messages.filter(body="改到20日").exists()
    assert Ticket.objects.count() == 2


def test_a_text_goes_to_the_borrower_s_newest_open_ticket_when_it_answers_no_reply(
    client, borrower_loan
):
    borrower = borrower_loan.borrower
    older = open_ticket(
        kind="inquiry",
        subject="旧",
        origin="email",
        body="旧问题",
        borrower=borrower,
        at=CN_MORNING,
    )
    newest = open_ticket(
        kind="inquiry",
        subject="新",
        origin="portal",
        body="新问题",
        borrower=borrower,
        at=CN_MORNING,
    )

    text_in(client, number=mobile_of(borrower), body="补充一下", sid="SM-in-3")

    assert newest.messages.filter(body="补充一下", channel="sms").exists()
    assert not older.messages.filter(body="补充一下").exists()


@pytest.mark.parametrize("stop", ["TD", "退订", "STOP"])
def test_an_opt_out_text_is_never_a_ticket(client, borrower_loan, stop):
    text_in(client, number=mobile_of(borrower_loan.borrower), body=stop, sid=f"SM-stop-{stop}")

    assert InboundMessage.objects.get().is_opt_out
    assert Ticket.objects.count() == 0


def test_a_text_from_an_unknown_number_opens_a_ticket_for_the_number_and_threads_the_next(
    client, templates
):
    text_in(client, number="+8613900001111", body="你们是哪家公司？", sid="SM-x-1")
    text_in(client, number="+8613900001111", body="请回电", sid="SM-x-2")

    ticket = Ticket.objects.get()
    assert (ticket.borrower, ticket.requester_address) == (None, "+8613900001111")
    assert list(ticket.messages.values_list("body", flat=True)) == ["你们是哪家公司？", "请回电"]
    assert TicketMessage.objects.filter(contact_attempt__isnull=False).count() == 0


def test_the_provider_retrying_a_text_puts_it_on_the_ticket_once(client, borrower_loan):
    for _ in range(2):
        text_in(client, number=mobile_of(borrower_loan.borrower), body="你好", sid="SM-dup")

    assert TicketMessage.objects.filter(body="你好").count() == 1
