"""The outbox dispatcher: a permit at send time, retries with back-off, messages refused by the
gate re-queued at the next permitted time, and exactly once even when the dispatcher is killed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from arrears.compliance.models import ContactAttempt
from arrears.compliance.services import record_opt_out
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.dispatch import dispatch_outbox
from arrears.engagement.inbox import InAppNotification
from arrears.engagement.models import OutboxMessage
from tests.engagement.channel_support import advance, make_outbox, mobile_of

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = dt.timedelta(seconds=300)


class KilledDispatcher(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the dispatcher catches it."""


def kill_at(step: str, n: int):  # type: ignore[no-untyped-def]
    """A step hook that kills the dispatcher the `n`-th time it reaches `step`."""
    seen = Counter[str]()

    def hook(reached: str, message: OutboxMessage) -> None:
        seen[reached] += 1
        if reached == step and seen[reached] == n:
            raise KilledDispatcher(f"killed at {step} #{n}")

    return hook


def other_accounts(n: int):  # type: ignore[no-untyped-def]
    from tests.factories import make_loan_account

    return [make_loan_account() for _ in range(n)]


def test_due_messages_go_out_on_every_channel_each_with_its_own_permit(
    cn_loan, cn_clock, sms_provider, smtp_server, letter_dir
):
    rows = [
        make_outbox(cn_loan, channel=c, clock=cn_clock)
        for c in ("sms", "email", "letter", "in_app")
    ]

    counts = dispatch_outbox(clock=cn_clock)

    assert (counts.claimed, counts.sent) == (4, 4)
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
        assert row.permit.used_at == cn_clock.now()
        assert row.decision.allowed and row.provider_ref and row.sent_at == cn_clock.now()
        assert ContactAttempt.objects.filter(permit=row.permit).count() == 1
    assert [t["Body"] for t in sms_provider.texts()] == [rows[0].body]
    assert smtp_server.message_ids() == [f"<{rows[1].pk}@lender.example>"]
    assert (letter_dir / "2025-01-15" / f"{rows[2].pk}.pdf").exists()
    assert InAppNotification.objects.get().key == str(rows[3].pk)
    assert dispatch_outbox(clock=cn_clock).claimed == 0  # nothing twice


@pytest.mark.parametrize("step", ["claimed", "permitted", "delivered", "sent"])
def test_a_dispatcher_killed_mid_batch_sends_every_text_exactly_once(
    cn_loan, cn_clock, sms_provider, step
):
    accounts = [cn_loan, *other_accounts(5)]
    rows = [make_outbox(account, channel="sms", clock=cn_clock) for account in accounts]

    with pytest.raises(KilledDispatcher):
        dispatch_outbox(clock=cn_clock, on_step=kill_at(step, 3))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENDING).exists()

    dispatch_outbox(clock=cn_clock)  # restarted at once: the dead run's rows are still leased
    advance(cn_clock, seconds=LEASE.total_seconds())
    dispatch_outbox(clock=cn_clock)  # after the lease: taken up again

    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxStatus.SENT: 6}
    texts = sms_provider.texts()
    assert sorted(t["To"] for t in texts) == sorted(row.address for row in rows)
    assert sorted(sms_provider.sent) == sorted(str(row.pk) for row in rows)  # once per message
    for row in rows:
        row.refresh_from_db()
        assert row.provider_ref == sms_provider.sent[str(row.pk)]["sid"]
        assert ContactAttempt.objects.filter(permit=row.permit).count() == 1
    assert ContactAttempt.objects.count() == 6  # every contact on record once, with its permit


def test_a_dispatcher_killed_after_the_smtp_handover_resends_with_the_same_message_id(
    cn_loan, cn_clock, smtp_server
):
    accounts = [cn_loan, *other_accounts(3)]
    rows = [make_outbox(account, channel="email", clock=cn_clock) for account in accounts]

    with pytest.raises(KilledDispatcher):
        dispatch_outbox(clock=cn_clock, on_step=kill_at("delivered", 2))
    advance(cn_clock, seconds=LEASE.total_seconds())
    dispatch_outbox(clock=cn_clock)

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    received = Counter(smtp_server.message_ids())
    assert set(received) == {f"<{row.pk}@lender.example>" for row in rows}
    # SMTP has no idempotency: the one message caught between "250 OK" and our commit went out
    # again, with the same Message-ID — a receiver drops it as a duplicate.
    assert sorted(received.values()) == [1, 1, 1, 2]
    assert received[f"<{rows[1].pk}@lender.example>"] == 2
    assert ContactAttempt.objects.count() == 4


