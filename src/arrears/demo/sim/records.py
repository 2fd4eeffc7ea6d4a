"""Writing what the simulated borrowers did back into the platform's own records.

Call results go through `record_call_outcome` (the contact log, the disposition's effects, and
a promise to pay taken in the call); complaints become care complaint tickets (what the KPI
counts); a STOP becomes the compliance opt-out (which voids the channel's unused permits).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from django.db import transaction

from arrears.care.choices import Origin, TicketKind
from arrears.care.services.tickets import open_ticket
from arrears.collection.choices import PromiseSource
from arrears.collection.services.outcomes import record_call_outcome
from arrears.collection.services.promises import PromisedPayment, take_promise
from arrears.compliance.services import record_opt_out
from arrears.core.clock import FixedClock
from arrears.core.errors import ArrearsError
from arrears.core.money import Money
from arrears.core.sim import CHANNELS, BorrowerState, DayOutcome
from arrears.demo.sim.book import Book
from arrears.demo.sim.engine_day import Call, lender_time
from arrears.servicing.models import Account, Borrower

COMPLAINT_SUBJECT = "Contacted too often (联系过于频繁)"
CALL_MINUTES = 3


def record_calls(
    calls: list[Call],
    outcome: DayOutcome,
    state: BorrowerState,
    *,
    currency: str,
    first_call: int,
    hardship_known: np.ndarray,
) -> tuple[Counter[str], set[int]]:
    """Each call's disposition: the first right-party call of a borrower who promised today
    carries the promise; a borrower in a shock who talks with the collector tells them of
    hardship (`hardship_claimed`: the case is flagged and its treatment paused), once.
    `first_call` is the calls' first row in the day's contacts. Returns the counts by
    disposition and the borrowers whose promise was recorded."""
    counts: Counter[str] = Counter()
    promised = set(np.flatnonzero(outcome.promised).tolist())
    recorded: set[int] = set()
    told = hardship_known.copy()
    in_shock = state.in_shock(state.day_number(outcome.day))
    for n, call in enumerate(calls):
        disposition, promise = "no_answer", None
        if call.right_party:
            disposition = "right_party_contact"
            i = call.borrower
            if i in promised:
                promised.discard(i)
                disposition = "promise_to_pay"
                promise = [_promised(state, outcome, i, currency)]
            elif outcome.effective[first_call + n] and in_shock[i] and not told[i]:
                told[i] = True
                disposition = "hardship_claimed"
        done = _record(call, disposition, promise)
        if done == "promise_to_pay":
            recorded.add(call.borrower)
        counts[done] += 1
    return counts, recorded


def _promised(state: BorrowerState, outcome: DayOutcome, i: int, currency: str) -> PromisedPayment:
    due_on = state.start_on + dt.timedelta(days=int(state.promise_due[i]))
    return PromisedPayment(
        due_on=due_on, amount=Money.from_minor(int(outcome.promise_minor[i]), currency)
    )


def record_app_promises(
    outcome: DayOutcome,
    state: BorrowerState,
    book: Book,
    *,
    recorded: set[int],
    day: dt.date,
    currency: str,
) -> int:
    """A promise made in an in-app conversation (not on a call) is taken through the
    promise service as the portal takes it; returns how many were taken. One the ledger would
    not take (nothing due by then) is left out, as the portal would refuse it."""
    who = [i for i in np.flatnonzero(outcome.promised).tolist() if i not in recorded]
    if not who:
        return 0
    accounts = Account.objects.in_bulk(book.account_ids[who].tolist())
    clock = FixedClock(lender_time(day, 20, 30))
    taken = 0
    for i in who:
        account = accounts[int(book.account_ids[i])]
        try:
            with transaction.atomic():
                take_promise(
                    account=account,
                    instalments=[_promised(state, outcome, i, currency)],
                    source=PromiseSource.PORTAL,
                    idempotency_key=f"sim:promise:{account.number}:{day.isoformat()}",
                    clock=clock,
                )
        except ArrearsError:
            continue
        taken += 1
    return taken


def _record(call: Call, disposition: str, promise: list[PromisedPayment] | None) -> str:
    action = call.taken.action
    ended = FixedClock(call.started_at + dt.timedelta(minutes=CALL_MINUTES))
    kwargs = {
        "number": action.address,
        "case": action.case,
        "started_at": call.started_at,
        "duration_seconds": CALL_MINUTES * 60 if call.right_party else 30,
        "agent": call.agent,
        "permit": call.taken.permit,
        "action": action,
        "clock": ended,
    }
    if promise is not None:
        try:
            with transaction.atomic():
                record_call_outcome(disposition=disposition, promise=promise, **kwargs)
            return disposition
        except ArrearsError:  # the ledger would not take that promise: a plain conversation
            disposition = "right_party_contact"
    record_call_outcome(disposition=disposition, **kwargs)
    return disposition


def record_complaints(outcome: DayOutcome, book: Book, *, day: dt.date) -> int:
    """A complaint ticket for each borrower who complained today."""
    who = np.flatnonzero(outcome.complained)
    if who.size == 0:
        return 0
    borrowers = Borrower.objects.in_bulk(book.borrower_ids[who].tolist())
    accounts = Account.objects.in_bulk(book.account_ids[who].tolist())
    clock = FixedClock(lender_time(day, 21))
    for i in who.tolist():
        open_ticket(
            kind=TicketKind.COMPLAINT,
            subject=COMPLAINT_SUBJECT,
            origin=Origin.PHONE,
            borrower=borrowers[int(book.borrower_ids[i])],
            accounts=[accounts[int(book.account_ids[i])]],
            clock=clock,
        )
    return int(who.size)


def record_opt_outs(outcome: DayOutcome, book: Book, *, day: dt.date) -> int:
    """The compliance opt-out of each borrower who answered a text or e-mail with STOP."""
    who = np.flatnonzero(outcome.opted_out >= 0)
    if who.size == 0:
        return 0
    borrowers = Borrower.objects.in_bulk(book.borrower_ids[who].tolist())
    clock = FixedClock(lender_time(day, 21, 30))
    for i in who.tolist():
        channel = CHANNELS[int(outcome.opted_out[i])]
        record_opt_out(
            borrower=borrowers[int(book.borrower_ids[i])],
            channel=channel,
            source=f"{channel} STOP",
            clock=clock,
        )
    return int(who.size)
