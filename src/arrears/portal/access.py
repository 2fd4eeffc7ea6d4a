"""The portal is for signed-in borrowers, and each sees only their own accounts.

`borrower_page` wraps a view: an anonymous visitor is sent to sign in; a login that is not
linked to a borrower (staff included) gets a 403; otherwise `request.borrower` is the
borrower and every read and write of the view is scoped to them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from arrears.servicing.selectors import borrower_for_user

View = Callable[..., HttpResponse]


def borrower_page(view: View) -> View:
    """Decorate a portal view: only a borrower's own login opens it."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        borrower = borrower_for_user(request.user)
        if borrower is None:
            return render(
                request,
                "portal/forbidden.html",
                {"reason": _("This sign-in is not linked to a borrower's accounts.")},
                status=403,
            )
        request.borrower = borrower  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    guarded.borrower_only = True  # type: ignore[attr-defined]  # access tests read it
    return guarded
