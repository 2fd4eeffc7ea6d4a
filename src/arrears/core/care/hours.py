"""Business-hours calendars (服务时间): when a care desk is open, and counting in open time.

SLA targets, callback slots and "when does the line open" all count *open* time, not clock
time: a four-hour first-reply target set at 17:00 on a Friday falls due on Monday morning. A
calendar is a time zone, weekly opening periods (several a day, e.g. 09:00–12:00 and
13:30–18:00), the country's public holidays (`core.calendar.BusinessCalendar`), the lender's own
closures (whole days or instant ranges) and special hours for a date.

How a local date's periods are chosen, first match wins:

1. a lender's closed day: closed;
2. special hours for the date: those periods (an empty list closes the day);
3. a public holiday: closed. In China the weekend days inside a holiday block (Golden Week's
   Saturday and Sunday, which the `holidays` package leaves unnamed) are holiday too;
4. a make-up working day (调休, a Saturday or Sunday worked to bridge a holiday): the periods
   of the weekday named by `make_up_days_as` (Monday's by default);
5. otherwise the weekly periods of that weekday.

Closed spans (an outage, a fire drill, 10:00–11:30 on one day) are then cut out. Periods are
wall-clock times in the calendar's zone, so a desk open 09:00–17:00 in New York is open 8 hours
on the days clocks change too; an hour skipped by a DST change is simply not open. Every
instant returned is an aware UTC datetime; inputs may be in any zone but must be aware.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.core.calendar import BusinessCalendar
from arrears.core.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
#: How far ahead an opening is looked for before the calendar is called never open.
DEFAULT_HORIZON_DAYS = 800
_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")

Span = tuple[datetime, datetime]


class DayKind(StrEnum):
    """Why a local date has the periods it has (shown to supervisors editing a calendar)."""

    REGULAR = "regular"
    SPECIAL = "special"
    MAKE_UP = "make_up"
    HOLIDAY = "holiday"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One opening within a day, in local wall-clock minutes: [start, end); end may be 24:00."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValidationError(
                "period", f"{self} must open before it closes, within 00:00–24:00"
            )

    @classmethod
    def parse(cls, field: str, text: object) -> Period:
        """Read "09:00-12:00" (an en dash or "–" also works; "24:00" closes at midnight)."""
        if not isinstance(text, str):
            raise ValidationError(field, f"{text!r} is not a period like 09:00-12:00")
        parts = re.split(r"\s*[-–]\s*", text.strip())
        if len(parts) != 2:
            raise ValidationError(field, f"{text!r} is not a period like 09:00-12:00")
        try:
            return cls(_minute(parts[0]), _minute(parts[1]))
        except ValidationError as error:
            raise ValidationError(field, error.reason) from None

    def __str__(self) -> str:
        return f"{_clock(self.start_minute)}-{_clock(self.end_minute)}"


@dataclass(frozen=True, slots=True)
class ClosedSpan:
    """The lender closed between two instants (an outage, a training afternoon)."""

    start: datetime
    end: datetime
    reason: str = ""

    def __post_init__(self) -> None:
        require_aware("closed_spans.start", self.start)
        require_aware("closed_spans.end", self.end)
        if self.end <= self.start:
            raise ValidationError("closed_spans.end", "must be after the start")


class BusinessHours:
    """A care desk's opening hours in one zone, with holidays, closures and special hours."""

    def __init__(
        self,
        *,
        zone: str | ZoneInfo,
        weekly: Mapping[int, Sequence[Period]],
        country: str | None = None,
        make_up_days_as: int = 0,
        closed_days: Iterable[date] = (),
        closed_spans: Iterable[ClosedSpan] = (),
        special_hours: Mapping[date, Sequence[Period]] | None = None,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
    ) -> None:
        self.zone = _zone(zone)
        self.weekly = {
            day: _checked_day(f"weekly.{WEEKDAYS[day]}", weekly.get(day, ())) for day in range(7)
        }
        for day in weekly:
            if day not in range(7):
                raise ValidationError("weekly", f"weekday {day!r} must be 0 (Monday) .. 6 (Sunday)")
        self.special_hours = {
            day: _checked_day(f"special_hours.{day.isoformat()}", periods)
            for day, periods in (special_hours or {}).items()
        }
        if not any(self.weekly.values()) and not any(self.special_hours.values()):
            raise ValidationError("weekly", "the desk is never open: give at least one period")
        if make_up_days_as not in range(7):
            raise ValidationError("make_up_days_as", "must be a weekday 0 (Monday) .. 6 (Sunday)")
        self.make_up_days_as = make_up_days_as
        self.holidays = BusinessCalendar(country) if country else None
        self.closed_days = frozenset(closed_days)
        self.closed_spans = tuple(sorted(closed_spans, key=lambda span: span.start))
        self.horizon_days = horizon_days
        self._spans: dict[date, tuple[Span, ...]] = {}

    def __repr__(self) -> str:
        country = self.holidays.country if self.holidays else None
        return f"BusinessHours({self.zone.key!r}, country={country!r})"

    # --- which periods a local date has ------------------------------------------------------

    def day_kind(self, day: date) -> DayKind:
        """Which rule chose the date's periods (see the module docstring for the order)."""
        if day in self.closed_days:
            return DayKind.CLOSED
        if day in self.special_hours:
            return DayKind.SPECIAL
        if self._is_holiday(day):
            return DayKind.HOLIDAY
        if self._is_make_up_day(day):
            return DayKind.MAKE_UP
        return DayKind.REGULAR

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The local wall-clock periods of a date, before closed spans are cut out."""
        kind = self.day_kind(day)
        if kind in (DayKind.CLOSED, DayKind.HOLIDAY):
            return ()
        if kind is DayKind.SPECIAL:
            return self.special_hours[day]
        if kind is DayKind.MAKE_UP:
            return self.weekly[self.make_up_days_as]
        return self.weekly[day.weekday()]

    def open_spans_on(self, day: date) -> tuple[Span, ...]:
        """The date's open spans as UTC instants, closed spans cut out (cached per date)."""
        found = self._spans.get(day)
        if found is None:
            spans = [
                (start, end)
                for start, end in (
                    (self._instant(day, p.start_minute), self._instant(day, p.end_minute))
                    for p in self.periods_on(day)
                )
                if end > start  # an hour skipped by a DST change is not open
            ]
            found = self._spans[day] = tuple(_cut(spans, self.closed_spans))
        return found

    # --- questions about instants ------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at this instant (opening instant in, closing instant out)."""
        require_aware("at", at)
        local = at.astimezone(self.zone).date()
        return any(
            start <= at < end
            for day in (local - _ONE_DAY, local)
            for start, end in self.open_spans_on(day)
        )

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when open, else the next opening (UTC)."""
        require_aware("at", at)
        for start, _end in self._spans_from(at):
            return start
        raise self._never_open("at", at)

    def next_close(self, at: datetime) -> datetime:
        """When the current (or, if closed, the next) opening ends; back-to-back periods merge.

        A desk that never closes answers with the end of its horizon.
        """
        require_aware("at", at)
        closing: datetime | None = None
        for start, end in self._spans_from(at):
            if closing is not None and start > closing:
                break
            closing = end
        if closing is None:
            raise self._never_open("at", at)
        return closing

    def open_intervals(self, start: datetime, end: datetime) -> list[Span]:
        """The open intervals inside [start, end) (UTC), clipped to it, back-to-back ones merged."""
        require_aware("start", start)
        require_aware("end", end)
        end = end.astimezone(UTC)
        found: list[Span] = []
        for opened, closed in self._spans_from(start):
            if opened >= end:
                break
            closed = min(closed, end)
            if found and found[-1][1] >= opened:
                found[-1] = (found[-1][0], max(found[-1][1], closed))
            else:
                found.append((opened, closed))
        return found

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time inside [start, end), exact to the microsecond; negative when end < start.

        Additive: between(a, b) + between(b, c) == between(a, c) for any a, b, c.
        """
        require_aware("start", start)
        require_aware("end", end)
        if end < start:
            return -self.business_time_between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = ZERO
        day = start.astimezone(self.zone).date() - _ONE_DAY
        last = end.astimezone(self.zone).date()
        while day <= last:
            for opened, closed in self.open_spans_on(day):
                overlap = min(closed, end) - max(opened, start)
                if overlap > ZERO:
                    total += overlap
            day += _ONE_DAY
        return total

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """`business_time_between` in seconds (microsecond resolution)."""
        return self.business_time_between(start, end).total_seconds()

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of open time has passed since `start` (UTC).

        A target used up exactly at closing time falls due at the closing instant, not at the
        next opening; zero duration is `start` itself, open or not.
        """
        require_aware("start", start)
        if duration < ZERO:
            raise ValidationError("duration", "must not be negative")
        if duration == ZERO:
            return start.astimezone(UTC)
        remaining = duration
        for opened, closed in self._spans_from(start):
            length = closed - opened
            if remaining <= length:
                return opened + remaining
            remaining -= length
        raise self._never_open("start", start)

    # --- helpers -----------------------------------------------------------------------------

    def _spans_from(self, at: datetime) -> Iterator[Span]:
        """Open spans ending after `at`, in order, the first clipped to start at `at`.

        Stops after `horizon_days` of dates.
        """
        at = at.astimezone(UTC)
        first = at.astimezone(self.zone).date() - _ONE_DAY
        for offset in range(self.horizon_days + 2):
            for start, end in self.open_spans_on(first + offset * _ONE_DAY):
                if end > at:
                    yield max(start, at), end

    def _instant(self, day: date, minute: int) -> datetime:
        if minute == MINUTES_PER_DAY:
            day, minute = day + _ONE_DAY, 0
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def _is_holiday(self, day: date) -> bool:
        if self.holidays is None:
            return False
        if self.holidays.holiday_name(day) is not None:
            return True
        return self.holidays.country == "CN" and self._in_cn_holiday_block(day)

    def _in_cn_holiday_block(self, day: date) -> bool:
        """A Chinese weekend day inside a block of days off that holds a named holiday."""
        assert self.holidays is not None
        if day.weekday() < _SATURDAY or self.holidays.is_business_day(day):
            return False
        for step in (_ONE_DAY, -_ONE_DAY):
            probe = day + step
            while not self.holidays.is_business_day(probe):
                if self.holidays.holiday_name(probe) is not None:
                    return True
                probe += step
        return False

    def _is_make_up_day(self, day: date) -> bool:
        return (
            self.holidays is not None
            and day.weekday() >= _SATURDAY
            and self.holidays.is_business_day(day)
        )

    def _never_open(self, field: str, at: datetime) -> ValidationError:
        return ValidationError(
            field, f"the desk does not open within {self.horizon_days} days after {at.isoformat()}"
        )


def require_aware(field: str, value: datetime) -> None:
    """Refuse a naive datetime: open time cannot be counted without knowing the zone."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, f"{value!r} must be an aware datetime")


