"""The account page (statements, schedule, recent payments) and a statement in full."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from arrears.portal.access import borrower_page
from arrears.portal.lookups import borrower_of, or_404, today
from arrears.servicing.selectors.portal import account_page, borrower_statement


@borrower_page
def account(request: HttpRequest, account_id: int) -> HttpResponse:
    page = or_404(account_page, borrower_of(request), account_id, today())
    context = {"page": page, "overview": page.overview, "today": today()}
    return render(request, "portal/accounts/account.html", context)


@borrower_page
def statement(request: HttpRequest, account_id: int, statement_id: int) -> HttpResponse:
    found = or_404(borrower_statement, borrower_of(request), account_id, statement_id)
    return render(request, "portal/accounts/statement.html", {"statement": found})


urlpatterns: list[URLPattern] = [
    path("accounts/<int:account_id>/", account, name="account"),
    path("accounts/<int:account_id>/statements/<int:statement_id>/", statement, name="statement"),
]
