"""Contact preferences: notice channels and language (which also switches the portal), optional
messages, quiet times, no contact at work, and stopping a channel — through engagement's and
compliance's services (care's `save_contact_preferences`). A legally required notice cannot be
turned off, and the page says so."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.care.selectors.portal_help import contact_choices
from arrears.care.services.portal_help import save_contact_preferences
from arrears.core.errors import ValidationError as DomainError
from arrears.portal.access import borrower_page
from arrears.portal.help_forms import PreferencesForm, put_domain_error

#: Where a domain error's field is shown on the form.
ALIASES = {
    "channels": "first_channel",
    "declined_kinds": "declined_kinds",
    "inconvenient_times": "quiet_from",
    "opt_out_channels": "opt_out_channels",
}


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
    context = {"form": form, "choices": choices}
    return render(request, "portal/preferences/preferences.html", context, status=status)


urlpatterns = [path("preferences/", preferences, name="preferences")]
