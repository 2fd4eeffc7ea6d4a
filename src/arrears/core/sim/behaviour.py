"""One simulated day of borrower behaviour, for the whole portfolio at once.

`simulate_day` takes the portfolio's state, the contacts the real engine made that day and the
run's random streams, and returns what the borrowers did — who answered, who paid how much, who
promised and kept, who complained, who opted out, who took an offered plan — updating the state
in place. Repayment follows a discretised Hawkes process (docs/simulation.md):

    λ_k = μ_i·s_k + E_k,          N_k ~ Poisson(λ_k)
    E_k ← E_k + c·Σ α_contact[ch] over today's effective contacts
    E_{k+1} = E_k·e^(−β) + c·α_pay·N_k,     c = (1 − e^(−β))/β

`c` is the exact integral of the continuous kernel α·e^(−βt) over a day, so each payment
triggers α_pay/β further payments on average and, with no contacts, the long-run payment rate
is μ/(1 − α_pay/β). Probabilities are floats; amounts are integer minor units throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from arrears.core.sim.contacts import UNKNOWN, Contacts
from arrears.core.sim.params import CHANNEL_INDEX, HOURS_PER_WEEK
from arrears.core.sim.population import BorrowerState
from arrears.core.sim.streams import DayStreams

MONTH_DAYS = 30
_PROMISE_CHANNELS = np.array([CHANNEL_INDEX["call"], CHANNEL_INDEX["in_app"]])
_STOP_CHANNELS = np.array([CHANNEL_INDEX["sms"], CHANNEL_INDEX["email"]])


@dataclass(frozen=True, kw_only=True)
class DayOutcome:
    """What the borrowers did on one day. Per contact: answered, effective; else per borrower."""

    day: date
    answered: np.ndarray  # bool [contacts]
    effective: np.ndarray  # bool [contacts]
    paid_minor: np.ndarray  # int64 [borrowers]
    payment_events: np.ndarray  # int64 [borrowers]
    promised: np.ndarray  # bool: made a promise to pay today
    promise_minor: np.ndarray  # int64: the amount promised today
    promise_kept: np.ndarray  # bool: a promise fell due today and was paid
    promise_broken: np.ndarray  # bool: a promise fell due today and was not paid
    plan_taken: np.ndarray  # bool
    plan_broken: np.ndarray  # bool: a plan instalment fell due and was not paid
    complained: np.ndarray  # bool
    opted_out: np.ndarray  # int8: channel opted out of today (-1: none)
    shock_started: np.ndarray  # bool: lost a job or fell ill today


def local_hour_of_week(state: BorrowerState, utc_hour_of_week: int) -> np.ndarray:
    """Each borrower's local hour of the week at one UTC hour of the week."""
    return (utc_hour_of_week + state.utc_offset_hours) % HOURS_PER_WEEK


def answer_probability(
    state: BorrowerState, channel: str, hour_of_week: int | np.ndarray
) -> np.ndarray:
    """The chance each borrower picks up / reads a contact on `channel` at their local hour."""
    who = np.arange(state.size)
    channels = np.full(state.size, CHANNEL_INDEX[channel], np.int8)
    hours = np.broadcast_to(np.asarray(hour_of_week, np.int64) % HOURS_PER_WEEK, (state.size,))
    return _answer_chance(state, who, channels, hours)


def _answer_chance(
    state: BorrowerState, who: np.ndarray, channel: np.ndarray, hour: np.ndarray
) -> np.ndarray:
    table = state.params.table
    segment = state.segment[who]
    chance = (
        table.answer_curves[channel, hour]
        * table.contactability[segment]
        * np.exp(-table.answer_damping[segment] * state.annoyance[who])
    )
    open_line = state.reachable[who, channel] & ~state.opted_out[who, channel]
    result: np.ndarray = np.where(open_line, chance, 0.0)
    return result


