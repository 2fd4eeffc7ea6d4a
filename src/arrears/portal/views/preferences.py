"""Contact preferences: notice channels and language (which also switches the portal), optional
messages, quiet times, no contact at work, and stopping a channel — through engagement's and
compliance's services (care's `save_contact_preferences`) — and resuming a stopped channel
(compliance's `withdraw_opt_out`: the opt-out is kept, marked withdrawn). A legally required
notice cannot be turned off, and the page says so."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.care.selectors.portal_help import ContactChoices, contact_choices
from arrears.care.services.portal_help import save_contact_preferences
from arrears.common.htmx import is_htmx
from arrears.compliance.models import OptOut
from arrears.compliance.selectors import borrowers_opt_out
from arrears.compliance.services import withdraw_opt_out
from arrears.core.errors import ValidationError as DomainError
from arrears.portal.access import borrower_page
from arrears.portal.help_forms import PreferencesForm, put_domain_error
from arrears.portal.lookups import or_404

#: Where a domain error's field is shown on the form.
ALIASES = {
    "channels": "first_channel",
    "declined_kinds": "declined_kinds",
    "inconvenient_times": "quiet_from",
    "opt_out_channels": "opt_out_channels",
}
PAGE = "portal/preferences/preferences.html"
STOPS = "portal/preferences/_stop_channels.html"


def _context(form: PreferencesForm, choices: ContactChoices) -> dict[str, Any]:
    """The page's context; `stop_rows` pairs each channel with its stop in force, if any."""
    stops: dict[str, OptOut] = {}
    for stop in choices.opted_out:
        stops.setdefault(stop.channel, stop)  # the oldest stop per channel is the one shown
    rows = [(value, label, stops.get(value)) for value, label in PreferencesForm.STOP_CHANNELS]
    return {"form": form, "choices": choices, "stop_rows": rows}


@borrower_page
def preferences(request: HttpRequest) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    choices = contact_choices(borrower)
    form = PreferencesForm(
        request.POST or None, initial=choices.initial, optional_kinds=choices.optional_kinds
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            chosen = form.choices()
            try:
                save_contact_preferences(borrower=borrower, user=request.user, **chosen)
            except DomainError as error:
                put_domain_error(form, error, ALIASES)
            else:
                language = chosen["language"]
                translation.activate(language)
                messages.success(request, _("Your contact preferences are saved."))
                response = redirect("portal:preferences")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
                return response
    return render(request, PAGE, _context(form, choices), status=status)


@require_POST
@borrower_page
def resume_channel(request: HttpRequest, opt_out_id: int) -> HttpResponse:
    """Take back a stop: the channel is open again (an htmx partial, or back to the page)."""
    borrower = request.borrower  # type: ignore[attr-defined]
    stop = or_404(borrowers_opt_out, borrower, opt_out_id)
    error = notice = ""
    try:
        withdraw_opt_out(opt_out=stop, withdrawn_by=request.user, how="portal")
    except DomainError as refused:  # e.g. "E-mail was already withdrawn on 2026-11-29."
        error = _("%(channel)s %(reason)s.") % {
            "channel": stop.get_channel_display(),
            "reason": refused.reason,
        }
    else:
        notice = _("%(channel)s is open again.") % {"channel": stop.get_channel_display()}
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect("portal:preferences")
    # htmx swaps only a 2xx answer: a refusal is shown in the fragment, as an alert
    choices = contact_choices(borrower)
    form = PreferencesForm(initial=choices.initial, optional_kinds=choices.optional_kinds)
    context = {**_context(form, choices), "stop_error": error, "stop_notice": notice}
    return render(request, STOPS, context)


urlpatterns = [
    path("preferences/", preferences, name="preferences"),
    path("preferences/stops/<int:opt_out_id>/resume/", resume_channel, name="preferences-resume"),
]
