"""Callbacks 预约回电 instead of waiting: booked, made, and moved after an outage.

A callback is booked only into a slot on offer at that moment (`selectors.callback_slots`): the
desk is open for all of it, staffing has room (spare agent-seconds ÷ handling time, less the
callbacks already booked) and the compliance gate would let us call this borrower on this
number then. Each booking is confirmed to the borrower (notice `callback_booked`, through the
outbox and the gate); a callback made goes into the shared contact history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import (
    CallbackKind,
    CallbackStatus,
    CallOutcome,
    Origin,
    TicketKind,
)
from arrears.care.models import Callback, CareQueue, PhoneCall, Ticket
from arrears.care.selectors import line as lines
from arrears.care.selectors.callback_slots import (
    MINUTE,
    CallPermission,
    callback_offer,
    staffing_forecast,
)
from arrears.compliance.services.gate import request_permit
from arrears.compliance.services.permits import use_permit
from arrears.compliance.services.records import record_contact_attempt
from arrears.core.care.hours import BusinessHours
from arrears.core.care.labels import label
from arrears.core.clock import FixedClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Borrower

KEEP_PLACE_WINDOW = dt.timedelta(minutes=15)

# --- booking ---------------------------------------------------------------------------------


@transaction.atomic
def book_callback(
    *,
    queue: CareQueue,
    number: str,
    borrower: Borrower | None = None,
    slot: dt.datetime | None = None,
    keep_place: bool = False,
    call: PhoneCall | None = None,
    at: dt.datetime,
) -> Callback:
    """Book a callback that keeps the caller's place, or one in the slot starting at `slot`.

    Refused, naming the field, when the slot is not one offered now (outside permitted hours,
    the desk closed, or no room left). A call that already booked one returns that one.
    """
    if keep_place == (slot is not None):
        raise ValidationError("slot", _("give a slot, or ask to keep the caller's place"))
    queue = (
        CareQueue.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .get(pk=queue.pk)
    )
    number = lines.normalised_number(number)
    if call is not None:
        existing = call.callbacks.filter(status=CallbackStatus.BOOKED).first()
        if existing is not None:
            return existing
    borrower = borrower or (call.borrower if call else None) or lines.borrower_calling(number)
    hours = lines.line_hours(queue, at=at)
    if keep_place:
        window = _keep_place_window(
            queue, hours, number=number, borrower=borrower, call=call, at=at
        )
        kind, queued_at = CallbackKind.KEEP_PLACE, (call.started_at if call else at)
    else:
        assert slot is not None
        window = _slot_window(queue, hours, number=number, borrower=borrower, slot=slot, at=at)
        kind, queued_at = CallbackKind.SLOT, at
    callback = _create(
        queue=queue,
        number=number,
        borrower=borrower,
        call=call,
        kind=kind,
        queued_at=queued_at,
        window=window,
        at=at,
    )
    if call is not None and call.outcome == CallOutcome.WAITING:
        call.outcome = CallOutcome.CALLBACK_BOOKED
        call.ended_at = at
        call.wait_seconds = max(0, int((at - call.started_at).total_seconds()))
        call.save(update_fields=["outcome", "ended_at", "wait_seconds"])
    return callback


def _keep_place_window(
    queue: CareQueue,
    hours: BusinessHours,
    *,
    number: str,
    borrower: Borrower | None,
    call: PhoneCall | None,
    at: dt.datetime,
) -> tuple[dt.datetime, dt.datetime]:
    waiting = lines.waiting_calls(queue, at=at)
    ahead = len(
        [c for c in waiting if call is None or (c.started_at, c.pk) < (call.started_at, call.pk)]
    )
    offer = callback_offer(
        queue, at=at, number=number, borrower=borrower, ahead=ahead, hours=hours, limit=1
    )
    if offer.keep_place is None:
        reason = next((r.key for r in offer.reasons if r.key != "callback.no_slot"), "")
        raise ValidationError("keep_place", label(reason or "callback.no_agents_now", "en"))
    return offer.keep_place.at, offer.keep_place.at + KEEP_PLACE_WINDOW


def _slot_window(
    queue: CareQueue,
    hours: BusinessHours,
    *,
    number: str,
    borrower: Borrower | None,
    slot: dt.datetime,
    at: dt.datetime,
) -> tuple[dt.datetime, dt.datetime]:
    if slot.tzinfo is None:
        raise ValidationError("slot", _("must carry its UTC offset"))
    wanted = max(slot, at)
    staffing = [i for i in staffing_forecast(queue, hours, at=at) if i.start <= wanted < i.end]
    offer = callback_offer(
        queue, at=at, number=number, borrower=borrower, hours=hours, staffing=staffing, limit=1
    )
    for offered in offer.slots:
        if offered.start <= wanted < offered.end:
            return offered.start, offered.end
    if not staffing or not hours.is_open(wanted):
        raise ValidationError("slot", _("the line is closed then"))
    if not CallPermission(borrower, number, at=at)(wanted, wanted + MINUTE):
        raise ValidationError("slot", _("is outside the hours we may call this number"))
    raise ValidationError("slot", _("has no room left: staffing cannot take another callback"))


def _create(
    *,
    queue: CareQueue,
    number: str,
    borrower: Borrower | None,
    call: PhoneCall | None,
    kind: str,
    queued_at: dt.datetime,
    window: tuple[dt.datetime, dt.datetime],
    at: dt.datetime,
    rebooked_from: Callback | None = None,
    ticket: Ticket | None = None,
) -> Callback:
    ticket = ticket or (call.ticket if call is not None and call.ticket_id else None)
    if ticket is None:
        ticket = _callback_ticket(queue=queue, number=number, borrower=borrower, at=at)
    callback = Callback.objects.create(
        borrower=borrower,
        number=number,
        queue=queue,
        ticket=ticket,
        call=call,
        kind=kind,
        queued_at=queued_at,
        slot_start=window[0],
        slot_end=window[1],
        booked_at=at,
        rebooked_from=rebooked_from,
    )
    _confirm(callback, at=at)
    return callback


def _callback_ticket(
    *, queue: CareQueue, number: str, borrower: Borrower | None, at: dt.datetime
) -> Ticket:
    from arrears.care.services.tickets import open_ticket

    return open_ticket(
        kind=TicketKind.CALLBACK,
        subject=_("Callback requested by %(number)s") % {"number": number},
        origin=Origin.PHONE,
        borrower=borrower,
        requester_address=number,
        queue=queue,
        at=at,
    )


def _confirm(callback: Callback, *, at: dt.datetime) -> None:
    """Tell the borrower when we will call (a caller we do not know hears it on the line)."""
    borrower = callback.borrower
    if borrower is None:
        return
    zone = ZoneInfo(borrower.time_zone or callback.queue.calendar.hours.get("zone", "UTC"))
    start, end = callback.slot_start.astimezone(zone), callback.slot_end.astimezone(zone)
    from arrears.engagement.services.collection_messages import queue_collection_message

    # no channel reaches the borrower: the agent confirms on the call
    with contextlib.suppress(ValidationError):
        queue_collection_message(
            kind="callback_booked",
            borrower=borrower,
            account=None,
            variables={
                "borrower_name": borrower.full_name,
                "ticket_reference": callback.ticket.reference if callback.ticket else "",
                "callback_at": f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}",
            },
            idempotency_key=f"care-callback-booked-{callback.pk}",
            purpose="servicing",
            clock=FixedClock(at),
        )


# --- making the callback ---------------------------------------------------------------------

_ATTEMPT_OUTCOMES: dict[str, str] = {
    CallbackStatus.DONE: "connected",
    CallbackStatus.MISSED: "no_answer",
}


@transaction.atomic
def permit_callback(*, callback: Callback, at: dt.datetime) -> Any:
    """Ask the gate before dialling — a callback is a call like any other. Returns the logged
    `Decision` (its `issued_permit` when allowed, else why not and when next); None for a
    caller the desk does not know (no records for the gate to judge)."""
    if callback.status != CallbackStatus.BOOKED:
        raise Conflict(_("This callback is no longer booked."))
    if callback.borrower is None:
        return None
    return request_permit(
        borrower=callback.borrower,
        channel="call",
        address=callback.number,
        purpose="servicing",
        direct_consent_at=callback.booked_at,
        at=at,
        clock=FixedClock(at),
    )


@transaction.atomic
def complete_callback(
    *,
    callback: Callback,
    outcome: str,
    agent: Any = None,
    at: dt.datetime,
    notes: str = "",
    permit_id: str | None = None,
) -> Callback:
    """The agent called back: done (spoke), missed (no answer) or cancelled; once only.

    A call made is logged as an outbound phone call and in the shared contact history, with
    the gate's permit (`permit_callback`) used when one is given."""
    if outcome not in _ATTEMPT_OUTCOMES and outcome != CallbackStatus.CANCELLED:
        raise ValidationError("outcome", _("must be done, missed or cancelled"))
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    if callback.status != CallbackStatus.BOOKED:
        raise Conflict(_("This callback is no longer booked."))
    callback.status = outcome
    callback.agent = agent
    if outcome in _ATTEMPT_OUTCOMES:
        callback.called_at = at
        permit = None
        if permit_id and callback.borrower is not None:
            permit = use_permit(
                permit_id=permit_id,
                borrower=callback.borrower,
                channel="call",
                address=callback.number,
                clock=FixedClock(at),
            )
        _log_callback_call(
            callback, outcome=outcome, agent=agent, at=at, notes=notes, permit=permit
        )
    callback.save(update_fields=["status", "agent", "called_at"])
    return callback


