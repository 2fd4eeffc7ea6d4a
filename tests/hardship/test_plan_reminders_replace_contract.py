"""While a plan is kept, the borrower is reminded of the plan's instalments, not the contract's.

Engagement's nightly notices skip the contract's due reminders of an account under an agreed
arrangement (servicing's arrangement hook, which the hardship plans feed); the plan's review
queues its own instalment reminder. Once the plan is over, the contract's reminders come back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.core.clock import FixedClock
from arrears.core.money import Money
from arrears.engagement.choices import NoticeKind
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services import load_templates, run_notices
from arrears.hardship.choices import PlanAgeing, PlanStatus
from arrears.hardship.models import Plan
from arrears.hardship.services import price_options, review_plans, take_assessment
from arrears.servicing.models import Obligation
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ageing import age_accounts_in_bulk
from arrears.servicing.services.arrangements import accounts_under_arrangement
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.cycle.late_fees import assess_late_fees
from arrears.servicing.services.cycle.statements import close_card_statements
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account
from tests.hardship.conftest import APRIL_1, set_up_plan

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> FixedClock:
    """09:00 Shanghai time on `day`: the night's notices run for a current date."""
    return FixedClock(dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC))


def outbox(account: Any) -> list[tuple[str, dt.date]]:
    return sorted((m.kind, m.due_on) for m in OutboxMessage.objects.filter(account_id=account.pk))


def notices_night(day: dt.date) -> None:
    """The two producers of reminders, as the cycle runs them: the plans' review, then the
    notices."""
    review_plans(on=day, clock=at(day))
    run_notices(day=day, clock=at(day))


def first_paying_instalment(plan: Plan) -> Any:
    return plan.instalments.filter(amount_minor__gt=0).order_by("number").first()


def test_a_borrower_on_a_plan_is_reminded_of_the_plans_instalment_not_the_contracts(
    loan_in_arrears, clock
):
    # given a loan whose borrower lost their job agreed a plan on 1 April (a holiday, then
    # the balance re-amortised), and whose contract still lists an instalment on the same day
    # as the plan's first one
    load_templates()
    plan = set_up_plan(loan_in_arrears, clock)
    first = first_paying_instalment(plan)
    assert Obligation.objects.filter(account=loan_in_arrears, due_on=first.due_on).exists()
    eve = first.due_on - dt.timedelta(days=1)

    # when the night before it runs the plans' review and the notices
    notices_night(eve)

    # then the borrower gets exactly one reminder: the plan's instalment, not the contract's
    assert outbox(loan_in_arrears) == [(NoticeKind.PLAN_INSTALMENT_DUE, first.due_on)]
    message = OutboxMessage.objects.get(account_id=loan_in_arrears.pk)
    amount = Money.from_minor(int(first.amount_minor), "CNY")
    assert f"{amount.amount:,}" in message.body or str(amount.amount) in message.body


def test_no_contract_reminder_five_days_ahead_either_while_the_plan_is_kept(loan_in_arrears, clock):
    load_templates()
    plan = set_up_plan(loan_in_arrears, clock)
    contract_due = (
        Obligation.objects.filter(account=loan_in_arrears, due_on__gt=APRIL_1)
        .order_by("due_on")
        .first()
    )
    assert contract_due is not None

    run_notices(day=contract_due.due_on - dt.timedelta(days=5), clock=at(contract_due.due_on))

    assert outbox(loan_in_arrears) == []
    assert plan.account_id in accounts_under_arrangement(contract_due.due_on)


def test_a_plan_that_leaves_ageing_on_the_contract_still_replaces_the_contract_reminders(
    loan_in_arrears, clock
):
    # a jurisdiction may keep the contract's dates driving ageing (`ageing: contract`); the
    # borrower still agreed to pay the plan, so that is what they are reminded of
    load_templates()
    plan = set_up_plan(loan_in_arrears, clock)
    Plan.objects.filter(pk=plan.pk).update(ageing=PlanAgeing.CONTRACT)
    first = first_paying_instalment(plan)

    notices_night(first.due_on - dt.timedelta(days=1))

    assert outbox(loan_in_arrears) == [(NoticeKind.PLAN_INSTALMENT_DUE, first.due_on)]


# --- after the plan: a card settled, then used again --------------------------------------

SETTLING_CARD_HOLDER: dict[str, Any] = {
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
    ],
    "other_debts": [],
    "lump_sum_available": "30000.00",
}


def card_night(card: Any, day: dt.date, clock: Any) -> None:
    ctx = CycleContext.load(day=day, clock=clock)
    close_card_statements(ctx)
    assess_late_fees(ctx)
    age_accounts_in_bulk(account_ids=[card.pk], as_of=day, clock=clock)
    review_plans(on=day, clock=clock)


def minimum_due_after(card: Any, day: dt.date) -> Obligation:
    found = Obligation.objects.filter(account=card, due_on__gt=day).order_by("due_on").first()
    assert found is not None
    return found


def test_contract_reminders_come_back_once_the_plan_is_completed(clock):
    # given a card behind since February whose holder settles it with a lump sum
    load_templates()
    card = make_card_account()
    post_purchase(
        account=card, amount=cny("30000.00"), on=dt.date(2025, 1, 20), idempotency_key="tv"
    )
    for day in (dt.date(2025, 2, 5), dt.date(2025, 3, 5), APRIL_1):
        card_night(card, day, clock)
    assessment = take_assessment(
        borrower=card.borrower,
        statement=SETTLING_CARD_HOLDER,
        source="agent",
        accounts=[card],
        clock=clock,
    )
    priced = price_options(account=card, assessment=assessment, as_of=APRIL_1)
    lump_sums = [o for o in priced.options if o.kind == "settlement_lump_sum" and o.fits]
    assert lump_sums
    plan = set_up_plan(card, clock, statement=SETTLING_CARD_HOLDER, option_id=lump_sums[0].id)

    # while the plan is kept, April's statement asks a minimum, but no contract reminder goes
    card_night(card, dt.date(2025, 4, 5), clock)
    april_minimum = minimum_due_after(card, dt.date(2025, 4, 5))
    run_notices(day=april_minimum.due_on - dt.timedelta(days=5), clock=at(april_minimum.due_on))
    assert NoticeKind.DUE_REMINDER not in {kind for kind, _ in outbox(card)}

    # when the lump sum is paid and the night completes the plan
    (only,) = plan.instalments.all()
    post_payment(
        account=card,
        amount=Money.from_minor(int(only.amount_minor), "CNY"),
        received_on=only.due_on,
        idempotency_key="settle",
        clock=clock,
    )
    card_night(card, only.due_on, clock)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED

    # then the card, used again, gets its contract's reminder before the next due date
    spent_on = only.due_on + dt.timedelta(days=1)
    post_purchase(account=card, amount=cny("800.00"), on=spent_on, idempotency_key="after")
    statement_on = next(
        dt.date(2025, month, 5) for month in range(5, 13) if dt.date(2025, month, 5) > spent_on
    )
    card_night(card, statement_on, clock)
    minimum = minimum_due_after(card, statement_on)
    reminder_day = minimum.due_on - dt.timedelta(days=5)
    assert card.pk not in accounts_under_arrangement(reminder_day)
    run_notices(day=reminder_day, clock=at(reminder_day))
    assert (NoticeKind.DUE_REMINDER, minimum.due_on) in outbox(card)
