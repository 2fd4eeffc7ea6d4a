"""The incident switch: a notice first on every channel, callbacks moved once after it."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.care.choices import CallbackStatus
from arrears.care.models import Callback
from arrears.care.selectors.line import current_incident, line_hours
from arrears.care.services.callbacks import book_callback
from arrears.care.services.incidents import end_incident, start_incident, sweep_callbacks
from arrears.care.services.line import answer_inbound_call
from arrears.core.errors import Conflict, ValidationError
from tests.care.line_fixtures import (
    WEDNESDAY_10_BEIJING,
    beijing_borrower,
    make_line_queue,
    mobile_of,
    notice_templates,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_templates")]
__all__ = ["notice_templates"]
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def _outage(at=WEDNESDAY_10_BEIJING):
    return start_incident(
        title_en="Card system down",
        title_zh="信用卡系统故障",
        notice_en="Our card system is down; payments are safe.",
        notice_zh="信用卡系统暂时故障，您的还款不受影响。",
        at=at,
    )


def test_during_an_incident_the_caller_hears_the_notice_first():
    queue = make_line_queue()
    _outage()
    borrower = beijing_borrower()

    greeting = answer_inbound_call(
        number=mobile_of(borrower), queue=queue, at=WEDNESDAY_10_BEIJING + HOUR
    )

    assert greeting.script[0] == "信用卡系统暂时故障，您的还款不受影响。"
    assert greeting.incident["notice_en"] == "Our card system is down; payments are safe."
    assert greeting.open is False  # the outage is closed time on the desk's calendar
    assert greeting.line_opens is None  # nobody knows when it ends: no made-up opening time
    assert greeting.callback_slots == []
    assert [way["channel"] for way in greeting.other_ways] == ["chat"]
    assert current_incident(WEDNESDAY_10_BEIJING + HOUR) is not None


def test_only_one_incident_is_open_at_a_time():
    _outage()

    with pytest.raises(Conflict):
        _outage(WEDNESDAY_10_BEIJING + HOUR)


def test_an_incident_needs_its_notice_in_both_languages():
    with pytest.raises(ValidationError) as caught:
        start_incident(
            title_en="Down",
            title_zh="故障",
            notice_en="Down",
            notice_zh=" ",
            at=WEDNESDAY_10_BEIJING,
        )

    assert caught.value.field == "notice_zh"


def test_after_an_outage_callbacks_booked_in_it_are_moved_to_the_next_slots_once():
    queue = make_line_queue(aht_seconds=900)  # two callbacks per half hour
    inside = dt.datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # 11:00 Beijing
    outside = dt.datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 15:00 Beijing
    first, second, third = (beijing_borrower() for _ in range(3))
    early = book_callback(
        queue=queue, number=mobile_of(first), slot=inside, at=WEDNESDAY_10_BEIJING
    )
    late = book_callback(
        queue=queue,
        number=mobile_of(second),
        slot=inside,
        at=WEDNESDAY_10_BEIJING + dt.timedelta(minutes=1),
    )
    kept = book_callback(
        queue=queue, number=mobile_of(third), slot=outside, at=WEDNESDAY_10_BEIJING
    )
    incident = _outage(WEDNESDAY_10_BEIJING + dt.timedelta(minutes=30))  # 10:30 Beijing
    back = dt.datetime(2026, 3, 4, 4, 10, tzinfo=UTC)  # 12:10 Beijing

    end_incident(incident=incident, at=back)

    incident.refresh_from_db()
    assert incident.callbacks_swept_at == back
    early.refresh_from_db()
    late.refresh_from_db()
    kept.refresh_from_db()
    assert (early.status, late.status, kept.status) == (CallbackStatus.REBOOKED,) * 2 + (
        CallbackStatus.BOOKED,
    )
    moved_early = Callback.objects.get(rebooked_from=early)
    moved_late = Callback.objects.get(rebooked_from=late)
    assert moved_early.status == moved_late.status == CallbackStatus.BOOKED
    assert moved_early.slot_start == back  # the rest of the 12:00 half hour
    assert moved_early.slot_start >= back and moved_late.slot_start >= back
    assert moved_early.queued_at == early.queued_at  # their place in line is theirs still
    assert Callback.objects.filter(status=CallbackStatus.BOOKED).count() == 3

    again = sweep_callbacks(incident=incident, at=back + HOUR)

    assert again.already_swept and not again.moved
    assert Callback.objects.count() == 5


def test_an_incident_span_is_closed_time_on_the_desks_calendar():
    queue = make_line_queue()
    incident = _outage()
    end_incident(incident=incident, at=WEDNESDAY_10_BEIJING + HOUR)

    hours = line_hours(queue, at=WEDNESDAY_10_BEIJING + 2 * HOUR)

    assert not hours.is_open(WEDNESDAY_10_BEIJING + dt.timedelta(minutes=30))
    assert hours.is_open(WEDNESDAY_10_BEIJING + 2 * HOUR)
