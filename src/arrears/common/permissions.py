"""Permission checks for API handlers and views: roles are groups of model permissions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _


def require_permissions(request: HttpRequest, *permissions: str) -> None:
    """Refuse the request (403) unless its user holds every permission (`app.codename`)."""
    user = request.user
    if not user.is_authenticated or not user.has_perms(permissions):
        raise PermissionDenied(_("Your role does not allow this action."))
