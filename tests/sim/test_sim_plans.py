"""`arrears sim run` (the database engine): plan offers made real through the hardship services,
hardship told on a call, and promises made in the app.

Each test builds a small book the way a run does (`set_up`, `warm_up`: the real cycle from the
first opening, nobody paying), then hands the engine one day's contacts and what the borrowers
did, and checks what the platform recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from arrears.cli.setup import prepare_database
from arrears.collection.models import Case, Promise
from arrears.collection.services.queues import take_next_action
from arrears.core.clock import FixedClock
from arrears.core.sim import BorrowerState, Contacts, DayOutcome
from arrears.core.sim.offers import offered_instalment
from arrears.demo.sim import SimOptions, records
from arrears.demo.sim import plans as sim_plans
from arrears.demo.sim.book import Book
from arrears.demo.sim.engine_day import Call, EngineDay, lender_time
from arrears.demo.sim.ledger import post_payments, refresh_from_ledger
from arrears.demo.sim.run import ONE_DAY, run_night, set_up, warm_up
from arrears.hardship.models import Plan
from arrears.hardship.services import cancel_plan

pytestmark = pytest.mark.django_db(transaction=True)

VALUE_FIRST = (
    Path(__file__).resolve().parents[2] / "src/arrears/core/data/strategies/value-first.yaml"
)
BORROWERS = 8


@pytest.fixture
def run(tmp_path):  # type: ignore[no-untyped-def]
    """A warmed-up book of 8 borrowers in arrears on the first simulated day, one collector."""
    prepare_database(quiet=True)
    options = SimOptions(
        borrowers=BORROWERS, days=1, strategy=VALUE_FIRST, seed=11, out=tmp_path / "out", agents=1
    )
    _strategy, state, book, agents = set_up(options)
    warm_up(book, options.start_on)
    refresh_from_ledger(state, book, day=options.start_on - ONE_DAY)
    return state, book, agents[0], options.start_on


def _outcome(
    state: BorrowerState, day: dt.date, contacts: int, **changed: np.ndarray
) -> DayOutcome:
    """Nothing happened today, but what `changed` says."""
    n = state.size
    values = {
        "answered": np.zeros(contacts, bool),
        "effective": np.zeros(contacts, bool),
        "paid_minor": np.zeros(n, np.int64),
        "payment_events": np.zeros(n, np.int64),
        "promised": np.zeros(n, bool),
        "promise_minor": np.zeros(n, np.int64),
        "promise_kept": np.zeros(n, bool),
        "promise_broken": np.zeros(n, bool),
        "plan_taken": np.zeros(n, bool),
        "plan_broken": np.zeros(n, bool),
        "complained": np.zeros(n, bool),
        "opted_out": np.full(n, -1, np.int8),
        "shock_started": np.zeros(n, bool),
    }
    values.update(changed)
    return DayOutcome(day=day, **values)


def _only(n: int, i: int, value: object = True, dtype: object = bool) -> np.ndarray:
    array = np.zeros(n, dtype)  # type: ignore[call-overload]
    array[i] = value
    return array


def _link_taken(state: BorrowerState, book: Book, i: int, day: dt.date) -> int:
    """Borrower `i` opens a self-service link sent today and takes the plan it offers."""
    engine = EngineDay(
        calls=[],
        message_borrower=np.array([i]),
        message_channel=np.array([1], np.int8),
        message_hour=np.array([60], np.int16),
        message_kind=np.array(["self_service_link"], object),
        dispatched={},
    )
    offers = sim_plans.plan_offers(engine, state, book, k=0, known=np.zeros(state.size, bool))
    assert offers["plan_offered"].tolist() == [True]
    contacts = Contacts.build(
        borrower=[i], channel=["sms"], hour_of_week=[60], population=state.size,
        right_party=[1], **offers,
    )  # fmt: skip
    state.on_plan[i] = True  # as the behaviour model marks a borrower who takes an offer
    outcome = _outcome(state, day, 1, answered=np.array([True]), plan_taken=_only(state.size, i))
    return sim_plans.take_plans(outcome, contacts, engine, state, book, day=day, k=0)


def test_a_plan_from_a_self_service_link_is_the_platforms_and_the_borrower_keeps_its_dates(run):
    state, book, _agent, day = run
    i = int(np.flatnonzero(state.due_minor > 0)[0])

    assert _link_taken(state, book, i, day) == 1

    # the platform's recommendation, agreed in the portal on the borrower's own statement
    plan = Plan.objects.get(account_id=int(book.account_ids[i]))
    assert plan.status == "active"
    assert plan.accepted_via == "portal"
    assert plan.assessment.source == "borrower"
    assert plan.recommended
    # the simulated borrower now owes the plan's first instalment on its due date
    first, second = plan.instalments.order_by("number")[:2]
    assert state.on_plan[i]
    assert state.plan_next_due[i] == (first.due_on - state.start_on).days
    assert state.plan_instalment_minor[i] == first.amount_minor

    # paid on its due date, the nightly review marks it kept and the model owes the next one
    for n in range((first.due_on - day).days):
        run_night(day + dt.timedelta(days=n))
    paid = _only(state.size, i, first.amount_minor, np.int64)
    post_payments(paid, book, day=first.due_on, currency=state.params.currency)
    run_night(first.due_on)
    first.refresh_from_db()
    assert first.status == "kept"
    sim_plans.follow_plans(state, book)
    assert state.on_plan[i]
    assert state.plan_next_due[i] == (second.due_on - state.start_on).days
    assert state.plan_instalment_minor[i] == second.amount_minor

    # a plan the platform ends is over for the model too
    cancel_plan(plan=plan, reason="borrower asked", on=first.due_on + ONE_DAY)
    sim_plans.follow_plans(state, book)
    assert not state.on_plan[i]


def test_a_borrower_with_nothing_to_spare_gets_no_plan_and_the_model_takes_them_off_it(run):
    state, book, _agent, day = run
    i = int(np.flatnonzero(state.due_minor > 0)[0])
    state.ability_share[i] = 0.0  # every yuan of income goes on living costs

    assert _link_taken(state, book, i, day) == 0

    assert not Plan.objects.filter(account_id=int(book.account_ids[i]), status="active").exists()
    assert not state.on_plan[i]
    assert state.plan_instalment_minor[i] == 0


def test_a_borrower_in_a_shock_tells_the_collector_and_the_next_call_offers_a_plan(run):
    state, book, agent, day = run
    started = lender_time(day, 10)
    taken = take_next_action(agent=agent, clock=FixedClock(started))
    assert taken is not None, "the night queued calls for the book in arrears"
    i = book.index_of_borrowers()[taken.action.borrower_id]
    state.shock_until[i] = 90  # lost their job: in a shock for three months
    call = Call(i, taken, agent, started, 34, True)
    outcome = _outcome(state, day, 1, answered=np.array([True]), effective=np.array([True]))
    known = sim_plans.hardship_known(book)
    assert not known[i]

    counts, promised = records.record_calls(
        [call], outcome, state, currency="CNY", first_call=0, hardship_known=known
    )

    assert counts == {"hardship_claimed": 1}
    assert promised == set()
    case = Case.objects.get(pk=taken.action.case_id)
    assert case.hardship
    known = sim_plans.hardship_known(book)
    assert known[i]
    # the next call to them offers a plan cut to what they can pay now
    engine = EngineDay([call], np.zeros(0, np.int64), np.zeros(0, np.int8),
                       np.zeros(0, np.int16), np.zeros(0, object), {})  # fmt: skip
    offers = sim_plans.plan_offers(engine, state, book, k=0, known=known)
    ability = state.monthly_ability_minor(0)[[i]]
    fitted, affordable = offered_instalment(state.balance_minor[[i]], ability, np.array([True]))
    assert offers["plan_offered"].tolist() == [True]
    assert offers["plan_instalment_minor"].tolist() == fitted.tolist()
    assert offers["plan_affordable"].tolist() == affordable.tolist()


def test_a_promise_made_in_the_app_is_taken_as_the_portal_takes_it(run):
    state, book, _agent, day = run
    i = int(np.flatnonzero(state.due_minor > 0)[0])
    state.promise_due[i] = 3
    amount = int(state.due_minor[i])
    outcome = _outcome(
        state, day, 0, promised=_only(state.size, i),
        promise_minor=_only(state.size, i, amount, np.int64),
    )  # fmt: skip

    taken = records.record_app_promises(
        outcome, state, book, recorded=set(), day=day, currency="CNY"
    )
    again = records.record_app_promises(
        outcome, state, book, recorded=set(), day=day, currency="CNY"
    )

    assert taken == again == 1  # the same promise, not a second one
    promise = Promise.objects.get(account_id=int(book.account_ids[i]))
    assert promise.source == "portal"
    assert promise.status == "live"
    first = promise.instalments.get()
    assert first.due_on == day + dt.timedelta(days=3)
    assert first.amount_minor == amount
    # a promise recorded on a call is not taken twice
    assert (
        records.record_app_promises(outcome, state, book, recorded={i}, day=day, currency="CNY")
        == 0
    )
