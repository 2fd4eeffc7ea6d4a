"""A public reply reaches the borrower on its channel through the outbox and the compliance
gate; an e-mail reply goes out by the real dispatcher and SMTP, threaded under the borrower's
mail."""

from __future__ import annotations

import pytest

from arrears.care.models import TicketEvent
from arrears.care.services.delivery import deliver_reply, reply_key
from arrears.care.services.mail import receive_email
from arrears.care.services.tickets import open_ticket, reply_to_ticket
from arrears.compliance.services import record_opt_out
from arrears.engagement.channels.base import RecordingAdapter
from arrears.engagement.dispatch import dispatch_outbox
from arrears.engagement.models import OutboxMessage
from tests.care.channels_fixtures import *  # noqa: F403
from tests.care.channels_fixtures import CN_MORNING, mail


def borrower_mail(borrower, message_id="<m1@mail.example.com>"):  # type: ignore[no-untyped-def]
    return receive_email(
        bytes(
            mail(
                sender=borrower.email,
                subject="提前还款手续费",
                body="请问提前还款收手续费吗？",
                message_id=message_id,
            )
        ),
        at=CN_MORNING,
    )


def test_an_email_reply_goes_out_threaded_under_the_borrower_s_mail_with_the_reference(
    borrower_loan, smtp_server, cn_clock
):
    borrower = borrower_loan.borrower
    ticket = borrower_mail(borrower).ticket

    reply = reply_to_ticket(ticket=ticket, body="提前还款不收手续费。", by=None, at=CN_MORNING)
    counts = dispatch_outbox(clock=cn_clock)

    assert counts.sent == 1
    [sent] = smtp_server.messages
    assert sent["To"] == borrower.email
    assert sent["Message-ID"] == reply.email_message_id
    assert sent["In-Reply-To"] == "<m1@mail.example.com>"
    assert sent["References"] == "<m1@mail.example.com>"
    assert f"[{ticket.reference}]" in sent["Subject"] and "提前还款手续费" in sent["Subject"]
    assert "提前还款不收手续费。" in sent.get_body(("plain",)).get_content()
    reply.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.thread_key == reply.email_message_id
    assert reply.outbox_message.status == "sent"
    attempt = reply.contact_attempt
    assert (attempt.channel, attempt.direction, attempt.purpose) == (
        "email",
        "outbound",
        "servicing",
    )


def test_the_borrower_answering_our_reply_and_our_second_reply_keep_one_thread(
    borrower_loan, smtp_server, cn_clock
):
    borrower = borrower_loan.borrower
    ticket = borrower_mail(borrower).ticket
    first = reply_to_ticket(ticket=ticket, body="不收手续费。", by=None, at=CN_MORNING)
    answer = receive_email(
        bytes(
            mail(
                sender=borrower.email,
                subject=f"Re: [{ticket.reference}] 回复：提前还款手续费",
                body="那违约金呢？",
                message_id="<m2@mail.example.com>",
                in_reply_to=first.email_message_id,
            )
        ),
        at=CN_MORNING,
    )
    assert answer.ticket == ticket

    second = reply_to_ticket(ticket=ticket, body="也不收违约金。", by=None, at=CN_MORNING)
    dispatch_outbox(clock=cn_clock)

    sent = {m["Message-ID"]: m for m in smtp_server.messages}
    assert sent[second.email_message_id]["In-Reply-To"] == "<m2@mail.example.com>"
    assert sent[second.email_message_id]["References"].split() == [
        "<m1@mail.example.com>",
        first.email_message_id,
        "<m2@mail.example.com>",
    ]


