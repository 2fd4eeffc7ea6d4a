"""The portal's first page: each account's balance, minimum due and due date at the top."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from arrears.portal.access import borrower_page


@borrower_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"borrower": request.borrower})  # type: ignore[attr-defined]


urlpatterns = [path("", home, name="home")]
