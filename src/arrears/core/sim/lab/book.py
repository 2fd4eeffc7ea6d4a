"""The lab's book: what servicing and the collection case know of each account, as columns.

Servicing is kept to what collection reads. Each account owes an instalment (the drawn amount
due) every 30 days; an instalment not paid by its due date is past due, and days past due count
from the oldest one still unpaid (payments settle the oldest first). There is no interest or
fee accrual: the book measures what collection changes, not what pricing does.

The case side is what the nightly batch reads from the contact log and the case (the facts in
`core.strategy.facts`): the last treatment step and its day, the last disposition, the no-answer
streak, right-party contacts in the last 30 days, the latest promise and broken promises, the
last day the borrower engaged, and whether they have told us of hardship.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arrears.core.ageing import DEFAULT_BUCKETS
from arrears.core.sim.population import BorrowerState

CYCLE_DAYS = 30
STATEMENT_DAYS = 20  # a statement (and the amount due) comes this many days before the due date
NONE = -1  # "no day" in the int32 day columns
RPC_WINDOW = 30
#: Bucket codes in order, and the smallest days past due of each (DEFAULT_BUCKETS).
BUCKETS: tuple[str, ...] = tuple(b.code for b in DEFAULT_BUCKETS.buckets)
_BUCKET_FLOORS = np.array([b.min_dpd for b in DEFAULT_BUCKETS.buckets], np.int64)
PROMISE_STATUSES = ("none", "live", "kept", "broken")
DISPOSITIONS = ("", "no_answer", "right_party_contact", "promise_to_pay")


def bucket_index(dpd: np.ndarray) -> np.ndarray:
    """Each account's bucket (index into BUCKETS) for its days past due."""
    return np.searchsorted(_BUCKET_FLOORS, dpd, side="right") - 1


