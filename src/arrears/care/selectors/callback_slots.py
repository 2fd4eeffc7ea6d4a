"""Callback slots 回电时段 on offer now: staffing with room, inside the desk's hours and the
hours the compliance gate lets us call this number.

Staffing is asked first (cheap arithmetic in `core.care.callbacks.offer_callbacks`), the gate
only about slots with room, and it skips ahead to its next permitted time instead of being
asked about every slot before it. A caller the desk does not know is called back only between
08:00 and 21:00 in every zone of their number (there are no records for the gate to read).
Nothing is written: the gate's `next_permitted` answers "what if".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from arrears.care.models import CareQueue
from arrears.care.selectors import line as lines
from arrears.compliance.services.gate import next_permitted_times
from arrears.core.care.callbacks import (
    CallbackOffer,
    CallbackSlot,
    Reason,
    StaffingInterval,
    offer_callbacks,
)
from arrears.core.care.hours import BusinessHours
from arrears.core.clock import FixedClock
from arrears.core.compliance.zones import number_zones
from arrears.servicing.models import Borrower

SLOT_LENGTH = dt.timedelta(minutes=30)
FORECAST_DAYS = 7
#: Local hours an unknown caller may be called back in (no records for the gate to read).
UNKNOWN_CALLER_HOURS = (dt.time(8, 0), dt.time(21, 0))
_PERMIT_STEP = dt.timedelta(minutes=15)
MINUTE = dt.timedelta(minutes=1)
#: Slots with room looked at before the gate is asked (about a week of half hours).
_CANDIDATES = 400

Permission = Callable[[dt.datetime, dt.datetime], bool]


def staffing_forecast(
    queue: CareQueue, hours: BusinessHours, *, at: dt.datetime, days: int = FORECAST_DAYS
) -> list[StaffingInterval]:
    """Half-hour intervals of open time ahead, each with the line's agents and the calls the
    last hour's rate brings (the desk keeps no forecast of its own yet)."""
    per_interval = lines.calls_in_last_hour(queue, at=at) * (SLOT_LENGTH / dt.timedelta(hours=1))
    intervals: list[StaffingInterval] = []
    for start, end in hours.open_intervals(at, at + dt.timedelta(days=days)):
        moment = _floor(start)
        while moment < end:
            intervals.append(
                StaffingInterval(moment, moment + SLOT_LENGTH, queue.line_agents, per_interval)
            )
            moment += SLOT_LENGTH
    return sorted(set(intervals), key=lambda i: i.start)


def _floor(at: dt.datetime) -> dt.datetime:
    at = at.astimezone(dt.UTC)
    minutes = (at.hour * 60 + at.minute) // 30 * 30
    return at.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


class CallPermission:
    """May we call this number in [start, end)? For a borrower the compliance gate decides
    (contact hours in every zone they may be in, holds, opt-outs, caps), asked every 15 minutes
    and at the window's last minute, each instant once; a caller the desk does not know only
    between 08:00 and 21:00 in every zone of their number."""

    def __init__(self, borrower: Borrower | None, number: str, *, at: dt.datetime) -> None:
        self.borrower, self.number, self.at = borrower, number, at
        self._answers: dict[dt.datetime, dt.datetime | None] = {}
        self._unknown = None if borrower is not None else _unknown_caller_hours(number)
        self._gate: Callable[[dt.datetime], dt.datetime | None] | None = None

    def next_allowed(self, moment: dt.datetime) -> dt.datetime | None:
        """The gate's next permitted instant at or after `moment` (None: a person must act).
        The borrower's records and contact log are read once, at the first question."""
        moment = max(moment, self.at)
        if moment not in self._answers:
            if self._gate is None:
                assert self.borrower is not None
                self._gate = next_permitted_times(
                    borrower=self.borrower,
                    channel="call",
                    address=self.number,
                    purpose="servicing",
                    clock=FixedClock(self.at),
                )
            self._answers[moment] = self._gate(moment)
        return self._answers[moment]

    def __call__(self, start: dt.datetime, end: dt.datetime) -> bool:
        if self._unknown is not None:
            return self._unknown(start, end)
        last = max(start, end - MINUTE)
        moment = start
        while True:
            permitted = self.next_allowed(moment)
            if permitted is None or permitted > max(moment, self.at):
                return False
            if moment >= last:
                return True
            moment = min(moment + _PERMIT_STEP, last)

    def allowed_slots(self, slots: Sequence[CallbackSlot], limit: int) -> list[CallbackSlot]:
        """The first `limit` slots we may call in, skipping ahead to the gate's next
        permitted time instead of asking about every slot before it."""
        chosen: list[CallbackSlot] = []
        not_before = self.at
        for slot in slots:
            if len(chosen) >= limit:
                break
            if slot.end <= not_before:
                continue
            if self._unknown is None:
                permitted = self.next_allowed(max(slot.start, not_before))
                if permitted is None:
                    break
                not_before = permitted
                if permitted >= slot.end:
                    continue
            if self(slot.start, slot.end):
                chosen.append(slot)
        return chosen


def _unknown_caller_hours(number: str) -> Permission:
    zones = number_zones(number) or ("Asia/Shanghai",)
    opens, closes = UNKNOWN_CALLER_HOURS

    def allowed(start: dt.datetime, end: dt.datetime) -> bool:
        for key in zones:
            first = start.astimezone(ZoneInfo(key))
            last = (end - MINUTE).astimezone(ZoneInfo(key))
            if first.date() != last.date() or first.time() < opens or last.time() >= closes:
                return False
        return True

    return allowed


def callback_offer(
    queue: CareQueue,
    *,
    at: dt.datetime,
    number: str,
    borrower: Borrower | None = None,
    ahead: int | None = None,
    hours: BusinessHours | None = None,
    staffing: Sequence[StaffingInterval] | None = None,
    limit: int = 5,
) -> CallbackOffer:
    """What the caller can be offered now: their place kept (with `ahead` callers in front)
    and the next `limit` slots staffing can honour inside permitted hours.

    Staffing is asked first (cheap), the gate only about slots with room."""
    hours = hours or lines.line_hours(queue, at=at)
    staffing = staffing if staffing is not None else staffing_forecast(queue, hours, at=at)
    booked = [max(c.slot_start, at) for c in lines.booked_callbacks(queue, after=at)]
    permission = CallPermission(borrower, number, at=at)

    def offer(intervals: Sequence[StaffingInterval], **extra: Any) -> CallbackOffer:
        return offer_callbacks(
            now=at,
            staffing=intervals,
            hours=hours,
            booked=booked,
            handling_seconds=float(queue.aht_seconds),
            aht_seconds=float(queue.aht_seconds),
            patience_seconds=float(queue.patience_seconds) if queue.patience_seconds else None,
            **extra,
        )

    roomy = offer(staffing, permitted=_anytime, limit=_CANDIDATES)
    slots = permission.allowed_slots(roomy.slots, limit)
    keep, reasons = None, []
    if ahead is not None:
        current = [i for i in staffing if i.start <= at < i.end]
        placed = offer(current, permitted=permission, ahead=ahead, limit=1)
        keep = placed.keep_place
        reasons = [r for r in placed.reasons if r.key != "callback.no_slot"]
    if not slots:
        reasons.append(Reason("callback.no_slot", MappingProxyType({})))
    return CallbackOffer(keep, tuple(slots), tuple(reasons))


def _anytime(start: dt.datetime, end: dt.datetime) -> bool:
    return True