def parse_business_hours(data: object, *, field: str = "hours") -> BusinessHours:
    """Build a calendar from a YAML/JSON mapping, naming the field on every error.

    ```yaml
    zone: Asia/Shanghai
    country: CN                     # optional: public holidays and 调休 make-up days
    weekly: {mon: ["09:00-12:00", "13:30-18:00"], sat: ["10:00-16:00"]}
    make_up_days_as: mon            # a 调休 working day opens with Monday's periods
    closed_days: [2026-06-01]
    closed_spans: [{start: "2026-06-02T10:00:00+08:00", end: "2026-06-02T11:30:00+08:00"}]
    special_hours: {2026-12-24: ["09:00-13:00"]}
    ```
    """
    values = _mapping(field, data)
    allowed = ("zone", "country", "weekly", "make_up_days_as", "closed_days", "closed_spans",
               "special_hours")  # fmt: skip
    for key in values:
        if key not in allowed:
            raise ValidationError(f"{field}.{key}", f"unknown field (known: {', '.join(allowed)})")
    if "zone" not in values:
        raise ValidationError(f"{field}.zone", "is required")
    weekly = {
        _weekday(f"{field}.weekly", name): _periods(f"{field}.weekly.{name}", periods)
        for name, periods in _mapping(f"{field}.weekly", values.get("weekly", {})).items()
    }
    special = {
        _date(f"{field}.special_hours", day): _periods(f"{field}.special_hours.{day}", periods)
        for day, periods in _mapping(
            f"{field}.special_hours", values.get("special_hours", {})
        ).items()
    }
    country = values.get("country")
    if country is not None and not isinstance(country, str):
        raise ValidationError(f"{field}.country", "must be a country code such as CN")
    return BusinessHours(
        zone=_text(f"{field}.zone", values["zone"]),
        weekly=weekly,
        country=country,
        make_up_days_as=_weekday(f"{field}.make_up_days_as", values.get("make_up_days_as", "mon")),
        closed_days=[
            _date(f"{field}.closed_days[{i}]", day)
            for i, day in enumerate(_list(f"{field}.closed_days", values.get("closed_days", [])))
        ],
        closed_spans=[
            _closed_span(f"{field}.closed_spans[{i}]", span)
            for i, span in enumerate(_list(f"{field}.closed_spans", values.get("closed_spans", [])))
        ],
        special_hours=special,
    )


