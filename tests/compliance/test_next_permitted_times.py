"""`next_permitted_times`: one contact asked about many instants (a page of callback slots) reads
the borrower's records once and answers each instant as `next_permitted` does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.compliance.services import record_contact_attempt, record_opt_out, set_hold
from arrears.compliance.services.gate import next_permitted, next_permitted_times
from arrears.core.errors import ValidationError
from tests.compliance.conftest import CN_MORNING, mobile_of

pytestmark = pytest.mark.django_db
#: The dispute hold set below covers 18–20 January (Shanghai): it ends at midnight there.
HOLD_ENDS = dt.datetime(2025, 1, 20, 16, 0, tzinfo=dt.UTC)


def _instants() -> list[dt.datetime]:
    """Every 97 minutes over nine days from now: night and day, weekdays and the weekend."""
    return [CN_MORNING + dt.timedelta(minutes=97 * n) for n in range(9 * 24 * 60 // 97)]


def test_each_instant_gets_the_answer_next_permitted_gives_it(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    number = mobile_of(borrower)
    for minutes in (-300, -120, -30):  # three calls answered this morning: the day's cap near
        record_contact_attempt(
            borrower=borrower, channel="call", address=number, outcome="conversation",
            started_at=CN_MORNING + dt.timedelta(minutes=minutes), accounts=[cn_loan],
            clock=cn_clock,
        )  # fmt: skip
    set_hold(
        borrower=borrower, kind="dispute", start_on=dt.date(2025, 1, 18),
        end_on=dt.date(2025, 1, 20), reason="The borrower disputes the fee", clock=cn_clock,
    )  # fmt: skip
    record_opt_out(borrower=borrower, channel="sms", source="SMS STOP", clock=cn_clock)

    many = next_permitted_times(
        borrower=borrower, channel="call", address=number, purpose="servicing", clock=cn_clock
    )
    answers = [many(at) for at in _instants()]
    asked = {"borrower": borrower, "channel": "call", "address": number, "purpose": "servicing"}
    one_by_one = [next_permitted(**asked, at=at, clock=cn_clock) for at in _instants()]

    assert answers == one_by_one
    # the case is not trivial: some instants are allowed as asked, some later, some need a person
    assert {a == at for a, at in zip(answers, _instants(), strict=True) if a is not None} == {
        True,
        False,
    }
    held = [a for a, at in zip(answers, _instants(), strict=True) if at.date().day == 19]
    assert held and all(a is not None and a >= HOLD_ENDS for a in held)


def test_a_stop_answers_none_at_every_instant_and_the_records_are_read_once(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    number = mobile_of(borrower)
    record_opt_out(borrower=borrower, channel="call", source="asked on a call", clock=cn_clock)
    many = next_permitted_times(
        borrower=borrower, channel="call", address=number, purpose="servicing", clock=cn_clock
    )

    with CaptureQueriesContext(connection) as queries:
        answers = [many(at) for at in _instants()]

    assert set(answers) == {None}
    assert len(queries) == 0


def test_an_instant_before_now_is_refused_by_name(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    many = next_permitted_times(
        borrower=borrower, channel="call", address=mobile_of(borrower), purpose="servicing",
        clock=cn_clock,
    )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        many(CN_MORNING - dt.timedelta(minutes=1))

    assert refused.value.field == "at"
