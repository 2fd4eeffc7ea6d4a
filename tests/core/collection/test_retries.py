"""Retries and channel fallback: when calls go unanswered."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.collection.dispositions import Effect, standard_dispositions
from arrears.core.collection.retries import (
    PhoneNumber,
    RetryAction,
    RetryPlan,
    RetryPolicy,
    SelfService,
    next_attempt,
)
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEN_AM = dt.datetime(2025, 3, 4, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
MOBILE = "+8613800000001"
HOME = "+8602100000002"
OFFICE = "+8602100000003"
D = standard_dispositions()


def attempt(code: str, **kwargs: object) -> RetryPlan:
    arguments: dict[str, object] = {
        "at": TEN_AM,
        "number": MOBILE,
        "numbers": [PhoneNumber(MOBILE)],
        "attempts_today": 1,
    }
    arguments.update(kwargs)
    return next_attempt(D[code], **arguments)  # type: ignore[arg-type]


# --- scenarios in collectors' words --------------------------------------------------------


def test_borrower_who_never_answers_gets_the_sms_fallback_after_three_tries() -> None:
    plans = []
    run = 0
    at = TEN_AM
    for tries in range(1, 4):
        plan = attempt("no_answer", at=at, attempts_today=tries, no_answers_in_a_row=run)
        plans.append(plan)
        run = plan.no_answers_in_a_row
        at = plan.at or at

    assert [p.action for p in plans] == [
        RetryAction.CALL,
        RetryAction.CALL,
        RetryAction.SWITCH_CHANNEL,
    ]
    fallback = plans[-1]
    assert fallback.channel is Channel.SMS
    assert fallback.self_service == (
        SelfService.PAY,
        SelfService.SET_UP_PLAN,
        SelfService.BOOK_CALLBACK,
    )
    assert fallback.reason == "retry.fallback_after_no_answers"
    assert fallback.params["count"] == "3"


def test_borrower_with_no_mobile_gets_the_email_fallback() -> None:
    plan = attempt("no_answer", no_answers_in_a_row=2, other_channels={Channel.EMAIL})

    assert plan.action is RetryAction.SWITCH_CHANNEL
    assert plan.channel is Channel.EMAIL


def test_borrower_with_no_other_channel_keeps_being_called() -> None:
    plan = attempt("no_answer", no_answers_in_a_row=2, other_channels=())

    assert plan.action is RetryAction.CALL
    assert plan.no_answers_in_a_row == 3


def test_a_busy_line_is_called_again_in_fifteen_minutes() -> None:
    plan = attempt("busy")

    assert plan.action is RetryAction.CALL
    assert plan.number == MOBILE
    assert plan.at == TEN_AM + dt.timedelta(minutes=15)
    assert plan.reason == "retry.soon"


def test_no_answer_is_called_again_at_the_next_good_hour() -> None:
    too_soon = TEN_AM + dt.timedelta(minutes=20)
    evening = TEN_AM.replace(hour=19)
    tomorrow = TEN_AM.replace(hour=12) + dt.timedelta(days=1)

    plan = attempt("no_answer", best_slots=[tomorrow, too_soon, evening])

    assert plan.at == evening
    assert plan.reason == "retry.next_good_slot"


def test_no_answer_without_a_known_good_hour_waits_two_hours() -> None:
    plan = attempt("no_answer")

    assert plan.at == TEN_AM + dt.timedelta(hours=2)


def test_a_phone_switched_off_is_tried_later_on_the_borrowers_other_number() -> None:
    numbers = [PhoneNumber(MOBILE), PhoneNumber(HOME)]

    plan = attempt("powered_off", numbers=numbers)

    assert plan.number == HOME
    assert plan.at == TEN_AM + dt.timedelta(hours=4)
    assert plan.reason == "retry.later_other_number"


def test_a_suspended_only_number_is_tried_again_a_day_later() -> None:
    plan = attempt("number_suspended")

    assert plan.number == MOBILE
    assert plan.at == TEN_AM + dt.timedelta(hours=24)
    assert plan.reason == "retry.later"


def test_a_switched_off_phone_waits_for_the_first_good_hour_after_the_delay() -> None:
    afternoon = TEN_AM.replace(hour=15)

    plan = attempt("powered_off", best_slots=[TEN_AM.replace(hour=13), afternoon])

    assert plan.at == afternoon


def test_an_invalid_number_is_marked_bad_and_the_next_valid_number_called() -> None:
    numbers = [PhoneNumber(MOBILE), PhoneNumber(HOME, bad=True), PhoneNumber(OFFICE)]

    plan = attempt("invalid_number", numbers=numbers)

    assert plan.mark_bad == MOBILE
    assert plan.number == OFFICE
    assert plan.at == TEN_AM + dt.timedelta(minutes=5)


def test_when_the_last_number_is_invalid_the_borrower_gets_a_message_instead() -> None:
    plan = attempt("invalid_number")

    assert plan.mark_bad == MOBILE
    assert plan.action is RetryAction.SWITCH_CHANNEL
    assert plan.reason == "retry.no_valid_number"


def test_a_borrower_with_no_valid_number_and_no_other_channel_is_unreachable() -> None:
    plan = attempt("wrong_number", other_channels=())

    assert plan.action is RetryAction.STOP
    assert plan.reason == "retry.unreachable"


def test_once_the_days_calls_are_used_up_the_next_call_is_tomorrow() -> None:
    evening = TEN_AM.replace(hour=19)
    tomorrow_noon = TEN_AM.replace(hour=12) + dt.timedelta(days=1)

    plan = attempt("busy", attempts_today=6, best_slots=[evening, tomorrow_noon])

    assert plan.at == tomorrow_noon
    assert plan.reason == "retry.day_full"


def test_a_full_day_without_good_hours_moves_to_nine_the_next_morning() -> None:
    plan = attempt("no_answer", attempts_today=6)

    assert plan.at == dt.datetime(2025, 3, 5, 9, 0, tzinfo=SHANGHAI)


def test_reaching_the_borrower_ends_the_run_of_unanswered_calls_and_the_retries() -> None:
    plan = attempt("right_party_contact", no_answers_in_a_row=2)

    assert plan.action is RetryAction.STOP
    assert plan.no_answers_in_a_row == 0


def test_a_third_party_answering_neither_counts_nor_resets_the_run() -> None:
    plan = attempt("third_party", no_answers_in_a_row=2)

    assert plan.action is RetryAction.CALL
    assert plan.no_answers_in_a_row == 2


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        attempt("busy", at=TEN_AM.replace(tzinfo=None))

    assert error.value.field == "at"


def test_a_policy_cannot_fall_back_to_a_call() -> None:
    with pytest.raises(ValidationError) as error:
        RetryPolicy(fallback_channels=(Channel.CALL,))

    assert error.value.field == "fallback_channels"


# --- properties ----------------------------------------------------------------------------

POOL = [MOBILE, HOME, OFFICE]
counting = sorted(c for c, d in D.items() if d.drives(Effect.COUNT_NO_ANSWER))


@st.composite
def situations(draw: st.DrawFn) -> dict[str, object]:
    size = draw(st.integers(1, 3))
    numbers = [PhoneNumber(n, bad=draw(st.booleans())) for n in POOL[:size]]
    at = TEN_AM + dt.timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    offsets = draw(st.lists(st.integers(-48, 7 * 24), max_size=6))
    return {
        "at": at,
        "number": draw(st.sampled_from(POOL[:size])),
        "numbers": numbers,
        "attempts_today": draw(st.integers(1, 10)),
        "no_answers_in_a_row": draw(st.integers(0, 10)),
        "best_slots": [at.replace(minute=0) + dt.timedelta(hours=h) for h in offsets],
        "other_channels": draw(st.sets(st.sampled_from([Channel.SMS, Channel.EMAIL]))),
    }


@settings(deadline=None)
@given(code=st.sampled_from(sorted(D)), situation=situations())
def test_a_retry_is_never_scheduled_in_the_past(code: str, situation: dict[str, object]) -> None:
    plan = next_attempt(D[code], **situation)  # type: ignore[arg-type]

    at = situation["at"]
    assert isinstance(at, dt.datetime)
    if plan.action is RetryAction.CALL:
        assert plan.at is not None and plan.at > at
    elif plan.action is RetryAction.SWITCH_CHANNEL:
        assert plan.at == at


@settings(deadline=None)
@given(code=st.sampled_from(sorted(D)), situation=situations())
def test_a_number_marked_bad_is_never_called_again(code: str, situation: dict[str, object]) -> None:
    plan = next_attempt(D[code], **situation)  # type: ignore[arg-type]

    numbers = situation["numbers"]
    assert isinstance(numbers, list)
    bad = {n.number for n in numbers if n.bad} | {plan.mark_bad}
    assert plan.number is None or plan.number not in bad
    assert (plan.number is None) == (plan.action is not RetryAction.CALL)


@settings(deadline=None)
@given(
    k=st.integers(1, 6),
    codes=st.lists(st.sampled_from(counting), min_size=12, max_size=12),
)
def test_the_fallback_comes_after_exactly_k_unanswered_calls(k: int, codes: list[str]) -> None:
    policy = RetryPolicy(no_answers_before_fallback=k)
    run = 0
    switched_at = None
    for tries, code in enumerate(codes, start=1):
        plan = attempt(code, attempts_today=1, no_answers_in_a_row=run, policy=policy)
        run = plan.no_answers_in_a_row
        if plan.action is RetryAction.SWITCH_CHANNEL and switched_at is None:
            switched_at = tries

    assert switched_at == k
