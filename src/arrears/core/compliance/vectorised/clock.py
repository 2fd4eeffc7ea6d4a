"""Local time in integer arithmetic: UTC offsets as small sorted tables, days as integers.

The scalar rules read wall clocks with `zoneinfo`; here the same zones are turned into tables of
their transitions over the years a batch needs, and each instant's offset is found by a binary
search (`search_sorted`) over one sorted key column per batch — no per-row Python, no
`convert_time_zone` (whose own copy of the tz database could differ from the one `zoneinfo`
reads). Instants are microseconds since the epoch (`Int64`), days are days since the epoch
(`Date`'s physical value), times of day are microseconds after midnight.

Two look-ups, as `zoneinfo` does them:
- `local(t, z)`: the wall clock at a UTC instant (the offset after the last transition at or
  before `t`);
- `to_utc(wall, z)`: the instant of a wall-clock time with PEP 495 `fold=0` — a time in a gap
  moves on by the gap, an ambiguous time is its first occurrence. A transition's wall-clock key
  is its instant plus the larger of the offsets either side of it, which is exactly where
  `zoneinfo` switches for `fold=0`.

Day rules (`Days`): which local dates a stretch of time may fall on — weekdays, and the public
holidays of the scalar hours rule's calendar (`holiday_calendar(...).holiday_name`) turned into
a small table — with "the next permitted day" precomputed, so a search over days is a gather.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from arrears.core.compliance.rules._base import holiday_calendar
from arrears.core.compliance.zones import zone

UTC = dt.UTC
SECOND = 1_000_000
DAY = 86_400 * SECOND
#: Key layout: zone index × 2**40 + (seconds + 2**39): any instant of ±17,000 years fits.
_SHIFT = 1 << 40
_BIAS = 1 << 39
_PROBE = 6 * 3600  # seconds between probes: no zone changes its offset twice within 6 hours
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
ALL_WEEKDAYS_MASK = 0b111_1111


def micros(at: dt.datetime) -> int:
    """An aware instant as microseconds since the epoch (exact: no float)."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def time_micros(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * SECOND + value.microsecond


def weekday_mask(weekdays: Iterable[int]) -> int:
    mask = 0
    for day in weekdays:
        mask |= 1 << day
    return mask


def _offset_seconds(key: str, second: int) -> int:
    offset = dt.datetime.fromtimestamp(second, tz=zone(key)).utcoffset()
    assert offset is not None
    whole = offset.days * 86_400 + offset.seconds
    if offset.microseconds:
        raise ValueError(f"{key}: sub-second UTC offsets are not supported")
    return whole


