"""What the desk passes to collection, at once, so service and collection never work against
each other.

- A **dispute** (异议) puts a compliance hold of kind `dispute` on each of the ticket's accounts
  (on the borrower, covering every account, when none is linked). The compliance gate then
  refuses collection contact, and the accounts leave every collector's work queue (which skips
  accounts with a hold in force). The hold has no end: it names the ticket and asks for a review
  in `DISPUTE_REVIEW_DAYS`; solving or closing the ticket does not lift it — the lender lifts it
  (`compliance.services.lift_hold`) once the investigation is done.
- A **hardship request** (还款困难申请) flags the open collection case of each of the ticket's
  accounts (of every account of the borrower when none is linked) for hardship, which pauses the
  treatment while the hardship is assessed (`collection.services.flag_hardship`).

The ticket gets a `sent_to_collection` event saying what was done. Passing a ticket again does
nothing new: an account already under a dispute hold, or a case this ticket already flagged, is
left alone (accounts linked later are passed then).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.care.choices import TicketEventKind, TicketKind
from arrears.care.models import Ticket
from arrears.care.services.ticket_support import record_event
from arrears.collection.selectors import open_case_of
from arrears.collection.services import flag_hardship
from arrears.compliance.choices import HoldKind
from arrears.compliance.selectors import account_holds, borrower_holds
from arrears.compliance.services.records import set_hold
from arrears.core.clock import FixedClock
from arrears.servicing.models import Account

#: When a person must look at a dispute hold again (the US validation period is 30 days).
DISPUTE_REVIEW_DAYS = 30


def pass_to_collection(*, ticket: Ticket, at: dt.datetime) -> None:
    """Tell collection about a dispute (a hold) or a hardship request (the hardship flag and a
    pause); nothing for other kinds or a sender not yet known to be a borrower."""
    if ticket.borrower is None:
        return
    if ticket.kind == TicketKind.DISPUTE:
        _hold_disputed(ticket, at)
    elif ticket.kind == TicketKind.HARDSHIP_REQUEST:
        _flag_hardship(ticket, at)


def _hold_disputed(ticket: Ticket, at: dt.datetime) -> None:
    today = timezone.localdate(at)
    borrower = ticket.borrower
    assert borrower is not None
    accounts: list[Account | None] = list(ticket.accounts.order_by("pk")) or [None]
    reason = _("Dispute raised on care ticket %(reference)s: no collection contact until it is "
               "investigated") % {"reference": ticket.reference}  # fmt: skip
    holds = []
    for account in accounts:
        if _dispute_hold_in_force(borrower, account, today):
            continue
        holds.append(
            set_hold(
                borrower=borrower,
                account=account,
                kind=HoldKind.DISPUTE,
                start_on=today,
                review_on=today + dt.timedelta(days=DISPUTE_REVIEW_DAYS),
                reason=reason,
                clock=FixedClock(at),
            )
        )
    if holds:
        _record(
            ticket,
            at,
            reason="handoff.dispute_hold",
            params={
                "holds": [h.pk for h in holds],
                "accounts": [h.account.number if h.account else None for h in holds],
                "review_on": (today + dt.timedelta(days=DISPUTE_REVIEW_DAYS)).isoformat(),
            },
        )


def _dispute_hold_in_force(borrower: Any, account: Account | None, today: dt.date) -> bool:
    holds = (
        account_holds(account, current_on=today)
        if account is not None
        else borrower_holds(borrower, current_on=today).filter(account__isnull=True)
    )
    return holds.filter(kind=HoldKind.DISPUTE).exists()


def _flag_hardship(ticket: Ticket, at: dt.datetime) -> None:
    today = timezone.localdate(at)
    borrower = ticket.borrower
    assert borrower is not None
    accounts = list(ticket.accounts.order_by("pk")) or list(borrower.accounts.order_by("pk"))
    done = _cases_already_flagged(ticket)
    reason = _("Hardship request on care ticket %(reference)s") % {"reference": ticket.reference}
    flagged, without_case = [], []
    for account in accounts:
        case = open_case_of(account)
        if case is None:
            without_case.append(account.number)
        elif case.pk not in done:
            flag_hardship(case=case, on=today, reason=reason, clock=FixedClock(at))
            case.refresh_from_db()
            flagged.append({"case": case.pk, "account": account.number,
                            "paused_until": case.paused_until.isoformat()
                            if case.paused_until else None})  # fmt: skip
    if flagged:
        _record(ticket, at, reason="handoff.hardship_flagged", params={"cases": flagged})
    elif not done and not _already_sent(ticket):
        _record(ticket, at, reason="handoff.no_open_case", params={"accounts": without_case})


def _cases_already_flagged(ticket: Ticket) -> set[int]:
    cases: set[int] = set()
    for params in ticket.events.filter(kind=TicketEventKind.SENT_TO_COLLECTION).values_list(
        "params", flat=True
    ):
        cases.update(int(c["case"]) for c in (params or {}).get("cases", []))
    return cases


def _already_sent(ticket: Ticket) -> bool:
    return ticket.events.filter(kind=TicketEventKind.SENT_TO_COLLECTION).exists()


def _record(ticket: Ticket, at: dt.datetime, *, reason: str, params: dict[str, Any]) -> None:
    record_event(ticket, TicketEventKind.SENT_TO_COLLECTION, at=at, reason=reason, params=params)
