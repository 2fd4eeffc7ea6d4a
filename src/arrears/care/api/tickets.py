"""Care desk API: tickets 工单 — open, list, read (thread and history), reply, note, move,
prioritise, reclassify, assign, merge, link.

Handlers parse, check the caller's permission, call one service or selector and render. Bad
input is a 422 problem detail naming the field and writes nothing; a closed or merged ticket
refuses changes with a 409. Reading needs `care.view_ticket`; opening `care.add_ticket`;
replies and notes `care.add_ticketmessage`; every other change `care.change_ticket`.
"""

from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from arrears.care.models import CareQueue, Ticket
from arrears.care.schemas.tickets import (
    AssignIn,
    KindIn,
    LinkIn,
    MergeIn,
    NoteIn,
    PriorityIn,
    ReplyIn,
    StatusIn,
    TicketDetailOut,
    TicketFilters,
    TicketIn,
    TicketMessageOut,
    TicketMessageResultOut,
    TicketOut,
)
from arrears.care.selectors.tickets import (
    desk_tickets,
    ticket_by_reference,
)
from arrears.care.services import merge, ticket_changes, tickets
from arrears.common.pagination import LimitOffset
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Borrower

router = Router(tags=["care"])

Reference = Annotated[
    str, Path(min_length=1, max_length=20, description="the ticket's reference, e.g. T0000042")
]
READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW, ADD, WRITE_MESSAGE, CHANGE = (
    "care.view_ticket",
    "care.add_ticket",
    "care.add_ticketmessage",
    "care.change_ticket",
)


@router.post("/tickets", response={201: TicketDetailOut, **WRITE})
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status[TicketDetailOut]:
    """Open a ticket (status new), routed to a queue; a dispute or hardship request is passed
    to collection at once (a hold, or the hardship flag and a pause)."""
    require_permissions(request, ADD)
    borrower = _borrower(payload.borrower_id)
    ticket = tickets.open_ticket(
        kind=payload.kind,
        subject=payload.subject,
        origin=payload.origin,
        body=payload.body,
        borrower=borrower,
        accounts=_accounts(payload.account_ids),
        requester_name=payload.requester_name,
        requester_address=payload.requester_address,
        priority=payload.priority,
        language=payload.language,
        queue=_queue(payload.queue) if payload.queue else None,
        cause=payload.cause or "",
        by=request.user,
    )
    return Status(201, _detail(ticket))


@router.get("/tickets", response={200: list[TicketOut], **READ})
@paginate(LimitOffset)
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> Any:
    """The desk's tickets, newest first (merged tickets left out), by status, queue, assignee,
    kind, priority or borrower."""
    require_permissions(request, VIEW)
    return desk_tickets(
        queue=_queue(filters.queue) if filters.queue else None,
        status=[str(s) for s in filters.status] if filters.status else None,
        assignee=_user("assignee", filters.assignee) if filters.assignee else None,
        kind=filters.kind,
        priority=filters.priority,
        borrower=_borrower(filters.borrower_id),
    ).prefetch_related("accounts")


@router.get("/tickets/{reference}", response={200: TicketDetailOut, **READ})
def get_ticket(request: HttpRequest, reference: Reference) -> TicketDetailOut:
    """A ticket with its thread (and the messages of tickets merged into it) and its history,
    each change with why, in the reader's language."""
    require_permissions(request, VIEW)
    return _detail(ticket_by_reference(reference))


@router.post("/tickets/{reference}/replies", response={201: TicketMessageResultOut, **WRITE})
def create_reply(
    request: HttpRequest, reference: Reference, payload: ReplyIn
) -> Status[TicketMessageResultOut]:
    """A public reply, delivered on the ticket's channel through the compliance gate."""
    require_permissions(request, VIEW, WRITE_MESSAGE)
    message = tickets.reply_to_ticket(
        ticket=ticket_by_reference(reference),
        body=payload.body,
        by=request.user,
        channel=payload.channel,
        status=payload.status,
        final_response=payload.final_response,
    )
    return Status(201, _message_result(message))


@router.post("/tickets/{reference}/notes", response={201: TicketMessageResultOut, **WRITE})
def create_note(
    request: HttpRequest, reference: Reference, payload: NoteIn
) -> Status[TicketMessageResultOut]:
    """An internal note: seen by the desk, never sent to the borrower."""
    require_permissions(request, VIEW, WRITE_MESSAGE)
    message = tickets.add_note(
        ticket=ticket_by_reference(reference), body=payload.body, by=request.user
    )
    return Status(201, _message_result(message))


