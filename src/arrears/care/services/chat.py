"""Web chat 在线客服: a live conversation when an agent is online, a ticket when nobody is.

Every chat is a ticket (kind inquiry, origin chat) and its messages are the ticket's messages,
so SLA clocks, history and reports see chat like any other channel, and a chat nobody could
take is simply a ticket answered later by e-mail or in-app message. The borrower is never left
waiting for nobody: when the queue's desk is closed or no agent is online (a heartbeat within
`selectors.chat.AGENT_HEARTBEAT`, under their live-chat capacity) the chat is left as a ticket
at once and the borrower is told when the desk opens, in their own zone; a chat that waits too
long for an agent is left as a ticket by `leave_unanswered_chats`.

Each message from the borrower is also a `compliance.ContactAttempt` (inbound, purpose
servicing) so collection sees it. The compliance `Channel` has no web chat, so it is recorded
as `in_app` — the portal is where the chat happens. The agent's replies go through
`tickets.reply_to_ticket(channel="chat")`, whose delivery records the outbound contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.care.choices import ChatStatus, Origin, TicketEventKind, TicketKind
from arrears.care.models import CareAgent, CareQueue, ChatSession, Ticket, TicketMessage
from arrears.care.selectors.chat import (
    FINISHED,
    KeptAsTicket,
    desk_hours,
    kept_as_ticket,
    live_chat_counts,
    online_agents,
)
from arrears.care.services.tickets import (
    open_ticket,
    receive_message,
    record_event,
    reply_to_ticket,
)
from arrears.compliance.choices import AttemptOutcome, Channel, Direction, Purpose
from arrears.compliance.services.records import record_contact_attempt
from arrears.core.clock import Clock, FixedClock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Borrower

#: The longest chat message kept (a longer text belongs in an e-mail with attachments).
MAX_MESSAGE_CHARS = 4000
#: A waiting chat no agent has taken after this long is left as a ticket.
LONGEST_WAIT = dt.timedelta(minutes=5)
LANGUAGES = ("zh-hans", "en")


@dataclass(frozen=True)
class ChatStarted:
    """The new chat; `kept` says what the borrower is told when it was left as a ticket."""

    session: ChatSession
    kept: KeptAsTicket | None

    @property
    def waiting_for_agent(self) -> bool:
        return self.session.status == ChatStatus.WAITING


def _now(at: dt.datetime | None, clock: Clock | None) -> dt.datetime:
    return at or (clock or SystemClock()).now()


@transaction.atomic
def start_chat(
    *,
    borrower: Borrower,
    first_message: str,
    queue: CareQueue | None = None,
    language: str | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> ChatStarted:
    """Open the chat's ticket with the borrower's first message; wait for an agent when the
    desk is open and someone is online, else leave it as a ticket and say when the desk opens."""
    now = _now(at, clock)
    body = _checked_body(first_message, field="first_message")
    language = language or borrower.preferred_language
    if language not in LANGUAGES:
        raise ValidationError("language", _("is not one of %(values)s") % {"values": LANGUAGES})
    if queue is not None and not queue.is_active:
        raise ValidationError("queue", pgettext("care queue", "the queue is not active"))
    ticket = open_ticket(
        kind=TicketKind.INQUIRY,
        subject=_subject(body),
        origin=Origin.CHAT,
        borrower=borrower,
        language=language,
        queue=queue,
        at=now,
    )
    if ticket.queue is None:
        raise ValidationError("queue", _("no active queue takes web chats in this language"))
    session = ChatSession.objects.create(
        ticket=ticket, borrower=borrower, queue=ticket.queue, started_at=now
    )
    _borrower_says(session, body, at=now)
    if desk_hours(ticket.queue, now=now).is_open(now) and online_agents(ticket.queue, now=now):
        return ChatStarted(session=session, kept=None)
    return ChatStarted(session=session, kept=_leave_as_ticket(session, at=now))


@transaction.atomic
def accept_chat(
    *,
    session: ChatSession,
    agent: CareAgent,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> ChatSession:
    """The agent takes a waiting chat: it goes live and its ticket is assigned to them."""
    now = _now(at, clock)
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.status != ChatStatus.WAITING:
        raise Conflict(_("This chat is no longer waiting for an agent."))
    if not agent.queues.filter(pk=session.queue_id).exists():
        raise ValidationError("agent", _("does not work this chat's queue"))
    if live_chat_counts([agent.user_id]).get(agent.user_id, 0) >= agent.max_chats:
        raise Conflict(_("The agent already has as many live chats as they can take."))
    session.status = ChatStatus.LIVE
    session.agent_id = agent.user_id
    session.answered_at = now
    session.save(update_fields=["status", "agent", "answered_at"])
    ticket = Ticket.objects.select_for_update().get(pk=session.ticket_id)
    ticket.assignee_id = agent.user_id
    ticket.updated_at = now
    ticket.save(update_fields=["assignee", "updated_at"])
    record_event(
        ticket,
        TicketEventKind.ASSIGNED,
        at=now,
        by=agent.user,
        reason="chat.accepted",
        params={"chat": session.pk},
    )
    _seen(agent, at=now)
    return session


@transaction.atomic
def send_chat_message(
    *,
    session: ChatSession,
    body: str,
    by_agent: CareAgent | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> TicketMessage:
    """A message in the chat: from the borrower (while waiting or live) or from the chat's
    agent (while live), kept on the chat's ticket."""
    now = _now(at, clock)
    text = _checked_body(body, field="body")
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.status in FINISHED:
        raise Conflict(_("The chat has ended; the desk will answer on the ticket."))
    if by_agent is None:
        return _borrower_says(session, text, at=now)
    if session.status != ChatStatus.LIVE or session.agent_id != by_agent.user_id:
        raise Conflict(_("Only the agent who took the chat can write in it."))
    _seen(by_agent, at=now)
    return reply_to_ticket(
        ticket=session.ticket, body=text, by=by_agent.user, channel=Origin.CHAT, at=now
    )


