"""`run_simulation`: the simulated borrowers against the real engine, day by day.

1. The population is drawn (`core.sim.draw_population`) and created as real borrowers and
   accounts (`book`); the given strategy is saved and made the active one; K collectors get
   every active work queue.
2. The warm-up: the real daily cycle (servicing, collection night, notices …) runs from the
   first opening date to the day before the first simulated day; nobody pays, so the book
   enters the simulation in arrears.
3. Each simulated day: the day's messages go out through the dispatcher and the agents work
   the queues (`engine_day`); everything that reached a borrower goes to `simulate_day`; the
   payments are posted through the ledger, call results, promises, complaints and opt-outs
   recorded (`records`); the night's cycle runs; the borrowers' amounts are read back from the
   ledger.
4. The results are written (`results`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model

from arrears.collection.models import Strategy, WorkQueue
from arrears.collection.services import save_collector
from arrears.collection.services.strategies import (
    activate_strategy,
    check_strategy_text,
    save_strategy,
)
from arrears.core.errors import Conflict
from arrears.core.sim import (
    BehaviourParams,
    BorrowerState,
    Contacts,
    DayStreams,
    bundled_behaviour,
    draw_population,
    load_behaviour,
    simulate_day,
)
from arrears.core.sim.params import CHANNEL_INDEX
from arrears.demo.sim import plans, records
from arrears.demo.sim.book import Book, create_book
from arrears.demo.sim.engine_day import EngineDay, engine_day, lender_time
from arrears.demo.sim.ledger import ledger_payments_minor, post_payments, refresh_from_ledger
from arrears.demo.sim.options import SimOptions
from arrears.demo.sim.results import (
    AccountSnapshot,
    kpi_document,
    write_accounts,
    write_daily,
    write_summary,
)
from arrears.identity.services import grant_role

ONE_DAY = dt.timedelta(days=1)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def night_clock(day: dt.date) -> Any:
    """The nightly cycle of `day` runs at 00:30 lender time the next morning."""
    from arrears.core.clock import FixedClock

    return FixedClock(lender_time(day + ONE_DAY, 0, 30))


def run_night(day: dt.date, *, start: dt.date | None = None) -> None:
    from arrears.servicing.services.cycle import run_cycle

    run_cycle(through=day, start=start, clock=night_clock(day))


def use_strategy(path: Path) -> Strategy:
    """Save the strategy file and make it the active one (an identical stored version is
    re-activated; a different text under the same code and version is a Conflict)."""
    text = path.read_text(encoding="utf-8")
    parsed = check_strategy_text(text=text)
    stored = Strategy.objects.filter(code=parsed.code, version=parsed.version).first()
    if stored is None:
        strategy = save_strategy(yaml_text=text, activate=True)
    elif stored.yaml_text.strip() == text.strip():
        strategy = activate_strategy(strategy=stored)
    else:
        raise Conflict(f"strategy {parsed.code} {parsed.version} is stored with another text")
    Strategy.objects.exclude(pk=strategy.pk).update(is_active=False)
    return strategy


def make_agents(count: int) -> list[Any]:
    """K collectors with every active queue, both languages and every skill."""
    agents = []
    queues = list(WorkQueue.objects.filter(is_active=True))
    for n in range(1, count + 1):
        user = get_user_model().objects.create_user(username=f"sim-agent-{n:03d}", is_staff=True)
        grant_role(user=user, role="collector")
        save_collector(
            user=user,
            queues=queues,
            skills=["hardship_trained", "legal"],
            languages=["zh-hans", "en"],
            max_open_cases=1_000_000,
        )
        agents.append(user)
    return agents


def contacts_of(
    day: EngineDay, state: BorrowerState, offers: dict[str, np.ndarray] | None = None
) -> Contacts:
    """The day's contacts for the behaviour model: the messages, then the calls."""
    calls = day.calls
    return Contacts.build(
        borrower=np.concatenate([day.message_borrower, [c.borrower for c in calls]]).astype(
            np.int64
        ),
        channel=np.concatenate([day.message_channel, [CHANNEL_INDEX["call"]] * len(calls)]).astype(
            np.int64
        ),
        hour_of_week=np.concatenate([day.message_hour, [c.hour_of_week for c in calls]]).astype(
            np.int64
        ),
        right_party=np.concatenate(
            [np.full(day.message_borrower.size, -1), [int(c.right_party) for c in calls]]
        ).astype(np.int64),
        population=state.size,
        **(offers or {}),
    )


