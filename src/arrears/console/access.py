"""Who may open a console page: staff with the page's permissions; everyone else is refused.

`staff_page("collection.work_queue")` wraps a view: an anonymous visitor is sent to sign in,
a signed-in person without a staff role or without every listed permission gets a 403 page
that says why, and nothing of the page is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from arrears.identity.selectors import is_staff_member

View = Callable[..., HttpResponse]


def staff_page(*permissions: str) -> Callable[[View], View]:
    """Decorate a console view: staff only, holding every one of `permissions`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_member(user) or not user.has_perms(permissions):
                return refuse(request, _("Your role does not allow you to open this page."))
            return view(request, *args, **kwargs)

        guarded.required_permissions = permissions  # type: ignore[attr-defined]  # access tests read it
        return guarded

    return decorate


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page, naming why; used for pages and for htmx fragments alike."""
    return render(request, "console/forbidden.html", {"reason": reason}, status=403)
