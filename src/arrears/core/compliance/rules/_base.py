"""What every rule shares: building results, the person's zones, local days and daily ranges.

Times of day are read in each candidate zone's wall clock; "days" are local calendar days in
each zone, and a rule that counts per day takes the strictest answer over the zones.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from arrears.core.calendar import BusinessCalendar
from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import Citation, ContactRequest, Outcome, RuleResult
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.zones import candidate_zones, zone

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
#: How far ahead a rule looks for the next open stretch before it gives up (a person decides).
SEARCH_DAYS = 16

Check = Callable[[ContactRequest, ContactHistory, Profile], RuleResult]
DayOk = Callable[[dt.date], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the gate: its id, its check, and the profile section that switches it on."""

    rule_id: str
    check: Check
    section: str | None  # None: runs in every profile (the hold rules)
    title_en: str
    title_zh: str


def allow(rule_id: str, cite: Citation | None, reason_en: str, reason_zh: str) -> RuleResult:
    return RuleResult(rule_id, Outcome.ALLOW, reason_en, reason_zh, cite)


def flag(rule_id: str, cite: Citation | None, reason_en: str, reason_zh: str) -> RuleResult:
    return RuleResult(rule_id, Outcome.FLAG, reason_en, reason_zh, cite)


def deny(
    rule_id: str,
    cite: Citation | None,
    reason_en: str,
    reason_zh: str,
    next_at: dt.datetime | None,
) -> RuleResult:
    """A refusal and the earliest time this rule alone would allow (None: a person must act)."""
    return RuleResult(rule_id, Outcome.DENY, reason_en, reason_zh, cite, next_at)


def zones_of(request: ContactRequest, profile: Profile) -> tuple[str, ...]:
    """The person's candidate zones (may be empty when nothing is known)."""
    return candidate_zones(request, country=profile.country, basis=profile.zone_basis)


def day_zones(request: ContactRequest, profile: Profile) -> tuple[str, ...]:
    """Zones to count days in; UTC when nothing is known (the hours rule refuses such contacts)."""
    return zones_of(request, profile) or ("UTC",)


def local(at: dt.datetime, key: str) -> dt.datetime:
    return at.astimezone(zone(key))


def local_day(at: dt.datetime, key: str) -> dt.date:
    return at.astimezone(zone(key)).date()


def at_local(day: dt.date, time: dt.time, key: str) -> dt.datetime:
    """The instant (UTC) of a wall-clock time on a local day; a time in a DST gap moves on."""
    return dt.datetime.combine(day, time, tzinfo=zone(key)).astimezone(UTC)


def day_start(day: dt.date, key: str) -> dt.datetime:
    return at_local(day, dt.time(0), key)


def every_day(day: dt.date) -> bool:
    return True


@functools.cache
def holiday_calendar(country: str) -> BusinessCalendar:
    return BusinessCalendar(country)


# --- daily ranges of local time -----------------------------------------------------------------


def in_range(start: dt.time, end: dt.time, day_ok: DayOk, moment: dt.datetime) -> bool:
    """Is the local `moment` inside [start, end) on a day that `day_ok` accepts?

    A range whose end is at or before its start runs past midnight; the day it starts on must
    be accepted.
    """
    clock = moment.time()
    day = moment.date()
    if start < end:
        return start <= clock < end and day_ok(day)
    return (clock >= start and day_ok(day)) or (clock < end and day_ok(day - ONE_DAY))


def next_entry(
    start: dt.time, end: dt.time, day_ok: DayOk, at: dt.datetime, key: str
) -> dt.datetime | None:
    """The earliest instant at or after `at` inside the range, or None within SEARCH_DAYS."""
    moment = local(at, key)
    if in_range(start, end, day_ok, moment):
        return at
    first = moment.date()
    for offset in range(SEARCH_DAYS):
        day = first + dt.timedelta(days=offset)
        if day_ok(day):
            opening = at_local(day, start, key)
            if opening >= at:
                return opening
    return None


def next_exit(start: dt.time, end: dt.time, at: dt.datetime, key: str) -> dt.datetime:
    """The instant the range that holds `at` ends (call only when `at` is inside it)."""
    moment = local(at, key)
    day = moment.date()
    if start < end or moment.time() < end:
        return at_local(day, end, key)
    return at_local(day + ONE_DAY, end, key)


def weekdays_ok(weekdays: frozenset[int]) -> DayOk:
    def ok(day: dt.date) -> bool:
        return day.weekday() in weekdays

    return ok


def hhmm(time: dt.time) -> str:
    return time.strftime("%H:%M")


#: Chinese names of channels, purposes and roles, for the reasons in Chinese.
ZH_LABELS: dict[str, str] = {
    "call": "电话",
    "sms": "短信",
    "email": "电子邮件",
    "letter": "信函",
    "in_app": "应用内消息",
    "visit": "上门",
    "collection": "催收",
    "servicing": "服务提醒",
    "transactional": "交易通知",
    "location": "查找借款人",
    "debtor": "债务人",
    "co_obligor": "共同债务人",
    "guarantor": "担保人",
    "spouse": "配偶",
    "parent_of_minor": "未成年人父母",
    "guardian": "监护人",
    "estate_representative": "遗产代理人",
    "attorney": "律师",
    "debt_adviser": "债务顾问",
    "contact_person": "联系人",
    "employer": "雇主",
    "third_party": "第三方",
}


def zh(value: str) -> str:
    """The Chinese name of a channel, purpose or role (the value itself when there is none)."""
    return ZH_LABELS.get(str(value), str(value))


WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
