"""Contact hours in the person's local time, in every zone they may be in.

`hours.window`: each window of the profile that covers the channel and purpose must be open in
every candidate zone — the US 08:00–21:00 (US-COMM-01), China's no collection 22:00–08:00
(CN-TIME-01), Ireland's 09:00–21:00 and never on a Sunday or public holiday (EU-IE-01), the
UK's firm-set window (UK-CONT-01). Times the person agreed to override a window where the
profile says consent does (`agreed_times_override`).

`hours.inconvenient`: the times the person said are inconvenient (US-COMM-02, UK-CONT-01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import ContactRequest, RuleResult, TimeRange
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules._base import (
    SEARCH_DAYS,
    WEEKDAYS_EN,
    WEEKDAYS_ZH,
    DayOk,
    allow,
    deny,
    hhmm,
    holiday_calendar,
    in_range,
    local,
    next_entry,
    next_exit,
    weekdays_ok,
    zh,
    zones_of,
)
from arrears.core.compliance.sections import ContactWindow

WINDOW = "hours.window"
INCONVENIENT = "hours.inconvenient"
_MAX_ROUNDS = 64


@dataclass(frozen=True, slots=True)
class _Stretch:
    start: dt.time
    end: dt.time
    day_ok: DayOk


@dataclass(frozen=True, slots=True)
class _Constraint:
    """One window in one zone: open when any of its stretches holds the local time."""

    name: str
    window: ContactWindow
    zone: str
    stretches: tuple[_Stretch, ...]

    def open_at(self, at: dt.datetime) -> bool:
        moment = local(at, self.zone)
        return any(in_range(s.start, s.end, s.day_ok, moment) for s in self.stretches)

    def next_open(self, at: dt.datetime) -> dt.datetime | None:
        found = [next_entry(s.start, s.end, s.day_ok, at, self.zone) for s in self.stretches]
        known = [f for f in found if f is not None]
        return min(known) if known else None


def contact_hours(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    windows = [
        (name, w)
        for name, w in profile.contact_hours.items()
        if request.channel in w.channels and request.purpose in w.purposes
    ]
    first_cite = next(iter(profile.contact_hours.values())).cite
    if not windows:
        return allow(
            WINDOW,
            first_cite,
            f"No contact-hours window covers {request.channel} for {request.purpose}.",
            f"{zh(request.channel)}（{zh(request.purpose)}）不受联系时段限制。",
        )
    zones = zones_of(request, profile)
    if not zones:
        return deny(
            WINDOW,
            windows[0][1].cite,
            "The person's time zone is unknown: record the address or a geographic number.",
            "无法确定对方所在时区：请补充地址或归属地明确的号码。",
            None,
        )
    constraints = [_constraint(name, w, z, request) for name, w in windows for z in zones]
    failing = next((c for c in constraints if not c.open_at(request.at)), None)
    if failing is None:
        spans = "; ".join(f"{hhmm(w.start)}–{hhmm(w.end)} ({name})" for name, w in windows)
        return allow(
            WINDOW,
            windows[0][1].cite,
            f"Inside {spans} in {', '.join(zones)}.",
            f"在 {', '.join(zones)} 当地时间的允许时段内（{spans}）。",
        )
    reason_en, reason_zh = _why_closed(failing, request.at)
    # Open in one candidate zone but not another: the refusal rests on the all-zones policy.
    open_somewhere = any(c.window is failing.window and c.open_at(request.at) for c in constraints)
    cite = failing.window.citation_for("zones") if open_somewhere else failing.window.cite
    return deny(WINDOW, cite, reason_en, reason_zh, _earliest_all_open(constraints, request.at))


def _constraint(
    name: str, window: ContactWindow, zone: str, request: ContactRequest
) -> _Constraint:
    stretches = [_Stretch(window.start, window.end, _window_days(window))]
    if window.agreed_times_override:
        stretches.extend(
            _Stretch(r.start, r.end, weekdays_ok(r.weekdays)) for r in request.party.agreed_times
        )
    return _Constraint(name, window, zone, tuple(stretches))


def _window_days(window: ContactWindow) -> DayOk:
    blocked = window.blocked_weekdays
    calendar = holiday_calendar(window.holiday_calendar) if window.holiday_calendar else None

    def ok(day: dt.date) -> bool:
        if day.weekday() in blocked:
            return False
        return calendar is None or calendar.holiday_name(day) is None

    return ok


def _why_closed(failing: _Constraint, at: dt.datetime) -> tuple[str, str]:
    window, moment = failing.window, local(at, failing.zone)
    span = f"{hhmm(window.start)}–{hhmm(window.end)}"
    day = moment.date()
    when_en = f"{hhmm(moment.time())} on {WEEKDAYS_EN[day.weekday()]} {day.isoformat()}"
    when_zh = f"{day.isoformat()}（{WEEKDAYS_ZH[day.weekday()]}）{hhmm(moment.time())}"
    holiday = (
        holiday_calendar(window.holiday_calendar).holiday_name(day)
        if window.holiday_calendar
        else None
    )
    where = failing.zone
    if day.weekday() in window.blocked_weekdays:
        return (
            f"No contact on {WEEKDAYS_EN[day.weekday()]}s ({failing.name}): {when_en} in {where}.",
            f"{WEEKDAYS_ZH[day.weekday()]}不得联系（{failing.name}）：{where} 当地时间 {when_zh}。",
        )
    if holiday is not None:
        return (
            f"No contact on a public holiday ({holiday}, {failing.name}) in {failing.zone}.",
            f"公共假日（{holiday}）不得联系（{failing.name}），{failing.zone}。",
        )
    return (
        f"{when_en} in {failing.zone} is outside {span} ({failing.name}).",
        f"{failing.zone} 当地时间 {when_zh} 不在允许联系时段 {span} 内（{failing.name}）。",
    )


def _earliest_all_open(constraints: list[_Constraint], at: dt.datetime) -> dt.datetime | None:
    """The first instant every window is open in every zone, by moving to each next opening."""
    moment = at
    limit = at + dt.timedelta(days=SEARCH_DAYS)
    for _ in range(_MAX_ROUNDS):
        moved = False
        for constraint in constraints:
            opening = constraint.next_open(moment)
            if opening is None or opening > limit:
                return None  # the windows never meet in the zones: a person must decide
            if opening > moment:
                moment, moved = opening, True
        if not moved:
            return moment
    return None


def inconvenient_times(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    assert profile.inconvenient_times is not None
    cite = profile.inconvenient_times.cite
    ranges = request.party.inconvenient_times
    if not ranges:
        return allow(
            INCONVENIENT, cite, "No inconvenient times stated.", "对方未声明不便联系的时间。"
        )
    zones = zones_of(request, profile) or ("UTC",)
    hit = _inside(ranges, zones, request.at)
    if hit is None:
        return allow(
            INCONVENIENT,
            cite,
            "Outside the times the person said are inconvenient.",
            "不在对方声明的不便联系时间内。",
        )
    found, key = hit
    span = f"{hhmm(found.start)}–{hhmm(found.end)}"
    return deny(
        INCONVENIENT,
        cite,
        f"The person said {span} is inconvenient (in {key}).",
        f"对方声明 {span}（{key} 当地时间）不便联系。",
        _first_convenient(ranges, zones, request.at),
    )


def _inside(
    ranges: tuple[TimeRange, ...], zones: tuple[str, ...], at: dt.datetime
) -> tuple[TimeRange, str] | None:
    for key in zones:
        moment = local(at, key)
        for r in ranges:
            if in_range(r.start, r.end, weekdays_ok(r.weekdays), moment):
                return r, key
    return None


def _first_convenient(
    ranges: tuple[TimeRange, ...], zones: tuple[str, ...], at: dt.datetime
) -> dt.datetime | None:
    moment = at
    for _ in range(_MAX_ROUNDS):
        hit = _inside(ranges, zones, moment)
        if hit is None:
            return moment
        found, key = hit
        moment = next_exit(found.start, found.end, moment, key)
    return None
