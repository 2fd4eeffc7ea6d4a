"""Helpers the portal's money pages share: today's business date, and NotFound as a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from django.utils import timezone

from arrears.core.errors import NotFound
from arrears.servicing.models import Borrower

T = TypeVar("T")


def today() -> dt.date:
    """The lender's business date now (the settings' time zone)."""
    return timezone.localdate()


def borrower_of(request: HttpRequest) -> Borrower:
    """The signed-in borrower (`borrower_page` has set it)."""
    return request.borrower  # type: ignore[attr-defined, no-any-return]


def or_404(read: Callable[..., T], *args: Any) -> T:
    """Call a portal selector; another borrower's id (NotFound) is a plain 404."""
    try:
        return read(*args)
    except NotFound as missing:
        raise Http404(str(missing)) from missing
