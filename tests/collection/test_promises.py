"""Promises to pay: taken with checks, judged against payments, reminded the day before."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.collection.choices import CaseEventKind, PromiseStatus
from arrears.collection.models import CollectionAction, Promise
from arrears.collection.services import (
    PromisedPayment,
    review_promises,
    take_promise,
)
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.models import OutboxMessage
from arrears.servicing.services.payments import post_payment, reverse_payment
from tests.collection.conftest import MONDAY, clock_at
from tests.conftest import rolled_back
from tests.factories import cny

pytestmark = pytest.mark.django_db
FRIDAY = MONDAY + dt.timedelta(days=4)


def promise(account, *instalments, clock, grace_days=2, key=None):
    return take_promise(
        account=account,
        instalments=[PromisedPayment(day, cny(amount)) for day, amount in instalments],
        source="agent",
        grace_days=grace_days,
        idempotency_key=key,
        clock=clock,
    )[0]


def pay(account, amount, on, key):
    payment, _created = post_payment(
        account=account, amount=cny(amount), received_on=on, idempotency_key=key
    )
    return payment


def test_a_live_promise_pauses_the_treatment_until_the_grace_period_ends(case, morning):
    taken = promise(case.account, (FRIDAY, "500.00"), clock=morning)

    case.refresh_from_db()
    assert (taken.status, taken.total_minor, taken.case) == (PromiseStatus.LIVE, 50_000, case)
    assert case.paused_until == FRIDAY + dt.timedelta(days=2)
    assert [e.kind for e in case.events.all()][-2:] == [CaseEventKind.PROMISE, "paused"]


def test_a_broken_promise_resumes_the_treatment_on_the_day_after_the_grace_period(case, morning):
    promise(case.account, (FRIDAY, "500.00"), clock=morning)
    broken_on = FRIDAY + dt.timedelta(days=3)

    # on the last day of grace it is still live
    review_promises(on=broken_on - dt.timedelta(days=1), clock=morning)
    assert Promise.objects.get().status == PromiseStatus.LIVE

    # the review runs two days late: the treatment still resumes on the day it broke
    review_promises(on=broken_on + dt.timedelta(days=2), clock=morning)
    taken = Promise.objects.get()
    assert (taken.status, taken.broken_on) == (PromiseStatus.BROKEN, broken_on)
    case.refresh_from_db()
    assert case.paused_until == broken_on - dt.timedelta(days=1)
    resumed = case.events.get(kind="resumed")
    assert resumed.on == broken_on
    assert "broken" in resumed.reason


def test_a_night_with_nothing_new_writes_no_promise(case, morning):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    promise(case.account, (FRIDAY, "500.00"), clock=morning)
    pay(case.account, "200.00", MONDAY + dt.timedelta(days=1), "part")
    review_promises(on=MONDAY + dt.timedelta(days=1), clock=morning)
    assert Promise.objects.get().kept_minor == 20_000  # a part payment is written once

    with CaptureQueriesContext(connection) as night:
        review_promises(on=MONDAY + dt.timedelta(days=2), clock=morning)

    assert Promise.objects.get().status == PromiseStatus.LIVE
    assert not [q for q in night.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_promise_paid_in_full_within_the_grace_period_is_kept(case, morning):
    taken = promise(case.account, (FRIDAY, "500.00"), clock=morning)
    pay(case.account, "500.00", FRIDAY + dt.timedelta(days=1), "p1")

    review = review_promises(on=FRIDAY + dt.timedelta(days=5), clock=morning)

    taken.refresh_from_db()
    assert (taken.status, taken.kept_minor, taken.broken_on) == (PromiseStatus.KEPT, 50_000, None)
    assert review.as_dict()["kept"] == 1
    assert not case.events.filter(kind="resumed").exists()


def test_a_reversed_payment_does_not_keep_a_promise(case, morning):
    taken = promise(case.account, (FRIDAY, "500.00"), clock=morning)
    payment = pay(case.account, "500.00", FRIDAY, "bounced")
    reverse_payment(payment=payment, reversed_on=FRIDAY, reason="cheque bounced")

    review_promises(on=FRIDAY + dt.timedelta(days=3), clock=morning)

    taken.refresh_from_db()
    assert taken.status == PromiseStatus.BROKEN


def test_part_of_a_promise_paid_by_its_deadline_is_partly_kept(case, morning):
    taken = promise(case.account, (FRIDAY, "500.00"), clock=morning)
    pay(case.account, "200.00", FRIDAY, "part")

    review_promises(on=FRIDAY + dt.timedelta(days=3), clock=morning)

    taken.refresh_from_db()
    assert (taken.status, taken.kept_minor) == (PromiseStatus.PARTLY_KEPT, 20_000)
    assert list(taken.instalments.values_list("status", "paid_minor")) == [("partly_kept", 20_000)]


def test_the_day_before_each_instalment_the_borrower_is_reminded_once(case, morning):
    taken = promise(case.account, (FRIDAY, "300.00"), (FRIDAY + dt.timedelta(days=7), "300.00"),
                    clock=morning)  # fmt: skip
    thursday = FRIDAY - dt.timedelta(days=1)
    evening = clock_at(thursday, 18)

    review_promises(on=thursday, clock=evening)
    review_promises(on=thursday, clock=evening)

    (reminder,) = OutboxMessage.objects.filter(kind="promise_reminder")
    first = taken.instalments.order_by("due_on").first()
    assert reminder.idempotency_key == f"collection:promise-reminder:{first.pk}"
    assert "300.00" in reminder.body and reminder.status == "pending"
    assert CollectionAction.objects.filter(template="promise_reminder").count() == 1


def test_a_new_promise_replaces_a_live_one_and_the_history_is_kept(case, morning):
    first = promise(case.account, (FRIDAY, "500.00"), clock=morning)
    second = promise(case.account, (FRIDAY + dt.timedelta(days=3), "800.00"), clock=morning)

    first.refresh_from_db()
    assert (first.status, second.status) == (PromiseStatus.CANCELLED, PromiseStatus.LIVE)
    assert Promise.objects.count() == 2


def test_the_same_key_takes_the_promise_once(case, morning):
    first = promise(case.account, (FRIDAY, "500.00"), clock=morning, key="ptp-1")
    again = promise(case.account, (FRIDAY, "500.00"), clock=morning, key="ptp-1")

    assert again.pk == first.pk and Promise.objects.count() == 1
    with pytest.raises(Conflict):
        promise(case.account, (FRIDAY, "600.00"), clock=morning, key="ptp-1")


@pytest.mark.parametrize(
    ("instalments", "field"),
    [
        ([(MONDAY - dt.timedelta(days=1), "100.00")], "instalments[0].due_on"),
        ([(FRIDAY, "0.00")], "instalments[0].amount"),
        ([(FRIDAY, "100.00"), (FRIDAY, "100.00")], "instalments[1].due_on"),
        ([(FRIDAY, "999999.00")], "instalments"),
        ([(MONDAY + dt.timedelta(days=400), "100.00")], "instalments[0].due_on"),
        ([], "instalments"),
    ],
)
def test_a_promise_that_cannot_be_kept_is_refused_naming_the_field(case, morning, instalments,
                                                                   field):  # fmt: skip
    with pytest.raises(ValidationError) as error:
        promise(case.account, *instalments, clock=morning)

    assert error.value.field == field
    assert not Promise.objects.exists()
    case.refresh_from_db()
    assert case.paused_until is None


def test_an_amount_in_another_currency_is_refused(case, morning):
    from tests.factories import usd

    with pytest.raises(ValidationError) as error:
        take_promise(
            account=case.account,
            instalments=[(FRIDAY, usd("10.00"))],
            source="api",
            clock=morning,
        )
    assert error.value.field == "instalments[0].amount"


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    days=st.integers(min_value=0, max_value=20),
    grace=st.integers(min_value=0, max_value=5),
    paid_day=st.integers(min_value=0, max_value=30),
)
def test_paying_the_whole_promise_by_its_deadline_always_keeps_it(case, morning, days, grace,
                                                                  paid_day):  # fmt: skip
    with rolled_back():
        due = MONDAY + dt.timedelta(days=days)
        taken = promise(case.account, (due, "400.00"), clock=morning, grace_days=grace)
        paid_on = MONDAY + dt.timedelta(days=paid_day)
        pay(case.account, "400.00", paid_on, f"prop-{days}-{grace}-{paid_day}")
        review_promises(on=MONDAY + dt.timedelta(days=40), clock=morning)
        taken.refresh_from_db()
        on_time = paid_on <= due + dt.timedelta(days=grace)
        assert taken.status == (PromiseStatus.KEPT if on_time else PromiseStatus.BROKEN)
        if not on_time:
            assert taken.broken_on == due + dt.timedelta(days=grace + 1)
