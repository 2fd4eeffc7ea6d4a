"""Callbacks instead of waiting (预约回电): slots staffing can honour, inside permitted hours.

A caller facing a long wait is offered (1) a callback that keeps their place — the lender calls
when they would have reached an agent — and (2) later slots. A slot is offered only when

* the desk is open for all of it (`BusinessHours`),
* contact is permitted for all of it: the compliance gate decides that in the shell and passes
  either the allowed intervals or a callable `(start, end) -> bool`, and
* staffing has room: the forecast agents minus those the inbound calls need leave spare
  agent-seconds, and a slot's capacity is spare agent-seconds ÷ callback handling time, less
  the callbacks already booked in it.

Agents the inbound calls need: with a service `target`, the Erlang C/A staffing for the
interval's forecast (`core.care.queueing.agents_needed`); without one, the offered load ÷
`max_occupancy`. After hours, `when_line_opens` tells the caller the next opening in their own
time zone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.core.care.hours import WEEKDAYS, BusinessHours, Span, require_aware
from arrears.core.care.queueing import (
    ServiceTarget,
    agents_needed,
    expected_wait_in_line,
    wait_band,
)
from arrears.core.errors import ValidationError

#: The allowed contact intervals, or a test of a whole window, from the compliance gate.
Permitted = Sequence[Span] | Callable[[datetime, datetime], bool]


@dataclass(frozen=True, slots=True)
class StaffingInterval:
    """The forecast for one interval (typically 15 or 30 minutes): agents on the phones and
    the inbound calls expected in it."""

    start: datetime
    end: datetime
    agents: int
    calls_expected: float


@dataclass(frozen=True, slots=True)
class CallbackSlot:
    """A window the lender will call back in, and how many more callbacks it can take."""

    start: datetime
    end: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True, slots=True)
class KeepPlace:
    """Call back when the caller would have reached an agent: `at`, about `wait_seconds` on."""

    at: datetime
    wait_seconds: float
    band: str


@dataclass(frozen=True, slots=True)
class Reason:
    key: str
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CallbackOffer:
    keep_place: KeepPlace | None
    slots: tuple[CallbackSlot, ...]
    reasons: tuple[Reason, ...]


def offer_callbacks(
    *,
    now: datetime,
    staffing: Sequence[StaffingInterval],
    hours: BusinessHours,
    permitted: Permitted,
    booked: Sequence[datetime] = (),
    handling_seconds: float,
    aht_seconds: float,
    target: ServiceTarget | None = None,
    patience_seconds: float | None = None,
    max_occupancy: float = 0.85,
    ahead: int | None = None,
    limit: int = 5,
    min_slot_minutes: int = 15,
) -> CallbackOffer:
    """The place-keeping callback (when `ahead`, the callers in front, is given) and the next
    `limit` slots with room, earliest first."""
    require_aware("now", now)
    if handling_seconds <= 0:
        raise ValidationError("handling_seconds", "must be more than zero")
    if not 0 < max_occupancy <= 1:
        raise ValidationError("max_occupancy", "must be more than 0 and at most 1")
    allowed = _permission_test(permitted)
    reasons: list[Reason] = []
    keep = None
    if ahead is not None:
        keep = _keep_place(now, staffing, hours, allowed, ahead, aht_seconds, patience_seconds,
                           reasons)  # fmt: skip
    slots: list[CallbackSlot] = []
    minimum = timedelta(minutes=min_slot_minutes)
    for interval in sorted(staffing, key=lambda i: i.start):
        if interval.end <= now:
            continue
        capacity = _spare_callbacks(interval, handling_seconds, aht_seconds, target,
                                    patience_seconds, max_occupancy)  # fmt: skip
        for start, end in _windows(interval, now, hours, permitted):
            if end - start < minimum or not allowed(start, end):
                continue
            share = (end - start) / (interval.end - interval.start)
            slot = CallbackSlot(start, end, math.floor(capacity * share),
                                sum(1 for b in booked if start <= b < end))  # fmt: skip
            if slot.free:
                slots.append(slot)
        if len(slots) >= limit:
            break
    if not slots:
        reasons.append(Reason("callback.no_slot", MappingProxyType({})))
    return CallbackOffer(keep, tuple(slots[:limit]), tuple(reasons))


def _keep_place(
    now: datetime,
    staffing: Sequence[StaffingInterval],
    hours: BusinessHours,
    allowed: Callable[[datetime, datetime], bool],
    ahead: int,
    aht_seconds: float,
    patience_seconds: float | None,
    reasons: list[Reason],
) -> KeepPlace | None:
    current = next((i for i in staffing if i.start <= now < i.end and i.agents > 0), None)
    if current is None:
        reasons.append(Reason("callback.no_agents_now", MappingProxyType({})))
        return None
    seconds = expected_wait_in_line(ahead, agents=current.agents, aht_seconds=aht_seconds,
                                    patience_seconds=patience_seconds)  # fmt: skip
    at = now.astimezone(UTC) + timedelta(seconds=seconds)
    if not hours.is_open(at):
        reasons.append(Reason("callback.place_after_hours", MappingProxyType({})))
        return None
    if not allowed(at, at + timedelta(minutes=1)):
        reasons.append(Reason("callback.place_not_permitted", MappingProxyType({})))
        return None
    return KeepPlace(at, seconds, wait_band(seconds).key)


def _spare_callbacks(
    interval: StaffingInterval,
    handling_seconds: float,
    aht_seconds: float,
    target: ServiceTarget | None,
    patience_seconds: float | None,
    max_occupancy: float,
) -> float:
    """Callbacks the interval's spare agent-seconds can take (before booked ones)."""
    length = (interval.end - interval.start).total_seconds()
    if length <= 0:
        raise ValidationError("staffing.end", "an interval must end after it starts")
    if interval.agents < 0 or not interval.calls_expected >= 0:
        raise ValidationError("staffing", "agents and calls expected must not be negative")
    calls_per_hour = interval.calls_expected * 3600.0 / length
    reserved = _reserved_agents(calls_per_hour, aht_seconds, target, patience_seconds,
                                max_occupancy)  # fmt: skip
    spare = max(0.0, interval.agents - reserved) * length
    return spare / handling_seconds


