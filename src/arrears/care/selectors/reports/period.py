"""What a report is about: the period as instants in the desk's zone, the queue and agent asked
for.

Dates are local dates of the desk: a November report runs from 1 November 00:00 to
1 December 00:00 in the queue's calendar zone (the lender's zone, `TIME_ZONE`, when no queue
is chosen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from arrears.care.models import CareQueue
from arrears.care.services.calendars import calendar_hours
from arrears.core.errors import ValidationError

#: The longest period one report covers (the daily backlog has a row per day).
MAX_DAYS = 400
#: The dates a report may cover (beyond them instants overflow in some zones).
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 31)


@dataclass(slots=True)
class ReportScope:
    """The period and filters of one report, resolved against the database once."""

    start_on: dt.date
    end_on: dt.date
    zone: ZoneInfo
    as_of: dt.datetime
    queue: CareQueue | None = None
    agent: Any = None  # the agent's user
    start: dt.datetime = field(init=False)
    end: dt.datetime = field(init=False)
    #: What the report can know: the end of the period, or now when it has not ended.
    until: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.start = local_midnight(self.start_on, self.zone)
        self.end = local_midnight(self.end_on, self.zone)
        self.until = min(self.end, self.as_of)

    def days(self) -> list[dt.date]:
        count = (self.end_on - self.start_on).days
        return [self.start_on + dt.timedelta(days=n) for n in range(count)]

    def in_period(self, at: dt.datetime | None) -> bool:
        return at is not None and self.start <= at < self.end

    def ticket_filter(self, prefix: str = "") -> Q:
        """The queue and agent filters on tickets (`prefix` e.g. "ticket__" from a survey)."""
        found = Q()
        if self.queue is not None:
            found &= Q(**{f"{prefix}queue": self.queue})
        if self.agent is not None:
            found &= Q(**{f"{prefix}assignee": self.agent})
        return found


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def report_scope(
    *,
    start_on: dt.date,
    end_on: dt.date,
    as_of: dt.datetime,
    queue: str | None = None,
    agent: str | None = None,
) -> ReportScope:
    """Check the period and find the queue (by code) and agent (by username) asked for."""
    for name, day in (("from", start_on), ("to", end_on)):
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(
                name,
                _("must be between %(first)s and %(last)s") % {"first": EARLIEST, "last": LATEST},
            )
    if end_on <= start_on:
        raise ValidationError("to", _("must be after the first day of the period"))
    if (end_on - start_on).days > MAX_DAYS:
        raise ValidationError("to", _("a report covers at most %(days)s days") % {"days": MAX_DAYS})
    found_queue = None
    if queue:
        found_queue = CareQueue.objects.select_related("calendar").filter(code=queue).first()
        if found_queue is None:
            raise ValidationError("queue", _("no queue has the code %(code)s") % {"code": queue})
    found_agent = None
    if agent:
        found_agent = get_user_model().objects.filter(username=agent).first()
        if found_agent is None:
            raise ValidationError("agent", _("no user is called %(name)s") % {"name": agent})
    zone = ZoneInfo(settings.TIME_ZONE)
    if found_queue is not None:
        zone = calendar_hours(found_queue.calendar).zone
    return ReportScope(start_on, end_on, zone, as_of, found_queue, found_agent)
