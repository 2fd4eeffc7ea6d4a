"""The plan-instalment reminder: queued through engagement once, the day before it falls due."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.clock import FixedClock
from arrears.core.money import Money
from arrears.engagement.choices import NoticeKind
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services import load_templates
from arrears.hardship.choices import PlanEventKind
from arrears.hardship.services import review_plans
from arrears.servicing.services.payments import post_payment
from tests.hardship.conftest import set_up_plan

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> FixedClock:
    """A clock at 09:00 Shanghai time on `day`: the night's review runs for a current date."""
    return FixedClock(dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def plan(loan_in_arrears, clock):  # type: ignore[no-untyped-def]
    load_templates()
    return set_up_plan(loan_in_arrears, clock)


def reminders():  # type: ignore[no-untyped-def]
    return OutboxMessage.objects.filter(kind=NoticeKind.PLAN_INSTALMENT_DUE)


def test_a_reminder_is_queued_once_the_day_before_a_plan_instalment(plan):
    first = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    eve = first.due_on - dt.timedelta(days=1)

    # two days before: nothing yet
    review_plans(on=eve - dt.timedelta(days=1), clock=at(eve - dt.timedelta(days=1)))
    assert not reminders().exists()

    # the day before: one message, in the borrower's language, with the amount and date
    review_plans(on=eve, clock=at(eve))
    (message,) = reminders()
    assert message.account_id == plan.account_id and message.due_on == first.due_on
    assert message.purpose == "servicing"
    # (the plan counts February's and March's instalment interest as owed, charged or not)
    assert "1,166.63" in message.body or "1166.63" in message.body

    # the night reviewed again (a rerun) queues nothing more
    review_plans(on=eve, clock=at(eve))
    assert reminders().count() == 1
    assert plan.events.filter(kind=PlanEventKind.REMINDER_QUEUED).count() == 1


def test_no_reminder_for_an_instalment_already_paid_or_a_holiday_month(plan):
    holiday = plan.instalments.filter(amount_minor=0).order_by("number").first()
    first = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    post_payment(
        account=plan.account,
        amount=Money.from_minor(int(first.amount_minor), "CNY"),
        received_on=first.due_on - dt.timedelta(days=3),
        idempotency_key="early",
    )

    for instalment in (holiday, first):
        eve = instalment.due_on - dt.timedelta(days=1)
        review_plans(on=eve, clock=at(eve))

    assert not reminders().exists()


def test_catching_up_on_old_dates_reminds_nobody(plan, clock):
    first = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    eve = first.due_on - dt.timedelta(days=1)

    review_plans(on=eve, clock=at(eve + dt.timedelta(days=30)))

    assert not reminders().exists()