@dataclass(kw_only=True)
class LabBook:
    """Servicing and case state, one entry per account (the borrower's index)."""

    instalment_minor: np.ndarray  # int64: what falls due each cycle
    past_due_minor: np.ndarray  # int64
    prepaid_minor: np.ndarray  # int64: paid ahead towards the next instalment
    oldest_due: np.ndarray  # int32 day number of the oldest unpaid instalment (NONE: current)
    last_due: np.ndarray  # int32 day number of the latest due date
    # case
    step: np.ndarray  # object: last treatment step id ('' none)
    step_day: np.ndarray  # int32
    opened_day: np.ndarray  # int32 day the case opened (NONE: no case)
    disposition: np.ndarray  # int8 index into DISPOSITIONS
    no_answer_streak: np.ndarray  # int32
    rpc_days: np.ndarray  # int32 [n, RPC_WINDOW]: day numbers of recent right-party contacts
    last_contact: np.ndarray  # int32
    last_engaged: np.ndarray  # int32: payment, promise or plan
    promise_status: np.ndarray  # int8 index into PROMISE_STATUSES
    broken_promises: np.ndarray  # int32
    hardship: np.ndarray  # bool: the borrower told us of difficulty
    placed: np.ndarray  # bool: referred to legal review or placed with an agency
    calls: np.ndarray  # int32: calls placed
    answers: np.ndarray  # int32: calls answered

    @property
    def size(self) -> int:
        return int(self.past_due_minor.shape[0])

    @classmethod
    def open(cls, state: BorrowerState, rng: np.random.Generator) -> LabBook:
        """Every account has just missed its first instalment, 1 to 15 days ago."""
        n = state.size
        missed = rng.integers(1, 16, size=n).astype(np.int32)
        book = cls(
            instalment_minor=state.due_minor.copy(),
            past_due_minor=state.due_minor.copy(),
            prepaid_minor=np.zeros(n, np.int64),
            oldest_due=-missed,
            last_due=-missed,
            step=np.full(n, "", object),
            step_day=np.full(n, NONE, np.int32),
            opened_day=-missed + 1,
            disposition=np.zeros(n, np.int8),
            no_answer_streak=np.zeros(n, np.int32),
            rpc_days=np.full((n, RPC_WINDOW), -10_000, np.int32),
            last_contact=np.full(n, NONE, np.int32),
            last_engaged=np.full(n, -10_000, np.int32),
            promise_status=np.zeros(n, np.int8),
            broken_promises=np.zeros(n, np.int32),
            hardship=np.zeros(n, bool),
            placed=np.zeros(n, bool),
            calls=np.zeros(n, np.int32),
            answers=np.zeros(n, np.int32),
        )
        book.show_amount_due(0, state)
        return book

    def days_past_due(self, k: int) -> np.ndarray:
        return np.where(self.past_due_minor > 0, k - self.oldest_due, 0).astype(np.int64)

    def fall_due(self, k: int, state: BorrowerState) -> None:
        """Instalments whose due date is day `k` become past due when unpaid (start of day)."""
        due = (k - self.last_due == CYCLE_DAYS) & (state.balance_minor > self.past_due_minor)
        owed = np.minimum(self.instalment_minor, state.balance_minor - self.past_due_minor)
        amount = np.where(due, np.maximum(owed - self.prepaid_minor, 0), 0)
        self.prepaid_minor = np.where(due, 0, self.prepaid_minor)
        due &= amount > 0
        was_current = self.past_due_minor == 0
        self.past_due_minor = np.where(due, self.past_due_minor + amount, self.past_due_minor)
        self.oldest_due = np.where(due & was_current, k, self.oldest_due).astype(np.int32)
        opens = due & was_current & (self.opened_day == NONE)
        self.opened_day = np.where(opens, k, self.opened_day).astype(np.int32)
        self.last_due = np.where(k - self.last_due == CYCLE_DAYS, k, self.last_due).astype(np.int32)
        self.show_amount_due(k, state)

    def show_amount_due(self, k: int, state: BorrowerState) -> None:
        """What the borrower is asked to pay now: the past-due amount, and from its statement
        (20 days before the due date) the next instalment, less what was paid ahead."""
        upcoming = k - self.last_due >= CYCLE_DAYS - STATEMENT_DAYS
        next_part = np.maximum(self.instalment_minor - self.prepaid_minor, 0)
        shown = self.past_due_minor + np.where(upcoming, next_part, 0)
        state.due_minor = np.minimum(shown, state.balance_minor)

    def settle(self, paid: np.ndarray, k: int, state: BorrowerState) -> np.ndarray:
        """Payments settle the oldest instalments first; returns who was cured today."""
        before = self.past_due_minor > 0
        ahead = np.maximum(paid - self.past_due_minor, 0)
        self.prepaid_minor = np.minimum(self.prepaid_minor + ahead, self.instalment_minor)
        self.past_due_minor = np.maximum(self.past_due_minor - paid, 0)
        self.past_due_minor = np.minimum(self.past_due_minor, state.balance_minor)
        cured: np.ndarray = before & (self.past_due_minor == 0)
        # the instalments still unpaid are the latest ones: the oldest is that many cycles back
        behind = -(-self.past_due_minor // np.maximum(self.instalment_minor, 1))
        oldest = self.last_due - CYCLE_DAYS * (np.maximum(behind, 1) - 1)
        self.oldest_due = np.where(
            self.past_due_minor > 0, np.maximum(oldest, self.oldest_due), NONE
        ).astype(np.int32)
        # a cured account's case closes: the next delinquency opens a new one
        self.opened_day = np.where(cured, NONE, self.opened_day).astype(np.int32)
        self.step = np.where(cured, "", self.step)
        self.step_day = np.where(cured, NONE, self.step_day).astype(np.int32)
        self.broken_promises = np.where(cured, 0, self.broken_promises).astype(np.int32)
        self.last_engaged = np.where(paid > 0, k, self.last_engaged).astype(np.int32)
        self.show_amount_due(k, state)
        return cured

    def rpc_30d(self, k: int) -> np.ndarray:
        counts: np.ndarray = (self.rpc_days > k - RPC_WINDOW).sum(axis=1).astype(np.int64)
        return counts

    def add_rpc(self, who: np.ndarray, k: int) -> None:
        slot = k % RPC_WINDOW
        self.rpc_days[who, slot] = k
