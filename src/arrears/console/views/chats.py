"""The agent console's live chat 在线客服: the agent's chats and the ones waiting in their queues,
going online or offline, taking a waiting chat, the live transcript (the care event stream,
read by `console/desk.js`), replying and ending the chat.

Reads are `care.selectors.console`; writes are `care.services.chat`; a refusal (the chat ended,
someone else took it) comes back as a message on the page, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.care.models import CareAgent, ChatSession
from arrears.care.selectors.console import agent_chats, care_agent_of, chat_for_agent
from arrears.care.services.chat import accept_chat, agent_online, end_chat, send_chat_message
from arrears.common.htmx import is_htmx, render_page_or_partial
from arrears.compliance.services.access_log import record_personal_data_access
from arrears.console.access import refuse, staff_page
from arrears.console.views.tickets import clock
from arrears.core.errors import ArrearsError, NotFound, ValidationError

#: How often the list of waiting chats refreshes itself (seconds).
CHATS_REFRESH_SECONDS = 10

CHAT_PERMISSIONS = ("care.view_chatsession", "care.change_chatsession")


class ChatReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _agent_or_refusal(request: HttpRequest):  # type: ignore[no-untyped-def]
    agent = care_agent_of(request.user)
    if agent is None:
        return None, refuse(request, _("Only a service agent can answer chats."))
    return agent, None


@staff_page(*CHAT_PERMISSIONS)
def chat_list(request: HttpRequest) -> HttpResponse:
    chats = agent_chats(user=request.user)
    if chats.agent is None:
        return refuse(request, _("Only a service agent can answer chats."))
    return render_page_or_partial(
        request,
        page="console/chat/list.html",
        partial="console/chat/_lists.html",
        context={
            "chats": chats,
            "refresh_seconds": CHATS_REFRESH_SECONDS,
            "zone": settings.TIME_ZONE,
        },
    )


@require_POST
@staff_page(*CHAT_PERMISSIONS)
def presence(request: HttpRequest) -> HttpResponse:
    """Go online (chats are offered to you) or offline."""
    agent, refusal = _agent_or_refusal(request)
    if refusal is not None:
        return refusal
    online = request.POST.get("online") == "1"
    agent_online(agent=agent, online=online, clock=clock())
    if is_htmx(request):
        return HttpResponse(status=204)
    messages.success(
        request, _("You are online for chats.") if online else _("You are offline for chats.")
    )
    return redirect("console:chats")


@staff_page(*CHAT_PERMISSIONS)
def chat_page(request: HttpRequest, chat_id: int) -> HttpResponse:
    return _render_chat(request, chat_id, ChatReplyForm())


def _render_chat(
    request: HttpRequest, chat_id: int, form: ChatReplyForm, status: int = 200
) -> HttpResponse:
    try:
        chat = chat_for_agent(chat_id, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    if status == 200:
        record_personal_data_access(
            user=request.user,
            borrower=chat.session.borrower,
            what=f"chat {chat.session.pk}",
            path=request.path,
        )
    context = {"chat": chat, "form": form, "zone": settings.TIME_ZONE}
    return render(request, "console/chat/chat.html", context, status=status)


def _act_on_chat(
    request: HttpRequest,
    chat_id: int,
    act: Callable[[ChatSession, CareAgent], object],
    *,
    then: str,
    if_refused: str,
    done: str = "",
) -> HttpResponse:
    """`act(session, agent)` on one of the agent's chats, then a redirect to `then` with `done`
    said; a refusal comes back as a message on `if_refused`, nothing written."""
    agent, refusal = _agent_or_refusal(request)
    if refusal is not None:
        return refusal
    try:
        act(chat_for_agent(chat_id, user=request.user).session, agent)
    except NotFound as error:
        raise Http404(error.message) from None
    except ArrearsError as error:
        messages.error(request, error.message)
        return redirect(if_refused)
    if done:
        messages.success(request, done)
    return redirect(then)


def _chat_url(chat_id: int) -> str:
    return reverse("console:chat", kwargs={"chat_id": chat_id})


@require_POST
@staff_page(*CHAT_PERMISSIONS)
def take(request: HttpRequest, chat_id: int) -> HttpResponse:
    return _act_on_chat(
        request,
        chat_id,
        lambda session, agent: accept_chat(session=session, agent=agent, clock=clock()),
        then=_chat_url(chat_id),
        if_refused=reverse("console:chats"),
    )


@require_POST
@staff_page(*CHAT_PERMISSIONS)
def send(request: HttpRequest, chat_id: int) -> HttpResponse:
    """The agent's message: kept on the chat's ticket and shown on both sides by the stream."""
    agent, refusal = _agent_or_refusal(request)
    if refusal is not None:
        return refusal
    form = ChatReplyForm(request.POST)
    if not form.is_valid():
        return _render_chat(request, chat_id, form, status=422)
    try:
        session = chat_for_agent(chat_id, user=request.user).session
        send_chat_message(
            session=session, body=form.cleaned_data["body"], by_agent=agent, clock=clock()
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except ValidationError as error:
        form.add_error("body", error.message)
        return _render_chat(request, chat_id, form, status=422)
    except ArrearsError as error:
        form.add_error("body", error.message)
        return _render_chat(request, chat_id, form, status=409)
    if is_htmx(request):
        return HttpResponse(status=204)  # the stream shows the message
    return redirect("console:chat", chat_id=chat_id)


@require_POST
@staff_page(*CHAT_PERMISSIONS)
def end(request: HttpRequest, chat_id: int) -> HttpResponse:
    return _act_on_chat(
        request,
        chat_id,
        lambda session, agent: end_chat(session=session, by_agent=agent, clock=clock()),
        then=reverse("console:chats"),
        if_refused=_chat_url(chat_id),
        done=_("The chat has ended; its ticket stays for what is left to do."),
    )


urlpatterns = [
    path("chats/", chat_list, name="chats"),
    path("chats/presence", presence, name="chat-presence"),
    path("chats/<int:chat_id>/", chat_page, name="chat"),
    path("chats/<int:chat_id>/take", take, name="chat-take"),
    path("chats/<int:chat_id>/send", send, name="chat-send"),
    path("chats/<int:chat_id>/end", end, name="chat-end"),
]
