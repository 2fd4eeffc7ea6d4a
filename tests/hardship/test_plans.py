"""A plan's life through the services: what each step records, and what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.hardship import selectors
from arrears.hardship.choices import PlanEventKind, PlanStatus
from arrears.hardship.models import PlanInstalment
from arrears.hardship.rules import load_plan_rules, plan_rules
from arrears.hardship.services import (
    accept_plan,
    cancel_plan,
    price_options,
    propose_plan,
    review_plans,
    take_assessment,
)
from arrears.servicing.choices import BucketChangeReason
from arrears.servicing.models import BucketChange
from tests.hardship.conftest import APRIL_1, JOB_LOSS, set_up_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(loan_in_arrears, clock):  # type: ignore[no-untyped-def]
    assessment = take_assessment(
        borrower=loan_in_arrears.borrower,
        statement=JOB_LOSS,
        source="borrower",
        accounts=[loan_in_arrears],
        clock=clock,
    )
    priced = price_options(account=loan_in_arrears, assessment=assessment, as_of=APRIL_1)
    assert priced.recommended is not None
    return propose_plan(
        account=loan_in_arrears,
        assessment=assessment,
        option_id=priced.recommended.id,
        as_of=APRIL_1,
        clock=clock,
    )


def test_a_proposal_keeps_the_terms_as_priced_in_both_languages(proposal):
    assert proposal.status == PlanStatus.PROPOSED and proposal.recommended
    assert proposal.terms["id"] == proposal.option_id
    assert "schedule" not in proposal.terms and len(proposal.schedule) == proposal.terms["months"]
    assert proposal.total_payment_minor == proposal.terms["total_payment"]["minor"]
    assert proposal.terms_text_en.startswith("Repayment plan:")
    assert proposal.terms_text_zh and len(proposal.terms_digest) == 64
    assert proposal.grace_days == plan_rules("CN").grace_days
    assert not proposal.instalments.exists()  # written when it comes into force


def test_accepting_records_who_how_and_the_words_shown_and_puts_it_in_force(proposal, clock):
    plan = accept_plan(plan=proposal, via="portal", language="zh", on=APRIL_1, clock=clock)
    assert plan.status == PlanStatus.ACTIVE and plan.activated_on == APRIL_1
    assert (plan.accepted_via, plan.terms_language) == ("portal", "zh-hans")
    assert plan.terms_shown == plan.terms_text_zh
    assert plan.accepted_at == clock.now()
    assert plan.instalments.count() == len(plan.schedule)
    assert selectors.active_plan_for(plan.account) == plan
    with pytest.raises(Conflict):
        accept_plan(plan=plan, via="portal", language="en", on=APRIL_1, clock=clock)


def test_a_plan_starting_later_is_activated_by_the_nightly_review_on_its_start_date(
    proposal, clock
):
    later = APRIL_1 + dt.timedelta(days=7)
    plan = accept_plan(
        plan=proposal, via="agent", language="en", starts_on=later, on=APRIL_1, clock=clock
    )
    assert plan.status == PlanStatus.ACCEPTED
    assert review_plans(on=later - dt.timedelta(days=1), clock=clock).get("activated", 0) == 0
    assert review_plans(on=later, clock=clock)["activated"] == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.activated_on == later


def test_stale_terms_and_a_second_plan_are_refused(proposal, loan_in_arrears, clock):
    with pytest.raises(Conflict):
        accept_plan(plan=proposal, via="agent", language="en", terms_digest="0" * 64, on=APRIL_1)
    with pytest.raises(Conflict):  # priced too long ago
        accept_plan(plan=proposal, via="agent", language="en", on=APRIL_1 + dt.timedelta(60))
    with pytest.raises(ValidationError) as error:
        accept_plan(plan=proposal, via="fax", language="en", on=APRIL_1)
    assert error.value.field == "via"
    accept_plan(plan=proposal, via="agent", language="en", on=APRIL_1, clock=clock)
    with pytest.raises(Conflict):
        propose_plan(
            account=loan_in_arrears,
            assessment=proposal.assessment,
            option_id=proposal.option_id,
            as_of=APRIL_1,
        )


def test_an_option_that_is_not_among_those_priced_is_refused_by_name(proposal, loan_in_arrears):
    with pytest.raises(ValidationError) as error:
        propose_plan(
            account=loan_in_arrears,
            assessment=proposal.assessment,
            option_id="term_extension:annuity:999",
            as_of=APRIL_1,
        )
    assert error.value.field == "option"


def test_cancelling_an_active_plan_returns_the_account_to_its_contract(loan_in_arrears, clock):
    plan = set_up_plan(loan_in_arrears, clock)
    later = APRIL_1 + dt.timedelta(days=40)
    assert selectors.accounts_with_active_plan(as_of=later) == [loan_in_arrears.pk]

    cancel_plan(plan=plan, reason="the borrower found work", on=later, clock=clock)

    plan.refresh_from_db()
    loan_in_arrears.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED and plan.end_reason == "the borrower found work"
    assert loan_in_arrears.days_past_due == (later - dt.date(2025, 2, 15)).days
    assert plan.events.last().kind == PlanEventKind.CANCELLED
    with pytest.raises(ValidationError):
        cancel_plan(plan=plan, reason=" ")


def test_re_ageing_follows_the_us_limits_once_a_year(products, clock):
    rules = plan_rules("US")
    assert [(limit.months, limit.count) for limit in rules.re_age_limits] == [(12, 1), (60, 2)]
    on = dt.date(2026, 6, 1)
    assert rules.re_age_refusal(on=on, opened_on=dt.date(2026, 1, 1), earlier=[]) == (
        "account_too_new"
    )
    opened = dt.date(2024, 1, 1)
    assert rules.re_age_refusal(on=on, opened_on=opened, earlier=[]) is None
    assert rules.re_age_refusal(on=on, opened_on=opened, earlier=[dt.date(2025, 9, 1)]) == (
        "re_age_limit_reached"
    )
    assert rules.re_age_refusal(on=on, opened_on=opened, earlier=[dt.date(2025, 5, 1)]) is None


def test_plan_rules_data_is_checked_naming_the_field():
    with pytest.raises(ValidationError) as error:
        load_plan_rules("defaults: {grace_days: 15, ageing: sideways}\njurisdictions: {}")
    assert error.value.field == "jurisdictions.CN.ageing"


def test_the_instalments_written_are_the_schedule_shown_to_the_cent(loan_in_arrears, clock):
    plan = set_up_plan(loan_in_arrears, clock)
    rows = list(PlanInstalment.objects.filter(plan=plan).order_by("number"))
    assert [str(r.due_on) for r in rows] == [row["due_on"] for row in plan.schedule]
    assert sum(r.amount_minor for r in rows) == plan.total_payment_minor
    assert all(r.amount_minor == r.principal_minor + r.interest_minor + r.fee_minor for r in rows)


CARD_HOLDER = {
    "currency": "CNY",
    "region": "CN-T2",
    "household": {"adults": 1, "dependants": 0},
    "employment": "employed",
    "reason": "illness",
    "temporary": False,
    "incomes": [{"source": "wages", "amount": "6000.00"}],
    "expenses": [
        {"category": "housing", "amount": "2000.00"},
        {"category": "food_housekeeping", "amount": "1200.00"},
        {"category": "transport", "amount": "300.00"},
    ],
    "other_debts": [],
}


def test_a_card_plan_re_ages_the_account_after_three_on_time_payments(products, clock):
    """Arrears larger than the plan's first payments are still held when the run of on-time
    payments completes: the re-age is what brings the account current."""
    from arrears.core.money import Money
    from arrears.servicing.services.accounts import post_purchase
    from arrears.servicing.services.ageing import age_accounts_in_bulk
    from arrears.servicing.services.payments import post_payment
    from tests.factories import cny, make_card_account, make_statement

    card = make_card_account(product=products["cn_card_classic"])
    post_purchase(
        account=card, amount=cny("30000.00"), on=dt.date(2025, 1, 20), idempotency_key="tv"
    )
    make_statement(card, dt.date(2025, 2, 5), due_on=dt.date(2025, 2, 25))
    make_statement(card, dt.date(2025, 3, 5), due_on=dt.date(2025, 3, 25))
    age_accounts_in_bulk(account_ids=[card.pk], as_of=APRIL_1, clock=clock)
    card.refresh_from_db()
    assert card.bucket == "M2" and card.past_due_minor == 600_000

    plan = set_up_plan(card, clock, statement=CARD_HOLDER)
    assert plan.re_age_after == 3
    paying = list(plan.instalments.filter(amount_minor__gt=0).order_by("number"))[:3]
    assert sum(i.amount_minor for i in paying) < card.past_due_minor
    for instalment in paying:
        post_payment(
            account=card,
            amount=Money.from_minor(int(instalment.amount_minor), "CNY"),
            received_on=instalment.due_on,
            idempotency_key=f"plan-{instalment.number}",
            clock=clock,
        )
        age_accounts_in_bulk(account_ids=[card.pk], as_of=instalment.due_on, clock=clock)
        review_plans(on=instalment.due_on, clock=clock)
        card.refresh_from_db()
        plan.refresh_from_db()
        if instalment is not paying[-1]:
            # arrears still held (the oldest are paid first), not yet re-aged
            assert card.bucket != "current" and plan.re_aged_on is None

    third = paying[-1].due_on
    assert plan.re_aged_on == third and card.re_aged_on == third
    assert (card.days_past_due, card.bucket) == (0, "current")
    move = BucketChange.objects.filter(account=card).order_by("id").last()
    assert (move.to_bucket, move.reason) == ("current", BucketChangeReason.RE_AGED)
    assert move.from_bucket != "current"
    assert plan.events.filter(kind=PlanEventKind.RE_AGED).count() == 1
    assert plan.status == PlanStatus.ACTIVE  # the plan goes on
