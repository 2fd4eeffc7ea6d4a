"""Staff in a role that requires a second factor pass through its set-up before any console page.

Runs after django-otp's middleware (which marks a session signed in with a code as verified).
Costs no query unless an administrator has set `ARREARS_REQUIRE_SECOND_FACTOR_ROLES`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from arrears.identity import second_factor

#: The pages staff open; the set-up page itself (under the first) is always allowed.
PROTECTED_PREFIXES = ("/console/", "/admin/")
#: The URL name of the console page where a staff member sets up their second factor.
ENROLMENT_URL_NAME = "console:security"


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        # settings and path first: touching request.user loads the session, which an API
        # request with a garbled cookie must never need
        if not second_factor.required_roles() or not request.path.startswith(PROTECTED_PREFIXES):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not second_factor.lacks_required_verification(user):
            return None
        if second_factor.confirmed_device(user) is not None:
            # enrolled, but this session was not signed in with a code: sign in again
            logout(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        enrolment = reverse(ENROLMENT_URL_NAME)
        if request.path.startswith(enrolment):
            return None
        return redirect(enrolment)
