"""Collectors' scenarios across the pieces: dispositions, retries, best time, the gate."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from arrears.core.collection.best_time import best_slots, borrower_rates, tally
from arrears.core.collection.dispositions import Effect, standard_dispositions
from arrears.core.collection.escalation import (
    CaseFacts,
    EscalationStep,
    check_escalation,
    escalation_rules_for,
)
from arrears.core.collection.promises import (
    Payment,
    Promise,
    PromisedInstalment,
    PromiseStatus,
    judge_promise,
)
from arrears.core.collection.retries import PhoneNumber, RetryAction, next_attempt
from arrears.core.compliance import (
    Attempt,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Party,
    Purpose,
    bundled_profile,
    decide,
)
from arrears.core.money import Money

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOBILE = "+8613800138000"
D = standard_dispositions()


def sms_request(at: dt.datetime) -> ContactRequest:
    return ContactRequest(
        request_id="fallback-1",
        profile_code="CN",
        party=Party("p1", home_zones=("Asia/Shanghai",)),
        contact_point=ContactPoint(Channel.SMS, MOBILE, zones=("Asia/Shanghai",)),
        purpose=Purpose.COLLECTION,
        at=at,
        debt_ids=frozenset({"d1"}),
    )


def test_a_borrower_who_never_answers_gets_the_sms_fallback_inside_permitted_hours() -> None:
    calls = [
        dt.datetime(2025, 3, 4, 19, 0, tzinfo=SHANGHAI),
        dt.datetime(2025, 3, 4, 20, 30, tzinfo=SHANGHAI),
        dt.datetime(2025, 3, 4, 21, 59, tzinfo=SHANGHAI),
    ]
    run = 0
    log = []
    plan = None
    for tries, at in enumerate(calls, start=1):
        ended = at + dt.timedelta(seconds=75)  # rang out: the last one after 22:00
        plan = next_attempt(
            D["no_answer"],
            at=ended,
            number=MOBILE,
            numbers=[PhoneNumber(MOBILE)],
            attempts_today=tries,
            no_answers_in_a_row=run,
        )
        run = plan.no_answers_in_a_row
        log.append(
            Attempt(
                at=at.astimezone(dt.UTC),
                channel=Channel.CALL,
                party_id="p1",
                address=MOBILE,
                outcome=D["no_answer"].attempt_outcome,
                debt_ids=frozenset({"d1"}),
            )
        )
    assert plan is not None and plan.action is RetryAction.SWITCH_CHANNEL
    assert plan.channel is Channel.SMS and plan.at is not None

    now = plan.at.astimezone(dt.UTC)
    decision = decide(sms_request(now), ContactHistory(tuple(log)), bundled_profile("CN"), now=now)

    assert not decision.allowed  # 22:01 is inside China's quiet hours (22:00–08:00)
    send_at = decision.next_permitted_at
    assert send_at is not None
    assert send_at.astimezone(SHANGHAI) == dt.datetime(2025, 3, 5, 8, 0, tzinfo=SHANGHAI)
    later = decide(sms_request(send_at), ContactHistory(tuple(log)), bundled_profile("CN"), now=now)
    assert later.allowed


def test_an_evening_answerer_is_called_back_in_the_evening_not_at_lunch() -> None:
    mine = tally([(24 + 19, True)] * 3 + [(24 + 12, False)] * 3)  # Tuesdays
    segment = mine + tally([(day * 24 + 12, True) for day in range(7)] * 5)
    rates = borrower_rates(mine, segment, segment)
    tuesday_lunch = dt.datetime(2025, 3, 11, 12, 10, tzinfo=SHANGHAI)

    def permitted(at: dt.datetime) -> bool:
        return 8 <= at.hour < 22

    slots = best_slots(rates, after=tuesday_lunch, allowed=permitted, k=3)
    plan = next_attempt(
        D["no_answer"],
        at=tuesday_lunch,
        number=MOBILE,
        numbers=[PhoneNumber(MOBILE)],
        attempts_today=1,
        best_slots=slots,
    )

    assert slots[0] == dt.datetime(2025, 3, 11, 19, 0, tzinfo=SHANGHAI)
    assert plan.at == slots[0]


def test_a_promise_taken_on_the_phone_pauses_then_resumes_the_treatment_when_broken() -> None:
    promise_call = D["promise_to_pay"]
    assert promise_call.drives(Effect.PAUSE_TREATMENT)
    taken = dt.date(2025, 3, 4)
    promise = Promise(
        taken, (PromisedInstalment(dt.date(2025, 3, 10), Money("800.00", "CNY")),), grace_days=2
    )

    on_time = judge_promise(promise, [Payment(dt.date(2025, 3, 12), Money("800.00", "CNY"))],
                            as_of=dt.date(2025, 3, 20))  # fmt: skip
    broken = judge_promise(promise, [], as_of=dt.date(2025, 3, 20))

    assert on_time.status is PromiseStatus.KEPT
    assert broken.status is PromiseStatus.BROKEN
    assert broken.resume_on == dt.date(2025, 3, 13)


def test_a_dispute_raised_on_the_phone_stops_the_warning_letter() -> None:
    dispute = D["dispute_raised"]
    facts = CaseFacts(
        as_of=dt.date(2025, 6, 30),
        days_past_due=45,
        balance=Money("3000.00", "CNY"),
        notices_sent={"reminder": dt.date(2025, 6, 1)},
        dispute_open=dispute.drives(Effect.OPEN_DISPUTE),
    )

    readiness = check_escalation(EscalationStep.WARNING_LETTER, facts, escalation_rules_for("CN"))

    assert not readiness.ready
    assert [c.reason for c in readiness.failures] == ["escalation.dispute_open"]
