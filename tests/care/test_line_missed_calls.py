"""Calls logged with their outcome; a missed call becomes a ticket and one SMS."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.choices import CallOutcome
from arrears.care.models import PhoneCall, Ticket
from arrears.care.services.line import answer_inbound_call, follow_up_missed_call, log_call
from arrears.compliance.models import ContactAttempt
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.models import OutboxMessage
from tests.care.line_fixtures import (
    WEDNESDAY_10_BEIJING,
    WEDNESDAY_20_BEIJING,
    beijing_borrower,
    make_line_queue,
    mobile_of,
    notice_templates,
    stranger_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_templates")]
__all__ = ["notice_templates"]
MINUTE = dt.timedelta(minutes=1)


def test_a_missed_call_becomes_a_ticket_and_one_sms_with_a_self_service_link(settings):
    settings.ARREARS_SELF_SERVICE_URL = "https://help.example.cn/self-service/"
    queue = make_line_queue()
    borrower = beijing_borrower()
    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=WEDNESDAY_10_BEIJING)
    call = PhoneCall.objects.get(pk=greeting.call_id)

    logged = log_call(
        call=call,
        queue=queue,
        outcome=CallOutcome.ABANDONED,
        started_at=WEDNESDAY_10_BEIJING,
        ended_at=WEDNESDAY_10_BEIJING + 4 * MINUTE,
    )
    follow_up_missed_call(call=logged, at=WEDNESDAY_10_BEIJING + 5 * MINUTE)

    ticket = Ticket.objects.get(borrower=borrower)
    assert (ticket.kind, ticket.origin, ticket.queue) == ("callback", "phone", queue)
    assert logged.ticket == ticket
    sms = OutboxMessage.objects.get(borrower=borrower, kind="missed_call")
    assert sms.channel == "sms"
    assert sms.purpose == "servicing"
    assert "https://help.example.cn/self-service/" in sms.body
    assert logged.wait_seconds == 240
    attempt = ContactAttempt.objects.get(pk=logged.contact_attempt_id)
    assert (attempt.direction, attempt.channel, attempt.outcome) == ("inbound", "call", "failed")


def test_an_after_hours_call_logged_tells_when_the_line_opens_in_the_sms():
    queue = make_line_queue()
    borrower = beijing_borrower()

    log_call(
        number=mobile_of(borrower),
        queue=queue,
        outcome=CallOutcome.AFTER_HOURS,
        started_at=WEDNESDAY_20_BEIJING,
    )

    sms = OutboxMessage.objects.get(borrower=borrower, kind="missed_call")
    assert "热线明天09:00开放" in sms.body
    assert Ticket.objects.filter(borrower=borrower, kind="callback").count() == 1


def test_an_unknown_caller_who_hangs_up_still_gets_a_ticket_to_call_back():
    queue = make_line_queue()
    number = stranger_number()

    call = log_call(
        number=number, queue=queue, outcome=CallOutcome.ABANDONED, started_at=WEDNESDAY_10_BEIJING
    )

    assert call.borrower is None
    assert call.ticket is not None and call.ticket.requester_address == call.from_number
    assert not OutboxMessage.objects.exists()


def test_an_answered_call_goes_into_the_contact_history_with_its_duration():
    queue = make_line_queue()
    borrower = beijing_borrower()

    call = log_call(
        number=mobile_of(borrower),
        queue=queue,
        outcome=CallOutcome.ANSWERED,
        started_at=WEDNESDAY_10_BEIJING,
        answered_at=WEDNESDAY_10_BEIJING + MINUTE,
        ended_at=WEDNESDAY_10_BEIJING + 6 * MINUTE,
        notes="asked about due date",
        recording_ref="rec-1",
    )

    attempt = ContactAttempt.objects.get(borrower=borrower)
    assert (attempt.outcome, attempt.duration_seconds, attempt.recording_ref) == (
        "connected",
        300,
        "rec-1",
    )
    assert call.wait_seconds == 60
    assert call.ticket is None
    assert not OutboxMessage.objects.exists()


def test_a_call_is_logged_only_once():
    queue = make_line_queue()
    borrower = beijing_borrower()
    call = log_call(
        number=mobile_of(borrower),
        queue=queue,
        outcome=CallOutcome.ANSWERED,
        started_at=WEDNESDAY_10_BEIJING,
        answered_at=WEDNESDAY_10_BEIJING,
    )

    with pytest.raises(Conflict):
        log_call(
            call=call, queue=queue, outcome=CallOutcome.ABANDONED, started_at=WEDNESDAY_10_BEIJING
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "waiting"}, "outcome"),
        ({"outcome": "answered"}, "answered_at"),
        ({"outcome": "answered", "answered_at": WEDNESDAY_10_BEIJING - MINUTE}, "answered_at"),
        ({"outcome": "abandoned", "ended_at": WEDNESDAY_10_BEIJING - MINUTE}, "ended_at"),
        ({"outcome": "abandoned", "number": "not a number"}, "number"),
    ],
)
def test_a_call_logged_with_bad_details_is_refused_by_field_and_writes_nothing(fields, field):
    queue = make_line_queue()
    values = {
        "number": stranger_number(),
        "queue": queue,
        "started_at": WEDNESDAY_10_BEIJING,
        **fields,
    }

    with pytest.raises(ValidationError) as caught:
        log_call(**values)

    assert caught.value.field == field
    assert not PhoneCall.objects.exists()
    assert not Ticket.objects.exists()


def test_a_call_that_took_a_callback_is_logged_in_the_contact_history_without_a_missed_call_sms():
    from arrears.care.services.callbacks import book_callback

    queue = make_line_queue()
    for i in range(3):
        answer_inbound_call(
            number=stranger_number(), queue=queue, at=WEDNESDAY_10_BEIJING + i * MINUTE
        )
    borrower = beijing_borrower()
    at = WEDNESDAY_10_BEIJING + 5 * MINUTE
    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=at)
    call = PhoneCall.objects.get(pk=greeting.call_id)
    book_callback(
        queue=queue, number=mobile_of(borrower), keep_place=True, call=call, at=at + MINUTE
    )

    logged = log_call(
        call=call,
        queue=queue,
        outcome=CallOutcome.CALLBACK_BOOKED,
        started_at=at,
        ended_at=at + MINUTE,
    )

    assert ContactAttempt.objects.get(pk=logged.contact_attempt_id).outcome == "connected"
    assert not OutboxMessage.objects.filter(kind="missed_call").exists()
    assert OutboxMessage.objects.filter(kind="callback_booked", borrower=borrower).count() == 1
