"""The inbound line 热线: the greeting a caller hears, calls logged, missed calls followed up.

`answer_inbound_call` is what the IVR asks when a call comes in: who is calling (their number
among the borrowers' contact points), any outage notice first, then — when the line is open —
the callers ahead and the wait as a band in the caller's language, with a callback that keeps
their place when the wait is long; when it is closed, when it opens in the caller's own time
and the other ways in (chat, e-mail, a callback). The call is kept as a `PhoneCall` waiting in
line, so the next caller counts it ahead of them, until `log_call` records how it ended.

A missed call (the caller hung up while waiting, or rang after hours) becomes a callback
ticket and one SMS with the self-service link, through the outbox and the compliance gate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.care.choices import CallOutcome, Origin, TicketKind
from arrears.care.models import CareQueue, Incident, PhoneCall, Ticket
from arrears.care.selectors import line as lines
from arrears.care.selectors.callback_slots import callback_offer
from arrears.compliance.services.records import record_contact_attempt
from arrears.core.care.callbacks import CallbackOffer, when_line_opens
from arrears.core.care.hours import BusinessHours
from arrears.core.care.labels import label
from arrears.core.clock import FixedClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Borrower

#: What the IVR leaves a call as until it is logged: in line, after hours, or a callback taken.
_STILL_OPEN = frozenset({CallOutcome.WAITING, CallOutcome.AFTER_HOURS, CallOutcome.CALLBACK_BOOKED})
MISSED = frozenset({CallOutcome.ABANDONED, CallOutcome.AFTER_HOURS, CallOutcome.MISSED})
_ATTEMPT_OUTCOME: dict[str, str] = {
    CallOutcome.ANSWERED: "connected",
    CallOutcome.VOICEMAIL: "voicemail",
    CallOutcome.CALLBACK_BOOKED: "connected",
}


@dataclasses.dataclass(frozen=True)
class LineGreeting:
    """What the IVR tells one caller, as data and as the sentences to read, in order."""

    call_id: int
    queue: str
    number: str
    borrower_id: int | None
    language: str
    incident: dict[str, str] | None
    open: bool
    callers_ahead: int | None = None
    wait_seconds: float | None = None
    wait_band: str | None = None
    line: dict[str, Any] | None = None
    callback_offered: bool = False
    keep_place: dict[str, Any] | None = None
    callback_slots: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    line_opens: dict[str, Any] | None = None
    other_ways: list[dict[str, str]] = dataclasses.field(default_factory=list)
    script: list[str] = dataclasses.field(default_factory=list)


@transaction.atomic
def answer_inbound_call(*, number: str, queue: CareQueue, at: dt.datetime) -> LineGreeting:
    """Greet a caller: notice, wait or opening time, callback offer; keep the call in line."""
    region = queue.calendar.hours.get("country") if isinstance(queue.calendar.hours, dict) else None
    number = lines.normalised_number(number, region=region)
    borrower = lines.borrower_calling(number)
    language = lines.caller_language(borrower, number)
    hours = lines.line_hours(queue, at=at)
    is_open = hours.is_open(at) and queue.is_active
    call = PhoneCall.objects.create(
        borrower=borrower,
        from_number=number,
        direction="inbound",
        queue=queue,
        outcome=CallOutcome.WAITING if is_open else CallOutcome.AFTER_HOURS,
        started_at=at,
    )
    incident = lines.current_incident(at)
    base = LineGreeting(
        call_id=call.pk,
        queue=queue.code,
        number=number,
        borrower_id=borrower.pk if borrower else None,
        language=language,
        incident=_incident(incident),
        open=is_open,
    )
    with translation.override(language):
        if is_open:
            greeting = _open_line(base, queue, hours, borrower=borrower, call=call, at=at)
        else:
            greeting = _closed_line(base, queue, hours, borrower=borrower, at=at)
        notice = [_notice(incident, language)] if incident else []
        greeting = dataclasses.replace(greeting, script=notice + greeting.script)
    call.announced_wait = greeting.wait_band or ""
    call.save(update_fields=["announced_wait"])
    return greeting


def _incident(incident: Incident | None) -> dict[str, str] | None:
    if incident is None:
        return None
    return {
        "title_en": incident.title_en,
        "title_zh": incident.title_zh,
        "notice_en": incident.notice_en,
        "notice_zh": incident.notice_zh,
        "started_at": incident.started_at.isoformat(),
    }


def _notice(incident: Incident, language: str) -> str:
    return incident.notice_zh if language.startswith("zh") else incident.notice_en


def _open_line(
    greeting: LineGreeting,
    queue: CareQueue,
    hours: BusinessHours,
    *,
    borrower: Borrower | None,
    call: PhoneCall,
    at: dt.datetime,
) -> LineGreeting:
    ahead = len([c for c in lines.waiting_calls(queue, at=at) if c.pk != call.pk])
    wait = lines.estimate_wait(queue, at=at, ahead=ahead)
    words = label(wait.band, greeting.language)
    script = [
        _("There are %(count)d callers ahead of you.") % {"count": ahead},
        _("Your expected wait is %(band)s.") % {"band": words},
    ]
    offered = wait.seconds is None or wait.seconds > queue.callback_after_seconds
    keep: dict[str, Any] | None = None
    slots: list[dict[str, Any]] = []
    if offered:
        offer = callback_offer(
            queue, at=at, number=greeting.number, borrower=borrower, ahead=ahead, hours=hours
        )
        keep, slots = _offer_document(offer, greeting.language, borrower, hours)
        script.append(_offer_sentence(keep is not None, bool(slots)))
    return dataclasses.replace(
        greeting,
        callers_ahead=ahead,
        wait_seconds=None if wait.seconds is None else round(wait.seconds, 1),
        wait_band=wait.band,
        line=lines.figures_document(wait.figures),
        callback_offered=offered and (keep is not None or bool(slots)),
        keep_place=keep,
        callback_slots=slots,
        script=script,
    )


def _offer_sentence(keep: bool, slots: bool) -> str:
    if keep:
        return _("Press 1 and we will call you back when it is your turn, keeping your place.")
    if slots:
        return _("Press 2 to choose a time for us to call you back.")
    return _("You can also reach us by web chat or e-mail.")


def _offer_document(
    offer: CallbackOffer, language: str, borrower: Borrower | None, hours: BusinessHours
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    keep = None
    if offer.keep_place is not None:
        place = offer.keep_place
        keep = {
            "at": place.at.isoformat(),
            "wait_seconds": round(place.wait_seconds, 1),
            "band": place.band,
            "words": label(place.band, language),
        }
    slots = [
        {"start": s.start.isoformat(), "end": s.end.isoformat(), "free": s.free}
        for s in offer.slots
    ]
    return keep, slots


def _closed_line(
    greeting: LineGreeting,
    queue: CareQueue,
    hours: BusinessHours,
    *,
    borrower: Borrower | None,
    at: dt.datetime,
) -> LineGreeting:
    if greeting.incident is not None:  # closed until the outage ends, nobody knows when
        ways = other_ways_in(slots=False)
        return dataclasses.replace(greeting, other_ways=ways, script=[way["words"] for way in ways])
    zone = lines.caller_zone(borrower, greeting.number, hours)
    opening = when_line_opens(hours, at, zone)
    words = label(opening.key, greeting.language, dict(opening.params))
    offer = callback_offer(
        queue, at=at, number=greeting.number, borrower=borrower, hours=hours, limit=3
    )
    _keep, slots = _offer_document(offer, greeting.language, borrower, hours)
    ways = other_ways_in(slots=bool(slots))
    script = [_("Our phone line is closed now."), words + "."]
    script += [way["words"] for way in ways]
    return dataclasses.replace(
        greeting,
        line_opens={
            "at": opening.opens_at.isoformat(),
            "local": opening.local.isoformat(),
            "zone": zone,
            "key": opening.key,
            "words": words,
        },
        callback_offered=bool(slots),
        callback_slots=slots,
        other_ways=ways,
        script=script,
    )


def other_ways_in(*, slots: bool) -> list[dict[str, str]]:
    """Chat and e-mail (and a callback when a slot is free): nobody is left without a way in."""
    portal = str(getattr(settings, "ARREARS_SELF_SERVICE_URL", ""))
    ways = [
        {
            "channel": "chat",
            "address": portal,
            "words": _("Chat with us on the web at %(url)s.") % {"url": portal},
        }
    ]
    email = str(getattr(settings, "ARREARS_CARE_EMAIL", "") or "")
    if email:
        ways.append(
            {
                "channel": "email",
                "address": email,
                "words": _("Write to us at %(address)s.") % {"address": email},
            }
        )
    if slots:
        ways.append(
            {
                "channel": "callback",
                "address": "",
                "words": _("Press 2 to choose a time for us to call you back."),
            }
        )
    return ways


# --- calls logged ----------------------------------------------------------------------------


@transaction.atomic
def log_call(
    *,
    queue: CareQueue | None,
    outcome: str,
    started_at: dt.datetime,
    call: PhoneCall | None = None,
    number: str = "",
    answered_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    agent: Any = None,
    notes: str = "",
    ticket: Ticket | None = None,
    recording_ref: str = "",
    at: dt.datetime | None = None,
) -> PhoneCall:
    """Record how a call went (a new row, or the IVR's waiting row finished).

    A known borrower's call goes into the shared contact history; a missed call becomes a
    callback ticket and one SMS with the self-service link."""
    _check_times(outcome, started_at, answered_at, ended_at)
    if call is not None:
        call = PhoneCall.objects.select_for_update().get(pk=call.pk)
        if call.contact_attempt_id or call.outcome not in _STILL_OPEN:
            raise Conflict(_("This call has already been logged."))
    else:
        number = lines.normalised_number(number)
        call = PhoneCall(
            from_number=number,
            direction="inbound",
            queue=queue,
            borrower=lines.borrower_calling(number),
        )
    call.queue = queue or call.queue
    call.outcome, call.started_at = outcome, started_at
    call.answered_at, call.ended_at = answered_at, ended_at or at or started_at
    call.agent, call.notes, call.recording_ref = agent, notes, recording_ref
    call.ticket = ticket or call.ticket
    waited_until = answered_at or call.ended_at
    call.wait_seconds = max(0, int((waited_until - started_at).total_seconds()))
    call.save()
    if call.borrower is not None:
        call.contact_attempt = _contact(call, agent=agent, at=at or call.ended_at)
        call.save(update_fields=["contact_attempt"])
    if outcome in MISSED:
        call.ticket = follow_up_missed_call(call=call, at=at or call.ended_at)
    return call


def _check_times(
    outcome: str,
    started_at: dt.datetime,
    answered_at: dt.datetime | None,
    ended_at: dt.datetime | None,
) -> None:
    if outcome not in CallOutcome.values or outcome == CallOutcome.WAITING:
        raise ValidationError("outcome", _("is not how a call ends"))
    for field, value in (
        ("started_at", started_at),
        ("answered_at", answered_at),
        ("ended_at", ended_at),
    ):
        if value is not None and value.tzinfo is None:
            raise ValidationError(field, _("must carry its UTC offset"))
    if answered_at is not None and answered_at < started_at:
        raise ValidationError("answered_at", _("is before the call started"))
    if ended_at is not None and ended_at < (answered_at or started_at):
        raise ValidationError("ended_at", _("is before the call started or was answered"))
    if outcome == CallOutcome.ANSWERED and answered_at is None:
        raise ValidationError("answered_at", _("is required for an answered call"))


def _contact(call: PhoneCall, *, agent: Any, at: dt.datetime) -> Any:
    assert call.borrower is not None
    duration = None
    if call.answered_at is not None and call.ended_at is not None:
        duration = int((call.ended_at - call.answered_at).total_seconds())
    return record_contact_attempt(
        borrower=call.borrower,
        channel="call",
        address=call.from_number,
        outcome=_ATTEMPT_OUTCOME.get(call.outcome, "failed"),
        started_at=call.started_at,
        direction="inbound",
        purpose="servicing",
        duration_seconds=duration,
        agent=agent,
        recording_ref=call.recording_ref,
        clock=FixedClock(max(at, call.started_at)),
    )


# --- missed calls ----------------------------------------------------------------------------


@transaction.atomic
def follow_up_missed_call(*, call: PhoneCall, at: dt.datetime) -> Ticket:
    """A callback ticket for the missed call and one SMS with the self-service link, once per
    call (the ticket is kept on the call; the SMS has the call's idempotency key)."""
    call = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if call.ticket_id is None:
        call.ticket = _missed_call_ticket(call, at=at)
        call.save(update_fields=["ticket"])
    if call.borrower is not None:
        _send_missed_call_sms(call, at=at)
    assert call.ticket is not None
    return call.ticket


def _missed_call_ticket(call: PhoneCall, *, at: dt.datetime) -> Ticket:
    from arrears.care.services.tickets import open_ticket

    started = call.started_at.astimezone(dt.UTC)
    return open_ticket(
        kind=TicketKind.CALLBACK,
        subject=_("Missed call from %(number)s at %(time)s")
        % {"number": call.from_number, "time": f"{started:%Y-%m-%d %H:%M} UTC"},
        origin=Origin.PHONE,
        borrower=call.borrower,
        requester_address=call.from_number,
        queue=call.queue,
        at=at,
    )


def _send_missed_call_sms(call: PhoneCall, *, at: dt.datetime) -> None:
    from arrears.engagement.services.collection_messages import queue_collection_message

    borrower = call.borrower
    assert borrower is not None
    opens = ""
    if lines.current_incident(at) is not None:
        with translation.override(borrower.preferred_language):
            opens = _("reopens once the outage is over")
    elif call.queue is not None:
        hours = lines.line_hours(call.queue, at=at)
        opening = when_line_opens(hours, at, lines.caller_zone(borrower, call.from_number, hours))
        opens = label(opening.key, borrower.preferred_language, dict(opening.params))
    # no mobile number to text: the callback ticket is the follow-up
    with contextlib.suppress(ValidationError):
        queue_collection_message(
            kind="missed_call",
            borrower=borrower,
            account=None,
            variables={
                "borrower_name": borrower.full_name,
                "self_service_url": str(getattr(settings, "ARREARS_SELF_SERVICE_URL", "")),
                "line_opens": opens,
            },
            idempotency_key=f"care-missed-call-{call.pk}",
            channel="sms",
            purpose="servicing",
            clock=FixedClock(at),
        )
