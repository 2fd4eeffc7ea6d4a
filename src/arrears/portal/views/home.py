"""The portal's first page: each account's balance, minimum due and due date at the top."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from arrears.portal.access import borrower_page
from arrears.portal.lookups import borrower_of, today
from arrears.servicing.selectors.portal import portal_overview


@borrower_page
def home(request: HttpRequest) -> HttpResponse:
    borrower = borrower_of(request)
    overviews = portal_overview(borrower, today())
    return render(request, "portal/home.html", {"borrower": borrower, "overviews": overviews})


urlpatterns = [path("", home, name="home")]