def test_a_message_refused_by_the_gate_is_requeued_at_the_next_permitted_time(
    cn_loan, sms_provider
):
    from arrears.core.clock import FixedClock

    night = FixedClock(dt.datetime(2025, 1, 15, 15, 30, tzinfo=dt.UTC))  # 23:30 in Shanghai
    row = make_outbox(cn_loan, channel="sms", clock=night)

    counts = dispatch_outbox(clock=night)

    row.refresh_from_db()
    assert (counts.claimed, counts.deferred, counts.sent) == (1, 1, 0)
    assert not row.decision.allowed and row.permit is None
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.next_attempt_at == row.decision.next_permitted_at > night.now()
    assert "Refused by the compliance gate" in row.last_error
    assert sms_provider.requests == []

    night.set(row.next_attempt_at - dt.timedelta(minutes=1))
    assert dispatch_outbox(clock=night).claimed == 0  # not before
    night.set(row.next_attempt_at)
    assert dispatch_outbox(clock=night).sent == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert len(sms_provider.texts()) == 1


def test_a_message_to_an_opted_out_number_is_blocked_and_email_still_goes(
    cn_loan, cn_clock, sms_provider, smtp_server
):
    borrower = cn_loan.borrower
    record_opt_out(
        borrower=borrower,
        channel="sms",
        address=mobile_of(borrower),
        source="sms STOP",
        clock=cn_clock,
    )
    text = make_outbox(cn_loan, channel="sms", clock=cn_clock)
    mail = make_outbox(cn_loan, channel="email", clock=cn_clock)

    dispatch_outbox(clock=cn_clock)

    text.refresh_from_db()
    mail.refresh_from_db()
    assert text.status == OutboxStatus.BLOCKED, text.last_error
    assert text.decision is not None and not text.decision.allowed
    assert sms_provider.requests == []
    assert mail.status == OutboxStatus.SENT and len(smtp_server.messages) == 1


def test_a_busy_provider_is_tried_again_after_a_growing_back_off_then_given_up(
    cn_loan, cn_clock, sms_provider, settings
):
    settings.ARREARS_OUTBOX_MAX_ATTEMPTS = 3
    settings.ARREARS_OUTBOX_RETRY_SECONDS = 60
    row = make_outbox(cn_loan, channel="sms", clock=cn_clock)
    sms_provider.fail_next = [503, 503, 503]

    assert dispatch_outbox(clock=cn_clock).retried == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at == cn_clock.now() + dt.timedelta(seconds=60)
    assert row.permit.used_at is None  # the failed hand-over used no permit: nobody was contacted
    assert not ContactAttempt.objects.exists()

    advance(cn_clock, seconds=60)
    assert dispatch_outbox(clock=cn_clock).retried == 1
    row.refresh_from_db()
    assert row.next_attempt_at == cn_clock.now() + dt.timedelta(seconds=120)

    advance(cn_clock, seconds=120)
    assert dispatch_outbox(clock=cn_clock).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert "503" in row.last_error
    assert sms_provider.texts() == []


def test_a_refused_number_fails_at_once(cn_loan, cn_clock, sms_provider, settings):
    settings.ARREARS_SMS_TOKEN = "revoked"
    row = make_outbox(cn_loan, channel="sms", clock=cn_clock)
    assert dispatch_outbox(clock=cn_clock).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)


def test_the_dispatch_task_runs_after_the_outbox_rows_are_committed(
    cn_loan, cn_clock, sms_provider, monkeypatch
):
    from django.db import transaction

    from arrears.engagement import tasks

    monkeypatch.setattr(
        tasks, "dispatch_outbox", lambda limit: dispatch_outbox(limit=limit, clock=cn_clock)
    )
    with transaction.atomic():
        make_outbox(cn_loan, channel="sms", clock=cn_clock)
        tasks.dispatch_soon()
        assert sms_provider.requests == []  # not before the commit
    assert len(sms_provider.texts()) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
