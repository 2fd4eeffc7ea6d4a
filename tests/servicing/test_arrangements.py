"""Arrangements (hardship plans) in ageing, and re-ageing (账龄重置).

Servicing knows arrangements only through its hook: these tests register a stand-in source, so
they hold for any app that supplies arrangements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import Account, BucketChange
from arrears.servicing.selectors import check_account, delinquency
from arrears.servicing.services.ageing import age_account, age_accounts_in_bulk, re_age_account
from arrears.servicing.services.arrangements import (
    Arrangement,
    accounts_under_arrangement,
    register_arrangement_source,
    unregister_arrangement_source,
)
from tests.factories import make_loan_account

pytestmark = pytest.mark.django_db

FEB_15, MAR_15, APR_1, APR_15 = (
    dt.date(2025, 2, 15),
    dt.date(2025, 3, 15),
    dt.date(2025, 4, 1),
    dt.date(2025, 4, 15),
)


class Agreed:
    """A stand-in source: the arrangements a test agrees, by account id."""

    def __init__(self) -> None:
        self.by_account: dict[int, Arrangement] = {}

    def accounts_under_arrangement(self, as_of: dt.date) -> Collection[int]:
        return [pk for pk, a in self.by_account.items() if a.starts_on <= as_of]

    def arrangements(
        self, account_ids: Collection[int], as_of: dt.date
    ) -> Mapping[int, Arrangement]:
        return {
            pk: a for pk, a in self.by_account.items() if pk in account_ids and a.starts_on <= as_of
        }


@pytest.fixture
def agreed() -> Iterator[Agreed]:
    source = Agreed()
    register_arrangement_source("test", source)
    yield source
    unregister_arrangement_source("test")


@pytest.fixture
def loan(products, clock):  # type: ignore[no-untyped-def]
    """February's and March's instalments (1,039.43 each) unpaid; 45 days past due on 1 April."""
    loan = make_loan_account(product=products["cn_consumer_loan"])
    age_account(account=loan, as_of=APR_1, clock=clock)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (45, "M2")
    return loan


def test_while_an_arrangement_is_kept_its_arrears_stop_ageing(loan, agreed, clock):
    # an arrangement from 1 April whose first instalment falls due on 15 May
    agreed.by_account[loan.pk] = Arrangement(APR_1, dues=((dt.date(2025, 5, 15), 50_000),))

    # a month on, the contract alone would say 75 days; the arrears are held at 45
    assert delinquency(loan, dt.date(2025, 5, 1)).days_past_due == 45
    age_accounts_in_bulk(account_ids=[loan.pk], as_of=dt.date(2025, 5, 1), clock=clock)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (45, "M2")
    assert check_account(loan) == []


def test_a_missed_arrangement_instalment_ages_from_its_own_due_date(loan, agreed, clock):
    agreed.by_account[loan.pk] = Arrangement(APR_1, dues=((APR_15, 50_000),))
    # the arrangement's instalment 50 days unpaid is worse than the held 45
    found = delinquency(loan, APR_15 + dt.timedelta(days=50))
    assert found.days_past_due == 50
    assert found.past_due.minor == 2 * 103_943 + 50_000


def test_accounts_under_an_arrangement_are_aged_every_night(loan, agreed):
    agreed.by_account[loan.pk] = Arrangement(APR_1)
    assert accounts_under_arrangement(APR_1) == {loan.pk}
    assert accounts_under_arrangement(APR_1 - dt.timedelta(days=1)) == set()


def test_a_re_age_brings_the_account_current_and_records_why(loan, clock):
    change = re_age_account(account=loan, on=APR_1, clock=clock)

    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (0, "current", 0)
    assert loan.re_aged_on == APR_1
    assert change is not None
    assert (change.from_bucket, change.to_bucket, change.reason) == (
        "M2",
        "current",
        BucketChangeReason.RE_AGED,
    )
    assert BucketChange.objects.filter(account=loan, reason="re_aged").count() == 1
    # what fell due before the re-age no longer counts; the next instalment ages as usual
    age_account(account=loan, as_of=APR_15 + dt.timedelta(days=1), clock=clock)
    loan.refresh_from_db()
    assert loan.days_past_due == 1
    assert check_account(loan) == []


def test_a_re_age_never_rewrites_the_past_nor_revives_a_charged_off_account(loan, clock):
    with pytest.raises(ValidationError) as error:
        re_age_account(account=loan, on=MAR_15, clock=clock)
    assert error.value.field == "on"
    Account.objects.filter(pk=loan.pk).update(status=AccountStatus.CHARGED_OFF)
    loan.refresh_from_db()
    with pytest.raises(Conflict):
        re_age_account(account=loan, on=APR_15, clock=clock)
    assert not BucketChange.objects.filter(account=loan, reason="re_aged").exists()


def test_without_an_arrangement_ageing_is_the_contracts(loan):
    assert (
        delinquency(loan, dt.date(2025, 5, 1)).days_past_due == (dt.date(2025, 5, 1) - FEB_15).days
    )


def test_no_late_fee_is_charged_while_an_arrangement_stands_in_for_the_contract(
    products, agreed, clock
):
    from arrears.servicing.services.accounts import post_purchase
    from arrears.servicing.services.cycle.context import CycleContext
    from arrears.servicing.services.cycle.late_fees import assess_late_fees
    from tests.factories import cny, make_card_account, make_statement

    kept, other = (make_card_account(product=products["cn_card_classic"]) for _ in range(2))
    for card in (kept, other):
        post_purchase(
            account=card,
            amount=cny("1000.00"),
            on=dt.date(2025, 1, 20),
            idempotency_key=card.number,
        )
        make_statement(card, dt.date(2025, 2, 5), due_on=dt.date(2025, 2, 25))
    agreed.by_account[kept.pk] = Arrangement(dt.date(2025, 2, 10))

    # the grace days (3) over, the card without an arrangement is charged, the other is not
    day = dt.date(2025, 3, 1)
    counts = assess_late_fees(CycleContext.load(day=day, clock=clock))

    assert counts["late_fees"] == 1
    assert not kept.entries.filter(kind="late_fee").exists()
    assert other.entries.filter(kind="late_fee").exists()
