"""Callbacks: booked only where staffing has room and the gate lets us call; made once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.care.choices import CallbackStatus
from arrears.care.models import Callback, PhoneCall
from arrears.care.selectors.callback_slots import callback_offer
from arrears.care.services.callbacks import book_callback, complete_callback, permit_callback
from arrears.compliance.models import ContactAttempt
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.models import OutboxMessage
from tests.care.line_fixtures import (
    WEDNESDAY_10_BEIJING,
    beijing_borrower,
    london_borrower,
    make_calendar,
    make_line_queue,
    mobile_of,
    notice_templates,
    stranger_number,
)
from tests.conftest import rolled_back

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_templates")]
__all__ = ["notice_templates"]
UTC = dt.UTC


def _early_and_late_queue(**overrides):
    """A Beijing desk open 06:00-23:30, wider than the hours we may call anyone."""
    calendar = make_calendar({day: ["06:00-23:30"] for day in ("mon", "tue", "wed", "thu", "fri")})
    return make_line_queue(calendar=calendar, **overrides)


def test_a_callback_is_never_booked_outside_permitted_hours():
    queue = _early_and_late_queue()
    borrower = beijing_borrower()
    # Thursday 06:30 in Beijing: the desk is open, but calls to a borrower start at 08:00.
    early = dt.datetime(2026, 3, 4, 22, 30, tzinfo=UTC)

    with pytest.raises(ValidationError) as caught:
        book_callback(
            queue=queue,
            number=mobile_of(borrower),
            borrower=borrower,
            slot=early,
            at=WEDNESDAY_10_BEIJING,
        )

    assert caught.value.field == "slot"
    assert "outside the hours" in caught.value.reason
    assert not Callback.objects.exists()


def test_the_slots_offered_to_a_london_borrower_fit_both_the_desk_and_the_uk_window():
    queue = _early_and_late_queue()
    borrower = london_borrower()

    offer = callback_offer(
        queue, at=WEDNESDAY_10_BEIJING, number=mobile_of(borrower), borrower=borrower, limit=40
    )

    assert offer.slots
    for slot in offer.slots:
        london = slot.start.astimezone(dt.timezone(dt.timedelta(0)))  # GMT in early March
        beijing = slot.start.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert dt.time(8, 0) <= london.time() and (slot.end - dt.timedelta(minutes=1)).astimezone(
            UTC
        ).time() < dt.time(21, 0)
        assert dt.time(6, 0) <= beijing.time() < dt.time(23, 30)


def test_a_callback_is_never_booked_beyond_staffing():
    # One agent, 15-minute calls, no calls in the last hour: two callbacks per half hour.
    queue = _early_and_late_queue(aht_seconds=900)
    slot = dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
    for _ in range(2):
        borrower = beijing_borrower()
        book_callback(queue=queue, number=mobile_of(borrower), slot=slot, at=WEDNESDAY_10_BEIJING)
    third = beijing_borrower()

    with pytest.raises(ValidationError) as caught:
        book_callback(queue=queue, number=mobile_of(third), slot=slot, at=WEDNESDAY_10_BEIJING)

    assert caught.value.field == "slot"
    assert "no room" in caught.value.reason
    assert Callback.objects.filter(slot_start=slot).count() == 2
    offered = callback_offer(
        queue, at=WEDNESDAY_10_BEIJING, number=mobile_of(third), borrower=third, limit=40
    )
    assert slot not in [s.start for s in offered.slots]


def test_a_borrower_on_hold_is_offered_no_callback_slot():
    from arrears.compliance.services import set_hold

    queue = _early_and_late_queue()
    borrower = beijing_borrower()
    set_hold(
        borrower=borrower,
        kind="cease_communication",
        start_on=dt.date(2026, 3, 1),
        review_on=dt.date(2026, 6, 1),
        reason="asked us to stop",
    )

    offer = callback_offer(
        queue, at=WEDNESDAY_10_BEIJING, number=mobile_of(borrower), borrower=borrower
    )

    assert offer.slots == ()
    assert [r.key for r in offer.reasons] == ["callback.no_slot"]


def test_a_booked_slot_is_confirmed_to_the_borrower_in_their_own_time():
    queue = _early_and_late_queue()
    borrower = london_borrower()
    slot = dt.datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # 17:00 Beijing, 09:00 London

    callback = book_callback(
        queue=queue, number=mobile_of(borrower), slot=slot, at=WEDNESDAY_10_BEIJING
    )

    assert callback.borrower == borrower
    assert (callback.slot_start, callback.slot_end) == (slot, slot + dt.timedelta(minutes=30))
    message = OutboxMessage.objects.get(kind="callback_booked", borrower=borrower)
    assert "2026-03-04 09:00–09:30" in message.body


def test_a_callback_made_is_logged_once_in_the_shared_contact_history():
    queue = _early_and_late_queue()
    borrower = beijing_borrower()
    slot = dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
    callback = book_callback(
        queue=queue, number=mobile_of(borrower), slot=slot, at=WEDNESDAY_10_BEIJING
    )

    done = complete_callback(callback=callback, outcome="done", at=slot + dt.timedelta(minutes=5))

    assert done.status == CallbackStatus.DONE
    attempt = ContactAttempt.objects.get(borrower=borrower, channel="call")
    assert (attempt.direction, attempt.outcome, attempt.purpose) == (
        "outbound",
        "connected",
        "servicing",
    )
    assert PhoneCall.objects.filter(direction="outbound", ticket=callback.ticket).count() == 1
    with pytest.raises(Conflict):
        complete_callback(callback=callback, outcome="missed", at=slot + dt.timedelta(minutes=9))


def test_an_unknown_caller_is_called_back_only_in_daytime_hours():
    queue = _early_and_late_queue()

    offer = callback_offer(queue, at=WEDNESDAY_10_BEIJING, number=stranger_number(), limit=40)

    beijing = dt.timezone(dt.timedelta(hours=8))
    assert offer.slots
    assert all(dt.time(8) <= s.start.astimezone(beijing).time() < dt.time(21) for s in offer.slots)


@given(
    agents=st.integers(min_value=1, max_value=3),
    aht_minutes=st.sampled_from([10, 15, 20, 30]),
    attempts=st.integers(min_value=1, max_value=8),
)
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_slot_ever_takes_more_callbacks_than_its_staffing_can_honour(
    agents, aht_minutes, attempts
):
    slot = dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
    with rolled_back():
        queue = _early_and_late_queue(line_agents=agents, aht_seconds=aht_minutes * 60)
        booked = 0
        for _ in range(attempts):
            try:
                book_callback(
                    queue=queue, number=stranger_number(), slot=slot, at=WEDNESDAY_10_BEIJING
                )
                booked += 1
            except ValidationError as error:
                assert error.field == "slot"

        # no calls in the last hour: every agent-second of the half hour is spare
        assert booked == min(attempts, agents * 30 // aht_minutes)
        assert Callback.objects.filter(queue=queue).count() == booked


def test_a_callback_is_dialled_under_a_permit_from_the_gate():
    queue = _early_and_late_queue()
    borrower = beijing_borrower()
    slot = dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
    callback = book_callback(
        queue=queue, number=mobile_of(borrower), slot=slot, at=WEDNESDAY_10_BEIJING
    )

    decision = permit_callback(callback=callback, at=slot)
    done = complete_callback(
        callback=callback,
        outcome="done",
        at=slot + dt.timedelta(minutes=1),
        permit_id=str(decision.issued_permit.pk),
    )

    assert decision.allowed
    attempt = ContactAttempt.objects.get(borrower=borrower, channel="call")
    assert attempt.permit_id == decision.issued_permit.pk
    assert done.status == CallbackStatus.DONE


def test_a_callback_to_a_borrower_put_on_hold_since_booking_is_not_permitted():
    from arrears.compliance.services import set_hold

    queue = _early_and_late_queue()
    borrower = beijing_borrower()
    slot = dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
    callback = book_callback(
        queue=queue, number=mobile_of(borrower), slot=slot, at=WEDNESDAY_10_BEIJING
    )
    set_hold(
        borrower=borrower,
        kind="cease_communication",
        start_on=dt.date(2026, 3, 1),
        review_on=dt.date(2026, 6, 1),
        reason="asked us to stop",
    )

    decision = permit_callback(callback=callback, at=slot)

    assert not decision.allowed
    assert decision.issued_permit is None
