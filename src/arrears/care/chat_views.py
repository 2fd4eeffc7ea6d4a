"""Web chat over HTTP: the borrower's live event stream (server-sent events) and the JSON calls.

Who is who: a borrower is a signed-in portal user linked to a `Borrower` (`Borrower.user`); an
agent is a signed-in staff user with a `CareAgent`. Both use the Django session cookie, so the
POST calls need Django's CSRF token (`X-CSRFToken`), as any form does. A borrower may read and
write only their own chats (403 otherwise).

The stream, `GET /care/chats/{id}/events`, is `text/event-stream`: each public message of the
chat's ticket is an `event: message` whose `id:` is the message id; a browser's `EventSource`
reconnects on its own and sends `Last-Event-ID`, and the stream resumes after that message. A
comment line keeps idle connections alive every `KEEP_ALIVE_SECONDS`; `event: ended` says the
chat is over (and, when it was kept as a ticket, what the borrower is told).

The stream polls the database (`POLL_SECONDS`) rather than using PostgreSQL LISTEN/NOTIFY:
polling works the same on SQLite and PostgreSQL, needs no long-lived dedicated connection per
listener, and a missed notification can never lose a message, because each poll reads
everything after the last id sent. Half a second is quick enough for a chat.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.care.models import CareQueue, ChatSession
from arrears.care.selectors import chat as selectors
from arrears.care.services import chat as services
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ArrearsError, ValidationError

POLL_SECONDS = 0.5
KEEP_ALIVE_SECONDS = 15.0
#: A stream closes after this long; the browser reconnects with Last-Event-ID, losing nothing
#: (so a server can be restarted or a connection moved without a chat noticing).
LONGEST_STREAM_SECONDS = 3600.0
#: How long a browser should wait before reconnecting (the SSE `retry:` field, milliseconds).
RECONNECT_MILLISECONDS = 2000

View = Callable[..., HttpResponse]


def clock() -> Clock:
    """The clock chat writes by (tests replace it)."""
    return SystemClock()


def problem(status: int, detail: str, *, field: str | None = None) -> JsonResponse:
    """An RFC 9457 problem detail, as the REST API answers."""
    body: dict[str, Any] = {"status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status, content_type="application/problem+json")


def answers_problems(view: View) -> View:
    """Domain errors become problem details; an anonymous caller gets 401."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return problem(401, _("Sign in first."))
        try:
            return view(request, *args, **kwargs)
        except ValidationError as error:
            return problem(422, error.message, field=error.field)
        except ArrearsError as error:
            return problem(error.status, error.message)

    return wrapper


