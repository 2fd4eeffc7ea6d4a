"""The incident switch 故障开关: an outage notice on every channel, and callbacks swept after.

While an incident is open every channel shows its notice first (the IVR greeting, chat, the
API's `/care/status`); SLA clocks do not run through it (the desk's calendars cut it out as
closed time). When it ends, every callback still booked into the outage is moved to the next
slots staffing can honour — earliest caller first — once: the sweep is stamped on the incident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import CallbackStatus
from arrears.care.models import Callback, Incident
from arrears.care.selectors import line as lines
from arrears.care.services.callbacks import rebook
from arrears.core.errors import Conflict, ValidationError

_TITLE_LENGTH = 200


@transaction.atomic
def start_incident(
    *,
    title_en: str,
    title_zh: str,
    notice_en: str,
    notice_zh: str,
    by: Any = None,
    at: dt.datetime,
) -> Incident:
    """Switch the outage notice on; only one incident is open at a time."""
    fields = {
        "title_en": title_en,
        "title_zh": title_zh,
        "notice_en": notice_en,
        "notice_zh": notice_zh,
    }
    for name, value in fields.items():
        if not (value or "").strip():
            raise ValidationError(name, _("is required"))
    for name in ("title_en", "title_zh"):
        if len(fields[name]) > _TITLE_LENGTH:
            raise ValidationError(
                name, _("must be at most %(n)d characters") % {"n": _TITLE_LENGTH}
            )
    if at.tzinfo is None:
        raise ValidationError("at", _("must carry its UTC offset"))
    if Incident.objects.select_for_update().filter(ended_at__isnull=True).exists():
        raise Conflict(_("An incident is already open: end it before starting another."))
    return Incident.objects.create(
        **{name: value.strip() for name, value in fields.items()}, started_at=at, started_by=by
    )


@transaction.atomic
def end_incident(*, incident: Incident, by: Any = None, at: dt.datetime) -> Incident:
    """The line is back: close the incident and sweep the callbacks booked into it."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.ended_at is not None:
        raise Conflict(_("This incident has already ended."))
    if at < incident.started_at:
        raise ValidationError("at", _("is before the incident started"))
    incident.ended_at = at
    incident.ended_by = by
    incident.save(update_fields=["ended_at", "ended_by"])
    sweep_callbacks(incident=incident, at=at)
    incident.refresh_from_db()
    return incident


@dataclasses.dataclass(frozen=True)
class Sweep:
    """What a sweep did: callbacks moved (old → new) and those no slot could take."""

    moved: list[tuple[Callback, Callback]]
    unplaced: list[Callback]
    already_swept: bool = False


@transaction.atomic
def sweep_callbacks(*, incident: Incident, at: dt.datetime) -> Sweep:
    """Rebook every booked callback whose slot overlaps the outage into the next slots with
    room, earliest place first; the second sweep of an incident does nothing."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.ended_at is None:
        raise ValidationError("incident", _("is still open: end it first"))
    if incident.callbacks_swept_at is not None:
        return Sweep([], [], already_swept=True)
    caught = lines.callbacks_overlapping(incident.started_at, incident.ended_at)
    # Out of the way first, so the slots after the outage are shared among them in order.
    Callback.objects.filter(pk__in=[c.pk for c in caught]).update(status=CallbackStatus.REBOOKED)
    moved, unplaced = [], []
    after = max(at, incident.ended_at)
    for callback in caught:
        callback.status = CallbackStatus.BOOKED
        new = rebook(callback, after=after, at=at)
        if new is None:
            callback.save(update_fields=["status"])
            unplaced.append(callback)
        else:
            moved.append((callback, new))
    incident.callbacks_swept_at = at
    incident.save(update_fields=["callbacks_swept_at"])
    return Sweep(moved, unplaced)