# --- small readers ---------------------------------------------------------------------------


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError("zone", f"{zone!r} is not an IANA time zone") from None


def _checked_day(field: str, periods: Sequence[Period]) -> tuple[Period, ...]:
    ordered = tuple(sorted(periods))
    for earlier, later in itertools.pairwise(ordered):
        if later.start_minute < earlier.end_minute:
            raise ValidationError(field, f"periods {earlier} and {later} overlap")
    return ordered


def _cut(spans: Sequence[Span], closures: Sequence[ClosedSpan]) -> list[Span]:
    """The spans minus every closed span."""
    result = list(spans)
    for closure in closures:
        cut_start, cut_end = closure.start.astimezone(UTC), closure.end.astimezone(UTC)
        pieces: list[Span] = []
        for start, end in result:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if start < cut_start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def _minute(text: str) -> int:
    match = _CLOCK.fullmatch(text)
    if not match or (match[1] == "24" and match[2] != "00"):
        raise ValidationError("period", f"{text!r} is not a time like 09:00")
    return int(match[1]) * 60 + int(match[2])


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _mapping(field: str, value: object) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a mapping")
    return value


def _list(field: str, value: object) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValidationError(field, "must be a list")
    return list(value)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be text")
    return value.strip()


def _periods(field: str, value: object) -> tuple[Period, ...]:
    periods = [Period.parse(f"{field}[{i}]", text) for i, text in enumerate(_list(field, value))]
    return _checked_day(field, periods)


def _weekday(field: str, value: object) -> int:
    name = str(value).strip().lower()[:3]
    if name not in WEEKDAYS:
        raise ValidationError(field, f"{value!r} is not a weekday (mon .. sun)")
    return WEEKDAYS.index(name)


def _date(field: str, value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a date YYYY-MM-DD") from None


def _instant(field: str, value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(field, f"{value!r} is not an ISO 8601 instant") from None
    require_aware(field, parsed)
    return parsed


def _closed_span(field: str, value: object) -> ClosedSpan:
    values = _mapping(field, value)
    try:
        return ClosedSpan(
            start=_instant(f"{field}.start", values.get("start")),
            end=_instant(f"{field}.end", values.get("end")),
            reason=str(values.get("reason", "")),
        )
    except ValidationError as error:
        if error.field.startswith(field):
            raise
        raise ValidationError(f"{field}.{error.field.rsplit('.', 1)[-1]}", error.reason) from None
