"""Help: search the knowledge base, chat live with the desk (help.js speaks care's chat calls
and listens to its event stream), open a ticket and follow it, book a callback, and the desk's
opening hours and the borrower's place in the queue — all in the borrower's own time zone.
Tickets are looked up through the borrower: another borrower's ticket is a 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.care.choices import Origin
from arrears.care.selectors.knowledge import search_articles
from arrears.care.selectors.portal_help import (
    borrower_ticket,
    borrower_zone,
    callback_slots,
    desk_status,
    public_thread,
    tickets_with_positions,
)
from arrears.care.services.portal_help import book_portal_callback
from arrears.care.services.tickets import open_ticket, receive_message
from arrears.common.htmx import is_htmx
from arrears.core.errors import ArrearsError, NotFound
from arrears.core.errors import ValidationError as DomainError
from arrears.portal.access import borrower_page
from arrears.portal.help_forms import CallbackForm, ReplyForm, SearchForm, TicketForm
from arrears.servicing.models import Borrower


def _language() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def _help_context(request: HttpRequest, **forms: object) -> dict[str, object]:
    borrower = request.borrower  # type: ignore[attr-defined]
    now = timezone.now()
    status = desk_status(borrower, now=now)
    return {
        "desk": status,
        "zone": status.zone,
        "tickets": tickets_with_positions(borrower, now=now),
        "slots": callback_slots(borrower, now=now),
        "search_form": forms.get("search_form") or SearchForm(),
        "ticket_form": forms.get("ticket_form") or TicketForm(),
        "callback_form": forms.get("callback_form") or CallbackForm(),
        "chat_language": _language(),
    }


@borrower_page
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/support/help.html", _help_context(request))


@borrower_page
def search(request: HttpRequest) -> HttpResponse:
    """Knowledge-base answers for the borrower's words (an htmx partial, or the whole page)."""
    form = SearchForm(request.GET)
    hits, status = [], 200
    if form.is_valid():
        try:
            hits = search_articles(form.cleaned_data["q"], language=_language())
        except DomainError as error:
            form.add_error("q", error.reason)
            status = 422
    else:
        status = 422
    context = {"search_form": form, "hits": hits, "searched": True}
    if is_htmx(request):
        return render(request, "portal/support/_search_results.html", context, status=status)
    return render(
        request,
        "portal/support/help.html",
        {**_help_context(request, search_form=form), **context},
        status=status,
    )


@require_POST
@borrower_page
def new_ticket(request: HttpRequest) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    form = TicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = open_ticket(
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                origin=Origin.PORTAL,
                borrower=borrower,
                language=_language(),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.reason)
        else:
            messages.success(
                request,
                _("Thank you. Your reference is %(reference)s.") % {"reference": ticket.reference},
            )
            return redirect("portal:ticket", ticket.reference)
    return render(
        request, "portal/support/help.html", _help_context(request, ticket_form=form), status=422
    )


@borrower_page
def ticket(request: HttpRequest, reference: str) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    try:
        found = borrower_ticket(borrower, reference)
    except NotFound as missing:
        raise Http404(missing.message) from None
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                receive_message(ticket=found, body=form.cleaned_data["body"], channel=Origin.PORTAL)
            except DomainError as error:
                form.add_error("body", error.reason)
            else:
                messages.success(request, _("Your reply has been sent."))
                return redirect("portal:ticket", found.reference)
    context = {
        "ticket": found,
        "thread": public_thread(found),
        "form": form,
        "zone": borrower_zone(borrower),
    }
    return render(request, "portal/support/ticket.html", context, status=status)


@require_POST
@borrower_page
def callback(request: HttpRequest) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    form = CallbackForm(request.POST)
    if form.is_valid():
        try:
            booked = book_portal_callback(
                borrower=borrower, slot=form.cleaned_data["slot"], at=timezone.now()
            )
        except DomainError as error:
            form.add_error("slot", error.reason)
        except ArrearsError as error:
            form.add_error("slot", error.message)
        else:
            messages.success(
                request,
                _("We will call you back between %(start)s and %(end)s (your time).")
                % {
                    "start": timezone.localtime(booked.slot_start, _tz(borrower)).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "end": timezone.localtime(booked.slot_end, _tz(borrower)).strftime("%H:%M"),
                },
            )
            return redirect(reverse("portal:help") + "#callback")
    return render(
        request,
        "portal/support/help.html",
        _help_context(request, callback_form=form),
        status=422,
    )


def _tz(borrower: Borrower) -> ZoneInfo:
    return ZoneInfo(borrower_zone(borrower))


urlpatterns = [
    path("help/", help_page, name="help"),
    path("help/search/", search, name="help-search"),
    path("help/tickets/new/", new_ticket, name="ticket-new"),
    path("help/tickets/<str:reference>/", ticket, name="ticket"),
    path("help/callback/", callback, name="callback"),
]