def _payload(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ValidationError("body", _("is not JSON")) from None
    if not isinstance(data, dict):
        raise ValidationError("body", _("must be a JSON object"))
    return data


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise ValidationError(field, _("must be text"))
    return value


def _readable_chat(request: HttpRequest, chat_id: int) -> ChatSession | HttpResponse:
    """The chat, or the refusal: 404 when there is none, 403 when it is someone else's."""
    session = selectors.chat_by_id(chat_id)
    if session is None:
        return problem(404, _("No chat has this id."))
    if not selectors.may_read_chat(request.user, session):
        return problem(403, _("This chat is not yours."))
    return session


@require_POST
@answers_problems
def start(request: HttpRequest) -> HttpResponse:
    """`{"message": "...", "language": "en"?, "queue": "code"?}` → the chat (201)."""
    borrower = selectors.borrower_of(request.user)
    if borrower is None:
        return problem(403, _("Only a borrower signed in to the portal can start a chat."))
    data = _payload(request)
    queue = None
    if data.get("queue"):
        queue = CareQueue.objects.filter(code=_text(data, "queue")).first()
        if queue is None:
            raise ValidationError("queue", _("no queue has this code"))
    started = services.start_chat(
        borrower=borrower,
        first_message=_text(data, "message"),
        language=_text(data, "language") or None,
        queue=queue,
        clock=clock(),
    )
    document = selectors.chat_document(started.session)
    document["notice"] = started.kept.notice if started.kept else ""
    kept = started.kept
    document["desk_opens_at"] = kept.opens_at.isoformat() if kept and kept.opens_at else None
    return JsonResponse(document, status=201)


@require_POST
@answers_problems
def post_message(request: HttpRequest, chat_id: int) -> HttpResponse:
    """`{"body": "..."}` from the chat's borrower or its agent → the message (201)."""
    session = _readable_chat(request, chat_id)
    if isinstance(session, HttpResponse):
        return session
    by_agent = None if _is_the_borrower(request, session) else selectors.agent_of(request.user)
    message = services.send_chat_message(
        session=session, body=_text(_payload(request), "body"), by_agent=by_agent, clock=clock()
    )
    return JsonResponse(selectors.message_document(message), status=201)


@require_POST
@answers_problems
def end(request: HttpRequest, chat_id: int) -> HttpResponse:
    """The borrower or the chat's agent ends the chat."""
    session = _readable_chat(request, chat_id)
    if isinstance(session, HttpResponse):
        return session
    by_agent = None if _is_the_borrower(request, session) else selectors.agent_of(request.user)
    session = services.end_chat(session=session, by_agent=by_agent, clock=clock())
    return JsonResponse(selectors.chat_document(session))


@require_POST
@answers_problems
def accept(request: HttpRequest, chat_id: int) -> HttpResponse:
    """An agent takes a waiting chat."""
    agent = selectors.agent_of(request.user)
    if agent is None:
        return problem(403, _("Only a service agent can take a chat."))
    session = _readable_chat(request, chat_id)
    if isinstance(session, HttpResponse):
        return session
    session = services.accept_chat(session=session, agent=agent, clock=clock())
    return JsonResponse(selectors.chat_document(session))


@require_POST
@answers_problems
def presence(request: HttpRequest) -> HttpResponse:
    """The agent console's heartbeat: `{"online": true|false}`."""
    agent = selectors.agent_of(request.user)
    if agent is None:
        return problem(403, _("Only a service agent has a chat presence."))
    online = _payload(request).get("online", True)
    if not isinstance(online, bool):
        raise ValidationError("online", _("must be true or false"))
    agent = services.agent_online(agent=agent, online=online, clock=clock())
    return JsonResponse({"online": agent.is_online, "last_seen_at": str(agent.last_seen_at)})


def _is_the_borrower(request: HttpRequest, session: ChatSession) -> bool:
    borrower = selectors.borrower_of(request.user)
    return borrower is not None and borrower.pk == session.borrower_id


# --- the live stream ---------------------------------------------------------------------------


@require_GET
async def events(request: HttpRequest, chat_id: int) -> HttpResponseBase:
    """The chat's server-sent events, resumed after `Last-Event-ID` (or `?last_event_id=`)."""
    user = await request.auser()
    if not user.is_authenticated:
        return problem(401, _("Sign in first."))
    session = await sync_to_async(selectors.chat_by_id)(chat_id)
    if session is None:
        return problem(404, _("No chat has this id."))
    if not await sync_to_async(selectors.may_read_chat)(user, session):
        return problem(403, _("This chat is not yours."))
    after = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or "0"
    if not after.isdigit():
        return problem(422, _("must be a message id"), field="Last-Event-ID")
    response = StreamingHttpResponse(
        event_stream(chat_id, after_id=int(after)), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def event_stream(chat_id: int, *, after_id: int) -> AsyncIterator[str]:
    """Messages after `after_id` as they are written, keep-alives between, `ended` at the end."""
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
    while loop.time() - started < LONGEST_STREAM_SECONDS:
        update = await sync_to_async(selectors.chat_update)(chat_id, after_id=after_id)
        for message in update.messages:
            yield sse(message, event="message", event_id=message["id"])
            after_id = message["id"]
            last_sent = loop.time()
        if update.finished:
            yield sse(await sync_to_async(_ending)(chat_id), event="ended")
            return
        if loop.time() - last_sent >= KEEP_ALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = loop.time()
        await asyncio.sleep(POLL_SECONDS)


def _ending(chat_id: int) -> dict[str, Any]:
    session = selectors.chat_by_id(chat_id)
    if session is None:
        return {"status": "ended"}
    ending: dict[str, str | None] = {
        "status": session.status,
        "ticket": session.ticket.reference,
        "notice": "",
    }
    if session.status == "left_as_ticket":
        kept = selectors.kept_as_ticket(session, now=clock().now())
        ending["notice"] = kept.notice
        ending["desk_opens_at"] = kept.opens_at.isoformat() if kept.opens_at else None
    return ending


def sse(data: dict[str, Any], *, event: str, event_id: int | None = None) -> str:
    """One server-sent event. The JSON is ASCII on one line, so it is one `data:` field that no
    client splits: not even one that breaks lines at U+2028 or NEL, as Python's do."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n"
