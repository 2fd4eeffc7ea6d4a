"""The agent console's tickets 工单: the queue with SLA timers, take next, and the ticket page
(thread, public reply, internal note, status and priority, what it really is, merge into another
ticket, canned replies, knowledge-base suggestions, linked accounts, history).

Every read is one call to `care.selectors.console`, every write one care service; a refused
write re-renders the page with the reason next to its field (422) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.care.choices import Priority, TicketKind, TicketStatus
from arrears.care.selectors.console import care_agent_of, ticket_queue, ticket_workspace
from arrears.care.selectors.tickets import ticket_by_reference
from arrears.care.services.merge import merge_tickets
from arrears.care.services.routing import take_next_ticket
from arrears.care.services.ticket_changes import change_kind, set_priority
from arrears.care.services.tickets import add_note, change_status, reply_to_ticket
from arrears.common.htmx import render_page_or_partial
from arrears.compliance.services.access_log import record_personal_data_access
from arrears.console.access import refuse, staff_page
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ArrearsError, NotFound, ValidationError

#: How often the queue refreshes itself (seconds).
QUEUE_REFRESH_SECONDS = 30


def clock() -> Clock:
    """The clock the desk screens read and write by (tests replace it)."""
    return SystemClock()


def language() -> str:
    return get_language() or settings.LANGUAGE_CODE


# --- forms -------------------------------------------------------------------------------------


def _with_any(choices: Any, any_label: Any) -> list[tuple[str, Any]]:
    return [("", any_label), *choices]


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Still being worked")),
            *TicketStatus.choices,
            ("all", gettext_lazy("All")),
        ],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=_with_any(TicketKind.choices, gettext_lazy("Any kind")),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        required=False,
        choices=_with_any(Priority.choices, gettext_lazy("Any priority")),
    )
    queue = forms.CharField(label=gettext_lazy("Queue"), required=False, max_length=40)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Reply to the borrower"), widget=forms.Textarea(attrs={"rows": 6})
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Then set the status to"),
        required=False,
        choices=[("", gettext_lazy("Leave as it is")), *TicketStatus.choices],
    )
    final_response = forms.BooleanField(
        label=gettext_lazy("This is the written final response"), required=False
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Internal note (never sent)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=TicketStatus.choices)
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), required=False, max_length=500)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices)


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What it really is"), choices=TicketKind.choices)


class MergeForm(forms.Form):
    target = forms.CharField(
        label=gettext_lazy("Merge into ticket"),
        max_length=20,
    )


FORMS: dict[str, type[forms.Form]] = {
    "reply": ReplyForm,
    "note": NoteForm,
    "status": StatusForm,
    "priority": PriorityForm,
    "kind": KindForm,
    "merge": MergeForm,
}


# --- the queue ---------------------------------------------------------------------------------


@staff_page("care.view_ticket")
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The agent's tickets and their queues' tickets, most urgent first; htmx refreshes it."""
    filters = QueueFilter(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    queue = ticket_queue(
        user=request.user,
        now=clock().now(),
        language=language(),
        status=chosen.get("status", ""),
        kind=chosen.get("kind", ""),
        priority=chosen.get("priority", ""),
        queue=chosen.get("queue", ""),
    )
    context = {
        "filters": filters,
        "chosen": chosen,
        "queue": queue,
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
        "zone": settings.TIME_ZONE,
        "query": request.GET.urlencode(),
    }
    return render_page_or_partial(
        request,
        page="console/tickets/queue.html",
        partial="console/tickets/_queue_rows.html",
        context=context,
    )


@require_POST
@staff_page("care.view_ticket", "care.change_ticket")
def take_next(request: HttpRequest) -> HttpResponse:
    """The agent pulls the waiting ticket of their queues whose SLA falls due first."""
    agent = care_agent_of(request.user)
    if agent is None:
        return refuse(request, _("Only a service agent can take tickets from a queue."))
    ticket = take_next_ticket(agent=agent, clock=clock())
    if ticket is None:
        messages.info(request, _("No ticket is waiting in your queues (or you are at capacity)."))
        return redirect("console:tickets")
    messages.success(request, _("Ticket %(reference)s is yours.") % {"reference": ticket})
    return redirect("console:ticket", reference=ticket.reference)


# --- one ticket --------------------------------------------------------------------------------


@staff_page("care.view_ticket")
def ticket_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_ticket(request, reference, {})


def _render_ticket(
    request: HttpRequest, reference: str, bound: dict[str, forms.Form], status: int = 200
) -> HttpResponse:
    try:
        workspace = ticket_workspace(
            reference, user=request.user, now=clock().now(), language=language()
        )
    except NotFound as error:
        raise Http404(error.message) from None
    ticket = workspace.ticket
    if ticket.borrower is not None and status == 200:
        record_personal_data_access(
            user=request.user,
            borrower=ticket.borrower,
            what=f"ticket {ticket.reference}",
            path=request.path,
        )
    context: dict[str, Any] = {
        "w": workspace,
        "canned_texts": {option.code: option.text for option in workspace.canned},
        "ticket": ticket,
        "zone": settings.TIME_ZONE,
        "may_write": request.user.has_perm("care.add_ticketmessage"),
        "may_change": request.user.has_perm("care.change_ticket"),
    }
    # A closed ticket shows no forms, so a refusal on it is shown above the page.
    context["refusals"] = (
        []
        if workspace.is_open
        else [
            message
            for form in bound.values()
            for errors in form.errors.values()
            for message in errors
        ]
    )
    initial = {
        "status": {"status": ticket.status},
        "priority": {"priority": ticket.priority},
        "kind": {"kind": ticket.kind},
    }
    for name, form_class in FORMS.items():
        context[f"{name}_form"] = bound.get(name) or form_class(
            initial=initial.get(name), prefix=name
        )
    return render(request, "console/tickets/ticket.html", context, status=status)


def _ticket_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Bind the action's form, call its service, and come back to the ticket page."""
    form = FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return _render_ticket(request, reference, {action: form}, status=422)
    try:
        ticket = ticket_by_reference(reference)
        done = _perform(action, ticket, form.cleaned_data, request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    except ValidationError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return _render_ticket(request, reference, {action: form}, status=422)
    except ArrearsError as error:  # a closed or merged ticket: a conflict
        form.add_error(None, error.message)
        return _render_ticket(request, reference, {action: form}, status=409)
    messages.success(request, done)
    return redirect("console:ticket", reference=reference.upper())


def _perform(action: str, ticket: Any, data: dict[str, Any], user: Any) -> str:
    now = clock().now()
    if action == "reply":
        reply_to_ticket(
            ticket=ticket,
            body=data["body"],
            by=user,
            status=data["status"] or None,
            final_response=data["final_response"],
            at=now,
        )
        return _("Your reply is on the ticket and queued for delivery.")
    if action == "note":
        add_note(ticket=ticket, body=data["body"], by=user, at=now)
        return _("Note added.")
    if action == "status":
        change_status(ticket=ticket, status=data["status"], reason=data["reason"], by=user, at=now)
        return _("Status changed.")
    if action == "kind":
        change_kind(ticket=ticket, kind=data["kind"], by=user, at=now)
        return _("The ticket's kind is changed.")
    if action == "merge":
        try:
            target = ticket_by_reference(data["target"].strip().upper())
        except NotFound:
            raise ValidationError("target", _("there is no ticket with this reference")) from None
        merge_tickets(source=ticket, target=target, by=user, at=now)
        return _("Merged into %(reference)s.") % {"reference": target.reference}
    set_priority(ticket=ticket, priority=data["priority"], by=user, at=now)
    return _("Priority changed.")


@require_POST
@staff_page("care.view_ticket", "care.add_ticketmessage")
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    return _ticket_action(request, reference, "reply")


@require_POST
@staff_page("care.view_ticket", "care.add_ticketmessage")
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _ticket_action(request, reference, "note")


@require_POST
@staff_page("care.view_ticket", "care.change_ticket")
def status(request: HttpRequest, reference: str) -> HttpResponse:
    return _ticket_action(request, reference, "status")


@require_POST
@staff_page("care.view_ticket", "care.change_ticket")
def priority(request: HttpRequest, reference: str) -> HttpResponse:
    return _ticket_action(request, reference, "priority")


@require_POST
@staff_page("care.view_ticket", "care.change_ticket")
def kind(request: HttpRequest, reference: str) -> HttpResponse:
    """Say what the ticket really is; a dispute or a hardship request goes to collection."""
    return _ticket_action(request, reference, "kind")


@require_POST
@staff_page("care.view_ticket", "care.change_ticket")
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this ticket into another of the same borrower; the page then shows the target."""
    response = _ticket_action(request, reference, "merge")
    if response.status_code == 302:
        target = request.POST.get("merge-target", "").strip().upper()
        return redirect("console:ticket", reference=target)
    return response


urlpatterns = [
    path("tickets/", ticket_list, name="tickets"),
    path("tickets/take-next", take_next, name="ticket-take-next"),
    path("tickets/<str:reference>/", ticket_page, name="ticket"),
    path("tickets/<str:reference>/reply", reply, name="ticket-reply"),
    path("tickets/<str:reference>/note", note, name="ticket-note"),
    path("tickets/<str:reference>/status", status, name="ticket-status"),
    path("tickets/<str:reference>/priority", priority, name="ticket-priority"),
    path("tickets/<str:reference>/kind", kind, name="ticket-kind"),
    path("tickets/<str:reference>/merge", merge, name="ticket-merge"),
]
