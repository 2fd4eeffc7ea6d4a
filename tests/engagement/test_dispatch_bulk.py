"""A dispatch pass asks the compliance gate once for its whole batch: the same answers as one
message at a time, a bad message failing alone, and still one permit used per message sent."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.compliance import services as compliance_services
from arrears.compliance.models import ContactAttempt, Decision, Permit
from arrears.engagement import dispatch
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.dispatch import dispatch_outbox
from arrears.engagement.models import OutboxMessage
from tests.engagement.channel_support import make_outbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gate_calls(monkeypatch):  # type: ignore[no-untyped-def]
    """How often, and with how many proposals, the dispatcher asks the bulk gate."""
    asked: list[int] = []
    real = dispatch.decide_in_bulk

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs["proposals"].height)
        return real(**kwargs)

    monkeypatch.setattr(dispatch, "decide_in_bulk", counting)

    def online(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the dispatcher asked the online gate")

    monkeypatch.setattr(compliance_services, "request_permit", online)
    return asked


def loans(n: int):  # type: ignore[no-untyped-def]
    from tests.factories import make_loan_account

    return [make_loan_account() for _ in range(n)]


def test_a_pass_asks_the_gate_once_for_every_message_it_claimed(
    profiles, cn_clock, sms_provider, gate_calls
):
    rows = [make_outbox(account, channel="sms", clock=cn_clock) for account in loans(6)]

    counts = dispatch_outbox(clock=cn_clock)

    assert (counts.claimed, counts.sent) == (6, 6)
    assert gate_calls == [6]
    for row in rows:
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENT and row.decision.allowed
        assert row.permit.decision_id == row.decision_id and row.permit.used_at == cn_clock.now()
        assert ContactAttempt.objects.filter(permit=row.permit).count() == 1
    assert Decision.objects.count() == Permit.objects.count() == 6


def test_a_third_text_to_one_borrower_in_a_pass_waits_for_the_next_day_as_one_by_one(
    cn_loan, cn_clock, sms_provider, gate_calls
):
    # given three texts for one borrower (the house rules allow two a day)
    rows = [make_outbox(cn_loan, channel="sms", clock=cn_clock) for _ in range(3)]

    counts = dispatch_outbox(clock=cn_clock)

    # then two go out and the third waits for 08:00 the next morning in Shanghai
    assert (counts.sent, counts.deferred) == (2, 1)
    for row in rows:
        row.refresh_from_db()
    waiting = next(row for row in rows if row.status == OutboxStatus.PENDING)
    assert waiting.attempts == 0 and waiting.permit is None
    assert waiting.decision.denied_rule_ids == ["frequency.electronic_caps"]
    assert waiting.next_attempt_at == dt.datetime(2025, 1, 16, 0, 0, tzinfo=dt.UTC)
    assert "frequency.electronic_caps" in waiting.last_error
    assert len(sms_provider.texts()) == 2


def test_a_message_the_gate_cannot_judge_fails_alone_and_the_rest_go_out(
    cn_loan, cn_clock, sms_provider, gate_calls
):
    from tests.factories import make_borrower

    stranger = make_borrower(country="JP", phones=["+81 90 1234 5678"])
    good = make_outbox(cn_loan, channel="sms", clock=cn_clock)
    bad = make_outbox(cn_loan, channel="sms", clock=cn_clock, borrower=stranger)
    OutboxMessage.objects.filter(pk=bad.pk).update(account=None, address="+819012345678")

    counts = dispatch_outbox(clock=cn_clock)

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (counts.sent, counts.failed) == (1, 1)
    assert good.status == OutboxStatus.SENT
    assert bad.status == OutboxStatus.FAILED and "borrower.country" in bad.last_error
    assert gate_calls == [2, 1]  # asked again without the message it could not judge


def test_a_message_refused_with_no_later_time_is_blocked_with_its_decision(
    cn_loan, cn_clock, sms_provider, gate_calls
):
    from arrears.compliance.services import set_hold

    set_hold(
        borrower=cn_loan.borrower,
        kind="cease_communication",
        start_on=cn_clock.now().date(),
        review_on=cn_clock.now().date() + dt.timedelta(days=90),
        reason="asked us to stop",
        clock=cn_clock,
    )
    row = make_outbox(cn_loan, channel="sms", clock=cn_clock)

    assert dispatch_outbox(clock=cn_clock).blocked == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.permit) == (OutboxStatus.BLOCKED, 0, None)
    assert row.decision.denied_rule_ids == ["hold.cease_communication"]
    assert sms_provider.requests == []
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENDING).count() == 0


# --- what a pass sends was written in bulk the night before -------------------------------------


def test_the_night_s_notices_are_written_in_the_same_number_of_queries_for_2_or_12_loans(
    templates,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from arrears.engagement.services import run_notices
    from tests.engagement.conftest import FIRST_DUE, morning_of

    day = FIRST_DUE - dt.timedelta(days=1)  # a reminder one day before the first due date
    seen = []
    for more in (2, 10):
        loans(more)
        OutboxMessage.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run = run_notices(day=day, clock=morning_of(day))
        seen.append((sum(run.written.values()), len(queries)))

    (two, two_queries), (twelve, twelve_queries) = seen
    assert (two, twelve) == (2, 12)
    assert two_queries == twelve_queries  # set-based reads, one bulk insert