@pytest.mark.parametrize(
    ("channel", "outbox_channel"), [("sms", "sms"), ("portal", "in_app"), ("chat", "in_app")]
)
def test_a_reply_goes_out_on_the_ticket_s_channel(borrower_loan, channel, outbox_channel):
    from django.contrib.auth import get_user_model

    borrower = borrower_loan.borrower  # with a portal login, so the in-app inbox reaches them
    borrower.user = get_user_model().objects.create_user(username=borrower.reference)
    borrower.save(update_fields=["user"])
    ticket = open_ticket(
        kind="inquiry",
        subject="还款咨询",
        origin=channel,
        body="你好",
        borrower=borrower_loan.borrower,
        at=CN_MORNING,
    )

    reply = reply_to_ticket(
        ticket=ticket, body="您好，请问有什么可以帮您？", by=None, at=CN_MORNING
    )

    outbox = reply.outbox_message
    assert (outbox.channel, outbox.kind, outbox.purpose) == (
        outbox_channel,
        "care_reply",
        "servicing",
    )
    assert outbox.idempotency_key == reply_key(reply)
    assert "您好，请问有什么可以帮您？" in outbox.body
    assert reply.email_message_id is None  # only e-mail has a Message-ID


def test_a_reply_is_queued_once_however_often_delivery_is_asked(borrower_loan):
    ticket = borrower_mail(borrower_loan.borrower).ticket
    reply = reply_to_ticket(ticket=ticket, body="好的。", by=None, at=CN_MORNING)

    again = deliver_reply(message=reply, at=CN_MORNING)

    assert again == reply.outbox_message
    assert OutboxMessage.objects.filter(kind="care_reply").count() == 1


def test_a_reply_given_on_the_phone_is_not_sent_again(borrower_loan):
    ticket = open_ticket(
        kind="inquiry",
        subject="来电",
        origin="phone",
        borrower=borrower_loan.borrower,
        at=CN_MORNING,
    )

    reply = reply_to_ticket(ticket=ticket, body="已电话告知。", by=None, at=CN_MORNING)

    assert reply.outbox_message is None
    assert TicketEvent.objects.filter(
        ticket=ticket, reason="reply.not_sent.said_on_the_phone"
    ).exists()


def test_a_reply_on_a_channel_the_borrower_has_no_address_for_is_kept_not_sent(templates):
    from tests.factories import make_borrower, make_loan_account

    account = make_loan_account(borrower=make_borrower(email=""))
    ticket = open_ticket(
        kind="inquiry", subject="咨询", origin="email", borrower=account.borrower, at=CN_MORNING
    )

    reply = reply_to_ticket(ticket=ticket, body="您好。", by=None, at=CN_MORNING)

    assert reply.outbox_message is None
    event = TicketEvent.objects.get(ticket=ticket, reason="reply.not_sent.unreachable")
    assert "channel" in event.params["detail"]


def test_a_reply_the_gate_refuses_is_not_sent_and_not_in_the_contact_history(
    borrower_loan, smtp_server, cn_clock
):
    borrower = borrower_loan.borrower
    ticket = borrower_mail(borrower).ticket
    record_opt_out(borrower=borrower, channel="email", source="unsubscribe link", clock=cn_clock)

    reply = reply_to_ticket(ticket=ticket, body="不收手续费。", by=None, at=CN_MORNING)
    dispatch_outbox(clock=cn_clock, adapters={"email": RecordingAdapter("email", clock=cn_clock)})

    reply.refresh_from_db()
    assert reply.outbox_message.status == "blocked"
    assert reply.contact_attempt is None
    assert smtp_server.messages == []


DSN = """From: MAILER-DAEMON@mx.example
To: care@lender.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; {address}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

Message-ID: {message_id}
Subject: x

--B--
"""


def test_a_bounced_email_reply_is_marked_bounced_and_the_ticket_says_so(
    borrower_loan, smtp_server, cn_clock
):
    borrower = borrower_loan.borrower
    ticket = borrower_mail(borrower).ticket
    reply = reply_to_ticket(ticket=ticket, body="不收手续费。", by=None, at=CN_MORNING)
    dispatch_outbox(clock=cn_clock)
    report = DSN.format(address=borrower.email, message_id=reply.email_message_id)

    receipt = receive_email(report.encode(), at=CN_MORNING)

    assert (receipt.outcome, receipt.reason, receipt.ticket) == ("ignored", "bounce", ticket)
    reply.outbox_message.refresh_from_db()
    assert reply.outbox_message.status == "bounced"
    assert TicketEvent.objects.filter(ticket=ticket, reason="mail.set_aside.bounce").exists()
    assert ticket.messages.count() == 2  # the question and the reply; the bounce is no message