@functools.lru_cache(maxsize=4096)
def _reserved_agents(
    calls_per_hour: float,
    aht_seconds: float,
    target: ServiceTarget | None,
    patience_seconds: float | None,
    max_occupancy: float,
) -> float:
    """Agents the inbound calls keep busy; cached, as a day's forecast repeats itself."""
    if target is None:
        return calls_per_hour / 3600.0 * aht_seconds / max_occupancy
    return agents_needed(calls_per_hour=calls_per_hour, aht_seconds=aht_seconds, target=target,
                         patience_seconds=patience_seconds)  # fmt: skip


def _windows(
    interval: StaffingInterval, now: datetime, hours: BusinessHours, permitted: Permitted
) -> list[Span]:
    """The interval from `now` on, inside open hours and (for a list) the allowed intervals."""
    start = max(interval.start, now).astimezone(UTC)
    pieces = hours.open_intervals(start, interval.end)
    if callable(permitted):
        return pieces
    return [
        (max(a, p.astimezone(UTC)), min(b, q.astimezone(UTC)))
        for a, b in pieces
        for p, q in permitted
        if max(a, p) < min(b, q)
    ]


def _permission_test(permitted: Permitted) -> Callable[[datetime, datetime], bool]:
    if callable(permitted):
        return permitted
    intervals = list(permitted)
    for i, (p, q) in enumerate(intervals):
        require_aware(f"permitted[{i}].start", p)
        require_aware(f"permitted[{i}].end", q)

    def inside(start: datetime, end: datetime) -> bool:
        return any(p <= start and end <= q for p, q in intervals)

    return inside


# --- after hours -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineOpening:
    """When the line opens, told in the caller's own zone.

    `key` is a label key (`core.care.labels`): line.open_now, line.opens_today,
    line.opens_tomorrow or line.opens_on, with `params` time, date and weekday (local).
    """

    open_now: bool
    opens_at: datetime  # UTC
    local: datetime  # the same instant in the caller's zone
    key: str
    params: Mapping[str, str]


def when_line_opens(hours: BusinessHours, at: datetime, borrower_zone: str) -> LineOpening:
    """The next opening (or now, if open) in the borrower's time zone, with words for it."""
    require_aware("at", at)
    try:
        zone = ZoneInfo(borrower_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("borrower_zone", f"{borrower_zone!r} is not a time zone") from None
    opens = hours.next_open(at)
    local = opens.astimezone(zone)
    days = (local.date() - at.astimezone(zone).date()).days
    if opens <= at:
        key = "line.open_now"
    else:
        key = {0: "line.opens_today", 1: "line.opens_tomorrow"}.get(days, "line.opens_on")
    params = {
        "time": local.strftime("%H:%M"),
        "date": local.date().isoformat(),
        "weekday": WEEKDAYS[local.weekday()],
    }
    return LineOpening(opens <= at, opens, local, key, MappingProxyType(params))
