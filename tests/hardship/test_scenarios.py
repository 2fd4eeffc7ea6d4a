"""The issue's scenarios, in the lender's words.

Each business night is what the daily cycle does for these accounts, in its order: servicing
ages the accounts (the bulk path, which consults the plans), then the plans' review step runs.
Only the nights that matter are run (the review decides from the state, not from the nights in
between); tests/hardship/test_cycle.py checks the step is wired into the real cycle.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.money import Money
from arrears.hardship import selectors
from arrears.hardship.choices import InstalmentStatus, PlanEventKind, PlanStatus
from arrears.hardship.models import Plan
from arrears.hardship.services import (
    accept_plan,
    price_options,
    propose_plan,
    review_plans,
    take_assessment,
)
from arrears.servicing.choices import AccountStatus, BucketChangeReason
from arrears.servicing.models import BucketChange
from arrears.servicing.selectors import balances, check_account
from arrears.servicing.services.ageing import age_accounts_in_bulk
from arrears.servicing.services.payments import post_payment
from tests.factories import make_loan_account
from tests.hardship.conftest import JOB_LOSS, OPENED_ON

pytestmark = pytest.mark.django_db

APRIL_1 = dt.date(2025, 4, 1)


def night(loan, day: dt.date, clock) -> None:  # type: ignore[no-untyped-def]
    """The business night of `day` for this loan: ageing, then the plans' review."""
    age_accounts_in_bulk(account_ids=[loan.pk], as_of=day, clock=clock)
    review_plans(on=day, clock=clock)


def agent_sets_up_the_recommended_plan(loan, clock):  # type: ignore[no-untyped-def]
    assessment = take_assessment(
        borrower=loan.borrower, statement=JOB_LOSS, source="agent", accounts=[loan], clock=clock
    )
    priced = price_options(account=loan, assessment=assessment, as_of=APRIL_1)
    chosen = priced.recommended
    assert chosen is not None
    plan = propose_plan(
        account=loan, assessment=assessment, option_id=chosen.id, as_of=APRIL_1, clock=clock
    )
    return accept_plan(plan=plan, via="agent", language="zh-hans", on=APRIL_1, clock=clock)


def test_a_borrower_who_lost_their_job_gets_a_holiday_then_a_longer_term_kept_to_the_end(clock):
    # given a loan whose borrower lost their job and missed February's and March's instalments
    loan = make_loan_account(start_on=OPENED_ON)
    night(loan, APRIL_1, clock)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (45, "M2")

    # when an agent takes their situation, the recommended plan is a payment holiday for the
    # months without work, then the balance re-amortised at what they will earn again
    plan = agent_sets_up_the_recommended_plan(loan, clock)
    assert plan.kind == "holiday_then_reamortise"
    assert [phase["key"] for phase in plan.terms["phases"]] == [
        "payment_holiday",
        "term_extension",
    ]
    assert plan.recommended and plan.terms["fits"]
    # accepted with the agent on the day it was priced, it is in force at once
    assert plan.status == PlanStatus.ACTIVE and plan.activated_on == APRIL_1
    assert selectors.active_plan_for(loan) == plan
    instalments = list(plan.instalments.order_by("number"))
    assert [i.amount_minor for i in instalments[:3]] == [0, 0, 0]  # the holiday

    # the borrower pays every plan instalment on its due date, through the ledger
    re_aged_after = plan.re_age_after
    for instalment in instalments:
        night(loan, instalment.due_on - dt.timedelta(days=1), clock)
        if instalment.amount_minor:
            # every instalment in full, as agreed: the ledger charges the plan's interest
            post_payment(
                account=loan,
                amount=Money.from_minor(int(instalment.amount_minor), "CNY"),
                received_on=instalment.due_on,
                idempotency_key=f"plan-{instalment.number}",
                clock=clock,
            )
        night(loan, instalment.due_on, clock)
        loan.refresh_from_db()
        plan.refresh_from_db()
        # while the plan is kept, the arrears stop ageing and are soon cleared: never worse
        assert loan.days_past_due <= 45, instalment.number
        paying = [i for i in instalments[: instalment.number] if i.amount_minor]
        if len(paying) == re_aged_after and plan.re_aged_on is None:
            pytest.fail(f"not re-aged after {re_aged_after} on-time payments")

    # then the plan is completed on the last instalment's day: the loan is repaid and current
    plan.refresh_from_db()
    last = instalments[-1]
    assert plan.status == PlanStatus.COMPLETED and plan.completed_on == last.due_on
    loan.refresh_from_db()
    assert loan.re_aged_on == plan.re_aged_on
    assert loan.status == AccountStatus.PAID_OFF
    # to the cent: nothing owed and nothing overpaid (no credit balance held)
    assert balances(loan).total.is_zero() and balances(loan).credit.is_zero()
    assert sum(i.amount_minor for i in instalments) == plan.total_payment_minor
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (0, "current", 0)
    assert check_account(loan) == []
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds[:3] == [PlanEventKind.PROPOSED, PlanEventKind.ACCEPTED, PlanEventKind.ACTIVATED]
    assert kinds.count(PlanEventKind.RE_AGED) == 1
    assert kinds[-1] == PlanEventKind.COMPLETED
    assert selectors.active_plan_for(loan) is None


def test_a_broken_plan_returns_to_collection_the_day_after_its_grace_days(clock):
    # given the job-loss plan in force from 1 April (CN plans allow 3 grace days)
    loan = make_loan_account(start_on=OPENED_ON)
    night(loan, APRIL_1, clock)
    plan = agent_sets_up_the_recommended_plan(loan, clock)
    assert plan.grace_days == 3
    first_paying = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    due = first_paying.due_on

    # when its first paying instalment is not paid, the plan holds through the grace days
    night(loan, due, clock)
    night(loan, due + dt.timedelta(days=3), clock)
    plan.refresh_from_db()
    loan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    held = loan.days_past_due
    assert held == 45  # the arrears it was agreed for stopped ageing on 1 April

    # and breaks on the first day after them: back to the contract and to collection
    night(loan, due + dt.timedelta(days=4), clock)
    plan.refresh_from_db()
    loan.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN
    assert plan.broken_on == due + dt.timedelta(days=4)
    assert selectors.active_plan_for(loan) is None
    # aged on the contract again: from the oldest unpaid instalment, 15 February
    assert loan.days_past_due == (plan.broken_on - dt.date(2025, 2, 15)).days
    assert loan.bucket != "current"
    move = BucketChange.objects.filter(account=loan).order_by("id").last()
    assert move.changed_on == plan.broken_on and move.reason == BucketChangeReason.AGEING
    # the history is kept: the plan, its instalments and every event are still there
    assert Plan.objects.filter(pk=plan.pk).exists()
    missed = plan.instalments.get(number=first_paying.number)
    assert missed.status == InstalmentStatus.MISSED
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds[-2:] == [PlanEventKind.INSTALMENT_MISSED, PlanEventKind.BROKEN]
    assert check_account(loan) == []
