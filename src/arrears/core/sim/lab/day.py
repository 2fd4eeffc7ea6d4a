"""One simulated day in the lab: the night's strategy, the gate, the contacts, the borrowers.

1. Instalments fall due; the open cases' facts are built and the **real** strategy evaluation
   (`evaluate_frame`) says each account's step for the day.
2. Messages and letters go to the gate at noon lender time; calls are ranked by the expected
   value of a contact now (`core.collection.value`, the work queue's model) and as many as the
   collectors can make are spread over their day (09:00–20:59), each put to the gate at its
   minute. Legal review and agency placement take the account out of the lab's contacts.
3. Only what the gate allowed reaches a borrower (`simulate_day`); a refused step is proposed
   again the next day, as a deferred action would be.
4. Payments settle the arrears; call results, promises, plans and hardship disclosed go to the
   case; the day's figures are returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from arrears.core.collection.value import contact_values
from arrears.core.sim.behaviour import DayOutcome, simulate_day
from arrears.core.sim.contacts import Contacts
from arrears.core.sim.lab.book import BUCKETS, DISPOSITIONS, PROMISE_STATUSES, LabBook, bucket_index
from arrears.core.sim.lab.facts import facts_frame, open_cases
from arrears.core.sim.lab.gate import ContactLog, audit, decide
from arrears.core.sim.offers import PLAN_TEMPLATES, offered_instalment
from arrears.core.sim.params import CHANNEL_INDEX, CHANNELS
from arrears.core.sim.population import BorrowerState
from arrears.core.sim.streams import DayStreams
from arrears.core.strategy.document import Strategy
from arrears.core.strategy.vectorised import evaluate_frame

LENDER_UTC_OFFSET = 8  # the lender works on China Standard Time
MESSAGE_HOUR = 12
WORK_START_MINUTE, WORK_MINUTES = 9 * 60, 12 * 60
_MESSAGE_ACTIONS = ("message", "warning_letter", "lawyers_letter")
_PLACING_ACTIONS = ("legal_review", "agency_placement")
_DUE = ("due", "repeat_due")
AUDIT_PER_DAY = 20  # contacts a day re-checked by the scalar gate
_CALL = CHANNEL_INDEX["call"]
_STATUS = {name: i for i, name in enumerate(PROMISE_STATUSES)}
_DISPOSITION = {name: i for i, name in enumerate(DISPOSITIONS)}


@dataclass
class Lab:
    """Everything a lab run carries from one day to the next."""

    strategy: Strategy
    state: BorrowerState
    book: LabBook
    log: ContactLog
    streams: DayStreams
    capacity: tuple[int, int]  # (collectors, calls each)
    costs_minor: np.ndarray  # int64 per channel
    contacts: np.ndarray  # int64 per account: delivered contacts
    complaints: np.ndarray  # int64 per account
    arm: np.ndarray  # object per account: the path of the latest evaluation
    audit_rng: np.random.Generator  # picks the contacts re-checked by the scalar gate
    audit_per_day: int = AUDIT_PER_DAY
    breaches: int = 0


def lender_moment(day: dt.date, minute: int) -> np.datetime64:
    """`minute` after lender midnight of `day`, as a UTC datetime64[us]."""
    midnight = np.datetime64(day, "us") - np.timedelta64(LENDER_UTC_OFFSET, "h")
    return midnight + np.timedelta64(minute, "m")


def run_day(lab: Lab, k: int, day: dt.date) -> dict[str, Any]:
    book, state = lab.book, lab.state
    book.fall_due(k, state)
    who = open_cases(book)
    plan = evaluate_frame(lab.strategy, facts_frame(book, state, who, k=k), as_of=day)
    arms = plan.get_column("arm").fill_null("").to_numpy()
    lab.arm[who] = arms
    due = plan.filter(pl.col("outcome").is_in(_DUE))
    placing = due.filter(pl.col("action").is_in(_PLACING_ACTIONS))
    _done(book, placing, k)
    book.placed[placing.get_column("account_id").to_numpy()] = True
    messages = due.filter(pl.col("action").is_in(_MESSAGE_ACTIONS))
    calls = _ranked_calls(due.filter(pl.col("action") == "call"), lab, k)

    now = lender_moment(day, 30).astype(dt.datetime).replace(tzinfo=dt.UTC)
    made, refused = [], 0
    for rows, at in (
        (messages, _message_times(messages, day)),
        (calls, _call_times(calls, lab, day)),
    ):
        who_here = rows.get_column("account_id").to_numpy()
        channel = _channels(rows)
        allowed, _next = decide(state, lab.log, who_here, channel, at, now=now)
        refused += int((~allowed).sum())
        kept = rows.filter(pl.Series(allowed))
        _done(book, kept, k)
        made.append((kept, channel[allowed], at[allowed]))
    lab.breaches += _audit(lab, made, now)
    contacts, frame = _contacts(made, lab, k)
    outcome = simulate_day(state, day=day, contacts=contacts, rng=lab.streams)
    cured = book.settle(outcome.paid_minor, k, state)
    _log(lab, contacts, frame, outcome)
    _record(lab, contacts, outcome, k)
    lab.log.prune(now.replace(tzinfo=dt.UTC))
    return _row(lab, day, contacts, outcome, cured, refused)


def _audit(
    lab: Lab, made: list[tuple[pl.DataFrame, np.ndarray, np.ndarray]], now: dt.datetime
) -> int:
    """Re-check a sample of the day's contacts with the scalar (online) gate, over the log as
    it stood before them: every refusal there is a breach."""
    who = np.concatenate([rows.get_column("account_id").to_numpy() for rows, _, _ in made])
    channel = np.concatenate([c for _, c, _ in made]).astype(np.int64)
    at = np.concatenate([a for _, _, a in made])
    if not who.size or not lab.audit_per_day:
        return 0
    pick = lab.audit_rng.choice(who.size, size=min(lab.audit_per_day, who.size), replace=False)
    return audit(lab.state, lab.log, who[pick], channel[pick], at[pick], now=now)


def _ranked_calls(calls: pl.DataFrame, lab: Lab, k: int) -> pl.DataFrame:
    """The calls the collectors can make today, best expected value first."""
    if calls.is_empty():
        return calls
    book = lab.book
    who = calls.get_column("account_id").to_numpy()
    answer_rate = (book.answers[who] + 1.0) / (book.calls[who] + 4.0)  # the lender's estimate
    buckets = np.array(BUCKETS, object)[bucket_index(book.days_past_due(k)[who])]
    valued = contact_values(
        calls.with_columns(
            pl.Series("balance_minor", book.past_due_minor[who]),
            pl.Series("bucket", buckets, dtype=pl.String),
            pl.lit("call").alias("channel"),
            pl.Series("answer_rate", answer_rate),
        )
    )
    best = valued.sort(["value_minor", "account_id"], descending=[True, False])
    collectors, each = lab.capacity
    return best.head(collectors * each).select(calls.columns)


def _message_times(rows: pl.DataFrame, day: dt.date) -> np.ndarray:
    return np.full(rows.height, lender_moment(day, MESSAGE_HOUR * 60))


def _call_times(rows: pl.DataFrame, lab: Lab, day: dt.date) -> np.ndarray:
    """The r-th best call is collector r mod K's (r div K)-th call, evenly over the day."""
    collectors, each = lab.capacity
    rank = np.arange(rows.height)
    minute = WORK_START_MINUTE + (rank // max(collectors, 1)) * WORK_MINUTES // max(each, 1)
    return lender_moment(day, 0) + minute.astype("timedelta64[m]")


def _channels(rows: pl.DataFrame) -> np.ndarray:
    names = rows.get_column("channel").fill_null("call").to_list()
    return np.array([CHANNEL_INDEX[name] for name in names], np.int64)


def _done(book: LabBook, rows: pl.DataFrame, k: int) -> None:
    """The steps carried out today become the cases' last steps."""
    who = rows.get_column("account_id").to_numpy()
    book.step[who] = rows.get_column("step").to_numpy()
    book.step_day[who] = k


def _contacts(
    made: list[tuple[pl.DataFrame, np.ndarray, np.ndarray]], lab: Lab, k: int
) -> tuple[Contacts, pl.DataFrame]:
    """The contacts made today, with plan offers where the template or the case calls for one."""
    state, book = lab.state, lab.book
    frame = pl.concat([rows.select("account_id", "template") for rows, _, _ in made])
    who = frame.get_column("account_id").to_numpy().astype(np.int64)
    channel = np.concatenate([c for _, c, _ in made]).astype(np.int64)
    at = np.concatenate([a for _, _, a in made])
    templates = frame.get_column("template").fill_null("").to_numpy()
    offered = np.isin(templates, list(PLAN_TEMPLATES)) | ((channel == _CALL) & book.hardship[who])
    instalment, affordable = plan_offer(state, book, who, k)
    utc_hour = (at.astype("datetime64[h]") - np.datetime64("1970-01-05T00", "h")).astype(np.int64)
    local_hour = (utc_hour + state.utc_offset_hours[who]) % (7 * 24)
    contacts = Contacts.build(
        borrower=who,
        channel=channel,
        hour_of_week=local_hour,
        population=state.size,
        plan_offered=offered & ~state.on_plan[who] & (book.past_due_minor[who] > 0),
        plan_affordable=affordable,
        plan_instalment_minor=instalment,
    )
    return contacts, frame.with_columns(pl.Series("at", at))


def plan_offer(
    state: BorrowerState, book: LabBook, who: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The instalment offered and whether it is affordable (`offers.offered_instalment`)."""
    ability = state.monthly_ability_minor(k)[who]
    return offered_instalment(state.balance_minor[who], ability, book.hardship[who])


def _log(lab: Lab, contacts: Contacts, frame: pl.DataFrame, outcome: DayOutcome) -> None:
    """Every contact made goes to the log the gate reads (calls with their result)."""
    delivered = lab.state.reachable[contacts.borrower, contacts.channel]
    is_call = contacts.channel == _CALL
    result = np.where(
        is_call,
        np.where(outcome.answered, "conversation", "no_answer"),
        np.where(delivered, "delivered", "bounced"),
    )
    at = frame.get_column("at").to_numpy() if frame.height else np.zeros(0, "datetime64[us]")
    lab.log.add(contacts.borrower, contacts.channel.astype(np.int64), at, result.tolist())


def _record(lab: Lab, contacts: Contacts, outcome: DayOutcome, k: int) -> None:
    """What the case learns: call results, promises, plans, hardship told, contacts counted."""
    book, state = lab.book, lab.state
    who, is_call = contacts.borrower, contacts.channel == _CALL
    called, answered = who[is_call], outcome.answered[is_call]
    np.add.at(book.calls, called, 1)
    np.add.at(book.answers, called[answered], 1)
    book.add_rpc(called[answered], k)
    book.no_answer_streak[called] = np.where(answered, 0, book.no_answer_streak[called] + 1)
    book.disposition[called] = np.where(
        answered, _DISPOSITION["right_party_contact"], _DISPOSITION["no_answer"]
    )
    talked = called[outcome.effective[is_call]]
    book.hardship[talked] |= state.in_shock(k)[talked]
    book.last_contact[who] = k
    promised = outcome.promised
    book.disposition[promised] = _DISPOSITION["promise_to_pay"]
    book.promise_status[promised] = _STATUS["live"]
    book.promise_status[outcome.promise_kept] = _STATUS["kept"]
    book.promise_status[outcome.promise_broken] = _STATUS["broken"]
    book.broken_promises += outcome.promise_broken
    engaged = promised | outcome.plan_taken | state.on_plan
    book.last_engaged[engaged] = k
    delivered = state.reachable[who, contacts.channel]
    np.add.at(lab.contacts, who[delivered], 1)
    lab.complaints += outcome.complained


def _row(
    lab: Lab,
    day: dt.date,
    contacts: Contacts,
    outcome: DayOutcome,
    cured: np.ndarray,
    refused: int,
) -> dict[str, Any]:
    by_channel = np.bincount(contacts.channel.astype(np.int64), minlength=len(CHANNELS))
    is_call = contacts.channel == _CALL
    return {
        "day": day,
        "collected_minor": int(outcome.paid_minor.sum()),
        "cost_minor": int((by_channel * lab.costs_minor).sum()),
        **{f"contacts_{name}": int(by_channel[i]) for i, name in enumerate(CHANNELS)},
        "calls_right_party": int(outcome.answered[is_call].sum()),
        "refused": refused,
        "promises": int(outcome.promised.sum()),
        "promises_kept": int(outcome.promise_kept.sum()),
        "promises_broken": int(outcome.promise_broken.sum()),
        "plans_offered": int(contacts.plan_offered.sum()),
        "plans_taken": int(outcome.plan_taken.sum()),
        "complaints": int(outcome.complained.sum()),
        "opt_outs": int((outcome.opted_out >= 0).sum()),
        "delinquent": int((lab.book.past_due_minor > 0).sum()),
        "cured": int(cured.sum()),
    }
