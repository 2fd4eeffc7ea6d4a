"""A plan's terms on the ledger: its interest (frozen, reduced, capitalised), waived fees and a
settlement's discount are posted, so the ledger ends where the plan ends, to the cent.

Each business night runs the servicing steps that matter to these accounts (statements, loan
instalment interest, scheduled interest, late fees, ageing) and then the plans' review, on the
nights that matter only (the steps decide from the state, not from the nights in between).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.hardship.choices import PlanEventKind, PlanStatus
from arrears.hardship.services import (
    accept_plan,
    cancel_plan,
    price_options,
    propose_plan,
    review_plans,
    take_assessment,
)
from arrears.servicing.choices import AccountStatus, EntryKind
from arrears.servicing.models import Obligation, RateOverride, ScheduledInterest, Statement
from arrears.servicing.selectors import accrued_interest, balances, book_balances, check_account
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ageing import age_accounts_in_bulk
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.cycle.late_fees import assess_late_fees
from arrears.servicing.services.cycle.loans import post_loan_instalments
from arrears.servicing.services.cycle.scheduled_interest import post_scheduled_interest_due
from arrears.servicing.services.cycle.statements import close_card_statements
from arrears.servicing.services.ledger import SETTLEMENT_DISCOUNTS, WAIVERS
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, make_loan_account
from tests.hardship.conftest import JOB_LOSS, OPENED_ON, set_up_plan

pytestmark = pytest.mark.django_db

APRIL_1 = dt.date(2025, 4, 1)
ONE_DAY = dt.timedelta(days=1)


def night(account, day: dt.date, clock) -> None:  # type: ignore[no-untyped-def]
    ctx = CycleContext.load(day=day, clock=clock)
    close_card_statements(ctx)
    post_loan_instalments(ctx)
    post_scheduled_interest_due(ctx)
    assess_late_fees(ctx)
    age_accounts_in_bulk(account_ids=[account.pk], as_of=day, clock=clock)
    review_plans(on=day, clock=clock)


def pay(account, minor: int, on: dt.date, key: str, clock) -> None:  # type: ignore[no-untyped-def]
    post_payment(
        account=account,
        amount=Money.from_minor(minor, account.currency),
        received_on=on,
        idempotency_key=key,
        clock=clock,
    )


def loan_behind_since_february(clock):  # type: ignore[no-untyped-def]
    """The 12,000 CNY loan of 15 January 2025 whose February and March instalments were not
    paid, its nights run to 1 April (interest charged on each due date, 45 days past due)."""
    loan = make_loan_account(start_on=OPENED_ON)
    for day in (dt.date(2025, 2, 15), dt.date(2025, 3, 15), APRIL_1):
        night(loan, day, clock)
    loan.refresh_from_db()
    assert loan.days_past_due == 45
    return loan


def plan_override(plan) -> RateOverride:  # type: ignore[no-untyped-def]
    return RateOverride.objects.get(source=f"plan:{plan.pk}")


def event_detail(plan, kind: PlanEventKind) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return plan.events.filter(kind=kind).order_by("id").last().detail


# --- the job-loss plan ----------------------------------------------------------------------------


def test_the_job_loss_plan_kept_to_the_end_leaves_the_loan_owing_exactly_nothing(clock):
    # given the job-loss plan: a three-month holiday, interest capitalised, then re-amortised
    loan = loan_behind_since_february(clock)
    plan = set_up_plan(loan, clock)
    assert plan.kind == "holiday_then_reamortise" and plan.status == PlanStatus.ACTIVE
    owed_at_start = plan.terms["owed_at_start"]["minor"]
    assert balances(loan).total.minor + accrued_interest(loan, APRIL_1).minor == owed_at_start
    # the contract's interest stops after the day the plan was priced
    override = plan_override(plan)
    assert (override.from_on, override.until_on, override.apr) == (
        APRIL_1 + ONE_DAY,
        None,
        Decimal(0),
    )
    assert event_detail(plan, PlanEventKind.ACTIVATED)["rate_override"] == override.pk

    # when the borrower pays every instalment in full on its due date
    instalments = list(plan.instalments.order_by("number"))
    for instalment in instalments:
        if instalment.amount_minor:
            pay(loan, instalment.amount_minor, instalment.due_on, f"i{instalment.number}", clock)
        night(loan, instalment.due_on, clock)

    # then the loan is repaid to the cent: nothing owed, no overpayment held
    loan.refresh_from_db()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert loan.status == AccountStatus.PAID_OFF
    books = book_balances(loan)
    paid = sum(i.amount_minor for i in instalments)
    assert paid == plan.total_payment_minor
    assert books == {"cash": paid, "funding": -1_200_000, "income:interest": -(paid - 1_200_000)}
    # the holiday's interest was charged as priced and added to the principal
    holiday = [
        Money(Decimal(row["interest_added"]), "CNY").minor
        for row in plan.schedule
        if row["phase"] == "payment_holiday"
    ]
    capitalised = [
        sum(line.amount_minor for line in e.lines.filter(book="principal:loan"))
        for e in loan.entries.filter(kind=EntryKind.CAPITALISATION).order_by("effective_on")
    ]
    assert capitalised == holiday and all(holiday)
    assert check_account(loan) == []
    # the override ended with the plan
    override.refresh_from_db()
    assert override.until_on is not None and override.until_on <= instalments[-1].due_on


def test_a_broken_plan_ends_its_override_and_contract_interest_resumes_the_next_day(clock):
    loan = loan_behind_since_february(clock)
    plan = set_up_plan(loan, clock)
    holiday = list(plan.instalments.filter(amount_minor=0).order_by("number"))
    first_paying = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    for instalment in holiday:
        night(loan, instalment.due_on, clock)
    due = first_paying.due_on  # 15 August, left unpaid: CN plans allow 3 grace days
    night(loan, due, clock)
    broken_on = due + dt.timedelta(days=4)

    night(loan, broken_on, clock)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN and plan.broken_on == broken_on
    override = plan_override(plan)
    assert override.until_on == broken_on
    assert (
        event_detail(plan, PlanEventKind.BROKEN)["contract_interest_from"]
        == (broken_on + ONE_DAY).isoformat()
    )
    # the plan's interest to come is dropped; what fell due before the break stays charged
    rows = ScheduledInterest.objects.filter(source=f"plan:{plan.pk}")
    assert all(r.entry_id for r in rows if r.due_on <= broken_on)
    assert all(
        r.cancelled_on == broken_on and r.entry_id is None for r in rows if r.due_on > broken_on
    )
    # September's instalment (16 August – 15 September, 31 days) is charged its contract interest
    # for 20 August on: 30.63 × 27/31 = 26.68; October's in full
    september = Obligation.objects.get(account=loan, due_on=dt.date(2025, 9, 15))
    october = Obligation.objects.get(account=loan, due_on=dt.date(2025, 10, 15))
    assert (september.contract_interest_minor, september.interest_minor) == (3063, 2668)
    assert october.interest_minor == 2458
    assert accrued_interest(loan, dt.date(2025, 9, 1)) == cny("12.84")  # 30.63 × 13/31
    night(loan, dt.date(2025, 9, 15), clock)
    charged = loan.entries.get(kind=EntryKind.INTEREST, effective_on=dt.date(2025, 9, 15))
    assert [line.amount_minor for line in charged.lines.filter(book="interest:loan")] == [2668]
    assert check_account(loan) == []


def test_a_cancelled_plan_gives_the_contract_rate_back_from_the_next_day(clock):
    loan = loan_behind_since_february(clock)
    plan = set_up_plan(loan, clock)
    cancel_plan(plan=plan, reason="the borrower found work", on=dt.date(2025, 4, 10), clock=clock)
    assert plan_override(plan).until_on == dt.date(2025, 4, 10)
    # April's instalment: 16 March – 1 April and 11–15 April at the contract rate (22 of 31 days)
    april = Obligation.objects.get(account=loan, due_on=dt.date(2025, 4, 15))
    assert april.interest_minor == round(Decimal(6036) * 22 / 31)
    assert not ScheduledInterest.objects.filter(
        source=f"plan:{plan.pk}", cancelled_on__isnull=True
    ).exists()


def test_a_plan_priced_before_interest_was_charged_cannot_start_after_it(clock):
    loan = loan_behind_since_february(clock)
    assessment = take_assessment(
        borrower=loan.borrower, statement=JOB_LOSS, source="agent", accounts=[loan], clock=clock
    )
    priced = price_options(account=loan, assessment=assessment, as_of=APRIL_1)
    plan = propose_plan(
        account=loan,
        assessment=assessment,
        option_id=priced.recommended.id,
        as_of=APRIL_1,
        clock=clock,
    )
    # a start after the contract next charges interest (15 April) is refused at acceptance
    with pytest.raises(ValidationError) as refused:
        accept_plan(
            plan=plan,
            via="agent",
            language="en",
            on=APRIL_1,
            starts_on=dt.date(2025, 4, 15),
            clock=clock,
        )
    assert refused.value.field == "starts_on"
    night(loan, dt.date(2025, 4, 15), clock)  # April's interest is charged
    with pytest.raises(Conflict, match="price it again"):
        accept_plan(plan=plan, via="agent", language="en", on=dt.date(2025, 4, 20), clock=clock)
    assert not RateOverride.objects.filter(account=loan).exists()


# --- a settlement --------------------------------------------------------------------------

LUMP_SUM = {**JOB_LOSS, "lump_sum_available": "11000.00"}


def test_a_settlement_paid_as_agreed_leaves_nothing_owed_and_shows_the_discount(clock):
    loan = loan_behind_since_february(clock)
    assessment = take_assessment(
        borrower=loan.borrower, statement=LUMP_SUM, source="agent", accounts=[loan], clock=clock
    )
    priced = price_options(account=loan, assessment=assessment, as_of=APRIL_1)
    lump_sums = [o for o in priced.options if o.kind == "settlement_lump_sum" and o.fits]
    assert lump_sums
    plan = set_up_plan(loan, clock, statement=LUMP_SUM, option_id=lump_sums[0].id)
    forgiven = plan.terms["forgiven"]["minor"]
    assert forgiven > 0
    # a settlement forgives when it is paid, not before
    assert not loan.entries.filter(kind=EntryKind.SETTLEMENT_DISCOUNT).exists()

    (only,) = plan.instalments.all()
    pay(loan, only.amount_minor, only.due_on, "settle", clock)
    night(loan, only.due_on, clock)

    plan.refresh_from_db()
    loan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    discount = loan.entries.get(kind=EntryKind.SETTLEMENT_DISCOUNT)
    assert discount.effective_on == only.due_on
    assert sum(line.amount_minor for line in discount.lines.filter(book=SETTLEMENT_DISCOUNTS)) == (
        forgiven
    )
    assert event_detail(plan, PlanEventKind.COMPLETED)["settlement_discount"]["minor"] == forgiven
    assert loan.status == AccountStatus.PAID_OFF
    assert balances(loan).total.is_zero()
    assert only.amount_minor + forgiven == plan.terms["owed_at_start"]["minor"]
    assert check_account(loan) == []


# --- an interest freeze on a card ----------------------------------------------------------

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
STATEMENT_DAYS = [dt.date(2025, m, 5) for m in range(2, 13)]


def statement_interest(card, on: dt.date) -> int:  # type: ignore[no-untyped-def]
    return Statement.objects.get(account=card, statement_on=on).interest_minor


def test_an_interest_freeze_charges_nothing_while_kept_and_the_contract_rate_after(clock):
    # given a card with 30,000 of purchases at 18.25 %, behind since February, with a late fee
    card = make_card_account()
    post_purchase(
        account=card, amount=cny("30000.00"), on=dt.date(2025, 1, 20), idempotency_key="tv"
    )
    for day in (dt.date(2025, 2, 5), dt.date(2025, 3, 1), dt.date(2025, 3, 5), APRIL_1):
        night(card, day, clock)
    fees = balances(card).fees
    assert fees.minor > 0

    # when the borrower agrees an interest freeze (停息挂账), fees waived
    assessment = take_assessment(
        borrower=card.borrower, statement=CARD_HOLDER, source="agent", accounts=[card], clock=clock
    )
    priced = price_options(account=card, assessment=assessment, as_of=APRIL_1)
    freezes = [o for o in priced.options if o.kind == "interest_freeze" and o.fits]
    assert freezes
    plan = set_up_plan(card, clock, statement=CARD_HOLDER, option_id=freezes[0].id)
    waiver = card.entries.get(kind=EntryKind.WAIVER)
    assert sum(line.amount_minor for line in waiver.lines.filter(book=WAIVERS)) == fees.minor
    assert balances(card).fees.is_zero()
    assert event_detail(plan, PlanEventKind.ACTIVATED)["fees_waived"]["minor"] == fees.minor

    # then April's statement charges 6 March – 1 April only (27 days, what was priced), and
    # the statements while the plan is kept charge nothing
    night(card, dt.date(2025, 4, 5), clock)
    assert statement_interest(card, dt.date(2025, 4, 5)) == 40500  # 30,000 × 0.1825 × 27/365
    instalments = list(plan.instalments.order_by("number"))
    first, second = instalments[0], instalments[1]
    pay(card, first.amount_minor, first.due_on, "i1", clock)
    for day in sorted({first.due_on, dt.date(2025, 5, 5), dt.date(2025, 6, 5)}):
        night(card, day, clock)
    assert statement_interest(card, dt.date(2025, 5, 5)) == 0
    assert statement_interest(card, dt.date(2025, 6, 5)) == 0

    # and when the second instalment is missed, the plan breaks after its grace days and the
    # contract's rate is charged from the next day
    broken_on = second.due_on + dt.timedelta(days=plan.grace_days + 1)
    night(card, second.due_on, clock)
    night(card, broken_on, clock)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN and plan_override(plan).until_on == broken_on
    next_statement = next(d for d in STATEMENT_DAYS if d > broken_on)
    night(card, next_statement, clock)
    principal = book_balances(card)["principal:purchase"]
    days = (next_statement - broken_on).days
    expected = Money.of(Decimal(principal) * Decimal("0.1825") * days / 365 / 100, "CNY").minor
    assert statement_interest(card, next_statement) == expected > 0
    card.refresh_from_db()
    assert check_account(card) == []
