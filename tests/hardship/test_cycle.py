"""The plans' review is a step of the real daily cycle, after servicing's own steps."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.hardship.choices import PlanStatus
from arrears.servicing.services.cycle import STEPS, run_business_date, steps
from arrears.servicing.services.cycle.registry import _REGISTERED
from tests.hardship.conftest import OPENED_ON

pytestmark = pytest.mark.django_db


def test_review_plans_runs_after_servicing_has_aged_the_accounts():
    kinds = [step.kind for step in steps()]
    assert "review_plans" in kinds
    assert kinds.index("review_plans") > kinds.index(STEPS[-1].kind)


def test_the_cycle_activates_an_accepted_plan_on_its_start_date(
    loan_in_arrears, clock, monkeypatch
):
    from arrears.hardship.services import accept_plan, price_options, propose_plan, take_assessment
    from tests.hardship.conftest import APRIL_1, JOB_LOSS

    # only servicing's steps and this app's: the other apps' steps are theirs to test
    monkeypatch.setattr(
        "arrears.servicing.services.cycle.registry._REGISTERED",
        [step for step in _REGISTERED if step.kind == "review_plans"],
    )
    assessment = take_assessment(
        borrower=loan_in_arrears.borrower, statement=JOB_LOSS, source="agent", clock=clock
    )
    priced = price_options(account=loan_in_arrears, assessment=assessment, as_of=APRIL_1)
    plan = propose_plan(
        account=loan_in_arrears,
        assessment=assessment,
        option_id=priced.recommended.id,
        as_of=APRIL_1,
        clock=clock,
    )
    starts = APRIL_1 + dt.timedelta(days=2)
    accept_plan(plan=plan, via="agent", language="en", starts_on=starts, on=APRIL_1, clock=clock)

    day = OPENED_ON
    while day <= starts:
        result = run_business_date(day=day, clock=clock)
        day += dt.timedelta(days=1)

    assert result.counts["review_plans"]["activated"] == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.activated_on == starts
