"""Signing in and out, the language switch remembered per user, and the home page's routing.

One sign-in page serves staff and borrowers: afterwards staff land on the console and
borrowers on their portal.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from arrears.identity import services
from arrears.identity.forms import SignInForm
from arrears.identity.selectors import landing_url_for


class SignInView(auth_views.LoginView):
    """Username and password, and the authenticator code for staff who use a second factor."""

    form_class = SignInForm
    template_name = "identity/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url_for(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        """Sign in, then open in the language the person chose last time."""
        response = super().form_valid(form)
        if form.otp_device is not None:  # this session was signed in with a code
            django_otp.login(self.request, form.otp_device)
        language = services.remembered_language(user=form.get_user())
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


def home(request: HttpRequest) -> HttpResponse:
    """`/`: staff to the console, borrowers to their portal, anyone else to sign in."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return redirect(landing_url_for(request.user))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in person the choice is kept on their record."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        services.remember_language(user=request.user, language=language)
    return response
