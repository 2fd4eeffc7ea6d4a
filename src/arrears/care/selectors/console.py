"""Reads for the agent console's desk screens: the ticket queue with SLA timers, one ticket's
workspace (thread, history, timer, suggestions, canned replies, delivery of each reply) and the
agent's chats.

Each screen is one call here, so the console's views stay parse → call → render. The queue
reads its tickets and their SLA clocks in a fixed handful of queries, however long it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext as _

from arrears.care.choices import ChatStatus, MessageDirection, TicketStatus
from arrears.care.models import CareAgent, CareQueue, ChatSession, Ticket, TicketMessage
from arrears.care.selectors.knowledge import ArticleHit, suggest_for_ticket
from arrears.care.selectors.sla import slas_of
from arrears.care.selectors.tickets import HistoryLine, ticket_history, ticket_thread
from arrears.care.services.canned import canned_replies_for, render_canned_reply
from arrears.core.care.labels import label
from arrears.core.care.sla import AlertKind, ClockState, TicketSla
from arrears.core.errors import NotFound, ValidationError

#: The statuses a ticket is still being worked in (the queue's default filter).
ACTIVE_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING,
    TicketStatus.ON_HOLD,
)
#: How many tickets the queue shows at most (the most urgent first).
QUEUE_LIMIT = 100

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


# --- SLA timers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaTimer:
    """The one SLA figure an agent needs: the earliest clock still to be met, and its state.

    `state` is `breached`, `warning` (a warning alert of that clock has fallen due),
    `running`, `paused`, `met` (every clock met) or `none` (no clock applies)."""

    state: str
    metric: str = ""  # the clock's measure in words
    due_at: dt.datetime | None = None

    @property
    def badge(self) -> str:
        """The CSS badge of the state (`common/arrears.css`)."""
        return {
            "breached": "badge-block",
            "warning": "badge-warn",
            "met": "badge-ok",
        }.get(self.state, "")


def sla_timer(sla: TicketSla | None, *, now: dt.datetime, language: str) -> SlaTimer:
    """The timer of a ticket from its SLA clocks at `now`."""
    if sla is None or not sla.clocks:
        return SlaTimer(state="none")
    open_clocks = [clock for clock in sla.clocks if clock.state is not ClockState.MET]
    if not open_clocks:
        return SlaTimer(state="met")
    clock = min(open_clocks, key=lambda c: (c.state is not ClockState.BREACHED, c.due_at))
    metric = label(f"metric.{clock.metric.value}", language)
    if clock.state is ClockState.BREACHED:
        state = "breached"
    elif any(a.kind is AlertKind.WARNING and a.at <= now for a in clock.alerts):
        state = "warning"
    else:
        state = clock.state.value
    return SlaTimer(state=state, metric=metric, due_at=clock.due_at)


# --- the ticket queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    timer: SlaTimer
    mine: bool


@dataclass(frozen=True)
class TicketQueue:
    """What the agent's ticket queue shows: rows most urgent first, and the filters' choices."""

    rows: list[QueueRow]
    queues: list[CareQueue]
    is_agent: bool
    truncated: bool


def care_agent_of(user: Any) -> CareAgent | None:
    """The user's service-agent profile, if they have one."""
    try:
        agent: CareAgent = user.care_agent
    except (ObjectDoesNotExist, AttributeError):
        return None
    return agent


