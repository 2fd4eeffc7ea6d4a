"""The greeting a caller hears: callers ahead, the wait as a band, callbacks, after hours."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.choices import CallbackKind, CallOutcome
from arrears.care.models import Callback, PhoneCall
from arrears.care.selectors.line import due_callbacks, line_order
from arrears.care.services.callbacks import book_callback
from arrears.care.services.line import answer_inbound_call
from arrears.core.care.queueing import erlang_a_figures, expected_wait_in_line
from arrears.core.errors import ValidationError
from arrears.engagement.models import OutboxMessage
from tests.care.line_fixtures import (
    WEDNESDAY_10_BEIJING,
    WEDNESDAY_20_BEIJING,
    beijing_borrower,
    london_borrower,
    make_line_queue,
    mobile_of,
    notice_templates,
    stranger_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_templates")]
__all__ = ["notice_templates"]
MINUTE = dt.timedelta(minutes=1)


def _callers_in_line(queue, count, *, at=WEDNESDAY_10_BEIJING):
    return [
        answer_inbound_call(number=stranger_number(), queue=queue, at=at + i * MINUTE)
        for i in range(count)
    ]


def test_the_first_caller_with_an_agent_free_hears_a_short_wait_and_no_callback_offer():
    queue = make_line_queue()

    greeting = answer_inbound_call(number=stranger_number(), queue=queue, at=WEDNESDAY_10_BEIJING)

    assert greeting.open is True
    assert greeting.callers_ahead == 0
    assert greeting.wait_seconds == 0
    assert greeting.wait_band == "wait.under_2_minutes"
    assert greeting.callback_offered is False
    assert greeting.language == "zh-hans"
    assert greeting.script[1] == "预计等待时间：2分钟以内。"
    assert PhoneCall.objects.get(pk=greeting.call_id).outcome == CallOutcome.WAITING


def test_a_caller_facing_a_long_wait_is_offered_a_callback_that_keeps_their_place():
    queue = make_line_queue()
    _callers_in_line(queue, 3)
    borrower = beijing_borrower()
    at = WEDNESDAY_10_BEIJING + 5 * MINUTE

    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=at)

    expected = expected_wait_in_line(3, agents=1, aht_seconds=600, patience_seconds=900)
    assert greeting.borrower_id == borrower.pk
    assert greeting.callers_ahead == 3
    assert greeting.wait_seconds == pytest.approx(expected, abs=0.1)
    assert greeting.wait_band == "wait.over_10_minutes"
    assert greeting.callback_offered is True
    assert greeting.keep_place is not None
    assert dt.datetime.fromisoformat(greeting.keep_place["at"]) == at + dt.timedelta(
        seconds=expected
    )
    assert greeting.keep_place["words"] == "10分钟以上"
    # the queue's long-run figures: Erlang A on the four calls of the last hour
    line = erlang_a_figures(calls_per_hour=4, aht_seconds=600, agents=1, patience_seconds=900)
    assert greeting.line["chance_to_wait"] == pytest.approx(line.p_wait, abs=1e-6)
    assert greeting.line["abandonment"] == pytest.approx(line.p_abandon, abs=1e-6)

    call = PhoneCall.objects.get(pk=greeting.call_id)
    callback = book_callback(
        queue=queue, number=mobile_of(borrower), keep_place=True, call=call, at=at + MINUTE
    )

    assert callback.kind == CallbackKind.KEEP_PLACE
    assert callback.queued_at == at  # the place the caller had, not when they pressed 1
    assert callback.borrower == borrower
    assert callback.ticket is not None and callback.ticket.kind == "callback"
    call.refresh_from_db()
    assert call.outcome == CallOutcome.CALLBACK_BOOKED
    confirmation = OutboxMessage.objects.get(borrower=borrower, kind="callback_booked")
    assert callback.ticket.reference in confirmation.body


def test_a_place_keeping_callback_is_called_in_its_original_place_among_live_callers():
    queue = make_line_queue()
    first, second = _callers_in_line(queue, 2)
    borrower = beijing_borrower()
    at = WEDNESDAY_10_BEIJING + 2 * MINUTE
    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=at)
    call = PhoneCall.objects.get(pk=greeting.call_id)
    callback = book_callback(
        queue=queue, number=mobile_of(borrower), keep_place=True, call=call, at=at + MINUTE
    )
    later = answer_inbound_call(number=stranger_number(), queue=queue, at=at + 3 * MINUTE)

    when_due = callback.slot_start
    order = line_order(queue, when_due)
    places = [e.call.pk if e.call else f"callback {e.callback.pk}" for e in order]

    assert due_callbacks(queue, when_due) == [callback]
    assert places == [first.call_id, second.call_id, f"callback {callback.pk}", later.call_id]


def test_an_after_hours_caller_in_london_to_a_beijing_desk_is_told_when_the_line_opens_in_london_time():  # noqa: E501
    queue = make_line_queue()
    borrower = london_borrower()

    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=WEDNESDAY_20_BEIJING)

    assert greeting.open is False
    assert greeting.language == "en"
    opens = greeting.line_opens
    assert opens is not None
    # Thursday 09:00 in Beijing is 01:00 in London (GMT in early March).
    assert opens["zone"] == "Europe/London"
    assert opens["at"] == "2026-03-05T01:00:00+00:00"
    assert opens["local"].startswith("2026-03-05T01:00:00")
    assert opens["words"] == "The line opens tomorrow at 01:00"
    assert "The line opens tomorrow at 01:00." in greeting.script
    assert [way["channel"] for way in greeting.other_ways][:1] == ["chat"]
    assert PhoneCall.objects.get(pk=greeting.call_id).outcome == CallOutcome.AFTER_HOURS


def test_an_after_hours_caller_in_beijing_hears_beijing_time_in_chinese():
    queue = make_line_queue()
    borrower = beijing_borrower()

    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=WEDNESDAY_20_BEIJING)

    assert greeting.line_opens["words"] == "热线明天09:00开放"


def test_a_callback_slot_offered_after_hours_is_inside_the_callers_permitted_hours():
    queue = make_line_queue()
    borrower = london_borrower()

    greeting = answer_inbound_call(number=mobile_of(borrower), queue=queue, at=WEDNESDAY_20_BEIJING)

    # The UK window is 08:00-21:00 London: from Beijing's 09:00-18:00 only 16:00-18:00 fits.
    starts = [dt.datetime.fromisoformat(s["start"]) for s in greeting.callback_slots]
    assert starts and all(s.astimezone(dt.UTC).hour in (8, 9) for s in starts)
    assert starts[0] == dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)


def test_a_number_that_is_not_a_phone_number_is_refused_by_field():
    queue = make_line_queue()

    with pytest.raises(ValidationError) as caught:
        answer_inbound_call(number="hello", queue=queue, at=WEDNESDAY_10_BEIJING)

    assert caught.value.field == "number"
    assert not PhoneCall.objects.exists()
    assert not Callback.objects.exists()
