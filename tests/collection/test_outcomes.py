"""Call outcomes, in collectors' words: what each disposition drives next, through the gate."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.collection.choices import ActionKind, ActionStatus, CaseEventKind
from arrears.collection.models import CollectionAction, ContactOutcome
from arrears.collection.services import PromisedPayment, record_call_outcome, schedule_call
from arrears.compliance.models import ContactAttempt, Hold
from arrears.compliance.services import request_permit
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.dispatch import dispatch_outbox
from tests.collection.conftest import MONDAY, clock_at, primary_mobile, shanghai
from tests.factories import cny

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def unanswered(case, at_hour, *, minute=0, clock=None, disposition="no_answer"):
    clock = clock or clock_at(MONDAY, at_hour, minute)
    return record_call_outcome(
        case=case,
        disposition=disposition,
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, at_hour, minute),
        duration_seconds=30,
        clock=clock,
    )


def test_an_unanswered_call_is_tried_again_at_a_later_hour(case):
    done = unanswered(case, 10)

    case.refresh_from_db()
    assert case.no_answer_streak == 1
    (retry,) = done.scheduled
    assert (retry.kind, retry.status) == (ActionKind.CALL, ActionStatus.QUEUED)
    assert retry.due_at >= shanghai(MONDAY, 10, 30)
    assert retry.address == primary_mobile(case.account)
    attempt = ContactAttempt.objects.get()
    assert (attempt.outcome, attempt.purpose) == ("no_answer", "collection")
    assert ContactOutcome.objects.get().disposition.code == "no_answer"


def test_a_borrower_who_never_answers_gets_the_sms_fallback_after_three_tries(case):
    unanswered(case, 10)
    unanswered(case, 11)
    third = unanswered(case, 12)

    case.refresh_from_db()
    assert case.no_answer_streak == 3
    (fallback,) = third.scheduled
    assert (fallback.kind, fallback.channel, fallback.template) == (
        ActionKind.MESSAGE,
        "sms",
        "self_service_link",
    )
    assert fallback.status == ActionStatus.SCHEDULED
    message = fallback.outbox_message
    assert (message.kind, message.purpose, message.status) == (
        "self_service_link",
        "collection",
        "pending",
    )
    assert "self-service/?t=" in message.body and "回复TD退订" in message.body


def test_the_fallback_proposed_at_23_00_waits_for_the_next_permitted_time(case):
    unanswered(case, 20)
    unanswered(case, 21)
    # the third call rang at 21:50, and the dialler reported it at 23:00
    late = clock_at(MONDAY, 23)
    third = unanswered(case, 21, minute=50, clock=late)

    (fallback,) = third.scheduled
    eight_tomorrow = shanghai(TUESDAY, 8)
    assert (fallback.status, fallback.due_at) == (ActionStatus.DEFERRED, eight_tomorrow)
    assert fallback.outbox_message.next_attempt_at == eight_tomorrow
    # nothing leaves at night: the message is not even due
    assert dispatch_outbox(clock=late).claimed == 0
    # at eight it is sent, with a permit the gate gives then
    sent = dispatch_outbox(clock=clock_at(TUESDAY, 8))
    assert sent.sent == 1
    fallback.outbox_message.refresh_from_db()
    assert fallback.outbox_message.status == "sent"


def test_a_right_party_contact_resets_the_no_answer_streak(case):
    unanswered(case, 10)
    unanswered(case, 11)

    record_call_outcome(
        case=case,
        disposition="right_party_contact",
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, 12),
        duration_seconds=240,
        clock=clock_at(MONDAY, 12, 5),
    )

    case.refresh_from_db()
    assert case.no_answer_streak == 0
    # and the next unanswered call starts a new run: no fallback yet
    later = unanswered(case, 14)
    assert [a.kind for a in later.scheduled] == [ActionKind.CALL]


def test_a_busy_line_is_tried_again_shortly(case):
    done = unanswered(case, 10, disposition="busy")

    (retry,) = done.scheduled
    assert retry.due_at == shanghai(MONDAY, 10, 15)


def test_an_invalid_number_is_marked_and_never_dialled_again(case):
    from arrears.servicing.models import ContactPoint

    number = primary_mobile(case.account)
    done = unanswered(case, 10, disposition="invalid_number")

    assert ContactPoint.objects.get(value=number).is_valid is False
    assert "mark_number_invalid" in done.effects
    assert not CollectionAction.objects.filter(kind=ActionKind.CALL, address=number).exists()


def test_a_disputed_account_leaves_every_queue(case, early_queue, make_collector):
    from arrears.collection.selectors import work_queue
    from arrears.collection.services import take_next_action

    agent = make_collector("wang", queues=[early_queue])
    waiting = schedule_call(
        case=case,
        at=shanghai(MONDAY, 9),
        number=primary_mobile(case.account),
        key="queued-call",
        reason="first call",
        now=shanghai(MONDAY, 9),
        clock=clock_at(MONDAY, 9),
    )
    assert waiting.status == ActionStatus.QUEUED

    record_call_outcome(
        case=case,
        disposition="dispute_raised",
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, 10),
        note="says the loan was repaid in cash",
        clock=clock_at(MONDAY, 10, 10),
    )

    hold = Hold.objects.get()
    assert (hold.kind, hold.account_id) == ("dispute", case.account_id)
    waiting.refresh_from_db()
    assert waiting.status == ActionStatus.CANCELLED
    assert not CollectionAction.objects.filter(
        case=case, status__in=["queued", "deferred", "scheduled"]
    ).exists()
    later = clock_at(MONDAY, 11)
    view = work_queue(agent, now=later.now())
    assert view.ready == [] and view.later == []
    assert take_next_action(agent=agent, clock=later) is None


def test_a_callback_is_booked_when_asked_and_moved_to_when_the_gate_allows(case):
    done = record_call_outcome(
        case=case,
        disposition="callback_requested",
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, 10),
        callback_at=shanghai(MONDAY, 23),
        clock=clock_at(MONDAY, 10, 5),
    )

    (callback,) = done.scheduled
    assert (callback.status, callback.due_at) == (ActionStatus.DEFERRED, shanghai(TUESDAY, 8))
    assert "23:00" not in callback.reason and "compliance gate" in callback.reason


@pytest.mark.parametrize(
    "callback_at",
    [None, shanghai(MONDAY, 9), shanghai(MONDAY + dt.timedelta(days=31), 10)],
    ids=["missing", "before the call", "too far ahead"],
)
def test_a_callback_needs_a_time_soon_after_the_call(case, callback_at):
    with pytest.raises(ValidationError) as error:
        record_call_outcome(
            case=case,
            disposition="callback_requested",
            number=primary_mobile(case.account),
            started_at=shanghai(MONDAY, 10),
            callback_at=callback_at,
            clock=clock_at(MONDAY, 10, 5),
        )

    assert error.value.field == "callback_at"
    assert not ContactAttempt.objects.exists() and not ContactOutcome.objects.exists()


def test_a_promise_taken_on_the_call_pauses_the_treatment_until_its_grace_ends(case):
    done = record_call_outcome(
        case=case,
        disposition="promise_to_pay",
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, 10),
        promise=[PromisedPayment(MONDAY + dt.timedelta(days=4), cny("1039.43"))],
        clock=clock_at(MONDAY, 10, 5),
    )

    assert done.promise is not None and done.promise.source == "agent"
    case.refresh_from_db()
    assert case.paused_until == MONDAY + dt.timedelta(days=4 + 2)
    assert CaseEventKind.PROMISE in [e.kind for e in case.events.all()]


def test_a_claim_of_hardship_on_the_call_flags_the_case(case):
    record_call_outcome(
        case=case,
        disposition="hardship_claimed",
        number=primary_mobile(case.account),
        started_at=shanghai(MONDAY, 10),
        clock=clock_at(MONDAY, 10, 5),
    )

    case.refresh_from_db()
    assert case.hardship and case.paused_until == MONDAY + dt.timedelta(days=30)


def test_a_permit_covers_one_call_only(case):
    number = primary_mobile(case.account)
    decision = request_permit(
        borrower=case.borrower,
        account=case.account,
        channel="call",
        address=number,
        purpose="collection",
        clock=clock_at(MONDAY, 10),
    )
    permit = decision.issued_permit
    record_call_outcome(
        case=case,
        disposition="no_answer",
        number=number,
        started_at=shanghai(MONDAY, 10, 1),
        permit=permit,
        clock=clock_at(MONDAY, 10, 30),
    )
    assert ContactAttempt.objects.get().permit == permit

    with pytest.raises(Conflict):
        record_call_outcome(
            case=case,
            disposition="no_answer",
            number=number,
            started_at=shanghai(MONDAY, 10, 2),
            permit=permit,
            clock=clock_at(MONDAY, 10, 31),
        )
    assert ContactAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"disposition": "gave_up"}, "disposition"),
        ({"number": " "}, "number"),
        ({"started_at": shanghai(MONDAY, 12)}, "started_at"),
        ({"started_at": dt.datetime(2025, 3, 3, 9, 0)}, "started_at"),
        ({"duration_seconds": -1}, "duration_seconds"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(case, changes, field):
    given = {
        "case": case,
        "disposition": "no_answer",
        "number": primary_mobile(case.account),
        "started_at": shanghai(MONDAY, 10),
        "clock": clock_at(MONDAY, 10, 5),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        record_call_outcome(**given)

    assert error.value.field == field
    assert not ContactAttempt.objects.exists()
    case.refresh_from_db()
    assert case.no_answer_streak == 0


def test_the_call_is_recorded_even_when_the_fallback_cannot_be_written(case):
    from arrears.engagement.models import Template

    Template.objects.filter(kind="self_service_link").update(is_active=False)
    unanswered(case, 10)
    unanswered(case, 11)

    third = unanswered(case, 12)

    assert third.scheduled == [] and "not sent" in third.next_step
    assert ContactAttempt.objects.count() == 3
    case.refresh_from_db()
    assert case.no_answer_streak == 3
