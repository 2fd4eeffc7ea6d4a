"""The collection night in collectors' words: cases open, close and move; each account gets the
step its strategy says, through the compliance gate; disputed accounts leave every queue."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.collection.batch import run_collection_night
from arrears.collection.models import Case, CaseEvent, CollectionAction, Promise, WorkQueue
from arrears.compliance.services import set_hold
from arrears.core.clock import FixedClock
from arrears.core.strategy import load_bundled_strategy
from arrears.core.strategy.split import arm_of, slot
from arrears.engagement.models import OutboxMessage
from tests.factories import make_borrower, make_overdue_loan

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)


@pytest.fixture
def world(products):
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()


def night_clock(day: dt.date = DAY) -> FixedClock:
    """Half past midnight in Shanghai, once the business date has closed."""
    return FixedClock(dt.datetime.combine(day, dt.time(16, 30), tzinfo=dt.UTC))


def run_night(day: dt.date = DAY):
    return run_collection_night(business_date=day, clock=night_clock(day))


def arm_of_account(account_id: int) -> str:
    strategy = load_bundled_strategy("conventional-ladder")
    segment = next(s for s in strategy.segments if s.id == "delinquent")
    number = slot(strategy.seed, segment.id, account_id)
    return segment.arms[arm_of(number, [a.share for a in segment.arms])].path


def overdue_on_path(path: str, days_past_due: int, **overrides):
    """A loan `days_past_due` days overdue whose account falls in the arm of `path`."""
    while True:
        account = make_overdue_loan(DAY, days_past_due, **overrides)
        if arm_of_account(account.pk) == path:
            return account


def test_a_newly_delinquent_account_gets_a_case_and_the_first_step_of_its_path(world):
    account = overdue_on_path("ladder", 1)
    run_night()
    case = Case.objects.get(account=account)
    assert (case.status, case.stage, case.opened_on) == ("open", "early", DAY)
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1
    assert (case.segment, case.path, case.last_step, case.last_step_on) == (
        "delinquent", "ladder", "sms_d1", DAY,
    )  # fmt: skip
    action = CollectionAction.objects.get(case=case)
    assert (action.step, action.kind, action.channel, action.status) == (
        "sms_d1", "message", "sms", "scheduled",
    )  # fmt: skip
    # the reminder goes out the next morning at nine in Shanghai, with the gate's permit
    assert action.due_at == dt.datetime(2025, 6, 11, 1, 0, tzinfo=dt.UTC)
    message = OutboxMessage.objects.get(pk=action.outbox_message_id)
    assert message.status == "pending" and message.permit_id and message.decision_id
    assert message.kind == "collection_reminder" and "1" in message.body
    assert case.next_action == "message" and "step sms_d1: day 1 reached" in case.next_action_reason


def test_a_challenger_arm_account_follows_the_challenger_path(world):
    account = overdue_on_path("call_first", 1)
    WorkQueue.objects.create(code="early", name_en="Early", name_zh="前期", stages=["early"])
    run_night()
    case = Case.objects.get(account=account)
    assert case.path == "call_first"
    action = CollectionAction.objects.get(case=case)
    assert (action.step, action.kind, action.status) == ("call_d1", "call", "queued")
    assert action.queue.code == "early" and action.address.startswith("+86")
    assert "arm 20%" in action.reason


def test_an_account_that_cures_closes_its_case_with_reason_cured(world):
    account = make_overdue_loan(DAY, 0)
    case = Case.objects.create(
        account=account, borrower=account.borrower, stage="early", opened_on=DAY - dt.timedelta(10),
        opened_reason="seeded", updated_at=night_clock().now(),
    )  # fmt: skip
    waiting = CollectionAction.objects.create(
        idempotency_key="earlier-call", case=case, account=account, borrower=account.borrower,
        business_date=DAY - dt.timedelta(1), kind="call", status="queued",
        created_at=night_clock().now(),
    )  # fmt: skip
    run_night()
    case.refresh_from_db()
    waiting.refresh_from_db()
    assert (case.status, case.close_reason, case.closed_on) == ("closed", "cured", DAY)
    event = CaseEvent.objects.get(case=case, kind="closed")
    assert event.detail == {"close_reason": "cured", "days_past_due": 0, "cancelled": 1}
    assert waiting.status == "cancelled" and "closed: cured" in waiting.reason


def test_a_disputed_account_leaves_every_queue(world):
    account = overdue_on_path("call_first", 5)
    run_night(DAY - dt.timedelta(days=1))
    case = Case.objects.get(account=account)
    queued = CollectionAction.objects.get(case=case)
    assert queued.status == "queued"
    set_hold(borrower=account.borrower, account=account, kind="dispute", start_on=DAY,
             reason="disputes the amount", review_on=DAY + dt.timedelta(days=30))  # fmt: skip
    run_night()
    case.refresh_from_db()
    queued.refresh_from_db()
    assert case.segment == "disputed" and case.next_action == "none"
    assert "dispute_open" in case.next_action_reason
    assert "leave every queue" in case.next_action_reason
    assert queued.status == "cancelled" and queued.reason == case.next_action_reason
    assert not CollectionAction.objects.filter(case=case, status__in=["queued", "scheduled"])


def test_a_borrower_who_never_answers_gets_the_sms_fallback_inside_permitted_hours(world):
    abroad = make_borrower(time_zone="America/Los_Angeles")
    account = overdue_on_path("ladder", 6, borrower=abroad)
    Case.objects.create(
        account=account, borrower=abroad, stage="early", opened_on=DAY - dt.timedelta(5),
        opened_reason="seeded", segment="delinquent", path="ladder", last_step="call_d3",
        last_step_on=DAY, no_answer_streak=3, updated_at=night_clock().now(),
    )  # fmt: skip
    # the call of today is done; tomorrow night the streak of three unanswered calls counts
    Case.objects.filter(account=account).update(last_step_on=DAY - dt.timedelta(days=1))
    run_night()
    action = CollectionAction.objects.get(account=account)
    assert (action.step, action.kind, action.channel) == ("fallback_sms", "message", "sms")
    # 09:00 in Los Angeles is 00:00 in Shanghai, inside China's 22:00–08:00 quiet hours: the
    # gate defers the text to 08:00 Shanghai time (00:00 UTC) and the outbox waits until then
    assert action.status == "deferred"
    assert action.due_at == dt.datetime(2025, 6, 12, 0, 0, tzinfo=dt.UTC)
    assert "first allows it at 2025-06-12T00:00:00+00:00" in action.reason
    message = OutboxMessage.objects.get(pk=action.outbox_message_id)
    assert message.next_attempt_at == action.due_at and message.kind == "self_service_link"


def test_a_broken_promise_resumes_the_treatment(world):
    account = overdue_on_path("ladder", 12)
    case = Case.objects.create(
        account=account, borrower=account.borrower, stage="early",
        opened_on=DAY - dt.timedelta(11), opened_reason="seeded", segment="delinquent",
        path="ladder", last_step="call_d3", last_step_on=DAY - dt.timedelta(days=4),
        paused_until=DAY + dt.timedelta(days=3), pause_reason="promise to pay",
        updated_at=night_clock().now(),
    )  # fmt: skip
    promise = Promise.objects.create(
        case=case, account=account, borrower=account.borrower, source="agent", currency="CNY",
        total_minor=30000, grace_days=2, taken_at=night_clock(DAY - dt.timedelta(9)).now(),
    )  # fmt: skip
    promise.instalments.create(due_on=DAY - dt.timedelta(days=3), amount_minor=30000)
    run_night()
    promise.refresh_from_db()
    case.refresh_from_db()
    assert promise.status == "broken"
    assert case.paused_until < DAY  # resumed
    action = CollectionAction.objects.get(case=case)
    assert (action.step, action.kind) == ("call_d3", "call")
    assert case.last_step_on == DAY


def test_a_live_promise_pauses_the_treatment(world):
    account = overdue_on_path("ladder", 12)
    until = DAY + dt.timedelta(days=3)
    Case.objects.create(
        account=account, borrower=account.borrower, stage="early",
        opened_on=DAY - dt.timedelta(11), opened_reason="seeded", segment="delinquent",
        path="ladder", last_step="call_d3", last_step_on=DAY - dt.timedelta(days=4),
        paused_until=until, pause_reason="promise to pay", updated_at=night_clock().now(),
    )  # fmt: skip
    run_night()
    case = Case.objects.get(account=account)
    assert not CollectionAction.objects.filter(case=case).exists()
    assert case.next_action == "none" and case.next_action_on == until + dt.timedelta(days=1)
    assert case.next_action_reason == "treatment paused until 2025-06-13: promise to pay"


def test_a_case_moves_to_the_mid_stage_at_31_days_past_due(world):
    account = overdue_on_path("ladder", 31)
    case = Case.objects.create(
        account=account, borrower=account.borrower, stage="early",
        opened_on=DAY - dt.timedelta(30), opened_reason="seeded", segment="delinquent",
        path="ladder", last_step="warning", last_step_on=DAY - dt.timedelta(days=1),
        updated_at=night_clock().now(),
    )  # fmt: skip
    run_night()
    case.refresh_from_db()
    assert case.stage == "mid"
    event = CaseEvent.objects.get(case=case, kind="stage")
    assert event.detail == {"from": "early", "to": "mid"}


def test_an_escalation_the_strategy_gives_a_supervisor_waits_for_approval(world):
    account = overdue_on_path("ladder", 30)
    Case.objects.create(
        account=account, borrower=account.borrower, stage="early",
        opened_on=DAY - dt.timedelta(29), opened_reason="seeded", segment="delinquent",
        path="ladder", last_step="call_d16", last_step_on=DAY - dt.timedelta(days=1),
        updated_at=night_clock().now(),
    )  # fmt: skip
    run_night()
    action = CollectionAction.objects.get(account=account)
    assert (action.step, action.kind, action.status) == (
        "warning", "warning_letter", "awaiting_approval",
    )  # fmt: skip
    assert action.needs_approval and action.decision_id is None  # no contact yet: no gate
    assert not OutboxMessage.objects.filter(account=account).exists()


def test_a_call_is_proposed_at_the_hour_the_borrower_answers(world):
    from arrears.compliance.services import record_contact_attempt

    account = overdue_on_path("call_first", 1)
    number = account.borrower.contact_points.get(kind="mobile").value
    # the contact day, 2025-06-11, is a Wednesday: on the last four Wednesdays the borrower
    # never answered at nine in the morning and always answered at six in the evening
    for weeks in range(1, 5):
        wednesday = dt.date(2025, 6, 11) - dt.timedelta(weeks=weeks)
        for hour, outcome in ((9, "no_answer"), (18, "conversation")):
            record_contact_attempt(
                borrower=account.borrower, channel="call", address=number, outcome=outcome,
                started_at=dt.datetime.combine(wednesday, dt.time(hour - 8), tzinfo=dt.UTC),
                accounts=[account], purpose="collection",
            )  # fmt: skip
    run_night()
    action = CollectionAction.objects.get(account=account)
    assert action.kind == "call" and action.status == "queued"
    assert action.due_at == dt.datetime(2025, 6, 11, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai
    # its value: the balance at risk × the chance the call brings payment − the call's cost
    assert action.expected_value_minor is not None and action.expected_value_minor > 0


def test_the_next_night_learns_everyones_best_hours_from_the_calls_of_this_one(world):
    from arrears.collection.batch.night import Night
    from arrears.compliance.services import record_contact_attempt
    from arrears.core.collection.best_time import Smoothing

    account = overdue_on_path("call_first", 3)
    number = account.borrower.contact_points.get(kind="mobile").value
    for days in range(1, 8):  # answered every evening at 19:00 in Shanghai, never at 10:00
        for hour, outcome in ((2, "no_answer"), (11, "conversation")):
            record_contact_attempt(
                borrower=account.borrower, channel="call", address=number, outcome=outcome,
                started_at=dt.datetime.combine(DAY - dt.timedelta(days), dt.time(hour),
                                               tzinfo=dt.UTC),
                accounts=[account], purpose="collection",
            )  # fmt: skip
    before = Night.load(business_date=DAY, clock=night_clock()).everyone_rates
    assert set(before) == {Smoothing().prior}  # no night yet: the prior for every hour
    run_night()
    after = Night.load(business_date=DAY + dt.timedelta(days=1), clock=night_clock()).everyone_rates
    tuesday_19, tuesday_10 = 1 * 24 + 19, 1 * 24 + 10  # 2025-06-10 was a Tuesday
    assert after[tuesday_19] > after[tuesday_10] and after[tuesday_19] > Smoothing().prior


def test_a_call_nobody_made_yesterday_lapses_and_only_todays_call_waits_in_the_queue(world):
    account = overdue_on_path("call_first", 5)
    WorkQueue.objects.create(code="early", name_en="Early", name_zh="前期", stages=["early"])
    case = Case.objects.create(
        account=account, borrower=account.borrower, stage="early", opened_on=DAY - dt.timedelta(5),
        opened_reason="seeded", updated_at=night_clock().now(),
    )  # fmt: skip
    yesterdays = CollectionAction.objects.create(
        idempotency_key="yesterdays-call", case=case, account=account, borrower=account.borrower,
        business_date=DAY - dt.timedelta(1), kind="call", status="queued", step="call_d1",
        created_at=night_clock().now(),
    )  # fmt: skip

    run_night()

    yesterdays.refresh_from_db()
    assert yesterdays.status == "skipped"
    assert yesterdays.reason == "not called on its day; tonight's plan replaces it"
    waiting = CollectionAction.objects.filter(case=case, kind="call", status="queued")
    assert [a.business_date for a in waiting] == [DAY]
    # the same night again changes nothing
    run_night()
    assert CollectionAction.objects.filter(case=case, kind="call", status="queued").count() == 1


def test_a_call_the_gate_deferred_to_a_later_permitted_time_keeps_waiting(world):
    account = overdue_on_path("call_first", 5)
    case = Case.objects.create(
        account=account, borrower=account.borrower, stage="early", opened_on=DAY - dt.timedelta(5),
        opened_reason="seeded", updated_at=night_clock().now(),
    )  # fmt: skip
    deferred = CollectionAction.objects.create(
        idempotency_key="deferred-call", case=case, account=account, borrower=account.borrower,
        business_date=DAY - dt.timedelta(1), kind="call", status="deferred", step="call_d1",
        created_at=night_clock().now(),
    )  # fmt: skip

    run_night()

    deferred.refresh_from_db()
    assert deferred.status == "deferred"