@router.post("/tickets/{reference}/status", response={200: TicketOut, **WRITE})
def set_status(request: HttpRequest, reference: Reference, payload: StatusIn) -> Any:
    """Move the ticket (pending on the borrower, on hold on a third party, solved, closed …)."""
    require_permissions(request, VIEW, CHANGE)
    return tickets.change_status(
        ticket=ticket_by_reference(reference),
        status=payload.status,
        by=request.user,
        reason=payload.reason,
    )


@router.post("/tickets/{reference}/priority", response={200: TicketOut, **WRITE})
def set_priority(request: HttpRequest, reference: Reference, payload: PriorityIn) -> Any:
    """Raise or lower the priority (the SLA targets follow it)."""
    require_permissions(request, VIEW, CHANGE)
    return ticket_changes.set_priority(
        ticket=ticket_by_reference(reference), priority=payload.priority, by=request.user
    )


@router.post("/tickets/{reference}/kind", response={200: TicketOut, **WRITE})
def set_kind(request: HttpRequest, reference: Reference, payload: KindIn) -> Any:
    """Say what the ticket really is; a dispute or hardship request is passed to collection."""
    require_permissions(request, VIEW, CHANGE)
    return ticket_changes.change_kind(
        ticket=ticket_by_reference(reference), kind=payload.kind, by=request.user
    )


@router.post("/tickets/{reference}/assign", response={200: TicketOut, **WRITE})
def assign(request: HttpRequest, reference: Reference, payload: AssignIn) -> Any:
    """Give the ticket to an agent by user name; without one, to the able agent of its queue
    with the most room; with `unassign`, back to the queue."""
    require_permissions(request, VIEW, CHANGE)
    ticket = ticket_by_reference(reference)
    if payload.username or payload.unassign:
        to = _user("username", payload.username) if payload.username else None
        return ticket_changes.assign_ticket(ticket=ticket, to=to, by=request.user)
    from arrears.care.services.routing import assign_next

    if assign_next(ticket=ticket) is None:
        raise ValidationError("username", _("no agent of the ticket's queue has room; name one"))
    return ticket_by_reference(reference)


@router.post("/tickets/{reference}/merge", response={200: TicketDetailOut, **WRITE})
def merge_into(request: HttpRequest, reference: Reference, payload: MergeIn) -> TicketDetailOut:
    """Merge this ticket into `into`: this one is closed and points there; that one shows both
    threads. Returns the ticket merged into."""
    require_permissions(request, VIEW, CHANGE)
    source = ticket_by_reference(reference)
    target = Ticket.objects.filter(reference=payload.into.upper()).first()
    if target is None:
        raise ValidationError("into", _("is not a ticket's reference"))
    merge.merge_tickets(source=source, target=target, by=request.user)
    return _detail(ticket_by_reference(target.reference))


@router.post("/tickets/{reference}/link", response={200: TicketOut, **WRITE})
def link(request: HttpRequest, reference: Reference, payload: LinkIn) -> Any:
    """Say whose ticket it is and which of their accounts it is about (added to the linked)."""
    require_permissions(request, VIEW, CHANGE)
    ticket = ticket_changes.link_ticket(
        ticket=ticket_by_reference(reference),
        borrower=_borrower(payload.borrower_id),
        accounts=_accounts(payload.account_ids),
        by=request.user,
    )
    return ticket_by_reference(ticket.reference)


# --- parsing ids and codes (a wrong one names its field: 422) ----------------------------------
def _borrower(borrower_id: int | None) -> Borrower | None:
    if borrower_id is None:
        return None
    borrower = Borrower.objects.filter(pk=borrower_id).first()
    if borrower is None:
        raise ValidationError("borrower_id", _("is not a borrower's id"))
    return borrower


def _accounts(account_ids: list[int]) -> list[Account]:
    found = {a.pk: a for a in Account.objects.filter(pk__in=account_ids)}
    for index, account_id in enumerate(account_ids):
        if account_id not in found:
            raise ValidationError(f"account_ids[{index}]", _("is not an account's id"))
    return [found[i] for i in dict.fromkeys(account_ids)]


def _queue(code: str) -> CareQueue:
    queue = CareQueue.objects.filter(code=code).first()
    if queue is None:
        raise ValidationError("queue", _("is not a queue's code"))
    return queue


def _user(field: str, username: str) -> Any:
    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise ValidationError(field, _("there is no user %(name)s") % {"name": username})
    return user


def _detail(ticket: Ticket) -> TicketDetailOut:
    return TicketDetailOut.from_orm(ticket)


def _message_result(message: Any) -> TicketMessageResultOut:
    return TicketMessageResultOut(
        message=TicketMessageOut.of(message),
        ticket=ticket_by_reference(message.ticket.reference),  # type: ignore[arg-type]
    )
