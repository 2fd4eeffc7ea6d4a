"""What collection reads of hardship: plans in force, vulnerability, flags in bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.hardship import selectors
from arrears.hardship.services import take_assessment
from tests.factories import make_loan_account
from tests.hardship.conftest import JOB_LOSS, NO_MEANS, set_up_plan

pytestmark = pytest.mark.django_db


def test_a_vulnerable_borrower_is_known_by_their_latest_assessment(loan_in_arrears, clock):
    borrower = loan_in_arrears.borrower
    assert not selectors.is_vulnerable(borrower)
    take_assessment(borrower=borrower, statement=NO_MEANS, source="agent", clock=clock)
    assert selectors.is_vulnerable(borrower)
    clock.advance(dt.timedelta(days=30))
    take_assessment(borrower=borrower, statement=JOB_LOSS, source="agent", clock=clock)
    assert not selectors.is_vulnerable(borrower.pk)


def test_hardship_flags_for_the_nightly_batch_in_a_fixed_number_of_queries(loan_in_arrears, clock):
    vulnerable = make_loan_account()
    untouched = make_loan_account()
    take_assessment(
        borrower=vulnerable.borrower, statement=NO_MEANS, source="borrower", clock=clock
    )
    plan = set_up_plan(loan_in_arrears, clock)
    ids = [loan_in_arrears.pk, vulnerable.pk, untouched.pk]

    with CaptureQueriesContext(connection) as queries:
        flags = selectors.hardship_flags_in_bulk(ids)

    assert len(queries) == 3
    assert set(flags) == {loan_in_arrears.pk, vulnerable.pk}
    on_plan = flags[loan_in_arrears.pk]
    assert (on_plan.plan_id, on_plan.plan_status, on_plan.hardship_claimed) == (
        plan.pk,
        "active",
        True,
    )
    assert not on_plan.vulnerable
    assert flags[vulnerable.pk].vulnerable and flags[vulnerable.pk].vulnerabilities == ("health",)
    assert flags[vulnerable.pk].plan_id is None
    assert selectors.active_plans_in_bulk(ids) == {loan_in_arrears.pk: plan}
    assert selectors.active_plan_for(untouched) is None

    # a night's batch of ids (beyond one written-out IN list) reads the same, in as many queries
    many = [*ids, *range(10**6, 10**6 + 2_000)]
    with CaptureQueriesContext(connection) as queries:
        assert selectors.hardship_flags_in_bulk(many) == flags
    assert len(queries) == 3
