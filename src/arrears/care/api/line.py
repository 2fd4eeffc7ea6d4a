"""Care desk API: the phone line 热线 — the IVR's greeting, calls logged, the wait now,
callback slots and bookings, the incident switch and the desk's status.

Handlers parse, check the caller's permission, call one service or selector and render. Bad
input is a 422 problem detail naming the field and writes nothing. The IVR needs
`care.add_phonecall`; reading waits `care.view_phonecall`; callbacks `care.add_callback` /
`care.change_callback`; the incident switch `care.add_incident` / `care.change_incident`.
`GET /care/status` is public: the portal and chat show its notice before anything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from arrears.care.models import Callback, Incident, PhoneCall, Ticket
from arrears.care.schemas.line import (
    CallbackDoneIn,
    CallbackIn,
    CallbackOut,
    CallbackPermitOut,
    CallbackSlotsOut,
    CallLogIn,
    CallOut,
    GreetingOut,
    InboundCallIn,
    IncidentIn,
    IncidentOut,
    StatusOut,
    WaitOut,
)
from arrears.care.selectors import line as lines
from arrears.care.selectors.callback_slots import callback_offer
from arrears.care.services import callbacks, incidents
from arrears.care.services import line as phone
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID
from arrears.core.errors import NotFound, ValidationError
from arrears.servicing.models import Borrower

router = Router(tags=["care"])

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueueCode = Annotated[str, Path(min_length=1, max_length=40, description="the queue's code")]
READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)


def _now() -> dt.datetime:
    return timezone.now()


@router.post("/calls/inbound", response={200: GreetingOut, **WRITE})
def inbound_call(request: HttpRequest, payload: InboundCallIn) -> Any:
    """A call comes in: the greeting for the IVR (an outage notice first; the wait as a band
    and a callback offer when open; when the line opens, in the caller's time, when closed)."""
    require_permissions(request, "care.add_phonecall")
    queue = lines.queue_by_code(payload.queue)
    return phone.answer_inbound_call(number=payload.number, queue=queue, at=_now())


@router.post("/calls", response={201: CallOut, **WRITE})
def log_call(request: HttpRequest, payload: CallLogIn) -> Status[Any]:
    """How a call went; a missed one becomes a callback ticket and one SMS."""
    require_permissions(request, "care.add_phonecall")
    call = _get(PhoneCall, payload.call_id, "call_id") if payload.call_id else None
    if call is None and not payload.number:
        raise ValidationError("number", _("give the caller's number, or the call_id"))
    ticket = None
    if payload.ticket:
        ticket = Ticket.objects.filter(reference=payload.ticket).first()
        if ticket is None:
            raise ValidationError("ticket", _("no such ticket"))
    logged = phone.log_call(
        call=call,
        number=payload.number or "",
        queue=lines.queue_by_code(payload.queue) if payload.queue else None,
        outcome=payload.outcome,
        started_at=payload.started_at,
        answered_at=payload.answered_at,
        ended_at=payload.ended_at,
        agent=request.user,
        notes=payload.notes,
        ticket=ticket,
        recording_ref=payload.recording_ref,
        at=_now(),
    )
    return Status(201, logged)


@router.get("/queues/{code}/wait", response={200: WaitOut, **READ})
def queue_wait(request: HttpRequest, code: QueueCode) -> Any:
    """The wait a caller joining now would face, in bands in English and Chinese."""
    require_permissions(request, "care.view_phonecall")
    return lines.queue_wait(lines.queue_by_code(code), at=_now())


@router.get("/queues/{code}/callback-slots", response={200: CallbackSlotsOut, **READ})
def callback_slots(
    request: HttpRequest,
    code: QueueCode,
    number: Annotated[str, Query(min_length=3, max_length=40)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Any:
    """The next slots staffing can honour and the gate permits for this number's borrower."""
    require_permissions(request, "care.view_callback")
    queue = lines.queue_by_code(code)
    e164 = lines.normalised_number(number)
    borrower = lines.borrower_calling(e164)
    at = _now()
    ahead = len(lines.waiting_calls(queue, at=at))
    offer = callback_offer(queue, at=at, number=e164, borrower=borrower, ahead=ahead, limit=limit)
    keep = offer.keep_place
    return {
        "queue": queue.code,
        "keep_place": None
        if keep is None
        else {"at": keep.at, "wait_seconds": round(keep.wait_seconds, 1), "band": keep.band},
        "slots": [{"start": s.start, "end": s.end, "free": s.free} for s in offer.slots],
        "reasons": [r.key for r in offer.reasons],
    }


@router.post("/callbacks", response={201: CallbackOut, **WRITE})
def book_callback(request: HttpRequest, payload: CallbackIn) -> Status[Any]:
    """Book a callback into a slot offered now, or one that keeps the caller's place."""
    require_permissions(request, "care.add_callback")
    borrower = _get(Borrower, payload.borrower_id, "borrower_id") if payload.borrower_id else None
    call = _get(PhoneCall, payload.call_id, "call_id") if payload.call_id else None
    booked = callbacks.book_callback(
        queue=lines.queue_by_code(payload.queue),
        number=payload.number,
        borrower=borrower,
        slot=payload.slot_start,
        keep_place=payload.keep_place,
        call=call,
        at=_now(),
    )
    return Status(201, booked)


@router.post("/callbacks/{callback_id}/permit", response={200: CallbackPermitOut, **WRITE})
def permit_callback(request: HttpRequest, callback_id: ObjectId) -> Any:
    """Ask the compliance gate before dialling the callback (a caller the desk does not know
    needs no permit: allowed, without one)."""
    require_permissions(request, "care.change_callback")
    decision = callbacks.permit_callback(callback=_found(Callback, callback_id), at=_now())
    if decision is None:
        return {
            "allowed": True,
            "permit_id": None,
            "valid_until": None,
            "next_permitted_at": None,
            "denied_rules": "",
        }
    permit = decision.issued_permit
    return {
        "allowed": decision.allowed,
        "permit_id": permit.pk if permit else None,
        "valid_until": permit.valid_until if permit else None,
        "next_permitted_at": decision.next_permitted_at,
        "denied_rules": decision.denied_rules,
    }


@router.post("/callbacks/{callback_id}/complete", response={200: CallbackOut, **WRITE})
def complete_callback(request: HttpRequest, callback_id: ObjectId, payload: CallbackDoneIn) -> Any:
    """The agent called back: done, missed (no answer) or cancelled."""
    require_permissions(request, "care.change_callback")
    callback = _found(Callback, callback_id)
    return callbacks.complete_callback(
        callback=callback,
        outcome=payload.outcome,
        agent=request.user,
        at=_now(),
        notes=payload.notes,
        permit_id=str(payload.permit_id) if payload.permit_id else None,
    )


@router.post("/incidents", response={201: IncidentOut, **WRITE})
def start_incident(request: HttpRequest, payload: IncidentIn) -> Status[Any]:
    """Switch the outage notice on for every channel (one incident at a time)."""
    require_permissions(request, "care.add_incident")
    incident = incidents.start_incident(**payload.dict(), by=request.user, at=_now())
    return Status(201, incident)


@router.post("/incidents/{incident_id}/end", response={200: IncidentOut, **WRITE})
def end_incident(request: HttpRequest, incident_id: ObjectId) -> Any:
    """The line is back: end the incident and move the callbacks booked into it."""
    require_permissions(request, "care.change_incident")
    return incidents.end_incident(
        incident=_found(Incident, incident_id), by=request.user, at=_now()
    )


@router.get("/status", response={200: StatusOut}, auth=None)
def desk_status(request: HttpRequest) -> Any:
    """The desk now: an outage notice in both languages, shown first on every channel."""
    at = _now()
    incident = lines.current_incident(at)
    return {
        "at": at,
        "incident": incident,
        "notice_en": incident.notice_en if incident else "",
        "notice_zh": incident.notice_zh if incident else "",
    }


def _found(model: Any, pk: int) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _get(model: Any, pk: int | None, field: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError(field, _("no such record"))
    return found
