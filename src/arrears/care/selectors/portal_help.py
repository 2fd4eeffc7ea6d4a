"""What the borrower's Help page reads: the desk's hours and their wait, in the borrower's own
time, their own tickets with their place in the queue, and the callback slots they may book.

Everything is scoped to one borrower: a ticket that is not theirs is `NotFound`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.care.choices import MessageDirection, TicketKind
from arrears.care.models import CareQueue, Ticket, TicketMessage
from arrears.care.selectors.callback_slots import callback_offer
from arrears.care.selectors.desk import OPEN_STATUSES, waiting_tickets, work_order
from arrears.care.selectors.line import line_hours
from arrears.care.services.routing import queue_for
from arrears.compliance.models import ContactPreference, OptOut
from arrears.core.errors import NotFound
from arrears.engagement.choices import REQUIRED_NOTICES, NoticeKind
from arrears.engagement.models import NoticePreference
from arrears.servicing.choices import ContactKind
from arrears.servicing.models import Borrower

#: Contact points a callback may ring (mobile first: "home" and "work" sort after it).
PHONE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)
#: How many days of opening hours the page lists.
HOURS_DAYS = 7


@dataclass(frozen=True)
class OpeningDay:
    """One local day of the desk's hours in the borrower's zone: (opens, closes) pairs."""

    day: dt.date
    spans: tuple[tuple[dt.datetime, dt.datetime], ...]


@dataclass(frozen=True)
class DeskStatus:
    """Is the desk open now, when it next opens, and its hours — all in the borrower's zone."""

    queue: CareQueue | None
    zone: str
    open_now: bool
    opens_at: dt.datetime | None
    days: tuple[OpeningDay, ...]


@dataclass(frozen=True)
class TicketLine:
    ticket: Ticket
    position: int | None  # 1 = next; None once an agent has it or it is not waiting


def borrower_zone(borrower: Borrower, fallback: str = "Asia/Shanghai") -> str:
    """The zone the borrower is shown times in: their address's zone, else the desk's."""
    return borrower.time_zone or fallback


def help_queue(borrower: Borrower, *, kind: str = TicketKind.INQUIRY) -> CareQueue | None:
    """The queue a question from this borrower goes to (routing's own choice)."""
    return queue_for(Ticket(kind=kind, language=borrower.preferred_language))


def desk_status(borrower: Borrower, *, now: dt.datetime) -> DeskStatus:
    """The desk's opening hours for the next week and its next opening, in the borrower's zone."""
    queue = help_queue(borrower)
    if queue is None:
        return DeskStatus(None, borrower_zone(borrower), False, None, ())
    hours = line_hours(queue, at=now)
    zone_name = borrower_zone(borrower, hours.zone.key)
    zone = ZoneInfo(zone_name)
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    days = []
    for offset in range(HOURS_DAYS):
        day_start = start + dt.timedelta(days=offset)
        day_end = day_start + dt.timedelta(days=1)
        spans = hours.open_intervals(day_start.astimezone(dt.UTC), day_end.astimezone(dt.UTC))
        days.append(
            OpeningDay(
                day_start.date(),
                tuple((a.astimezone(zone), b.astimezone(zone)) for a, b in spans),
            )
        )
    open_now = hours.is_open(now)
    try:
        opens_at: dt.datetime | None = None if open_now else hours.next_open(now)
    except Exception:  # a calendar that never opens again: say nothing rather than fail
        opens_at = None
    return DeskStatus(queue, zone_name, open_now, opens_at, tuple(days))


def borrower_tickets(borrower: Borrower) -> QuerySet[Ticket]:
    """The borrower's own tickets, newest first (merged ones are shown through the one they
    joined)."""
    return (
        Ticket.objects.filter(borrower=borrower, merged_into__isnull=True)
        .select_related("queue")
        .order_by("-created_at", "-id")
    )


def tickets_with_positions(borrower: Borrower, *, now: dt.datetime) -> list[TicketLine]:
    """The borrower's latest tickets, each with its place in its queue while it waits for an
    agent (each queue's work order is read once, however many tickets wait in it)."""
    tickets = list(borrower_tickets(borrower)[:20])
    waiting_in = {
        t.queue_id
        for t in tickets
        if t.queue_id is not None and t.assignee_id is None and t.status in OPEN_STATUSES
    }
    places: dict[int, int] = {}
    for queue in CareQueue.objects.filter(pk__in=waiting_in):
        ordered = work_order(list(waiting_tickets([queue])), now=now)
        places.update({t.pk: place for place, t in enumerate(ordered, start=1)})
    return [TicketLine(ticket, places.get(ticket.pk)) for ticket in tickets]


