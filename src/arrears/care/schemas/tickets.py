"""Input and output schemas of the ticket API (工单).

Tickets are named by their reference (T0000042); borrowers and accounts by id. Inputs refuse
unknown fields. The list's rows resolve from the model (so the list paginates in the database);
the detail adds the thread (with the messages of merged tickets) and the history in words,
read by its resolvers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from arrears.care.choices import (
    ComplaintCause,
    MessageDirection,
    Origin,
    Priority,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from arrears.care.models import Ticket, TicketMessage
from arrears.care.selectors.tickets import HistoryLine, ticket_history, ticket_thread
from arrears.common.schemas import MAX_ID, InputSchema, Text
from arrears.hardship.selectors import debt_advice_for_borrower

Subject = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Body = Annotated[str, StringConstraints(max_length=20_000)]
Line = Annotated[Text, StringConstraints(max_length=200)]
Reference = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- in ----------------------------------------------------------------------------------------
class TicketIn(InputSchema):
    kind: TicketKind
    subject: Subject = Field(examples=["提前还款咨询"])
    origin: Origin = Field(Origin.AGENT, description="the channel it came in on")
    body: Body = Field("", description="the first message (an agent's opening note if agent)")
    borrower_id: Id | None = Field(None, description="empty: the sender is not yet known")
    account_ids: list[Id] = Field(default_factory=list, max_length=50)
    requester_name: Line = ""
    requester_address: Line = Field("", description="the sender's e-mail or number")
    priority: Priority = Priority.NORMAL
    language: Literal["zh-hans", "en"] | None = Field(None, description="default: the borrower's")
    queue: str | None = Field(None, max_length=40, description="a queue's code (default: routed)")
    cause: ComplaintCause | None = Field(None, description="a complaint's cause")


class ReplyIn(InputSchema):
    body: Body = Field(examples=["您好，可以在App中提前还款。"])
    channel: Origin | None = Field(None, description="default: the channel it came in on")
    status: TicketStatus | None = Field(None, description="move the ticket (default new → open)")
    final_response: bool = Field(False, description="the written final response to a complaint")


class NoteIn(InputSchema):
    body: Body


class StatusIn(InputSchema):
    status: TicketStatus
    reason: Annotated[Text, StringConstraints(max_length=500)] = ""


class PriorityIn(InputSchema):
    priority: Priority


class KindIn(InputSchema):
    kind: TicketKind


class AssignIn(InputSchema):
    username: Annotated[Text, StringConstraints(max_length=150)] | None = Field(
        None, description="empty: the able agent of the queue with the most room (by capacity)"
    )
    unassign: bool = Field(False, description="give the ticket back to its queue")


class MergeIn(InputSchema):
    into: Reference = Field(description="the ticket this one is merged into", examples=["T0000042"])


class LinkIn(InputSchema):
    borrower_id: Id | None = None
    account_ids: list[Id] = Field(default_factory=list, max_length=50)


class TicketFilters(Schema):
    status: list[TicketStatus] | None = Field(None, description="one or several statuses")
    queue: str | None = Field(None, max_length=40, description="a queue's code")
    assignee: str | None = Field(None, max_length=150, description="a user name")
    kind: TicketKind | None = None
    priority: Priority | None = None
    borrower_id: Id | None = None


# --- out ---------------------------------------------------------------------------------------
class TicketOut(Schema):
    reference: str
    kind: TicketKind
    status: TicketStatus
    priority: Priority
    subject: str
    origin: Origin
    language: str
    borrower_id: int | None
    accounts: list[str] = Field(description="the linked accounts' numbers")
    requester_name: str
    requester_address: str
    queue: str | None = Field(description="the queue's code")
    assignee: str | None = Field(description="the agent's user name")
    cause: str
    follow_up_of: str | None = Field(description="the closed ticket this one follows up")
    merged_into: str | None = Field(description="the ticket this one was merged into")
    created_at: dt.datetime
    updated_at: dt.datetime
    first_replied_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    final_response_at: dt.datetime | None

    @staticmethod
    def resolve_accounts(ticket: Ticket) -> list[str]:
        return [a.number for a in ticket.accounts.all()]

    @staticmethod
    def resolve_queue(ticket: Ticket) -> str | None:
        return ticket.queue.code if ticket.queue is not None else None

    @staticmethod
    def resolve_assignee(ticket: Ticket) -> str | None:
        return ticket.assignee.get_username() if ticket.assignee is not None else None

    @staticmethod
    def resolve_follow_up_of(ticket: Ticket) -> str | None:
        return ticket.follow_up_of.reference if ticket.follow_up_of is not None else None

    @staticmethod
    def resolve_merged_into(ticket: Ticket) -> str | None:
        return ticket.merged_into.reference if ticket.merged_into is not None else None


class TicketMessageOut(Schema):
    id: int
    ticket: str = Field(description="the ticket it was written on (a merged one's, if so)")
    direction: MessageDirection
    channel: Origin
    author: str | None
    body: str
    created_at: dt.datetime
    is_final_response: bool
    outbox_message_id: uuid.UUID | None = Field(description="the reply's outbox row, once queued")

    @classmethod
    def of(cls, message: TicketMessage) -> TicketMessageOut:
        return cls(
            id=message.pk,
            ticket=message.ticket.reference,
            direction=MessageDirection(message.direction),
            channel=Origin(message.channel),
            author=message.author.get_username() if message.author is not None else None,
            body=message.body,
            created_at=message.created_at,
            is_final_response=message.is_final_response,
            outbox_message_id=message.outbox_message_id,
        )


class TicketEventOut(Schema):
    kind: TicketEventKind
    at: dt.datetime
    by: str | None = Field(description="the user, or none for the system")
    reason: str = Field(description="a stable key")
    words: str = Field(description="the reason in the reader's language")
    status_from: str
    status_to: str
    params: dict[str, Any]

    @classmethod
    def of(cls, line: HistoryLine) -> TicketEventOut:
        event = line.event
        return cls(
            kind=TicketEventKind(event.kind),
            at=event.at,
            by=event.by.get_username() if event.by is not None else None,
            reason=event.reason,
            words=line.words,
            status_from=event.status_from,
            status_to=event.status_to,
            params=event.params,
        )


class TicketDebtAdviceOut(Schema):
    """A free debt-advice service offered with a hardship request (hardship's list)."""

    code: str
    jurisdiction: str
    name_en: str
    name_zh: str
    phone: str
    url: str
    contact_check: str = Field(description="how far the number was checked")


class TicketDetailOut(TicketOut):
    follow_ups: list[str] = Field(description="the tickets following up this closed one")
    merged: list[str] = Field(description="the tickets merged into this one")
    thread: list[TicketMessageOut] = Field(description="with the merged tickets' messages")
    history: list[TicketEventOut] = Field(description="every change, with why, in words")
    debt_advice: list[TicketDebtAdviceOut] = Field(
        description="free debt advice for the borrower's jurisdiction, on a hardship request"
    )

    @staticmethod
    def resolve_debt_advice(ticket: Ticket) -> list[TicketDebtAdviceOut]:
        if ticket.kind != TicketKind.HARDSHIP_REQUEST or ticket.borrower is None:
            return []
        return [
            TicketDebtAdviceOut(
                code=s.code,
                jurisdiction=s.jurisdiction,
                name_en=s.name_en,
                name_zh=s.name_zh,
                phone=s.phone,
                url=s.url,
                contact_check=s.contact_check,
            )
            for s in debt_advice_for_borrower(ticket.borrower, ticket.accounts.first())
        ]

    @staticmethod
    def resolve_follow_ups(ticket: Ticket) -> list[str]:
        return [t.reference for t in ticket.follow_ups.order_by("pk")]

    @staticmethod
    def resolve_merged(ticket: Ticket) -> list[str]:
        return [t.reference for t in ticket.merged_tickets.order_by("pk")]

    @staticmethod
    def resolve_thread(ticket: Ticket) -> list[TicketMessageOut]:
        return [TicketMessageOut.of(m) for m in ticket_thread(ticket)]

    @staticmethod
    def resolve_history(ticket: Ticket) -> list[TicketEventOut]:
        return [TicketEventOut.of(line) for line in ticket_history(ticket)]


class TicketMessageResultOut(Schema):
    """A reply or note just written, and the ticket as it now stands."""

    message: TicketMessageOut
    ticket: TicketOut
