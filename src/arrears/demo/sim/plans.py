"""Repayment plans in the database engine: the offers the day's contacts carried, the plans the
simulated borrowers took made real through the hardship services, and the borrowers following
the plan's own schedule.

1. **Offers** (`plan_offers`): a message whose kind carries a plan (options, a self-service
   link, an offer) or a collector's call to a borrower whose case says they told us of
   hardship offers a plan, as in the lab (`core.sim.offers`), to a borrower who owes something
   now and is not on a plan.
2. **Uptake** (`take_plans`): the behaviour model decides who takes it. Each taker gives a
   financial statement drawn from what the model knows of them (their income now, what is
   left after living costs); the platform prices the options for it and proposes its own
   recommendation, which the borrower accepts — with the collector on a call, in the portal
   after a message. When the platform finds nothing affordable, or will not propose (a plan
   already in force), the borrower is not on a plan after all.
3. **Following** (`follow_plans`): after each night the model's plans are brought into line
   with the platform's: a plan the nightly review broke or completed ends, and the next
   instalment the borrower pays is the platform's next one, on its due date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import transaction

from arrears.collection.choices import CaseStatus
from arrears.collection.models import Case
from arrears.core.clock import FixedClock
from arrears.core.errors import ArrearsError
from arrears.core.money import Money
from arrears.core.sim import BorrowerState, Contacts, DayOutcome
from arrears.core.sim.offers import PLAN_TEMPLATES, offered_instalment
from arrears.demo.sim.book import Book
from arrears.demo.sim.engine_day import EngineDay, lender_time
from arrears.hardship.choices import (
    LIVE_STATUSES,
    AcceptedVia,
    AssessmentSource,
    InstalmentStatus,
)
from arrears.hardship.models import Plan, PlanInstalment
from arrears.hardship.services import accept_plan, price_options, propose_plan, take_assessment
from arrears.servicing.models import Account

#: The spending norms the simulated borrowers' statements are read with (a tier-2 Chinese city).
REGION = "CN-T2"
#: When in the evening a plan taken that day is proposed and accepted (before the night).
PLAN_HOUR = 20


class NoAffordablePlan(ArrearsError):
    """The platform priced no option that fits the borrower's statement."""


def hardship_known(book: Book) -> np.ndarray:
    """Whether each borrower's open case says they told us of hardship."""
    known = np.zeros(book.account_ids.size, bool)
    position = {int(a): i for i, a in enumerate(book.account_ids.tolist())}
    flagged = Case.objects.filter(status=CaseStatus.OPEN, hardship=True).values_list(
        "account_id", flat=True
    )
    for account_id in flagged:
        if account_id in position:
            known[position[account_id]] = True
    return known


def plan_offers(
    engine: EngineDay, state: BorrowerState, book: Book, *, k: int, known: np.ndarray
) -> dict[str, np.ndarray]:
    """The plan-offer columns of the day's contacts (messages, then calls: `contacts_of`'s
    order), as `Contacts.build` takes them; `known`: `hardship_known` by borrower."""
    calls = np.array([c.borrower for c in engine.calls], np.int64)
    who = np.concatenate([engine.message_borrower, calls]).astype(np.int64)
    is_call = np.concatenate(
        [np.zeros(engine.message_borrower.size, bool), np.ones(calls.size, bool)]
    )
    kinds = np.array([str(kind) for kind in engine.message_kind] + [""] * calls.size, object)
    told = known[who]
    offered = np.isin(kinds, list(PLAN_TEMPLATES)) | (is_call & told)
    offered &= ~state.on_plan[who] & (state.due_minor[who] > 0)
    ability = state.monthly_ability_minor(k)[who]
    instalment, affordable = offered_instalment(state.balance_minor[who], ability, told)
    return {
        "plan_offered": offered,
        "plan_affordable": affordable,
        "plan_instalment_minor": instalment,
    }


