"""What every collection service shares: the clock, the business date, the case's history.

Every change to a case writes one `CaseEvent` with why (`record_event`), and the case's
`updated_at`; a service locks the case row first (`locked`) so two writers never interleave.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.collection.choices import CaseStatus
from arrears.collection.models import Case, CaseEvent
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Borrower

#: The longest text a "why" may be (events keep it whole; the case keeps a summary).
MAX_REASON = 500


def now_of(clock: Clock | None) -> dt.datetime:
    return (clock or SystemClock()).now()


def business_date(now: dt.datetime) -> dt.date:
    """The lender's business date at `now` (the settings' time zone)."""
    return timezone.localdate(now)


def local_zone(borrower: Borrower) -> zoneinfo.ZoneInfo:
    """The borrower's home time zone, else the lender's."""
    for name in (borrower.time_zone, settings.TIME_ZONE):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def reason_text(field: str, reason: str, *, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationError(field, _("say why"))
    if len(text) > MAX_REASON:
        raise ValidationError(field, _("must be at most %(n)d characters") % {"n": MAX_REASON})
    return text


def aware(field: str, moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValidationError(field, _("must carry its UTC offset"))
    return moment


def locked(case: Case) -> Case:
    """The case's row, locked until the caller's transaction ends."""
    return Case.objects.select_for_update().select_related("account", "borrower").get(pk=case.pk)


def require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise Conflict(
            _("Case %(id)s was closed on %(on)s.") % {"id": case.pk, "on": case.closed_on}
        )


def record_event(
    case: Case,
    *,
    kind: str,
    on: dt.date,
    at: dt.datetime,
    reason: str,
    by: Any = None,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """One line of the case's history (never edited)."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        on=on,
        at=at,
        by=by if getattr(by, "pk", None) else None,
        reason=reason,
        detail=detail or {},
    )


def touch(case: Case, now: dt.datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=[*fields, "updated_at"])
