"""Nightly notices: who is told what, when, in which language and on which channel."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.errors import ValidationError
from arrears.engagement.choices import NoticeKind, OutboxStatus
from arrears.engagement.models import OutboxMessage, ReminderSchedule
from arrears.engagement.services import run_notices, set_notice_preference
from tests.engagement.conftest import FIRST_DUE, morning_of

DAY = dt.timedelta(days=1)


def notices_on(day: dt.date) -> list[OutboxMessage]:
    run_notices(day=day, clock=morning_of(day))
    return list(OutboxMessage.objects.filter(created_at__date=day).order_by("idempotency_key"))


def test_borrower_is_reminded_5_and_1_days_before_and_on_the_due_date(loan):
    # given a loan falling due on 15 February and the default schedule (5, 1, 0 days)
    # when the notices run every day from 8 to 15 February
    written = {}
    for offset in range(7, -1, -1):
        day = FIRST_DUE - offset * DAY
        written[offset] = [m for m in notices_on(day) if m.kind == NoticeKind.DUE_REMINDER]

    # then reminders were written 5 days before, 1 day before and on the day, and on no other
    assert {k: len(v) for k, v in written.items() if v} == {5: 1, 1: 1, 0: 1}
    five = written[5][0]
    assert five.idempotency_key == f"notice:due_reminder:{loan.pk}:2025-02-15:d5:sms"
    assert five.status == OutboxStatus.PENDING
    assert five.borrower_id == loan.borrower_id and five.account_id == loan.pk
    assert five.next_attempt_at == morning_of(FIRST_DUE - 5 * DAY).now()
    # in Chinese, on SMS (the default first channel), with the amount and the date formatted
    assert five.channel == "sms" and five.language == "zh-hans"
    assert five.address == loan.borrower.contact_points.get(kind="mobile").value
    assert "2025年2月15日到期（还有5天）" in five.body
    assert "¥1,0" in five.body and "回复TD退订" in five.body
    assert "今天到期" in written[0][0].body


def test_reminder_goes_in_the_borrowers_language_on_the_channel_they_chose(loan):
    # given a borrower who asked for English, by e-mail first
    set_notice_preference(borrower=loan.borrower, channels=["email", "sms"], language="en")

    # when the notices run one day before the due date
    [message] = notices_on(FIRST_DUE - DAY)

    # then the reminder is an English e-mail to their address, with both text and HTML parts
    assert message.channel == "email" and message.language == "en"
    assert message.address == loan.borrower.email
    assert message.subject == "Payment reminder: account ending " + loan.number[-4:] + (
        " is due on 15 February 2025"
    )
    assert "CN¥1,0" in message.body and "on 15 February 2025 (in 1 days)" in message.body
    assert "<strong>CN¥1,0" in message.html_body


def test_channel_falls_back_when_the_chosen_one_does_not_reach_them(loan):
    # given a borrower who prefers in-app messages but has no portal login
    set_notice_preference(borrower=loan.borrower, channels=["in_app", "letter"])

    # when reminded, then the letter (their next choice) is used
    [message] = notices_on(FIRST_DUE)
    assert message.channel == "letter"
    assert message.address.startswith("1 Nanjing Road, Shanghai")


def test_reminder_days_are_set_per_product(loan):
    # given the loan's product reminds 3 days before only
    ReminderSchedule.objects.create(product=loan.product, days_before=[3])

    # then nothing is written 5 days before, and a reminder 3 days before
    assert notices_on(FIRST_DUE - 5 * DAY) == []
    [message] = notices_on(FIRST_DUE - 3 * DAY)
    assert message.idempotency_key.endswith(":d3:sms")


def test_a_borrower_with_autopay_gets_the_debit_notice_not_the_reminder(loan):
    # given the loan pays by autopay, debited 1 day before the due date
    from arrears.servicing.models import AutopayMandate

    AutopayMandate.objects.create(
        account=loan,
        amount_rule="minimum",
        currency="CNY",
        debit_days_before_due=1,
        funding_account_masked="**** 8888",
        consent_reference="DD-1",
        starts_on=dt.date(2025, 1, 15),
        created_at=morning_of(dt.date(2025, 1, 15)).now(),
    )

    # when the notices run 5 days before, 1 day before and on the due date
    five = notices_on(FIRST_DUE - 5 * DAY)
    later = notices_on(FIRST_DUE - DAY) + notices_on(FIRST_DUE)

    # then one autopay debit notice went out ahead of the debit, and no reminder at all
    assert [m.kind for m in five] == [NoticeKind.AUTOPAY_DEBIT]
    assert later == []
    assert not OutboxMessage.objects.filter(kind=NoticeKind.DUE_REMINDER).exists()
    assert "将于2025年2月14日自动扣款¥1,0" in five[0].body


def test_running_notices_twice_for_a_day_writes_no_second_outbox_row(loan):
    # given the notices ran for 10 February
    day = FIRST_DUE - 5 * DAY
    first = run_notices(day=day, clock=morning_of(day))

    # when they run again for the same day (a rerun after a crash, a second worker)
    second = run_notices(day=day, clock=morning_of(day))

    # then the second run wrote nothing
    assert first.written[NoticeKind.DUE_REMINDER] == 1
    assert second.written.total() == 0 and second.skipped["already_written"] == 1
    assert OutboxMessage.objects.count() == 1


def test_a_changed_channel_does_not_bring_a_second_copy_of_the_same_notice(loan):
    day = FIRST_DUE - 5 * DAY
    run_notices(day=day, clock=morning_of(day))
    set_notice_preference(borrower=loan.borrower, channels=["email"])
    run_notices(day=day, clock=morning_of(day))
    assert OutboxMessage.objects.count() == 1


def test_optional_reminders_can_be_turned_off_but_legally_required_notices_cannot(loan):
    set_notice_preference(borrower=loan.borrower, declined_kinds=["due_reminder"])
    assert notices_on(FIRST_DUE) == []
    with pytest.raises(ValidationError) as refused:
        set_notice_preference(borrower=loan.borrower, declined_kinds=["terms_change"])
    assert refused.value.field == "declined_kinds[0]"


def test_a_payment_received_is_acknowledged_as_a_transactional_message(loan):
    from arrears.core.money import Money
    from arrears.servicing.services.payments import post_payment

    day = dt.date(2025, 2, 1)
    post_payment(
        account=loan,
        amount=Money("500.00", "CNY"),
        received_on=day,
        idempotency_key="pay-1",
        clock=morning_of(day),
    )
    [message] = notices_on(day)
    assert message.kind == NoticeKind.PAYMENT_RECEIVED and message.purpose == "transactional"
    assert "已于2025年2月1日收到您尾号" in message.body and "¥500.00" in message.body


def test_the_nightly_cycle_runs_the_notices_as_its_last_step(loan):
    from arrears.servicing.models import CycleRun
    from arrears.servicing.services.cycle import run_cycle, steps

    # given the cycle runs from the loan's opening up to 10 February, on 10 February
    day = FIRST_DUE - 5 * DAY
    run_cycle(through=day, clock=morning_of(day))

    # then the notices ran as the last step of every date, producing only for recent dates
    assert steps()[-1].kind == "send_notices"
    runs = CycleRun.objects.filter(kind="send_notices").order_by("business_date")
    assert runs.count() == (day - dt.date(2025, 1, 15)).days + 1
    assert runs.first().counts == {"too_late": 1}
    assert runs.last().counts["written.due_reminder"] == 1
    assert OutboxMessage.objects.get().due_on == FIRST_DUE