@transaction.atomic
def end_chat(
    *,
    session: ChatSession,
    by_agent: CareAgent | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> ChatSession:
    """End the chat (the borrower or its agent); the ticket stays for whatever is left to do.
    Ending a chat that has already ended changes nothing."""
    now = _now(at, clock)
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.status in FINISHED:
        return session
    if by_agent is not None and session.agent_id not in (None, by_agent.user_id):
        raise Conflict(_("Only the agent who took the chat can end it."))
    session.status = ChatStatus.ENDED
    session.ended_at = now
    session.save(update_fields=["status", "ended_at"])
    return session


@transaction.atomic
def agent_online(
    *,
    agent: CareAgent,
    online: bool,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> CareAgent:
    """The agent's heartbeat: online (and seen now) or offline. A console sends it every
    minute; an agent not heard from for `AGENT_HEARTBEAT` is no longer offered chats."""
    now = _now(at, clock)
    agent.is_online = online
    agent.last_seen_at = now
    agent.save(update_fields=["is_online", "last_seen_at"])
    return agent


@transaction.atomic
def leave_unanswered_chats(
    *,
    longest_wait: dt.timedelta = LONGEST_WAIT,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> list[ChatSession]:
    """Leave as tickets the waiting chats nobody took: waited longer than `longest_wait`, or
    no agent of their queue is online any more. Their streams end telling the borrower so."""
    now = _now(at, clock)
    left: list[ChatSession] = []
    waiting = ChatSession.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=ChatStatus.WAITING
    )
    for session in waiting.select_related("queue", "ticket", "borrower").order_by("pk"):
        if session.started_at > now - longest_wait and online_agents(session.queue, now=now):
            continue
        _leave_as_ticket(session, at=now)
        left.append(session)
    return left


def _leave_as_ticket(session: ChatSession, *, at: dt.datetime) -> KeptAsTicket:
    session.status = ChatStatus.LEFT_AS_TICKET
    session.ended_at = at
    session.save(update_fields=["status", "ended_at"])
    return kept_as_ticket(session, now=at)


def _borrower_says(session: ChatSession, body: str, *, at: dt.datetime) -> TicketMessage:
    attempt = record_contact_attempt(
        borrower=session.borrower,
        channel=Channel.IN_APP,  # the compliance channels have no web chat: it is the portal
        address=f"chat:{session.pk}",
        outcome=AttemptOutcome.DELIVERED,
        direction=Direction.INBOUND,
        purpose=Purpose.SERVICING,
        started_at=at,
        by="borrower",
        clock=FixedClock(at),
    )
    return receive_message(
        ticket=session.ticket, body=body, channel=Origin.CHAT, at=at, contact_attempt=attempt
    )


def _seen(agent: CareAgent, *, at: dt.datetime) -> None:
    CareAgent.objects.filter(pk=agent.pk).update(last_seen_at=at)


def _checked_body(text: str, *, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(field, _("is required"))
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            field, _("is longer than %(limit)d characters") % {"limit": MAX_MESSAGE_CHARS}
        )
    return text


def _subject(body: str) -> str:
    first_line = body.splitlines()[0]
    return first_line if len(first_line) <= 80 else first_line[:79] + "…"
