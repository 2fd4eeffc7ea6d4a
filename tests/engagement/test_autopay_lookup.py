"""The notices ask which accounts pay by autopay for every account with a due date in sight:
thousands at a time, passed as one parameter beyond a few hundred (`common.bulk.among`). A
mandate is found however many accounts are asked about, and only an active one that has
started."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.engagement import selectors
from tests.engagement.conftest import morning_of

pytestmark = pytest.mark.django_db

STARTS_ON = dt.date(2025, 1, 15)


def mandate(account, *, status="active", rule="fixed", fixed=12_345):  # type: ignore[no-untyped-def]
    from arrears.servicing.models import AutopayMandate

    return AutopayMandate.objects.create(
        account=account,
        amount_rule=rule,
        fixed_amount_minor=fixed,
        currency="CNY",
        debit_days_before_due=2,
        funding_account_masked="**** 8888",
        consent_reference="DD-1",
        status=status,
        starts_on=STARTS_ON,
        created_at=morning_of(STARTS_ON).now(),
    )


@pytest.mark.parametrize("asked", [1, 500, 501, 2_000])
def test_a_loans_autopay_is_found_among_however_many_accounts_the_notices_ask_about(loan, asked):
    # given a loan paying a fixed 123.45 by autopay, debited 2 days before each due date
    mandate(loan)

    # when the notices ask about it among other accounts (ids no account has)
    ids = [loan.pk, *range(10_000_000, 10_000_000 + asked - 1)]
    found = selectors.autopay_by_account(ids, on=STARTS_ON)

    # then its mandate is found, and only its own
    assert found == {loan.pk: selectors.AutopayTerms(loan.pk, "fixed", 12_345, 2)}
    assert selectors.autopay_by_account(ids, on=STARTS_ON - dt.timedelta(days=1)) == {}
