"""Callbacks instead of waiting: only slots staffing can honour, never outside permitted hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.care.callbacks import (
    StaffingInterval,
    offer_callbacks,
    when_line_opens,
)
from arrears.core.care.hours import BusinessHours, Period
from arrears.core.care.queueing import ServiceTarget
from arrears.core.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPLIT = [Period(9 * 60, 12 * 60), Period(13 * 60 + 30, 20 * 60)]
DESK = BusinessHours(zone="Asia/Shanghai", weekly=dict.fromkeys(range(5), SPLIT), country="CN")
HALF_HOUR = dt.timedelta(minutes=30)


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def day_of_staffing(
    day: tuple[int, int, int], agents: int = 10, calls: float = 120
) -> list[StaffingInterval]:
    """Half-hour intervals 08:00–21:00: `agents` on the phones, `calls` expected in each."""
    start = sh(*day, 8, 0)
    return [
        StaffingInterval(start + i * HALF_HOUR, start + (i + 1) * HALF_HOUR, agents, calls)
        for i in range(26)
    ]


def offer(**kwargs: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "now": sh(2025, 3, 4, 10, 5),
        "staffing": day_of_staffing((2025, 3, 4)),
        "hours": DESK,
        "permitted": [(sh(2025, 3, 4, 8, 0), sh(2025, 3, 4, 21, 0))],
        "handling_seconds": 300,
        "aht_seconds": 60,
        "limit": 30,
    }
    arguments.update(kwargs)
    return offer_callbacks(**arguments)  # type: ignore[arg-type]


def test_a_slot_can_take_the_spare_agent_time_over_the_callback_handling_time() -> None:
    # 120 calls × 60 s in 30 min is 4 erlangs; at 85 % occupancy they need 4.7 of 10 agents:
    # 5.29 spare agents × 1800 s ÷ 300 s = 31 callbacks.
    slots = offer().slots

    assert slots[1].start == sh(2025, 3, 4, 10, 30)
    assert slots[1].capacity == 31


def test_the_first_slot_starts_now_and_is_prorated() -> None:
    first = offer().slots[0]

    assert (first.start, first.end) == (sh(2025, 3, 4, 10, 5), sh(2025, 3, 4, 10, 30))
    assert first.capacity == 26  # 25 of 30 minutes


def test_a_fully_staffed_interval_offers_no_callbacks() -> None:
    busy = day_of_staffing((2025, 3, 4), agents=10, calls=300)  # 10 erlangs on 10 agents

    result = offer(staffing=busy)

    assert result.slots == ()
    assert [r.key for r in result.reasons] == ["callback.no_slot"]


def test_booked_callbacks_use_up_a_slot() -> None:
    booked = [sh(2025, 3, 4, 10, 40)] * 31

    slots = offer(booked=booked).slots

    assert sh(2025, 3, 4, 10, 30) not in [s.start for s in slots]
    assert all(s.free > 0 for s in slots)


def test_no_slot_falls_in_the_lunch_break_or_after_closing() -> None:
    slots = offer().slots

    for slot in slots:
        assert DESK.business_time_between(slot.start, slot.end) == slot.end - slot.start
    assert sh(2025, 3, 4, 12, 0) not in [s.start for s in slots]
    assert max(s.end for s in slots) <= sh(2025, 3, 4, 20, 0)


def test_slots_end_where_contact_stops_being_permitted() -> None:
    permitted = [(sh(2025, 3, 4, 8, 0), sh(2025, 3, 4, 14, 45))]

    slots = offer(permitted=permitted).slots

    assert slots[-1].end == sh(2025, 3, 4, 14, 45)
    assert slots[-1].start == sh(2025, 3, 4, 14, 30)


def test_a_permission_test_from_the_gate_is_asked_about_whole_slots() -> None:
    asked: list[tuple[dt.datetime, dt.datetime]] = []

    def gate(start: dt.datetime, end: dt.datetime) -> bool:
        asked.append((start, end))
        return end <= sh(2025, 3, 4, 15, 0)

    slots = offer(permitted=gate).slots

    assert slots and all(s.end <= sh(2025, 3, 4, 15, 0) for s in slots)
    assert len(asked) > len(slots)  # later slots were asked and refused


def test_with_a_service_target_the_inbound_calls_keep_the_agents_erlang_a_needs() -> None:
    target = ServiceTarget(80, 20)
    plain = offer().slots[1].capacity
    with_target = offer(target=target, patience_seconds=120).slots[1].capacity

    assert with_target != plain and with_target > 0


def test_a_caller_keeps_their_place_when_their_turn_comes_in_open_hours() -> None:
    result = offer(ahead=30, patience_seconds=None)

    assert result.keep_place is not None
    # 10 agents, 60 s each: a place moves up every 6 s; 31 places is 186 s.
    assert result.keep_place.wait_seconds == 186
    assert result.keep_place.at == sh(2025, 3, 4, 10, 8, 6)
    assert result.keep_place.band == "wait.2_to_5_minutes"


def test_a_turn_that_would_come_after_closing_is_not_kept() -> None:
    result = offer(now=sh(2025, 3, 4, 19, 58), ahead=40)

    assert result.keep_place is None
    assert "callback.place_after_hours" in [r.key for r in result.reasons]


# --- after hours -----------------------------------------------------------------------------


def test_after_hours_the_caller_hears_tomorrows_opening_in_their_own_time() -> None:
    opening = when_line_opens(DESK, sh(2025, 3, 4, 21, 0), "Europe/London")

    assert not opening.open_now
    assert opening.opens_at == sh(2025, 3, 5, 9, 0)
    assert opening.local.isoformat() == "2025-03-05T01:00:00+00:00"
    assert opening.key == "line.opens_tomorrow"
    assert opening.params["time"] == "01:00"


def test_on_friday_night_the_caller_hears_monday() -> None:
    opening = when_line_opens(DESK, sh(2025, 3, 7, 21, 0), "Asia/Shanghai")

    assert opening.key == "line.opens_on"
    assert dict(opening.params) == {"time": "09:00", "date": "2025-03-10", "weekday": "mon"}


def test_during_opening_hours_the_line_is_open_now() -> None:
    opening = when_line_opens(DESK, sh(2025, 3, 4, 10, 0), "Asia/Shanghai")

    assert opening.open_now and opening.key == "line.open_now"


# --- a property ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=13 * 60),
    st.integers(min_value=0, max_value=20),
    st.floats(min_value=0, max_value=400),
    st.integers(min_value=8 * 60, max_value=21 * 60),
    st.lists(st.integers(min_value=0, max_value=13 * 60), max_size=40),
)
def test_every_offered_slot_is_open_permitted_and_has_room(
    now_minute: int, agents: int, calls: float, permitted_until: int, booked_minutes: list[int]
) -> None:
    morning = sh(2025, 3, 4, 8, 0)
    now = morning + dt.timedelta(minutes=now_minute)
    until = sh(2025, 3, 4) + dt.timedelta(minutes=permitted_until)
    booked = [morning + dt.timedelta(minutes=m) for m in booked_minutes]

    result = offer(now=now, staffing=day_of_staffing((2025, 3, 4), agents, calls),
                   permitted=[(morning, until)], booked=booked)  # fmt: skip

    for slot in result.slots:
        assert now <= slot.start < slot.end <= until
        assert DESK.business_time_between(slot.start, slot.end) == slot.end - slot.start
        assert slot.booked == sum(1 for b in booked if slot.start <= b < slot.end)
        assert slot.free > 0


def test_a_forecast_with_negative_calls_is_refused() -> None:
    bad = [StaffingInterval(sh(2025, 3, 4, 10, 0), sh(2025, 3, 4, 10, 30), 5, -1)]
    with pytest.raises(ValidationError) as error:
        offer(staffing=bad)
    assert error.value.field == "staffing"
