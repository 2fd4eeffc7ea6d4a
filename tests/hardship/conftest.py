"""Shared by the hardship tests: a borrower's financial statements, an account in arrears."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.conftest import agent_api, api_as, roles, supervisor_api  # noqa: F401

#: Statements as the API and `--assessment FILE.json` take them (amounts as decimal strings).
JOB_LOSS: dict[str, Any] = {
    "currency": "CNY",
    "region": "CN-T2",
    "household": {"adults": 1, "dependants": 1},
    "employment": "unemployed",
    "reason": "job_loss",
    "temporary": True,
    "expected_recovery_months": 3,
    "income_after_recovery": "9000.00",
    "incomes": [{"source": "benefits", "amount": "1800.00"}],
    "expenses": [
        {"category": "housing", "amount": "1500.00"},
        {"category": "food_housekeeping", "amount": "900.00"},
        {"category": "utilities", "amount": "200.00"},
    ],
    "other_debts": [],
}

#: Nothing left over, now or later: every instalment is out of reach.
NO_MEANS: dict[str, Any] = {
    "currency": "CNY",
    "region": "CN-T2",
    "household": {"adults": 1, "dependants": 2},
    "employment": "unable_to_work",
    "reason": "illness",
    "temporary": False,
    "incomes": [{"source": "benefits", "amount": "1500.00"}],
    "expenses": [
        {"category": "housing", "amount": "1400.00"},
        {"category": "food_housekeeping", "amount": "900.00"},
    ],
    "other_debts": [],
    "vulnerabilities": ["health"],
}

OPENED_ON = dt.date(2025, 1, 15)


@pytest.fixture
def job_loss() -> dict[str, Any]:
    return dict(JOB_LOSS)


@pytest.fixture
def loan_in_arrears(db, clock):  # type: ignore[no-untyped-def]
    """A 12,000 CNY, 12-month loan opened 15 January 2025 whose February and March instalments
    were not paid, aged on 1 April 2025 (45 days past due)."""
    from arrears.servicing.services.ageing import age_account
    from tests.factories import make_loan_account

    loan = make_loan_account(start_on=OPENED_ON)
    age_account(account=loan, as_of=dt.date(2025, 4, 1), clock=clock)
    loan.refresh_from_db()
    return loan


@pytest.fixture
def recent_loan_in_arrears(db):  # type: ignore[no-untyped-def]
    """A 12,000 CNY loan opened about 11 weeks before today (the real one, which the API uses),
    its first two instalments unpaid, aged today."""
    from django.utils import timezone

    from arrears.core.calendar import add_months
    from arrears.servicing.services.ageing import age_account
    from tests.factories import make_loan_account

    today = timezone.localdate()
    loan = make_loan_account(start_on=add_months(today, -2) - dt.timedelta(days=16))
    age_account(account=loan, as_of=today)
    loan.refresh_from_db()
    return loan


APRIL_1 = dt.date(2025, 4, 1)


def set_up_plan(loan, clock, *, statement=None, on=APRIL_1, option_id=None):  # type: ignore[no-untyped-def]
    """An agent takes the statement (default: the job-loss one), proposes the recommended
    option (or `option_id`) priced on `on`, and the borrower accepts it that day: active."""
    from arrears.hardship.services import accept_plan, price_options, propose_plan, take_assessment

    assessment = take_assessment(
        borrower=loan.borrower,
        statement=statement or JOB_LOSS,
        source="agent",
        accounts=[loan],
        clock=clock,
    )
    if option_id is None:
        priced = price_options(account=loan, assessment=assessment, as_of=on)
        assert priced.recommended is not None
        option_id = priced.recommended.id
    plan = propose_plan(
        account=loan, assessment=assessment, option_id=option_id, as_of=on, clock=clock
    )
    return accept_plan(plan=plan, via="agent", language="en", on=on, clock=clock)