def ticket_queue(
    *,
    user: Any,
    now: dt.datetime,
    language: str,
    status: str = "",
    kind: str = "",
    priority: str = "",
    queue: str = "",
    limit: int = QUEUE_LIMIT,
) -> TicketQueue:
    """The agent's tickets and their queues' tickets (everyone's queues for someone who is not
    a service agent, such as a supervisor), filtered, SLA breaches first, then by due time.

    `status` is a status code, `all`, or empty (the active statuses); `queue` a queue code."""
    agent = care_agent_of(user)
    queues = list(
        agent.queues.filter(is_active=True).select_related("calendar")
        if agent is not None
        else CareQueue.objects.filter(is_active=True).select_related("calendar")
    )
    chosen = [q for q in queues if q.code == queue] if queue else queues
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    scope = Q(queue__in=chosen)
    if not queue:
        scope |= Q(assignee=user)
    tickets = tickets.filter(scope)
    if status == "all":
        pass
    elif status:
        tickets = tickets.filter(status=status)
    else:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if kind:
        tickets = tickets.filter(kind=kind)
    if priority:
        tickets = tickets.filter(priority=priority)
    found = list(
        tickets.select_related("queue__calendar", "borrower", "assignee").order_by(
            "created_at", "pk"
        )[: limit + 1]
    )
    truncated = len(found) > limit
    found = found[:limit]
    slas = slas_of(found, now=now)
    rows = [
        QueueRow(
            ticket=ticket,
            timer=sla_timer(slas.get(ticket.pk), now=now, language=language),
            mine=ticket.assignee_id == user.pk,
        )
        for ticket in found
    ]
    rows.sort(key=_urgency)
    return TicketQueue(rows=rows, queues=queues, is_agent=agent is not None, truncated=truncated)


def _urgency(row: QueueRow) -> tuple[int, dt.datetime, dt.datetime, int]:
    rank = {"breached": 0, "warning": 1, "running": 2, "paused": 3}.get(row.timer.state, 4)
    return (rank, row.timer.due_at or _FAR, row.ticket.created_at, row.ticket.pk)


# --- one ticket --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """How a public reply went out: the outbox status, and the gate's reasons when refused."""

    status: str
    status_label: str
    refused: bool
    reasons: list[str]


@dataclass(frozen=True)
class ThreadEntry:
    message: TicketMessage
    delivery: Delivery | None
    from_merged: bool


@dataclass(frozen=True)
class CannedOption:
    """A canned reply filled in for this ticket, or why it cannot be used on it."""

    code: str
    title: str
    text: str
    problem: str


@dataclass(frozen=True)
class ClockLine:
    """One SLA clock in words, for the ticket page."""

    metric: str
    state: str
    due_at: dt.datetime
    cycle: int


@dataclass(frozen=True)
class TicketWorkspace:
    ticket: Ticket
    thread: list[ThreadEntry]
    history: list[HistoryLine]
    timer: SlaTimer
    clocks: list[ClockLine]
    suggestions: list[ArticleHit]
    canned: list[CannedOption]
    accounts: list[Any]
    chat: ChatSession | None
    is_open: bool = field(default=True)