def _log_callback_call(
    callback: Callback, *, outcome: str, agent: Any, at: dt.datetime, notes: str, permit: Any
) -> None:
    attempt = None
    if callback.borrower is not None:
        attempt = record_contact_attempt(
            borrower=callback.borrower,
            channel="call",
            address=callback.number,
            outcome=_ATTEMPT_OUTCOMES[outcome],
            started_at=at,
            direction="outbound",
            purpose="servicing",
            agent=agent,
            direct_consent=True,
            permit=permit,
            clock=FixedClock(at),
        )
    PhoneCall.objects.create(
        borrower=callback.borrower,
        from_number=callback.number,
        direction="outbound",
        queue=callback.queue,
        ticket=callback.ticket,
        agent=agent,
        outcome=CallOutcome.ANSWERED if outcome == CallbackStatus.DONE else CallOutcome.MISSED,
        started_at=at,
        answered_at=at if outcome == CallbackStatus.DONE else None,
        notes=notes,
        contact_attempt=attempt,
    )


# --- after an outage -------------------------------------------------------------------------


def rebook(callback: Callback, *, after: dt.datetime, at: dt.datetime) -> Callback | None:
    """Move a booked callback to the first slot with room from `after` on (status rebooked
    on the old row, a new row pointing back at it); None when no slot is free in the week."""
    queue = callback.queue
    hours = lines.line_hours(queue, at=after)
    offer = callback_offer(
        queue, at=after, number=callback.number, borrower=callback.borrower, hours=hours, limit=1
    )
    if not offer.slots:
        return None
    slot = offer.slots[0]
    callback.status = CallbackStatus.REBOOKED
    callback.save(update_fields=["status"])
    return _create(
        queue=queue,
        number=callback.number,
        borrower=callback.borrower,
        call=callback.call,
        kind=CallbackKind.SLOT,
        queued_at=callback.queued_at,
        window=(slot.start, slot.end),
        at=at,
        rebooked_from=callback,
        ticket=callback.ticket,
    )
