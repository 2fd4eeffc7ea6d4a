"""Reads of web chat 在线客服: who is online to answer, what the borrower's stream shows next,
who may read a chat, and the words a borrower is told when the chat was kept as a ticket."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.care.choices import ChatStatus, MessageDirection
from arrears.care.models import CareAgent, CareQueue, ChatSession, Incident, TicketMessage
from arrears.care.selectors.line import current_incident
from arrears.core.care.hours import BusinessHours, parse_business_hours
from arrears.servicing.models import Borrower

#: An agent whose last heartbeat is older than this is not counted as online (a closed tab
#: or a lost connection must not leave borrowers waiting for nobody).
AGENT_HEARTBEAT = dt.timedelta(seconds=90)

#: The statuses after which nothing more is said in the chat.
FINISHED = frozenset({ChatStatus.ENDED, ChatStatus.LEFT_AS_TICKET})

#: The Babel locale of each borrower language.
_LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en_GB"}


def desk_hours(queue: CareQueue, *, now: dt.datetime) -> BusinessHours:
    """The queue's business hours: the calendar service's answer when there is one (it knows
    incidents and cached versions), else the calendar's own `hours` document."""
    try:
        calendars: Any = importlib.import_module("arrears.care.services.calendars")
    except ImportError:
        calendars = None
    hours_for = getattr(calendars, "hours_for", None)
    if hours_for is not None:
        hours: BusinessHours = hours_for(queue, now=now)
        return hours
    return parse_business_hours(queue.calendar.hours)


def online_agents(queue: CareQueue, *, now: dt.datetime) -> list[CareAgent]:
    """Agents of the queue who are online (a heartbeat within `AGENT_HEARTBEAT`) and under
    their live-chat capacity, least busy first."""
    agents = list(
        CareAgent.objects.filter(
            queues=queue, is_online=True, last_seen_at__gte=now - AGENT_HEARTBEAT
        ).order_by("pk")
    )
    busy = live_chat_counts([agent.user_id for agent in agents])
    free = [agent for agent in agents if busy.get(agent.user_id, 0) < agent.max_chats]
    return sorted(free, key=lambda agent: busy.get(agent.user_id, 0))


def live_chat_counts(user_ids: list[int]) -> dict[int, int]:
    """How many live chats each agent (by user id) is in."""
    rows = (
        ChatSession.objects.filter(agent_id__in=user_ids, status=ChatStatus.LIVE)
        .values("agent_id")
        .annotate(live=Count("pk"))
    )
    return {row["agent_id"]: row["live"] for row in rows}


def borrower_of(user: Any) -> Borrower | None:
    """The borrower a signed-in portal user is (None for staff and strangers)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        borrower: Borrower = user.borrower
    except ObjectDoesNotExist:
        return None
    return borrower


def agent_of(user: Any) -> CareAgent | None:
    """The service agent a signed-in staff user is (None for anyone else)."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    try:
        agent: CareAgent = user.care_agent
    except ObjectDoesNotExist:
        return None
    return agent


def may_read_chat(user: Any, session: ChatSession) -> bool:
    """A borrower reads only their own chats; any service agent reads any chat."""
    borrower = borrower_of(user)
    if borrower is not None and borrower.pk == session.borrower_id:
        return True
    return agent_of(user) is not None


def chat_by_id(chat_id: int) -> ChatSession | None:
    return ChatSession.objects.select_related("ticket").filter(pk=chat_id).first()


@dataclass(frozen=True)
class ChatUpdate:
    """What the event stream sends next: the public messages after the last one sent, and the
    chat's status read *before* them (so no message committed before the end is missed)."""

    status: str
    messages: tuple[dict[str, Any], ...]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def chat_update(chat_id: int, *, after_id: int) -> ChatUpdate:
    """The chat's status, then its public messages (never internal notes) with id > after_id."""
    row = ChatSession.objects.filter(pk=chat_id).values_list("status", "ticket_id").first()
    if row is None:
        return ChatUpdate(status=ChatStatus.ENDED, messages=())
    status, ticket_id = row
    rows = TicketMessage.objects.filter(
        ticket_id=ticket_id,
        pk__gt=after_id,
        direction__in=(MessageDirection.INBOUND, MessageDirection.OUTBOUND),
    ).order_by("pk")
    return ChatUpdate(
        status=status,
        messages=tuple(message_document(message) for message in rows),
    )


