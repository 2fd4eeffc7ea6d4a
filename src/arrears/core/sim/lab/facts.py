"""The strategy's facts (`core.strategy.facts`) for the lab's open cases, from the book.

The same facts the nightly batch builds from the database (`collection.batch.facts`), from the
lab's columns instead: the real `evaluate_frame` then reads them. `risk_score` is a behavioural
score the lender could compute from what it has seen (days past due, broken promises, calls
never answered, no payment for a month): 0 (safe) to 1000 (unlikely to pay); it never reads the
simulated borrower's hidden traits.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from arrears.core.collection.stages import stage_for
from arrears.core.sim.lab.book import (
    BUCKETS,
    DISPOSITIONS,
    NONE,
    PROMISE_STATUSES,
    LabBook,
    bucket_index,
)
from arrears.core.sim.params import CHANNEL_INDEX
from arrears.core.sim.population import BorrowerState
from arrears.core.strategy.facts import MINOR_EXPONENT, facts_schema

BACK_OFF_DAYS = 7  # ARREARS_COLLECTION_BACK_OFF_DAYS' default
_CALL, _EMAIL = CHANNEL_INDEX["call"], CHANNEL_INDEX["email"]


def open_cases(book: LabBook) -> np.ndarray:
    """The accounts the night evaluates: an open case, not referred or placed."""
    return np.flatnonzero((book.opened_day != NONE) & ~book.placed)


def risk_scores(book: LabBook, k: int, dpd: np.ndarray) -> np.ndarray:
    """0 (safe) … 1000 (unlikely to pay), from what the lender has observed."""
    silent = (book.calls >= 3) & (book.answers == 0)
    unpaid_month = book.last_engaged < k - 30
    score = (
        np.minimum(dpd, 180) * 3
        + 150 * np.minimum(book.broken_promises, 3)
        + 200 * silent
        + 150 * unpaid_month
    )
    clipped: np.ndarray = np.clip(score, 0, 1000).astype(np.int64)
    return clipped


def facts_frame(book: LabBook, state: BorrowerState, who: np.ndarray, *, k: int) -> pl.DataFrame:
    """One row of facts per account in `who` (columns: `facts_schema()`) on day `k`."""
    every_dpd = book.days_past_due(k)
    dpd = every_dpd[who]
    kinds = np.array([s.product_kind for s in state.params.segments], object)[state.segment[who]]
    stages = {d: stage_for(int(d)).value for d in np.unique(dpd)}
    reach = state.reachable[who]
    opted = state.opted_out[who]
    last_contact = book.last_contact[who]
    step_day = book.step_day[who]
    columns = {
        "account_id": who.astype(np.int64),
        "borrower_id": who.astype(np.int64),
        "product": np.where(kinds == "card", "cn_card_classic", "cn_consumer_loan"),
        "product_kind": kinds,
        "currency": np.full(who.size, state.params.currency, object),
        "days_past_due": dpd,
        "bucket": np.array(BUCKETS, object)[bucket_index(dpd)],
        "balance_minor": state.balance_minor[who],
        "past_due_minor": book.past_due_minor[who],
        "risk_score": risk_scores(book, k, every_dpd)[who],
        "case_stage": np.array([stages[d] for d in dpd], object),
        "days_in_case": (k - book.opened_day[who]).astype(np.int64),
        "promise_status": np.array(PROMISE_STATUSES, object)[book.promise_status[who]],
        "broken_promises": book.broken_promises[who].astype(np.int64),
        "last_disposition": np.array(DISPOSITIONS, object)[book.disposition[who]],
        "no_answer_streak": book.no_answer_streak[who].astype(np.int64),
        "right_party_contacts_30d": book.rpc_30d(k)[who],
        "days_since_last_contact": _since(k, last_contact),
        "engaged_recently": (book.last_engaged[who] > k - BACK_OFF_DAYS) | state.on_plan[who],
        "hardship": book.hardship[who],
        "vulnerable": np.zeros(who.size, bool),
        "dispute_open": np.zeros(who.size, bool),
        "on_plan": state.on_plan[who],
        "language": np.full(who.size, "zh-hans", object),
        "jurisdiction": np.full(who.size, "CN", object),
        "has_valid_phone": reach[:, _CALL] & ~opted[:, _CALL],
        "has_valid_email": reach[:, _EMAIL] & ~opted[:, _EMAIL],
        "last_step": book.step[who],
        "days_since_last_step": _since(k, step_day),
        MINOR_EXPONENT: np.full(who.size, 2, np.int64),
    }
    schema = facts_schema()
    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=schema[name], strict=False)
            for name, values in columns.items()
        ]
    )


def _since(k: int, days: np.ndarray) -> pl.Series:
    """Days since each day number; null where there was none."""
    since = pl.Series((k - days).astype(np.int64))
    missing = np.flatnonzero(days == NONE)
    return since.scatter(missing, None) if missing.size else since
