"""How the API knows who is calling: an API token, or the browser's signed-in session.

Programs send `Authorization: Bearer <secret>` (see `services.issue_token`). A browser that is
signed in (the admin or the consoles) may call the API with its session cookie, and then must
send the CSRF token (`X-CSRFToken`) on unsafe methods, as Django's forms do. A session whose
role requires a second factor (`ARREARS_REQUIRE_SECOND_FACTOR_ROLES`) must also have been signed
in with a code, as for the consoles; token callers are programs and are not asked for one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from arrears.identity import second_factor
from arrears.identity.services import authenticate_token


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <secret>`: the token's owner becomes the request's user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(secret=token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The signed-in Django session, with Django's CSRF check on unsafe methods.

    Unlike ninja's own session auth, the CSRF check runs only for a signed-in user, so an
    anonymous caller gets 401 (not 403) and a token caller is never asked for CSRF. A signed-in
    user whose role requires a second factor their session was not verified with gets 403
    before any operation runs (every operation, read or write, goes through here).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if second_factor.lacks_required_verification(user):
            raise HttpError(
                403,
                _(
                    "Second factor required: your role must sign in with the code from an "
                    "authenticator app to use the API. Sign in again with the code, or set the "
                    "app up on the console's Sign-in security page."
                ),
            )
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user


#: What every API operation accepts, tried in this order.
api_auth = [ApiTokenAuth(), SessionAuth()]
