"""htmx helpers for the consoles: tell an htmx request from a full page load, render a partial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx sent the request (it swaps a fragment rather than loading a page)."""
    return request.headers.get("HX-Request") == "true"


def render_page_or_partial(
    request: HttpRequest,
    *,
    page: str,
    partial: str,
    context: Mapping[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The whole page on a normal load, only the fragment when htmx asks for it."""
    template = partial if is_htmx(request) else page
    return render(request, template, dict(context), status=status)