def borrower_ticket(borrower: Borrower, reference: str) -> Ticket:
    """One of the borrower's own tickets by reference (another borrower's is not found)."""
    ticket = borrower_tickets(borrower).filter(reference=reference).first()
    if ticket is None:
        raise NotFound(_("no such ticket"))
    return ticket


def public_thread(ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the borrower may read of a ticket: their messages and the desk's replies, never an
    internal note."""
    return ticket.messages.exclude(direction=MessageDirection.INTERNAL).order_by("created_at", "id")


def borrower_number(borrower: Borrower) -> str:
    """The number a callback rings: the borrower's primary valid phone, else any valid one."""
    point = (
        borrower.contact_points.filter(kind__in=PHONE_KINDS, is_valid=True)
        .order_by("-is_primary", "kind", "id")
        .first()
    )
    return point.value if point is not None else ""


@dataclass(frozen=True)
class CallbackChoice:
    start: dt.datetime
    end: dt.datetime
    free: int


def callback_slots(borrower: Borrower, *, now: dt.datetime, limit: int = 6) -> list[CallbackChoice]:
    """The callback slots the desk can honour and the gate allows for this borrower's number."""
    queue = help_queue(borrower, kind=TicketKind.CALLBACK)
    number = borrower_number(borrower)
    if queue is None or not number:
        return []
    offer = callback_offer(queue, at=now, number=number, borrower=borrower, limit=limit)
    return [CallbackChoice(slot.start, slot.end, slot.free) for slot in offer.slots]


# --- contact preferences --------------------------------------------------------------------

#: Notices a borrower may turn off from the portal (legally required ones never can be).
OPTIONAL_NOTICES = (
    NoticeKind.DUE_REMINDER,
    NoticeKind.PAYMENT_RECEIVED,
    NoticeKind.PROMISE_REMINDER,
    NoticeKind.PLAN_INSTALMENT_DUE,
    NoticeKind.SELF_SERVICE_LINK,
    NoticeKind.SATISFACTION_SURVEY,
    NoticeKind.MISSED_CALL,
    NoticeKind.CALLBACK_BOOKED,
)


@dataclass(frozen=True)
class ContactChoices:
    """What the borrower chose so far, as the preferences form shows it."""

    initial: dict[str, Any]
    optional_kinds: list[tuple[str, str]]
    required_kinds: list[str]
    opted_out: list[OptOut]  # the stops in force (not withdrawn), oldest first per channel
    zone: str = "Asia/Shanghai"  # the borrower's, for the day each stop was made


def contact_choices(borrower: Borrower) -> ContactChoices:
    notice = NoticePreference.objects.filter(borrower=borrower).first()
    contact = ContactPreference.objects.filter(borrower=borrower).first()
    stops = list(
        OptOut.objects.filter(borrower=borrower, address="", withdrawn_at__isnull=True).order_by(
            "channel", "at"
        )
    )
    channels = list(notice.channels) if notice else []
    quiet = (contact.inconvenient_times or [{}])[0] if contact else {}
    initial: dict[str, Any] = {
        "language": borrower.preferred_language,
        "first_channel": channels[0] if channels else "in_app",
        "second_channel": channels[1] if len(channels) > 1 else "",
        "declined_kinds": list(notice.declined_kinds) if notice else [],
        "quiet_from": quiet.get("start"),
        "quiet_until": quiet.get("end"),
        "quiet_days": quiet.get("weekdays", []),
        "no_workplace_contact": bool(contact and contact.no_workplace_contact),
        "opt_out_channels": sorted({stop.channel for stop in stops}),
    }
    return ContactChoices(
        initial=initial,
        optional_kinds=[(str(kind.value), str(kind.label)) for kind in OPTIONAL_NOTICES],
        required_kinds=[str(NoticeKind(kind).label) for kind in sorted(REQUIRED_NOTICES)],
        opted_out=stops,
        zone=borrower_zone(borrower),
    )
