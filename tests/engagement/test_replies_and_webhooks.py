"""What comes back from the channels: signed SMS webhooks (status, replies, STOP) and bounces."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from arrears.compliance.choices import Channel, Direction
from arrears.compliance.models import ContactAttempt, OptOut
from arrears.compliance.services import PermitVoided, request_permit
from arrears.engagement.channels.sms import SIGNATURE_HEADER, sign
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.inbox import InboundMessage
from arrears.engagement.services.deliveries import record_bounce_report
from arrears.servicing.models import ContactPoint
from tests.engagement.channel_support import make_outbox, mobile_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def webhook_clock(monkeypatch, cn_clock):  # type: ignore[no-untyped-def]
    """The webhooks record on the test's clock."""
    monkeypatch.setattr("arrears.engagement.webhooks.clock", lambda: cn_clock)
    return cn_clock


SECRET = "test-webhook-secret"


def post_signed(client, path, form, *, secret=SECRET):  # type: ignore[no-untyped-def]
    body = urlencode(form)
    return client.post(
        path,
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={SIGNATURE_HEADER: sign(body.encode(), secret)},
    )


def sent_sms(account, clock):  # type: ignore[no-untyped-def]
    message = make_outbox(account, channel="sms", clock=clock)
    message.status, message.provider_ref, message.sent_at = "sent", "SM-1", clock.now()
    message.save()
    return message


def test_a_status_webhook_with_a_bad_signature_is_refused(client, cn_loan, cn_clock):
    message = sent_sms(cn_loan, cn_clock)
    form = {"MessageSid": "SM-1", "MessageStatus": "delivered"}
    forged = post_signed(client, "/webhooks/sms/status", form, secret="guessed")
    unsigned = client.post("/webhooks/sms/status", form)
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_a_signed_status_webhook_marks_the_text_delivered_or_failed(client, cn_loan, cn_clock):
    message = sent_sms(cn_loan, cn_clock)
    answer = post_signed(
        client, "/webhooks/sms/status", {"MessageSid": "SM-1", "MessageStatus": "delivered"}
    )
    assert answer.status_code == 200
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    # a late "failed" does not undo a delivery; an unknown reference is not ours
    post_signed(client, "/webhooks/sms/status", {"MessageSid": "SM-1", "MessageStatus": "failed"})
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    unknown = post_signed(
        client, "/webhooks/sms/status", {"MessageSid": "SM-x", "MessageStatus": "failed"}
    )
    assert unknown.status_code == 404


def test_an_undelivered_text_is_marked_failed(client, cn_loan, cn_clock):
    message = sent_sms(cn_loan, cn_clock)
    post_signed(
        client,
        "/webhooks/sms/status",
        {"MessageSid": "SM-1", "MessageStatus": "undelivered", "ErrorCode": "30005"},
    )
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert "30005" in message.last_error


def test_a_reply_is_threaded_to_the_borrower_as_an_inbound_contact(client, cn_loan, cn_clock):
    message = sent_sms(cn_loan, cn_clock)
    number = mobile_of(cn_loan.borrower)
    answer = post_signed(
        client,
        "/webhooks/sms/inbound",
        {"From": number, "To": "+8610690000", "Body": "我明天还款", "MessageSid": "SMin1"},
    )
    assert answer.status_code == 200
    [reply] = InboundMessage.objects.all()
    assert (reply.borrower_id, reply.in_reply_to_id, reply.is_opt_out) == (
        cn_loan.borrower_id,
        message.pk,
        False,
    )
    attempt = ContactAttempt.objects.get(direction=Direction.INBOUND)
    assert (attempt.borrower_id, attempt.channel, attempt.address) == (
        cn_loan.borrower_id,
        "sms",
        number,
    )
    assert not OptOut.objects.exists()
    # the provider retrying the same webhook changes nothing
    post_signed(
        client,
        "/webhooks/sms/inbound",
        {"From": number, "To": "+8610690000", "Body": "我明天还款", "MessageSid": "SMin1"},
    )
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize("reply", ["STOP", "退订", "TD", "unsubscribe"])
def test_stop_by_sms_stops_sms_at_once_and_nothing_else(client, cn_loan, cn_clock, reply):
    borrower = cn_loan.borrower
    number = mobile_of(borrower)

    def ask(channel, address):  # type: ignore[no-untyped-def]
        return request_permit(
            borrower=borrower,
            account=cn_loan,
            channel=channel,
            address=address,
            purpose="servicing",
            clock=cn_clock,
        )

    already_allowed = ask(Channel.SMS, number).issued_permit
    assert already_allowed is not None

    answer = post_signed(
        client,
        "/webhooks/sms/inbound",
        {"From": number, "To": "+8610690000", "Body": reply, "MessageSid": f"SM-{reply}"},
    )

    assert answer.json()["opt_out"] is True
    [opt_out] = OptOut.objects.all()
    assert (opt_out.channel, opt_out.address) == ("sms", number)
    assert not ask(Channel.SMS, number).allowed  # at once
    already_allowed.refresh_from_db()
    assert already_allowed.voided_at is not None  # even a text already allowed stays home
    from arrears.compliance.services import use_permit

    with pytest.raises(PermitVoided):
        use_permit(
            permit_id=already_allowed.pk,
            borrower=borrower,
            channel="sms",
            address=number,
            clock=cn_clock,
        )
    assert ask(Channel.EMAIL, borrower.email).allowed  # and nothing else
    assert ask(Channel.IN_APP, f"borrower:{borrower.reference}").allowed


DSN = b"""From: MAILER-DAEMON@mx.example
To: bounces@lender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; %(address)s
Action: failed
Status: %(status)s
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

Message-ID: <%(id)s@lender.example>
Subject: x

--B--
"""


def test_a_hard_bounce_marks_the_message_bounced_and_the_address_invalid(cn_loan, cn_clock):
    message = make_outbox(cn_loan, channel="email", clock=cn_clock, status="sent")
    address = cn_loan.borrower.email
    report = DSN % {
        b"address": address.encode(),
        b"status": b"5.1.1",
        b"id": str(message.pk).encode(),
    }
    [bounced] = record_bounce_report(report=report, clock=cn_clock)
    assert bounced.pk == message.pk
    message.refresh_from_db()
    assert message.status == OutboxStatus.BOUNCED
    assert "5.1.1" in message.last_error
    assert ContactPoint.objects.get(borrower=cn_loan.borrower, kind="email").is_valid is False
    assert ContactPoint.objects.get(borrower=cn_loan.borrower, kind="mobile").is_valid is True


def test_a_delayed_delivery_report_changes_nothing(cn_loan, cn_clock):
    message = make_outbox(cn_loan, channel="email", clock=cn_clock, status="sent")
    report = (
        DSN
        % {
            b"address": cn_loan.borrower.email.encode(),
            b"status": b"4.2.2",
            b"id": str(message.pk).encode(),
        }
    ).replace(b"Action: failed", b"Action: delayed")
    assert record_bounce_report(report=report, clock=cn_clock) == []
    message.refresh_from_db()
    assert message.status == "sent"
    assert ContactPoint.objects.get(borrower=cn_loan.borrower, kind="email").is_valid
