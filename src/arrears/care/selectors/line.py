"""Reads of the phone line 热线: who is calling, the line's hours, the wait now, callbacks due.

The wait is estimated twice, for two audiences. The queue's long-run figures are Erlang A on
the offered load of the last hour (calls that came in) and the line's staffing (agents, handling
time, patience). The caller hears the wait for *their* place: `expected_wait_in_line` with the
callers waiting ahead of them, announced as a band (`core.care.queueing.wait_band`), never a
promise to the second.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.db.models import Q
from django.utils.translation import gettext as _

from arrears.care.choices import CallbackKind, CallbackStatus, CallOutcome
from arrears.care.models import Callback, CareQueue, Incident, PhoneCall
from arrears.core.care.hours import BusinessHours
from arrears.core.care.queueing import LineFigures, expected_wait_in_line, line_figures, wait_band
from arrears.core.compliance.zones import number_zones
from arrears.core.errors import NotFound, ValidationError
from arrears.servicing.models import Borrower
from arrears.servicing.selectors.contacts import borrowers_reached_at

OFFERED_LOAD_WINDOW = dt.timedelta(hours=1)
#: Calls waiting longer than this without an answer or an end are taken to have been lost by
#: the switch (a hang-up the IVR never reported) and no longer count as callers ahead.
STALE_WAIT = dt.timedelta(hours=2)
_PHONE_KINDS = ("mobile", "home", "work")


# --- the caller ----------------------------------------------------------------------------------


def normalised_number(number: str, *, region: str | None = None) -> str:
    """The number in E.164, as contact points keep it; a bad number names the field."""
    text = (number or "").strip()
    try:
        parsed = phonenumbers.parse(text, region or "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError("number", _("is not a phone number")) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError("number", _("is not a phone number"))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def borrower_calling(number: str) -> Borrower | None:
    """The borrower whose phone contact point is this E.164 number (the first, if shared)."""
    found = [
        b
        for b in borrowers_reached_at(number)
        if b.contact_points.filter(value=number, kind__in=_PHONE_KINDS).exists()
    ]
    return found[0] if found else None


def caller_zone(borrower: Borrower | None, number: str, hours: BusinessHours) -> str:
    """The zone to tell the caller the time in: the borrower's home zone (address first, as the
    compliance gate reads it), else the calling number's area, else the desk's own zone."""
    if borrower is not None and borrower.time_zone:
        return borrower.time_zone
    zones = number_zones(number)
    return zones[0] if len(zones) == 1 else hours.zone.key


def caller_language(borrower: Borrower | None, number: str) -> str:
    """The borrower's preferred language; an unknown caller from China hears Chinese."""
    if borrower is not None:
        return borrower.preferred_language
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        region = "CN"
    return "zh-hans" if region in ("CN", "HK", "MO", "TW", "SG") else "en"


# --- the queue, its hours and the incident ---------------------------------------------------


def queue_by_code(code: str) -> CareQueue:
    queue = CareQueue.objects.select_related("calendar").filter(code=code).first()
    if queue is None:
        raise NotFound(_("No care queue %(code)s.") % {"code": code})
    return queue


