"""The staff member's own sign-in security: set up, confirm or remove the second factor.

Every staff role opens it (it is about the person, not the portfolio); borrowers never do.
A staff member whose role requires a second factor is sent here before any other console page.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from arrears.console.access import staff_page
from arrears.core.errors import ValidationError
from arrears.identity import second_factor
from arrears.identity.forms import CodeForm

TEMPLATE = "console/security/second_factor.html"


def _page(request: HttpRequest, *, form: CodeForm | None = None, status: int = 200) -> HttpResponse:
    state = second_factor.second_factor_state(request.user)
    context: dict[str, Any] = {"state": state, "form": form or CodeForm()}
    if state.pending is not None and not state.is_on:
        context["qr_code"] = second_factor.qr_code_data_uri(state.pending)
        context["secret_key"] = second_factor.secret_key_text(state.pending)
    return render(request, TEMPLATE, context, status=status)


@staff_page()
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """Whether the second factor is on; the QR code while it is being set up."""
    return _page(request)


@staff_page()
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    try:
        second_factor.start_enrolment(user=request.user)
    except ValidationError as error:
        messages.error(request, error.reason)
    return redirect("console:security")


@staff_page()
@require_POST
@never_cache
def confirm(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            device = second_factor.confirm_enrolment(
                user=request.user, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as error:
            form.add_error("otp_token", error.reason)
        else:
            django_otp.login(request, device)  # this session already proved the code
            messages.success(request, _("Your second factor is on: signing in now asks a code."))
            return redirect("console:security")
    return _page(request, form=form, status=422)


@staff_page()
@require_POST
@never_cache
def remove(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            second_factor.remove_second_factor(
                user=request.user, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as error:
            form.add_error("otp_token", error.reason)
        else:
            messages.success(
                request, _("Your second factor is off: signing in asks only a password.")
            )
            return redirect("console:security")
    return _page(request, form=form, status=422)


urlpatterns = [
    path("security/", security, name="security"),
    path("security/second-factor/start/", start, name="second-factor-start"),
    path("security/second-factor/confirm/", confirm, name="second-factor-confirm"),
    path("security/second-factor/remove/", remove, name="second-factor-remove"),
]
