"""Desk calendars 服务时间 in the database, and the hours an SLA clock counts on.

A calendar row holds a `core.care.hours` document (zone, weekly periods, holidays, closures,
special hours) validated on save, so a bad document never reaches a clock. `hours_for` adds
every outage (`Incident`) as a closed span: while the desk's systems are down no SLA clock
counts, no callback slot is offered and the line's next opening is after the outage.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.models import CareQueue, DeskCalendar, Incident
from arrears.core.care.hours import BusinessHours, ClosedSpan, parse_business_hours
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError

#: The calendar a ticket without a queue counts on (the bundled default desk's).
DEFAULT_CALENDAR = "cn_desk"
#: An outage still going on is treated as closed this far past `now` (it ends when recorded).
OPEN_INCIDENT_HORIZON = dt.timedelta(days=366)

_parsed: dict[str, BusinessHours] = {}


@transaction.atomic
def save_calendar(
    *,
    code: str,
    name_en: str,
    name_zh: str,
    hours: Mapping[str, Any],
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> DeskCalendar:
    """Create or replace a calendar; the hours document is checked first (errors name
    `hours.<field>`), so a bad document writes nothing."""
    code = (code or "").strip()
    if not code:
        raise ValidationError("code", _("is required"))
    for field, value in (("name_en", name_en), ("name_zh", name_zh)):
        if not (value or "").strip():
            raise ValidationError(field, _("is required"))
    check_hours(hours)
    now = at or (clock or SystemClock()).now()
    calendar, _created = DeskCalendar.objects.update_or_create(
        code=code,
        defaults={
            "name_en": name_en.strip(),
            "name_zh": name_zh.strip(),
            "hours": dict(hours),
            "saved_at": now,
        },
    )
    return calendar


def check_hours(hours: object) -> BusinessHours:
    """The document as `BusinessHours`, or a `ValidationError` naming `hours.<field>`."""
    try:
        return parse_business_hours(hours, field="hours")
    except ValidationError as error:
        field = error.field if error.field.startswith("hours") else f"hours.{error.field}"
        raise ValidationError(field, error.reason) from None


def calendar_hours(calendar: DeskCalendar) -> BusinessHours:
    """The calendar's hours without outages (parsed once per distinct document)."""
    key = json.dumps(calendar.hours, sort_keys=True, default=str)
    found = _parsed.get(key)
    if found is None:
        if len(_parsed) > 256:
            _parsed.clear()
        found = _parsed[key] = check_hours(calendar.hours)
    return found


def outage_spans(*, now: dt.datetime) -> list[ClosedSpan]:
    """Every recorded outage as a closed span; one still going on runs far past `now`."""
    spans = []
    for started_at, ended_at in Incident.objects.values_list("started_at", "ended_at"):
        end = ended_at or max(now, started_at) + OPEN_INCIDENT_HORIZON
        if end > started_at:
            spans.append(ClosedSpan(started_at, end, "incident"))
    return spans


def with_closed_spans(hours: BusinessHours, spans: Iterable[ClosedSpan]) -> BusinessHours:
    """The same calendar with more closed spans cut out (a fresh object: the parsed one is
    shared and caches its open spans per date)."""
    extra = tuple(spans)
    if not extra:
        return hours
    return BusinessHours(
        zone=hours.zone,
        weekly=hours.weekly,
        country=hours.holidays.country if hours.holidays else None,
        make_up_days_as=hours.make_up_days_as,
        closed_days=hours.closed_days,
        closed_spans=(*hours.closed_spans, *extra),
        special_hours=hours.special_hours,
        horizon_days=hours.horizon_days,
    )


def default_calendar() -> DeskCalendar:
    """The default desk's calendar (for a ticket in no queue); loaded on demand if missing."""
    found = DeskCalendar.objects.filter(code=DEFAULT_CALENDAR).first()
    if found is not None:
        return found
    from arrears.care.services.desk import load_default_desk

    load_default_desk()
    return DeskCalendar.objects.get(code=DEFAULT_CALENDAR)


def hours_for(queue: CareQueue | None, *, now: dt.datetime) -> BusinessHours:
    """The business hours a queue's SLA clocks count on: its calendar with every outage
    (incident) cut out. A ticket in no queue counts on the default desk's calendar."""
    calendar = queue.calendar if queue is not None else default_calendar()
    return with_closed_spans(calendar_hours(calendar), outage_spans(now=now))
