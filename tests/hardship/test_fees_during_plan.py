"""Fees while a plan is kept: no late fee on the contract's dues; a card's annual fee as the
policy and the plan's terms say (`waive_annual_fee`, docs/hardship.md §7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.hardship.choices import PlanAgeing, PlanEventKind
from arrears.hardship.models import Plan
from arrears.hardship.services import price_options, review_plans, take_assessment
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import JournalEntry, Obligation
from arrears.servicing.selectors import book_balances, check_account
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ageing import age_accounts_in_bulk
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.cycle.late_fees import assess_late_fees
from arrears.servicing.services.cycle.statements import close_card_statements
from tests.factories import cny, make_card_account
from tests.hardship.conftest import APRIL_1, set_up_plan
from tests.servicing.cycle_support import product_like

pytestmark = pytest.mark.django_db

CARD_HOLDER: dict[str, Any] = {
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
MAY_5 = dt.date(2025, 5, 5)


def night(card: Any, day: dt.date, clock: Any) -> None:
    ctx = CycleContext.load(day=day, clock=clock)
    close_card_statements(ctx)
    assess_late_fees(ctx)
    age_accounts_in_bulk(account_ids=[card.pk], as_of=day, clock=clock)
    review_plans(on=day, clock=clock)


def card_on_a_freeze(clock: Any, *, opened_on: dt.date = dt.date(2025, 1, 15)) -> tuple[Any, Plan]:
    """A card with a 300.00 annual fee, 30,000 spent in January and nothing paid since, whose
    holder agreed an interest freeze (停息挂账) on 1 April."""
    product = product_like("cn_card_classic", "card_with_annual_fee", annual_fee="300.00")
    card = make_card_account(product=product, opened_on=opened_on)
    post_purchase(
        account=card, amount=cny("30000.00"), on=dt.date(2025, 1, 20), idempotency_key="tv"
    )
    for day in (dt.date(2025, 2, 5), dt.date(2025, 3, 1), dt.date(2025, 3, 5), APRIL_1):
        night(card, day, clock)
    assessment = take_assessment(
        borrower=card.borrower, statement=CARD_HOLDER, source="agent", accounts=[card], clock=clock
    )
    priced = price_options(account=card, assessment=assessment, as_of=APRIL_1)
    freeze = next(o for o in priced.options if o.kind == "interest_freeze" and o.fits)
    return card, set_up_plan(card, clock, statement=CARD_HOLDER, option_id=freeze.id)


def late_fees(card: Any) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(account=card, kind=EntryKind.LATE_FEE))


def test_no_late_fee_is_charged_while_the_plan_is_kept(clock):
    card, plan = card_on_a_freeze(clock)
    charged_before = len(late_fees(card))  # the arrears before the plan drew their fees
    night(card, dt.date(2025, 4, 5), clock)
    april_minimum = Obligation.objects.get(account=card, due_on__gt=dt.date(2025, 4, 5))
    first = plan.instalments.order_by("number").first()
    assert first.due_on > april_minimum.due_on  # the contract's due date passes unpaid first

    for day in range(1, 8):  # every night after the April minimum fell due, grace included
        night(card, april_minimum.due_on + dt.timedelta(days=day), clock)

    assert len(late_fees(card)) == charged_before


def test_no_late_fee_either_when_the_contract_keeps_driving_ageing(clock):
    # a jurisdiction may keep contractual delinquency during a plan (`ageing: contract`):
    # the account still ages on its contract, but a kept plan is never charged a late fee
    card, plan = card_on_a_freeze(clock)
    Plan.objects.filter(pk=plan.pk).update(ageing=PlanAgeing.CONTRACT)
    charged_before = len(late_fees(card))
    night(card, dt.date(2025, 4, 5), clock)
    april_minimum = Obligation.objects.get(account=card, due_on__gt=dt.date(2025, 4, 5))

    for day in range(1, 8):
        night(card, april_minimum.due_on + dt.timedelta(days=day), clock)

    assert len(late_fees(card)) == charged_before


def test_the_annual_fee_falling_during_a_plan_is_waived_as_the_policy_says(clock):
    # given a card opened in May 2024, so its annual fee falls on the May 2025 statement,
    # and a plan from 1 April whose terms (the bundled policy) waive it
    card, plan = card_on_a_freeze(clock, opened_on=dt.date(2024, 5, 10))
    assert plan.terms["waive_annual_fee"] is True
    assert "annual fee charged while the plan is kept is waived" in plan.terms_text_en

    # when May's statement charges the fee, and the next night reviews the plan
    night(card, MAY_5, clock)
    assert book_balances(card)["fees:annual"] == 30000
    night(card, MAY_5 + dt.timedelta(days=1), clock)

    # then the fee is waived (a waiver entry against expense:waivers), once
    assert book_balances(card).get("fees:annual", 0) == 0
    (event,) = plan.events.filter(kind=PlanEventKind.ANNUAL_FEE_WAIVED)
    assert event.detail["amount"]["minor"] == 30000
    night(card, MAY_5 + dt.timedelta(days=1), clock)  # the night reviewed again
    night(card, MAY_5 + dt.timedelta(days=2), clock)
    assert plan.events.filter(kind=PlanEventKind.ANNUAL_FEE_WAIVED).count() == 1
    waivers = JournalEntry.objects.filter(account=card, kind=EntryKind.WAIVER)
    assert [e.idempotency_key for e in waivers if "annual-fee" in e.idempotency_key] == [
        f"waiver:plan:{plan.pk}:annual-fee:"
        f"{JournalEntry.objects.get(account=card, kind=EntryKind.ANNUAL_FEE).pk}"
    ]
    card.refresh_from_db()
    assert check_account(card) == []


def test_the_annual_fee_is_owed_on_top_when_the_plans_terms_do_not_waive_it(clock):
    # a lender whose policy says `waive_annual_fee: false`: the plan's terms say so, and the
    # fee is owed as the card's contract says
    card, plan = card_on_a_freeze(clock, opened_on=dt.date(2024, 5, 10))
    Plan.objects.filter(pk=plan.pk).update(terms={**plan.terms, "waive_annual_fee": False})

    night(card, MAY_5, clock)
    night(card, MAY_5 + dt.timedelta(days=1), clock)

    assert book_balances(card)["fees:annual"] == 30000
    assert not plan.events.filter(kind=PlanEventKind.ANNUAL_FEE_WAIVED).exists()


def test_a_loans_plan_says_nothing_of_an_annual_fee(loan_in_arrears, clock):
    plan = set_up_plan(loan_in_arrears, clock)

    assert "waive_annual_fee" not in plan.terms
    assert "annual fee" not in plan.terms_text_en