def _logistic(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


def simulate_day(
    state: BorrowerState, *, day: date, contacts: Contacts, rng: DayStreams
) -> DayOutcome:
    """Advance the portfolio by one day; `state` is updated in place."""
    k = state.day_number(day)
    streams = rng.for_day(k)
    table = state.params.table
    seg = state.segment
    n = state.size

    shock_started = _shocks(state, k, streams["shocks"])
    if k > 0 and k % MONTH_DAYS == 0:
        state.ability_left_minor = state.monthly_ability_minor(k)
    state.annoyance *= table.annoyance_decay[seg]

    who, ch = contacts.borrower, contacts.channel.astype(np.int64)
    drawn = streams["answers"].random(contacts.size) < _answer_chance(
        state, who, ch, contacts.hour_of_week
    )
    given = contacts.right_party
    answered = np.where(given == UNKNOWN, drawn, given == 1)
    effective = answered & (
        streams["effective"].random(contacts.size) < table.effective[seg[who], ch]
    )
    delivered = state.reachable[who, ch]
    state.annoyance += np.bincount(
        who, weights=table.annoyance_weight[seg[who], ch] * delivered, minlength=n
    )
    decay_beta = table.beta[seg]
    c = (1.0 - np.exp(-decay_beta)) / decay_beta
    state.excitation += c * np.bincount(
        who, weights=table.alpha_contact[seg[who], ch] * effective, minlength=n
    )

    promised, promise_today = _promises(state, k, who, ch, effective, streams["promises"])
    plan_taken = _plans(state, k, contacts, answered, streams["plans"])

    paid, events, kept, broken, plan_broken = _payments(state, k, streams)
    state.excitation = state.excitation * np.exp(-decay_beta) + c * table.alpha_pay[seg] * events

    contacted = np.bincount(who, weights=delivered, minlength=n) > 0
    complaint = _logistic(table.complaint[seg, 0] + table.complaint[seg, 1] * state.annoyance)
    complained = contacted & (streams["complaints"].random(n) < complaint)
    opted = _opt_outs(state, who, ch, delivered, streams["opt_outs"])

    return DayOutcome(
        day=day,
        answered=answered,
        effective=effective,
        paid_minor=paid,
        payment_events=events,
        promised=promised,
        promise_minor=promise_today,
        promise_kept=kept,
        promise_broken=broken,
        plan_taken=plan_taken,
        plan_broken=plan_broken,
        complained=complained,
        opted_out=opted,
        shock_started=shock_started,
    )


def _shocks(state: BorrowerState, k: int, rng: np.random.Generator) -> np.ndarray:
    """Job loss or illness: starts with a daily hazard, lasts an exponential recovery time."""
    table = state.params.table
    seg = state.segment
    u = rng.random(state.size)
    length = np.ceil(rng.exponential(table.recovery_days[seg])).astype(np.int32)
    started: np.ndarray = ~state.in_shock(k) & (u < table.shock_daily[seg])
    state.shock_until = np.where(started, k + np.maximum(length, 1), state.shock_until)
    if started.any():  # less to spend from today: cut what is left of this month's budget
        drop = 1.0 - table.income_drop[seg]
        cut = np.floor(state.ability_left_minor * drop).astype(np.int64)
        state.ability_left_minor = np.where(started, cut, state.ability_left_minor)
    return started


def _promises(
    state: BorrowerState,
    k: int,
    who: np.ndarray,
    ch: np.ndarray,
    effective: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A conversation (call, in-app chat) may end in a promise to pay the amount due."""
    table = state.params.table
    seg = state.segment
    n = state.size
    talked = np.zeros(n, bool)
    talked[who[effective & np.isin(ch, _PROMISE_CHANNELS)]] = True
    u_make, u_keep = rng.random(n), rng.random(n)
    free = (state.promise_due < k) & ~state.on_plan & (state.due_minor > 0)
    promised = talked & free & (u_make < table.promise_make[seg])
    amount = np.where(promised, state.due_minor, 0)
    will_keep = (u_keep < table.promise_keep[seg]) & ~state.in_shock(k)
    state.promise_due = np.where(promised, k + table.promise_days[seg], state.promise_due)
    state.promise_minor = np.where(promised, amount, state.promise_minor)
    state.promise_paid_minor = np.where(promised, 0, state.promise_paid_minor)
    state.promise_will_keep = np.where(promised, will_keep, state.promise_will_keep)
    return promised, amount


def _plans(
    state: BorrowerState,
    k: int,
    contacts: Contacts,
    answered: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """An answered plan offer is taken with the segment's uptake (higher when affordable)."""
    table = state.params.table
    n = state.size
    offered = answered & contacts.plan_offered
    u = rng.random(contacts.size)
    who = contacts.borrower
    uptake = table.plan_uptake[state.segment[who], contacts.plan_affordable.astype(np.int64)]
    takes = offered & (u < uptake) & ~state.on_plan[who]
    taken = np.zeros(n, bool)
    taken[who[takes]] = True
    instalment = np.zeros(n, np.int64)
    instalment[who[takes]] = contacts.plan_instalment_minor[takes]
    state.on_plan |= taken
    state.plan_instalment_minor = np.where(taken, instalment, state.plan_instalment_minor)
    state.plan_next_due = np.where(taken, k + MONTH_DAYS, state.plan_next_due)
    state.promise_due = np.where(taken, -1, state.promise_due)  # the plan replaces a promise
    return taken


def _payments(
    state: BorrowerState, k: int, streams: dict[str, np.random.Generator]
) -> tuple[np.ndarray, ...]:
    """Hawkes payment events, promised and plan payments; capped by what is owed and ability."""
    table = state.params.table
    seg = state.segment
    base = state.mu * np.where(state.in_shock(k), table.shock_mu_factor[seg], 1.0)
    intensity = base + state.excitation
    spontaneous = streams["payments"].poisson(intensity)
    target = spontaneous * (state.due_minor * state.pay_percent // 100)

    promise_due = state.promise_due == k
    keeps_promise = promise_due & state.promise_will_keep
    promise_left = np.maximum(state.promise_minor - state.promise_paid_minor, 0)
    target = np.where(keeps_promise, np.maximum(target, promise_left), target)

    plan_due = state.on_plan & (state.plan_next_due == k)
    keeps_plan = plan_due & (streams["amounts"].random(state.size) < table.plan_keep[seg])
    target = np.where(keeps_plan, np.maximum(target, state.plan_instalment_minor), target)

    paid = np.minimum(np.minimum(target, state.balance_minor), state.ability_left_minor)
    paid = np.maximum(paid, 0).astype(np.int64)
    owed_before = state.balance_minor.copy()
    events = np.where(paid > 0, np.maximum(spontaneous, 1), 0).astype(np.int64)

    state.balance_minor -= paid
    state.due_minor = np.maximum(state.due_minor - paid, 0)
    state.ability_left_minor -= paid
    state.payment_events += events
    state.paid_total_minor += paid

    open_promise = state.promise_due >= k
    state.promise_paid_minor = np.where(open_promise, state.promise_paid_minor + paid, 0)
    settled = state.promise_paid_minor >= state.promise_minor
    kept = promise_due & (settled | (state.balance_minor == 0))  # paid, or nothing left to pay
    broken = promise_due & ~kept
    plan_broken = plan_due & (paid < np.minimum(state.plan_instalment_minor, owed_before))
    state.on_plan &= ~plan_broken
    state.plan_next_due = np.where(plan_due & ~plan_broken, k + MONTH_DAYS, state.plan_next_due)
    return paid, events, kept, broken, plan_broken


def _opt_outs(
    state: BorrowerState,
    who: np.ndarray,
    ch: np.ndarray,
    delivered: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """A text or e-mail may be answered with STOP, more often the more annoyed the borrower."""
    table = state.params.table
    seg = state.segment[who]
    chance = _logistic(table.opt_out[seg, 0] + table.opt_out[seg, 1] * state.annoyance[who])
    stops = delivered & np.isin(ch, _STOP_CHANNELS) & (rng.random(who.shape[0]) < chance)
    opted = np.full(state.size, -1, np.int8)
    opted[who[stops]] = ch[stops]
    state.opted_out[who[stops], ch[stops]] = True
    return opted