def message_document(message: TicketMessage) -> dict[str, Any]:
    """One chat message as the stream and the API show it."""
    return {
        "id": message.pk,
        "from": "borrower" if message.direction == MessageDirection.INBOUND else "agent",
        "body": message.body,
        "at": message.created_at.isoformat(),
    }


def chat_document(session: ChatSession) -> dict[str, Any]:
    """A chat as the API shows it."""
    return {
        "id": session.pk,
        "status": session.status,
        "ticket": session.ticket.reference,
        "queue": session.queue.code,
        "started_at": session.started_at.isoformat(),
        "answered_at": session.answered_at.isoformat() if session.answered_at else None,
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "events_url": f"/care/chats/{session.pk}/events",
    }


@dataclass(frozen=True)
class KeptAsTicket:
    """What a borrower is told when nobody could take the chat: in their language and zone."""

    ticket: str
    desk_open_now: bool
    opens_at: dt.datetime | None  # UTC; None during an outage (no time is promised)
    opens_local: str  # the opening in the borrower's zone, in words
    notice: str


def kept_as_ticket(session: ChatSession, *, now: dt.datetime) -> KeptAsTicket:
    """The ticket the message was kept as, when the desk opens (in the borrower's own zone)
    and that the answer comes by e-mail or in-app message."""
    borrower = session.borrower
    language = session.ticket.language or borrower.preferred_language
    incident = current_incident(now)
    if incident is not None:  # an outage: its notice, and no opening time made up
        return _kept_in_outage(session, incident, language)
    hours = desk_hours(session.queue, now=now)
    opens_at = hours.next_open(now)
    zone = _zone(borrower.time_zone) or hours.zone
    local = opens_at.astimezone(zone)
    opens_local = _when(local, language)
    words = {"ticket": session.ticket.reference, "opens": opens_local}
    with translation.override(language):
        if opens_at <= now:
            notice = (
                _(
                    "No agent is free to chat right now. Your message has been kept as ticket "
                    "%(ticket)s, and we will answer you by e-mail or in-app message."
                )
                % words
            )
        else:
            notice = (
                _(
                    "No agent is online right now. Your message has been kept as ticket "
                    "%(ticket)s. The desk opens on %(opens)s (your local time), and we will "
                    "answer you by e-mail or in-app message."
                )
                % words
            )
    return KeptAsTicket(
        ticket=session.ticket.reference,
        desk_open_now=opens_at <= now,
        opens_at=opens_at,
        opens_local=opens_local,
        notice=notice,
    )


def _kept_in_outage(session: ChatSession, incident: Incident, language: str) -> KeptAsTicket:
    """During an outage the chat says what the incident notice says (as every channel does) and
    keeps the message; when the desk is back is not known, so no time is promised."""
    outage = incident.notice_zh if language.startswith("zh") else incident.notice_en
    with translation.override(language):
        kept = _(
            "Your message has been kept as ticket %(ticket)s, and we will answer you by e-mail "
            "or in-app message once the service is back."
        ) % {"ticket": session.ticket.reference}
    return KeptAsTicket(
        ticket=session.ticket.reference,
        desk_open_now=False,
        opens_at=None,
        opens_local="",
        notice=f"{outage} {kept}",
    )


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ValueError, KeyError):
        return None


def _when(local: dt.datetime, language: str) -> str:
    """'2025年1月16日星期四 09:00' / 'Thursday, 16 January 2025 09:00'."""
    locale = _LOCALES.get(language, _LOCALES["zh-hans"])
    day = format_date(local.date(), format="full", locale=locale)
    return f"{day} {format_time(local.time(), 'HH:mm', locale=locale)}"
