"""Shared by the portal help tests: a borrower with a loan in arrears and their portal login,
the job-loss statement as the portal form posts it, and a help desk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_borrower, make_borrower_login, make_loan_account

#: The job-loss statement (docs/hardship.md §5) as the portal's form posts it.
JOB_LOSS_FORM: dict[str, Any] = {
    "region": "CN-T2",
    "adults": "1",
    "dependants": "1",
    "employment": "unemployed",
    "reason": "job_loss",
    "temporary": "on",
    "expected_recovery_months": "3",
    "income_after_recovery": "9000.00",
    "income_benefits": "1800.00",
    "expense_housing": "1500.00",
    "expense_food_housekeeping": "900.00",
    "expense_utilities": "200.00",
}


def loan_in_arrears(**borrower_fields: Any) -> Any:
    """A 12,000 CNY, 12-month loan opened about 11 weeks ago, its first two instalments unpaid,
    aged today (the real today: the portal prices on it)."""
    from arrears.core.calendar import add_months
    from arrears.servicing.services.ageing import age_account

    today = timezone.localdate()
    borrower = make_borrower(**borrower_fields)
    loan = make_loan_account(
        borrower=borrower, start_on=add_months(today, -2) - dt.timedelta(days=16)
    )
    age_account(account=loan, as_of=today)
    loan.refresh_from_db()
    return loan


@pytest.fixture
def loan(db):  # type: ignore[no-untyped-def]
    return loan_in_arrears()


@pytest.fixture
def borrower_client(loan):  # type: ignore[no-untyped-def]
    """The loan's borrower signed in to the portal, reading English."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_borrower_login(loan.borrower))
    client.cookies["django_language"] = "en"
    return client


def statement_form(loan: Any, **changes: str) -> dict[str, str]:
    return {**JOB_LOSS_FORM, "account": str(loan.pk), **changes}