def simulate_one_day(
    state: BorrowerState,
    book: Book,
    options: SimOptions,
    *,
    day: dt.date,
    agents: list[Any],
    streams: DayStreams,
    before: AccountSnapshot,
) -> tuple[dict[str, Any], AccountSnapshot]:
    currency = state.params.currency
    k = state.day_number(day)
    engine = engine_day(
        state, book, day=day, agents=agents, calls_per_agent=options.calls_per_agent,
        seed=options.seed,
    )  # fmt: skip
    known = plans.hardship_known(book)
    contacts = contacts_of(engine, state, plans.plan_offers(engine, state, book, k=k, known=known))
    outcome = simulate_day(state, day=day, contacts=contacts, rng=streams)
    post_payments(outcome.paid_minor, book, day=day, currency=currency)
    dispositions, recorded = records.record_calls(
        engine.calls, outcome, state, currency=currency,
        first_call=engine.message_borrower.size, hardship_known=known,
    )  # fmt: skip
    in_app = records.record_app_promises(
        outcome, state, book, recorded=recorded, day=day, currency=currency
    )
    taken = plans.take_plans(outcome, contacts, engine, state, book, day=day, k=k)
    complaints = records.record_complaints(outcome, book, day=day)
    opt_outs = records.record_opt_outs(outcome, book, day=day)
    run_night(day)
    after = AccountSnapshot.read(book)
    refresh_from_ledger(state, book, day=day)
    plans.follow_plans(state, book)
    by_channel = np.bincount(contacts.channel, minlength=len(CHANNEL_INDEX))
    row: dict[str, Any] = {
        "day": day,
        "collected_minor": int(outcome.paid_minor.sum()),
        "payers": int((outcome.paid_minor > 0).sum()),
        **{f"contacts_{ch}": int(by_channel[i]) for ch, i in CHANNEL_INDEX.items()},
        "calls_right_party": sum(1 for c in engine.calls if c.right_party),
        "promises": int(outcome.promised.sum()),
        "promises_recorded": dispositions["promise_to_pay"] + in_app,
        "promises_in_app": in_app,
        "promises_kept": int(outcome.promise_kept.sum()),
        "promises_broken": int(outcome.promise_broken.sum()),
        "hardship_told": dispositions["hardship_claimed"],
        "complaints": complaints,
        "opt_outs": opt_outs,
        "plans_offered": int(contacts.plan_offered.sum()),
        "plans_taken": taken,
        **before.moves_to(after),
    }
    return row, after


def behaviour_of(options: SimOptions) -> BehaviourParams:
    return load_behaviour(options.params) if options.params else bundled_behaviour()


def run_simulation(options: SimOptions, *, progress: Progress | None = None) -> dict[str, Any]:
    """Run the simulation in the current (prepared, empty) database; write and return the
    summary. `prepare_database` must have run (the CLI does it)."""
    options.check()
    timer = time.perf_counter()
    strategy, state, book, agents = set_up(options)
    built = time.perf_counter()
    warm_up(book, options.start_on, progress=progress)
    refresh_from_ledger(state, book, day=options.start_on - ONE_DAY)
    warmed = time.perf_counter()
    streams = DayStreams(options.seed)
    snapshot = AccountSnapshot.read(book)
    rows, seconds = [], []
    for k in range(options.days):
        started = time.perf_counter()
        day = options.start_on + dt.timedelta(days=k)
        row, snapshot = simulate_one_day(
            state, book, options, day=day, agents=agents, streams=streams, before=snapshot
        )
        rows.append(row)
        seconds.append(round(time.perf_counter() - started, 3))
        if progress:
            progress("days", k + 1, options.days)
    return _finish(options, state, book, strategy, rows, [timer, built, warmed], seconds)


def set_up(options: SimOptions) -> tuple[Strategy, BorrowerState, Book, list[Any]]:
    """The strategy in force, the population drawn and created as borrowers and accounts, and
    the collectors."""
    strategy = use_strategy(options.strategy)
    state = draw_population(
        behaviour_of(options), options.borrowers, seed=options.seed, start_on=options.start_on
    )
    book = create_book(state, seed=options.seed)
    return strategy, state, book, make_agents(options.agents)


def warm_up(book: Book, start_on: dt.date, *, progress: Progress | None = None) -> None:
    """The real cycle from the first opening to the day before `start_on`; nobody pays."""
    day = book.first_day
    days = (start_on - day).days
    while day < start_on:
        run_night(day, start=book.first_day if day == book.first_day else None)
        day += ONE_DAY
        if progress:
            progress("warmup", (day - book.first_day).days, days)


def _finish(
    options: SimOptions,
    state: BorrowerState,
    book: Book,
    strategy: Strategy,
    rows: list[dict[str, Any]],
    marks: list[float],
    seconds: list[float],
) -> dict[str, Any]:
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    daily = write_daily(rows, out)
    write_accounts(state, book, out)
    last = options.start_on + dt.timedelta(days=options.days - 1)
    currency = state.params.currency
    totals = {name: int(daily[name].sum()) for name in daily.columns if name != "day"}
    summary = {
        "ok": True,
        "options": {
            "borrowers": options.borrowers,
            "days": options.days,
            "seed": options.seed,
            "agents": options.agents,
            "calls_per_agent": options.calls_per_agent,
            "strategy": {"code": strategy.code, "version": strategy.version},
            "params": options.params.name if options.params else "bundled",
        },
        "period": {"first_day": options.start_on.isoformat(), "last_day": last.isoformat()},
        "currency": currency,
        "payments": {
            "simulated_minor": int(state.paid_total_minor.sum()),
            "ledger_minor": ledger_payments_minor(first=options.start_on, last=last),
        },
        "totals": totals,
        "kpis": kpi_document(start_on=options.start_on, end_on=last + ONE_DAY, currency=currency),
        "seconds": {
            "setup": round(marks[1] - marks[0], 3),
            "warmup": round(marks[2] - marks[1], 3),
            "per_day": round(sum(seconds) / len(seconds), 3),
            "days": seconds,
        },
    }
    write_summary(summary, out)
    return summary