def current_incident(at: dt.datetime) -> Incident | None:
    """The outage going on at `at` (started, not ended), shown first on every channel."""
    return (
        Incident.objects.filter(started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("-started_at")
        .first()
    )


def line_hours(queue: CareQueue, *, at: dt.datetime) -> BusinessHours:
    """The queue's open hours with every outage cut out (`services.calendars.hours_for`): no
    callback slot falls in an outage, and an outage still going on keeps the line closed."""
    from arrears.care.services.calendars import hours_for

    return hours_for(queue, now=at)


# --- the wait --------------------------------------------------------------------------------


def waiting_calls(queue: CareQueue, *, at: dt.datetime) -> list[PhoneCall]:
    """Callers in line now, first come first: started, not answered, not ended."""
    return list(
        PhoneCall.objects.filter(
            queue=queue,
            outcome=CallOutcome.WAITING,
            answered_at__isnull=True,
            ended_at__isnull=True,
            started_at__lte=at,
            started_at__gt=at - STALE_WAIT,
        ).order_by("started_at", "pk")
    )


def calls_in_last_hour(queue: CareQueue, *, at: dt.datetime) -> int:
    """Inbound calls offered to the queue in the hour before `at` (the offered load); a call
    after hours was never offered to an agent."""
    return (
        PhoneCall.objects.filter(
            queue=queue,
            direction="inbound",
            started_at__gt=at - OFFERED_LOAD_WINDOW,
            started_at__lte=at,
        )
        .exclude(outcome=CallOutcome.AFTER_HOURS)
        .count()
    )


def calls_with_agents(queue: CareQueue, *, at: dt.datetime) -> int:
    """Calls an agent has answered and not yet ended: agents busy now."""
    return PhoneCall.objects.filter(
        queue=queue,
        answered_at__isnull=False,
        answered_at__lte=at,
        ended_at__isnull=True,
        started_at__gt=at - STALE_WAIT,
    ).count()


@dataclass(frozen=True)
class WaitEstimate:
    """The wait a caller at place `ahead` + 1 faces, and the queue's long-run figures."""

    queue: str
    agents: int
    calls_last_hour: int
    ahead: int
    busy_agents: int
    seconds: float | None  # None: nobody on the phones, no estimate
    band: str
    figures: LineFigures | None


def estimate_wait(queue: CareQueue, *, at: dt.datetime, ahead: int | None = None) -> WaitEstimate:
    """The wait for a caller joining the line now (or with `ahead` callers in front)."""
    if ahead is None:
        ahead = len(waiting_calls(queue, at=at))
    offered = calls_in_last_hour(queue, at=at)
    busy = calls_with_agents(queue, at=at)
    agents = queue.line_agents
    if agents < 1:
        return WaitEstimate(queue.code, 0, offered, ahead, busy, None, "wait.over_10_minutes", None)
    figures = line_figures(
        calls_per_hour=float(offered),
        aht_seconds=float(queue.aht_seconds),
        agents=agents,
        patience_seconds=float(queue.patience_seconds) if queue.patience_seconds else None,
    )
    if ahead == 0 and busy < agents:
        seconds = 0.0
    else:
        seconds = expected_wait_in_line(
            ahead,
            agents=agents,
            aht_seconds=float(queue.aht_seconds),
            patience_seconds=float(queue.patience_seconds) if queue.patience_seconds else None,
        )
    return WaitEstimate(
        queue.code, agents, offered, ahead, busy, seconds, wait_band(seconds).key, figures
    )


def figures_document(figures: LineFigures | None) -> dict[str, Any] | None:
    """The queue's long-run figures as JSON numbers (None where a figure never settles)."""
    if figures is None:
        return None

    def number(value: float) -> float | None:
        return round(value, 6) if math.isfinite(value) else None

    return {
        "model": figures.model.value,
        "load_erlangs": number(figures.load_erlangs),
        "chance_to_wait": number(figures.p_wait),
        "mean_wait_seconds": number(figures.mean_wait_seconds),
        "abandonment": number(figures.p_abandon),
        "service_level": number(figures.service_level),
        "occupancy": number(figures.occupancy),
    }


# --- callbacks -------------------------------------------------------------------------------


def booked_callbacks(queue: CareQueue, *, after: dt.datetime) -> list[Callback]:
    """Booked callbacks of the queue whose slot has not ended by `after`."""
    return list(
        Callback.objects.filter(
            queue=queue, status=CallbackStatus.BOOKED, slot_end__gt=after
        ).order_by("slot_start", "queued_at")
    )


def place_of(callback: Callback) -> dt.datetime:
    """Where a callback stands in line: a place-keeping one where the caller stood."""
    return callback.queued_at if callback.kind == CallbackKind.KEEP_PLACE else callback.slot_start


def due_callbacks(queue: CareQueue, now: dt.datetime) -> list[Callback]:
    """Callbacks to make now, in line order: a place-keeping callback keeps the place its
    caller had (`queued_at`), a slot callback stands where its slot starts."""
    due = Callback.objects.filter(
        queue=queue, status=CallbackStatus.BOOKED, slot_start__lte=now
    ).select_related("borrower", "ticket")
    return sorted(due, key=lambda c: (place_of(c), c.pk))


@dataclass(frozen=True)
class LineEntry:
    """One place in line: a caller holding on, or a callback due, and since when."""

    since: dt.datetime
    call: PhoneCall | None = None
    callback: Callback | None = None


def line_order(queue: CareQueue, now: dt.datetime) -> list[LineEntry]:
    """Live callers and due callbacks in one line, each at its place: whoever came first is
    served first, whether they held on or took a callback that keeps their place."""
    entries = [LineEntry(call.started_at, call=call) for call in waiting_calls(queue, at=now)]
    entries += [LineEntry(place_of(c), callback=c) for c in due_callbacks(queue, now)]
    return sorted(entries, key=lambda e: e.since)


def callbacks_overlapping(start: dt.datetime, end: dt.datetime) -> list[Callback]:
    """Booked callbacks whose slot overlaps [start, end), first booked place first."""
    return list(
        Callback.objects.filter(
            status=CallbackStatus.BOOKED, slot_start__lt=end, slot_end__gt=start
        )
        .select_related("queue", "queue__calendar", "borrower", "ticket")
        .order_by("queued_at", "pk")
    )


def queue_wait(queue: CareQueue, *, at: dt.datetime) -> dict[str, Any]:
    """The wait a caller joining now would face, for supervisors, wallboards and the CLI."""
    from arrears.core.care.labels import label

    hours = line_hours(queue, at=at)
    estimate = estimate_wait(queue, at=at)
    return {
        "queue": queue.code,
        "open": hours.is_open(at) and queue.is_active,
        "agents": estimate.agents,
        "calls_last_hour": estimate.calls_last_hour,
        "callers_waiting": estimate.ahead,
        "busy_agents": estimate.busy_agents,
        "wait_seconds": None if estimate.seconds is None else round(estimate.seconds, 1),
        "wait_band": estimate.band,
        "words_en": label(estimate.band, "en"),
        "words_zh": label(estimate.band, "zh"),
        "line": figures_document(estimate.figures),
    }