def ticket_workspace(
    reference: str, *, user: Any, now: dt.datetime, language: str
) -> TicketWorkspace:
    """Everything the ticket page shows, or `NotFound`."""
    ticket = (
        Ticket.objects.select_related("queue__calendar", "borrower", "assignee", "merged_into")
        .prefetch_related("accounts__product")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound(_("There is no ticket %(reference)s.") % {"reference": reference})
    sla = slas_of([ticket], now=now)[ticket.pk]
    messages = ticket_thread(ticket).select_related("outbox_message", "outbox_message__decision")
    thread = [
        ThreadEntry(
            message=message,
            delivery=_delivery(message, language),
            from_merged=message.ticket_id != ticket.pk,
        )
        for message in messages
    ]
    return TicketWorkspace(
        ticket=ticket,
        thread=thread,
        history=ticket_history(ticket, language=language),
        timer=sla_timer(sla, now=now, language=language),
        clocks=[
            ClockLine(
                metric=label(f"metric.{clock.metric.value}", language),
                state=clock.state.value,
                due_at=clock.due_at,
                cycle=clock.cycle,
            )
            for clock in sla.clocks
        ],
        suggestions=suggest_for_ticket(ticket),
        canned=canned_options(ticket, user=user, language=language, now=now),
        accounts=list(ticket.accounts.all()),
        chat=ChatSession.objects.filter(ticket=ticket).first(),
        is_open=ticket.status != TicketStatus.CLOSED and ticket.merged_into_id is None,
    )


def _delivery(message: TicketMessage, language: str) -> Delivery | None:
    if message.direction != MessageDirection.OUTBOUND or message.outbox_message is None:
        return None
    outbox = message.outbox_message
    refused = outbox.status == "blocked"
    reasons: list[str] = []
    if refused and outbox.decision is not None:
        denied = set(outbox.decision.denied_rule_ids)
        key = "reason_zh" if language.startswith("zh") else "reason_en"
        reasons = [
            str(rule.get(key) or rule.get("reason_en") or rule.get("id"))
            for rule in (outbox.decision.rules or [])
            if isinstance(rule, dict) and (rule.get("id") in denied or not denied)
        ]
    if refused and not reasons and outbox.last_error:
        reasons = [outbox.last_error]
    return Delivery(
        status=outbox.status,
        status_label=str(outbox.get_status_display()),
        refused=refused,
        reasons=reasons,
    )


def canned_options(
    ticket: Ticket, *, user: Any, language: str, now: dt.datetime
) -> list[CannedOption]:
    """The agent's canned replies filled in for the ticket, in the ticket's language; one that
    needs an account figure the ticket lacks says so instead of a text."""
    options = []
    for reply in canned_replies_for(user):
        title = reply.title_zh if language.startswith("zh") else reply.title_en
        try:
            text = render_canned_reply(reply=reply, ticket=ticket, agent=user, at=now)
            problem = ""
        except ValidationError as error:
            text, problem = "", error.message
        options.append(CannedOption(code=reply.code, title=title, text=text, problem=problem))
    return options


# --- chats -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentChats:
    """The agent's live chats, the chats waiting in their queues, and whether they are online."""

    agent: CareAgent | None
    live: list[ChatSession]
    waiting: list[ChatSession]
    recent: list[ChatSession]

    @property
    def online(self) -> bool:
        return bool(self.agent and self.agent.is_online)


def agent_chats(*, user: Any, recent: int = 10) -> AgentChats:
    """What the chat screen lists for this agent (nothing but the refusal for a non-agent)."""
    agent = care_agent_of(user)
    if agent is None:
        return AgentChats(agent=None, live=[], waiting=[], recent=[])
    related = ("ticket", "borrower", "queue")
    live = ChatSession.objects.filter(agent_id=user.pk, status=ChatStatus.LIVE)
    waiting = ChatSession.objects.filter(
        status=ChatStatus.WAITING, queue__in=agent.queues.all()
    ).order_by("started_at", "pk")
    ended = ChatSession.objects.filter(agent_id=user.pk, status=ChatStatus.ENDED).order_by(
        "-ended_at", "-pk"
    )
    return AgentChats(
        agent=agent,
        live=list(live.select_related(*related).order_by("answered_at", "pk")),
        waiting=list(waiting.select_related(*related)),
        recent=list(ended.select_related(*related)[:recent]),
    )


@dataclass(frozen=True)
class ChatView:
    session: ChatSession
    transcript: list[TicketMessage]
    mine: bool

    @property
    def last_message_id(self) -> int:
        return self.transcript[-1].pk if self.transcript else 0


def chat_for_agent(chat_id: int, *, user: Any) -> ChatView:
    """A chat and its transcript (public messages only) for a service agent, or `NotFound`."""
    session = (
        ChatSession.objects.select_related("ticket", "borrower", "queue", "agent")
        .filter(pk=chat_id)
        .first()
    )
    if session is None:
        raise NotFound(_("No chat has this id."))
    transcript = list(
        TicketMessage.objects.filter(
            ticket_id=session.ticket_id,
            direction__in=(MessageDirection.INBOUND, MessageDirection.OUTBOUND),
        ).order_by("pk")
    )
    return ChatView(session=session, transcript=transcript, mine=session.agent_id == user.pk)
