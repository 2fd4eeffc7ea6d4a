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
from arrears.collection.services.outcomes import record_call_outcome
from arrears.collection.services.promises import PromisedPayment
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
    calls: list[Call], outcome: DayOutcome, state: BorrowerState, *, currency: str
) -> Counter[str]:
    """Each call's disposition; the first right-party call of a borrower who promised today
    carries the promise. Returns counts by disposition."""
    counts: Counter[str] = Counter()
    promised = set(np.flatnonzero(outcome.promised).tolist())
    for call in calls:
        disposition, promise = "no_answer", None
        if call.right_party:
            disposition = "right_party_contact"
            if call.borrower in promised:
                promised.discard(call.borrower)
                disposition = "promise_to_pay"
                due_on = state.start_on + dt.timedelta(days=int(state.promise_due[call.borrower]))
                amount = Money.from_minor(int(outcome.promise_minor[call.borrower]), currency)
                promise = [PromisedPayment(due_on=due_on, amount=amount)]
        counts[_record(call, disposition, promise)] += 1
    return counts


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