@functools.cache
def _transitions(key: str, year: int) -> tuple[tuple[int, int], ...]:
    """(UTC second of the transition, offset after it in seconds) within one calendar year."""
    start = int(dt.datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found: list[tuple[int, int]] = []
    before = _offset_seconds(key, start)
    probe = start
    while probe < end:
        nxt = min(probe + _PROBE, end)
        after = _offset_seconds(key, nxt)
        if after != before:
            low, high = probe, nxt  # offset(low) == before, offset(high) == after
            while high - low > 1:
                mid = (low + high) // 2
                if _offset_seconds(key, mid) == before:
                    low = mid
                else:
                    high = mid
            found.append((high, after))
            before = after
        probe = nxt
    return tuple(found)


class Clock:
    """UTC offsets of a batch's zones over a range of instants.

    `zones[i]` is the zone whose index (`z` columns) is `i`. Offsets are read from a table of
    15-minute slots (one gather per look-up) when every transition in the range falls on a slot
    boundary, as all do since offsets became whole quarter hours; otherwise from sorted keys by
    binary search. Instants outside the range read its edge slots, which only ever matters for
    answers the gate rejects anyway (beyond its horizon).
    """

    SLOT = 15 * 60 * SECOND

    def __init__(self, zones: Sequence[str], low: int, high: int, *, slots: bool = True) -> None:
        self.zones = tuple(zones)
        first_year = from_micros(low - DAY).year
        last_year = from_micros(high + DAY).year
        origin = (low - 2 * DAY) // self.SLOT * self.SLOT
        count = (high + 2 * DAY - origin) // self.SLOT + 1
        tables = _tables(self.zones, first_year, last_year, slots)
        self._utc: tuple[pl.Series, pl.Series] | pl.Series
        self._wall: tuple[pl.Series, pl.Series] | pl.Series
        if tables.slotted:
            # The years' slot tables are shared by every batch over the same zones and years;
            # a batch reads only its own slots, clamped at its edges as a table of its own was.
            self._origin = tables.origin
            self._stride = tables.stride
            self._low = (origin - tables.origin) // self.SLOT
            self._high = self._low + count - 1
            if self._low < 0 or self._high >= tables.stride:
                raise AssertionError("the years' slot table does not cover the batch")
        self._utc, self._wall = tables.utc, tables.wall

    def _offset(
        self, table: tuple[pl.Series, pl.Series] | pl.Series, z: pl.Expr, at: pl.Expr
    ) -> pl.Expr:
        if isinstance(table, pl.Series):
            slot = ((at - self._origin) // self.SLOT).clip(self._low, self._high)
            return pl.lit(table).gather(z.cast(pl.Int64) * self._stride + slot)
        keys, offsets = table
        key = z.cast(pl.Int64) * _SHIFT + (at // SECOND + _BIAS)
        position = pl.lit(keys).search_sorted(key, side="right").cast(pl.Int64) - 1
        return pl.lit(offsets).gather(position)

    def index(self, key: str) -> int:
        return self.zones.index(key)

    def local(self, t: pl.Expr, z: pl.Expr) -> pl.Expr:
        """The wall clock (microseconds since the local epoch) at UTC instant `t` in zone `z`."""
        return t + self._offset(self._utc, z, t)

    def day(self, t: pl.Expr, z: pl.Expr) -> pl.Expr:
        """The local date (days since the epoch) of instant `t` in zone `z`."""
        return self.local(t, z) // DAY

    def to_utc(self, wall: pl.Expr, z: pl.Expr) -> pl.Expr:
        """The instant of a wall-clock time, as `datetime.combine(..., tzinfo=zone)` gives it."""
        return wall - self._offset(self._wall, z, wall)

    def at_local(self, day: pl.Expr, time_of_day: pl.Expr, z: pl.Expr) -> pl.Expr:
        return self.to_utc(day.cast(pl.Int64) * DAY + time_of_day, z)

    def day_start(self, day: pl.Expr, z: pl.Expr) -> pl.Expr:
        return self.to_utc(day.cast(pl.Int64) * DAY, z)


@dataclass(frozen=True)
class _Tables:
    """A zone set's offsets over whole calendar years: 15-minute slot tables when every
    transition is slot-aligned (`slotted`), else sorted (key, offset) tables."""

    slotted: bool
    origin: int  # first slot's instant (slotted tables)
    stride: int  # slots per zone (slotted tables)
    utc: tuple[pl.Series, pl.Series] | pl.Series
    wall: tuple[pl.Series, pl.Series] | pl.Series


#: A zone's slot table over three years is about 0.8 MB (per direction): a few are kept.
@functools.lru_cache(maxsize=4)
def _tables(zones: tuple[str, ...], first_year: int, last_year: int, slots: bool) -> _Tables:
    """The offsets a `Clock` reads, built once per zone set and years (immutable Series).

    Slot `i` holds the offset in force at its start, read from the transitions of
    `first_year`…`last_year` (before the first: the offset at the start of `first_year`; after
    the last: the last one) — what a batch's own table over any part of those years holds.
    """
    start = int(dt.datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    years = [_years(key, first_year, last_year) for key in zones]
    if not (slots and all(aligned for _, _, aligned in years)):
        initial = [first for first, _, _ in years]
        changes = [list(found) for _, found, _ in years]
        return _Tables(
            False,
            0,
            0,
            _key_table(initial, changes, wall=False),
            _key_table(initial, changes, wall=True),
        )
    # Three days either side of the years: a batch's slots start at most two days before its
    # first year and end at most a day (and a slot) after its last.
    origin = start * SECOND - 3 * DAY
    end = int(dt.datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp()) * SECOND + 3 * DAY
    stride = (end - origin) // Clock.SLOT + 1

    def table(wall: bool) -> pl.Series:
        parts = [_zone_slots(key, first_year, last_year, origin, stride, wall) for key in zones]
        return pl.Series(np.concatenate(parts) if parts else np.zeros(0, np.int64), dtype=pl.Int64)

    return _Tables(True, origin, stride, table(False), table(True))


@functools.lru_cache(maxsize=256)
def _years(
    key: str, first_year: int, last_year: int
) -> tuple[int, tuple[tuple[int, int], ...], bool]:
    """A zone's offset at the start of `first_year`, its transitions to the end of `last_year`,
    and whether they all fall on slot boundaries (then its offsets can be read from slots)."""
    start = int(dt.datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    first = _offset_seconds(key, start)
    found = tuple(t for year in range(first_year, last_year + 1) for t in _transitions(key, year))
    aligned = (
        all(
            (second * SECOND) % Clock.SLOT == 0 and (offset * SECOND) % Clock.SLOT == 0
            for second, offset in found
        )
        and (first * SECOND) % Clock.SLOT == 0
    )
    return first, found, aligned


@functools.lru_cache(maxsize=32)
def _zone_slots(
    key: str, first_year: int, last_year: int, origin: int, stride: int, wall: bool
) -> np.ndarray:
    """One zone's slot table (read-only): the offset in force at each slot's start."""
    first, found, _ = _years(key, first_year, last_year)
    keys, offsets = _points(first, list(found), wall=wall)
    starts = origin + np.arange(stride, dtype=np.int64) * Clock.SLOT
    position = np.searchsorted(keys * SECOND, starts, side="right") - 1
    table = np.where(
        position >= 0, offsets[np.maximum(position, 0)] if len(offsets) else first, first
    )
    result = (table * SECOND).astype(np.int64)
    result.flags.writeable = False
    return result


def _points(
    first: int, found: list[tuple[int, int]], *, wall: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(key seconds, offset after) per transition: UTC instants, or `fold=0` wall keys."""
    keys, offsets, before = [], [], first
    for second, after in found:
        keys.append(second + max(before, after) if wall else second)
        offsets.append(after)
        before = after
    return np.array(keys, dtype=np.int64), np.array(offsets, dtype=np.int64)


def _key_table(
    initial: list[int], changes: list[list[tuple[int, int]]], *, wall: bool
) -> tuple[pl.Series, pl.Series]:
    keys: list[int] = []
    offsets: list[int] = []
    for index, (first, found) in enumerate(zip(initial, changes, strict=True)):
        base = index * _SHIFT
        keys.append(base)  # the zone's first entry holds before its first transition
        offsets.append(first * SECOND)
        points, after = _points(first, found, wall=wall)
        keys.extend(int(base + k + _BIAS) for k in points)
        offsets.extend(int(o * SECOND) for o in after)
    return pl.Series(keys, dtype=pl.Int64), pl.Series(offsets, dtype=pl.Int64)


def _holidays(calendar: str, first_day: int, end_day: int) -> np.ndarray:
    """The calendar's holidays in [first_day, end_day), as day numbers."""
    found: list[int] = []
    first = _EPOCH.date() + dt.timedelta(days=first_day)
    last = _EPOCH.date() + dt.timedelta(days=end_day - 1)
    for year in range(first.year, last.year + 1):
        found.extend(d for d in _holiday_days(calendar, year) if first_day <= d < end_day)
    return np.array(found, dtype=np.int64)


@functools.cache
def _holiday_days(calendar: str, year: int) -> tuple[int, ...]:
    """Days of `year` on which the scalar hours rule's calendar names a holiday."""
    cal = holiday_calendar(calendar)
    day = dt.date(year, 1, 1)
    epoch = _EPOCH.date()
    found = []
    while day.year == year:
        if cal.holiday_name(day) is not None:
            found.append((day - epoch).days)
        day += dt.timedelta(days=1)
    return tuple(found)


class Days:
    """Which local dates each day rule accepts, and the next accepted date, over a day range.

    A rule is (weekday mask, holiday calendar or None). Rule 0 accepts every day.
    """

    NEVER = 1 << 30  # "no accepted day within the table"

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first_day, self.span = first_day, last_day - first_day + 1
        self._rules: dict[tuple[int, str | None], int] = {}
        self._ok: list[np.ndarray] = []
        self._next: list[np.ndarray] = []
        self._built: tuple[pl.Series, pl.Series] | None = None
        self.rule(ALL_WEEKDAYS_MASK, None)

    def rule(self, weekdays: int, calendar: str | None) -> int:
        """The id of the day rule accepting these weekdays, minus the calendar's holidays."""
        key = (weekdays, calendar)
        found = self._rules.get(key)
        if found is not None:
            return found
        ok, nxt = _day_rule(self.first_day, self.span, weekdays, calendar)
        self._rules[key] = len(self._ok)
        self._ok.append(ok)
        self._next.append(nxt)
        self._built = None
        return self._rules[key]

    def _series(self) -> tuple[pl.Series, pl.Series]:
        if self._built is None:
            self._built = (
                pl.Series("ok", np.concatenate(self._ok), dtype=pl.Boolean),
                pl.Series("next", np.concatenate(self._next), dtype=pl.Int64),
            )
        return self._built

    def _position(self, rule: pl.Expr, day: pl.Expr) -> pl.Expr:
        # Days outside the table (only `NEVER` sentinels ask) read its edge: never an error.
        offset = (day.cast(pl.Int64) - self.first_day).clip(0, self.span - 1)
        return rule.cast(pl.Int64) * self.span + offset

    def ok(self, rule: pl.Expr, day: pl.Expr) -> pl.Expr:
        return pl.lit(self._series()[0]).gather(self._position(rule, day))

    def next_ok(self, rule: pl.Expr, day: pl.Expr) -> pl.Expr:
        """The first accepted day on or after `day` (`NEVER` when none is in the table)."""
        return pl.lit(self._series()[1]).gather(self._position(rule, day))


@functools.lru_cache(maxsize=256)
def _day_rule(
    first_day: int, span: int, weekdays: int, calendar: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """A day rule over `span` days from `first_day`: (accepted?, next accepted day), read-only.

    Batches on the same days share them; only the calendar's holidays make them costly."""
    days = np.arange(first_day, first_day + span)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    ok = ((weekdays >> weekday) & 1).astype(bool)
    if calendar is not None:
        ok &= ~np.isin(days, _holidays(calendar, first_day, first_day + span))
    # The next accepted day on or after each day: a running minimum from the end.
    upcoming = np.where(ok, days, Days.NEVER)
    nxt = np.minimum.accumulate(upcoming[::-1])[::-1].astype(np.int64)
    ok.flags.writeable = False
    nxt.flags.writeable = False
    return ok, nxt
