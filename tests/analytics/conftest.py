"""A small fixed book for March 2025, built with the real services, whose KPIs are counted by
hand in the tests (docs/analytics.md defines each one).

Five 12,000 CNY, 12-month loans (the same annuity instalment, `INSTALMENT`), aged on 28
February (the close of the day before the period) and on 31 March (its last day):

- **Ann**   opened 15 Jan, pays every instalment on its due date: current → current.
- **Bo**    opened 15 Jan, misses February (M1 at the start), promises 500 by 10 March and pays
  nothing by then (broken), then pays both instalments on 20 March: M1 → current (a cure).
- **Chen**  opened 15 Jan, misses February (M1), promises 800 by 10 March and pays 500 on 10
  March (partly kept), misses March too: M1 → M2. Two calls in March (one reaches him, one
  not), one call in February; one complaint in March (and an inquiry, and a complaint in April).
- **Dong**  opened 15 Dec 2024, misses January and February (M2 at the start), promises one
  instalment by 5 March and pays it then (kept): M2 → M2. An SMS in March; a call the gate
  refused at night in March; an inbound call (not an outbound attempt).
- **Eve**   opened 5 March: not open at the start, so in no roll-rate row.
- **Fay**   opened 15 Dec 2024, misses January and February (M2 at the start), agrees a
  repayment plan on 20 March (on a plan; neither completed nor broken in March).

Bo, Chen and Dong have collection cases opened on 1 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from arrears.core.clock import FixedClock
from arrears.core.money import Money

START = dt.date(2025, 3, 1)
END = dt.date(2025, 4, 1)
BEFORE = dt.date(2025, 2, 28)
LAST_DAY = dt.date(2025, 3, 31)


def shanghai(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` in Shanghai (UTC+8) on `day`, as an aware UTC instant."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC) - dt.timedelta(hours=8)


def clock_on(day: dt.date, hour: int = 10) -> FixedClock:
    return FixedClock(shanghai(day, hour))


@dataclass
class Book:
    ann: Any
    bo: Any
    chen: Any
    dong: Any
    eve: Any
    fay: Any
    instalment: Money


def _pay(account: Any, amount: Money, on: dt.date) -> None:
    from arrears.servicing.services.payments import post_payment

    post_payment(
        account=account,
        amount=amount,
        received_on=on,
        idempotency_key=f"pay-{account.number}-{on}-{amount.minor}",
        clock=clock_on(on),
    )


def _age(accounts: list[Any], on: dt.date) -> None:
    from arrears.servicing.services.ageing import age_account

    for account in accounts:
        account.refresh_from_db()
        age_account(account=account, as_of=on, clock=clock_on(on, 23))


def _promise(account: Any, amount: Money, due_on: dt.date, taken_on: dt.date) -> None:
    from arrears.collection.services import take_promise

    take_promise(
        account=account, instalments=[(due_on, amount)], source="agent", clock=clock_on(taken_on)
    )


def _mobile(account: Any) -> str:
    return str(account.borrower.contact_points.get(kind="mobile").value)


@pytest.fixture
def book(db) -> Book:  # type: ignore[no-untyped-def]
    """The March 2025 book described above."""
    from arrears.collection.services import (
        load_dispositions,
        open_case,
        record_call_outcome,
        review_promises,
    )
    from arrears.compliance.services import (
        load_profiles,
        record_contact_attempt,
        request_permit,
    )
    from tests.factories import make_loan_account
    from tests.hardship.conftest import set_up_plan

    load_profiles()
    load_dispositions()
    jan15, dec15 = dt.date(2025, 1, 15), dt.date(2024, 12, 15)
    ann, bo, chen = (make_loan_account(start_on=jan15) for _ in range(3))
    dong = make_loan_account(start_on=dec15)
    eve = make_loan_account(start_on=dt.date(2025, 3, 5))
    fay = make_loan_account(start_on=dec15)
    instalment = Money.from_minor(
        int(ann.obligations.order_by("due_on").first().amount_minor), "CNY"
    )
    _pay(ann, instalment, dt.date(2025, 2, 15))
    _age([ann, bo, chen, dong, fay], BEFORE)
    for account in (bo, chen, dong):
        open_case(account=account, on=START, reason="past due", clock=clock_on(START))
    # promises taken on 2 March
    _promise(bo, Money("500", "CNY"), dt.date(2025, 3, 10), dt.date(2025, 3, 2))
    _promise(chen, Money("800", "CNY"), dt.date(2025, 3, 10), dt.date(2025, 3, 2))
    _promise(dong, instalment, dt.date(2025, 3, 5), dt.date(2025, 3, 2))
    # March money
    _pay(dong, instalment, dt.date(2025, 3, 5))
    _pay(chen, Money("500", "CNY"), dt.date(2025, 3, 10))
    _pay(ann, instalment, dt.date(2025, 3, 15))
    review_promises(on=dt.date(2025, 3, 13), clock=clock_on(dt.date(2025, 3, 13), 22))
    _pay(bo, instalment + instalment, dt.date(2025, 3, 20))
    # contacts
    record_call_outcome(
        disposition="no_answer", number=_mobile(chen), account=chen,
        started_at=shanghai(dt.date(2025, 2, 20), 10), clock=clock_on(dt.date(2025, 2, 20), 11),
    )  # fmt: skip
    record_call_outcome(
        disposition="no_answer", number=_mobile(chen), account=chen,
        started_at=shanghai(dt.date(2025, 3, 3), 10), clock=clock_on(dt.date(2025, 3, 3), 11),
    )  # fmt: skip
    record_call_outcome(
        disposition="right_party_contact", number=_mobile(chen), account=chen,
        started_at=shanghai(dt.date(2025, 3, 4), 10), clock=clock_on(dt.date(2025, 3, 4), 11),
    )  # fmt: skip
    record_contact_attempt(
        borrower=dong.borrower, channel="sms", address=_mobile(dong), outcome="sent",
        started_at=shanghai(dt.date(2025, 3, 6), 10), accounts=[dong], purpose="collection",
        clock=clock_on(dt.date(2025, 3, 6), 11),
    )  # fmt: skip
    record_contact_attempt(
        borrower=dong.borrower, channel="call", address=_mobile(dong), outcome="conversation",
        direction="inbound", started_at=shanghai(dt.date(2025, 3, 7), 10), accounts=[dong],
        clock=clock_on(dt.date(2025, 3, 7), 11),
    )  # fmt: skip
    request_permit(
        borrower=dong.borrower, account=dong, channel="call", address=_mobile(dong),
        purpose="collection", at=shanghai(dt.date(2025, 3, 8), 23),
        clock=clock_on(dt.date(2025, 3, 8), 23),
    )  # fmt: skip
    _complaints(chen)
    set_up_plan(fay, clock_on(dt.date(2025, 3, 20)), on=dt.date(2025, 3, 20))
    _age([ann, bo, chen, dong, fay], LAST_DAY)
    return Book(ann, bo, chen, dong, eve, fay, instalment)


def _complaints(chen: Any) -> None:
    from arrears.care.services.tickets import open_ticket

    for kind, day in (
        ("complaint", dt.date(2025, 3, 12)),
        ("inquiry", dt.date(2025, 3, 12)),
        ("complaint", dt.date(2025, 4, 2)),
    ):
        open_ticket(
            kind=kind, subject="催收电话太多", origin="phone", borrower=chen.borrower,
            accounts=[chen], at=shanghai(day, 11), clock=clock_on(day, 12),
        )  # fmt: skip