def statement_of(state: BorrowerState, i: int, *, k: int) -> dict[str, Any]:
    """The financial statement the simulated borrower gives: their income this month and their
    living costs (what is left after the share of income they can put to debts)."""
    currency = state.params.currency
    in_shock = bool(state.in_shock(k)[i])
    income = int(state.monthly_income_minor(k)[i])
    ability = int(state.monthly_ability_minor(k)[i])
    statement: dict[str, Any] = {
        "currency": currency,
        "region": REGION,
        "household": {"adults": 1, "dependants": 0},
        "employment": "other" if in_shock else "employed",
        "reason": "other",
        "temporary": in_shock,
        "incomes": [{"source": "wages", "amount": _amount(income, currency)}],
        "expenses": [
            {"category": "other_living", "amount": _amount(max(income - ability, 0), currency)}
        ],
    }
    if in_shock:
        months = max(1, -(-(int(state.shock_until[i]) - k) // 30))
        statement["expected_recovery_months"] = months
        statement["income_after_recovery"] = _amount(int(state.income_minor[i]), currency)
    return statement


def _amount(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


def take_plans(
    outcome: DayOutcome,
    contacts: Contacts,
    engine: EngineDay,
    state: BorrowerState,
    book: Book,
    *,
    day: dt.date,
    k: int,
) -> int:
    """Make real the plans the borrowers took today; returns how many the platform accepted.
    A borrower whose plan the platform would not price or propose is off the plan again."""
    taken = np.flatnonzero(outcome.plan_taken)
    if taken.size == 0:
        return 0
    agents = _agents_of_offers(contacts, outcome, engine)
    accounts = Account.objects.select_related("borrower", "product").in_bulk(
        book.account_ids[taken].tolist()
    )
    clock = FixedClock(lender_time(day, PLAN_HOUR))
    accepted = 0
    for i in taken.tolist():
        account = accounts[int(book.account_ids[i])]
        try:
            with transaction.atomic():
                plan = _agree(account, statement_of(state, i, k=k), agents.get(i), day, clock)
        except ArrearsError:
            state.on_plan[i] = False
            state.plan_instalment_minor[i] = 0
            continue
        accepted += 1
        _follow(state, i, _next_due([plan.pk]).get(plan.pk))
    return accepted


def _agents_of_offers(contacts: Contacts, outcome: DayOutcome, engine: EngineDay) -> dict[int, Any]:
    """The collector whose answered call carried a borrower's plan offer (none: a message)."""
    messages = engine.message_borrower.size
    agents: dict[int, Any] = {}
    for n, call in enumerate(engine.calls):
        row = messages + n
        if contacts.plan_offered[row] and outcome.answered[row]:
            agents.setdefault(call.borrower, call.agent)
    return agents


def _agree(
    account: Account, statement: dict[str, Any], agent: Any, day: dt.date, clock: FixedClock
) -> Plan:
    """The statement taken, the options priced, the recommendation proposed and accepted."""
    assessment = take_assessment(
        borrower=account.borrower,
        statement=statement,
        source=AssessmentSource.AGENT if agent is not None else AssessmentSource.BORROWER,
        accounts=[account],
        taken_by=agent,
        clock=clock,
    )
    priced = price_options(account=account, assessment=assessment, as_of=day)
    if priced.recommended is None:
        raise NoAffordablePlan("no option fits the statement")
    plan = propose_plan(
        account=account,
        assessment=assessment,
        option_id=priced.recommended.id,
        as_of=day,
        proposed_by=agent,
        clock=clock,
    )
    return accept_plan(
        plan=plan,
        via=AcceptedVia.AGENT if agent is not None else AcceptedVia.PORTAL,
        language=account.borrower.preferred_language or "zh-hans",
        accepted_by=agent,
        terms_digest=plan.terms_digest,
        on=day,
        clock=clock,
    )


def _next_due(plan_ids: list[int]) -> dict[int, tuple[dt.date, int]]:
    """Each plan's next instalment still due: its date and what is left to pay of it."""
    found: dict[int, tuple[dt.date, int]] = {}
    for plan_id, due_on, amount, paid in (
        PlanInstalment.objects.filter(plan_id__in=plan_ids, status=InstalmentStatus.DUE)
        .order_by("plan_id", "number")
        .values_list("plan_id", "due_on", "amount_minor", "paid_minor")
    ):
        found.setdefault(plan_id, (due_on, max(amount - paid, 0)))
    return found


def follow_plans(state: BorrowerState, book: Book) -> None:
    """Bring the model's plans into line with the platform's after a night: only a plan in
    force there stays on in the model, and its next instalment is the platform's."""
    on = np.flatnonzero(state.on_plan)
    if on.size == 0:
        return
    live = {
        account_id: pk
        for pk, account_id in Plan.objects.filter(
            account_id__in=book.account_ids[on].tolist(), status__in=LIVE_STATUSES
        ).values_list("pk", "account_id")
    }
    next_due = _next_due(list(live.values()))
    for i in on.tolist():
        live_plan = live.get(int(book.account_ids[i]))
        if live_plan is None:
            state.on_plan[i] = False
            continue
        _follow(state, i, next_due.get(live_plan))


def _follow(state: BorrowerState, i: int, due: tuple[dt.date, int] | None) -> None:
    if due is None:  # nothing left to pay on it: the review completes it
        state.plan_instalment_minor[i] = 0
        return
    due_on, amount = due
    state.plan_next_due[i] = state.day_number(due_on)
    state.plan_instalment_minor[i] = amount
