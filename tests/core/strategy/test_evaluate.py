"""Which segment, path and step apply to an account, and why — in collectors' words.

Every scenario is decided twice, by `evaluate` and by `evaluate_frame`, and both answers must be
the same (see `decide`).
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.strategy import (
    Evaluation,
    Outcome,
    evaluate,
    evaluate_frame,
    facts_frame,
    load_bundled_strategy,
    read_strategy,
)
from arrears.core.strategy.split import slot
from tests.core.strategy.builders import AS_OF, facts
from tests.core.strategy.test_document import EXAMPLE

EXAMPLE_STRATEGY = read_strategy(EXAMPLE)
BUNDLED = load_bundled_strategy("conventional-ladder")


def account_in_arm(strategy_seed: int, segment: str, low: int, high: int) -> int:
    """The first account id whose slot in the segment lies in [low, high)."""
    return next(a for a in range(1, 10_000) if low <= slot(strategy_seed, segment, a) < high)


#: Accounts that the example's early_high split sends to the champion (80%) and challenger.
CHAMPION = account_in_arm(20261128, "early_high", 0, 80)
CHALLENGER = account_in_arm(20261128, "early_high", 80, 100)
#: An account the bundled ladder's delinquent segment sends to the champion, `ladder`.
LADDER = account_in_arm(20261128, "delinquent", 0, 80)


def decide(strategy=EXAMPLE_STRATEGY, **changes) -> Evaluation:
    account = facts(**changes)
    answer = evaluate(strategy, account, as_of=AS_OF)
    row = evaluate_frame(strategy, facts_frame([account]), as_of=AS_OF).to_dicts()[0]
    assert row == answer.as_row()
    return answer


# --- segments ---------------------------------------------------------------------------------


def test_a_disputed_account_leaves_every_queue():
    answer = decide(dispute_open=True, days_past_due=45, no_answer_streak=5)

    assert (answer.segment, answer.arm, answer.step, answer.action) == (
        "disputed",
        None,
        None,
        "none",
    )
    assert answer.due_on is None
    assert answer.outcome is Outcome.LEFT_ALONE
    assert answer.reason == (
        "segment disputed: dispute_open (dispute_open=true); action none: leave every queue"
    )


def test_segments_are_tried_in_order_and_the_first_that_holds_applies():
    answer = decide(dispute_open=True, hardship=True)

    assert answer.segment == "disputed"


def test_a_borrower_in_hardship_gets_the_soft_path():
    answer = decide(hardship=True, days_past_due=3)

    assert (answer.segment, answer.arm, answer.step) == ("hardship", "hardship_soft", "support")
    assert (answer.channel, answer.template) == ("email", "hardship_support")


def test_the_reason_names_the_conditions_and_the_values_they_read():
    answer = decide(account_id=CHAMPION, days_past_due=7, balance="6200.00", last_step="sms_d1")

    assert answer.reason == (
        "segment early_high: days_past_due between 1 and 30 and balance >= 5000 "
        "(days_past_due=7, balance=6200.00); path ladder (arm 80%); "
        "step call_d3: day 3 reached, repeats daily until day 15"
    )
    assert (answer.step, answer.action, answer.channel, answer.due_on) == (
        "call_d3",
        "call",
        "call",
        AS_OF,
    )


def test_champion_and_challenger_accounts_take_their_own_paths():
    assert decide(account_id=CHAMPION).arm == "ladder"
    challenger = decide(account_id=CHALLENGER)
    assert challenger.arm == "early_call_first"
    assert "path early_call_first (arm 20%)" in challenger.reason


def test_an_account_no_segment_takes_is_left_alone_and_says_so():
    strategy = read_strategy(EXAMPLE.replace("  - id: rest\n    paths: [{path: ladder}]\n", ""))

    answer = decide(strategy, days_past_due=45)

    assert (answer.segment, answer.action, answer.outcome) == (None, "none", Outcome.NO_SEGMENT)
    assert answer.reason == "no segment applies"


def test_amounts_in_a_reason_have_the_currency_s_decimals():
    answer = decide(account_id=CHAMPION, currency="JPY", balance="620000", days_past_due=7)

    assert "(days_past_due=7, balance=620000)" in answer.reason


# --- the walk along the path ------------------------------------------------------------------


def test_a_new_case_starts_with_the_first_step():
    answer = decide(account_id=CHAMPION, days_past_due=1)

    assert (answer.step, answer.channel, answer.template) == (
        "sms_d1",
        "sms",
        "collection_reminder",
    )
    assert answer.due_on == AS_OF


def test_a_step_waits_for_its_day_and_says_when():
    answer = decide(account_id=CHAMPION, days_past_due=2, last_step="sms_d1", no_answer_streak=5)

    assert (answer.step, answer.outcome, answer.due_on) == ("call_d3", Outcome.WAITS, None)
    assert answer.next_on == AS_OF + dt.timedelta(days=1)
    assert answer.reason.endswith("step call_d3: waits for day 3 (days_past_due=2)")


def test_a_daily_call_is_due_again_the_next_day():
    answer = decide(account_id=CHAMPION, last_step="call_d3", days_since_last_step=1)

    assert (answer.step, answer.outcome, answer.due_on) == ("call_d3", Outcome.REPEAT_DUE, AS_OF)
    assert answer.reason.endswith(
        "step call_d3: due again, days_since_last_step=1 (repeats daily until day 15)"
    )


def test_a_call_made_today_is_not_repeated_today():
    answer = decide(account_id=CHAMPION, last_step="call_d3", days_since_last_step=0)

    assert (answer.step, answer.outcome, answer.due_on) == ("call_d3", Outcome.REPEAT_WAITS, None)
    assert answer.next_on == AS_OF + dt.timedelta(days=1)


def test_a_borrower_who_never_answers_the_phone_gets_the_sms_fallback():
    answer = decide(
        account_id=CHAMPION, last_step="call_d3", days_since_last_step=1, no_answer_streak=3
    )

    assert (answer.step, answer.action, answer.channel, answer.template) == (
        "fallback_sms",
        "message",
        "sms",
        "self_service_link",
    )
    assert answer.reason.endswith("step fallback_sms: no_answer_streak >= 3 (no_answer_streak=3)")


def test_calls_stop_after_their_last_day_and_the_next_rung_waits():
    answer = decide(account_id=CHAMPION, days_past_due=16, last_step="call_d3", balance="900")

    assert answer.segment == "rest"
    assert (answer.step, answer.outcome) == ("warning", Outcome.WAITS)
    assert answer.next_on == AS_OF + dt.timedelta(days=14)


def test_the_warning_letter_needs_a_supervisor_s_approval():
    answer = decide(days_past_due=30, last_step="call_d3", balance="900")

    assert (answer.step, answer.action, answer.channel, answer.approval) == (
        "warning",
        "warning_letter",
        "letter",
        True,
    )


def test_a_small_balance_skips_the_warning_letter_and_the_reason_says_so():
    answer = decide(days_past_due=60, last_step="call_d3", balance="150.00")

    assert answer.step == "lawyer"
    assert answer.reason == (
        "segment rest: no condition; path ladder; "
        "step warning skipped: balance < 200 (balance=150.00); "
        "step lawyer: day 60 reached"
    )


def test_a_borrower_who_is_engaging_gets_no_new_pressure():
    answer = decide(account_id=CHAMPION, days_past_due=10, engaged_recently=True)

    assert (answer.step, answer.action, answer.outcome) == (None, "none", Outcome.BACK_OFF)
    assert answer.reason.endswith(
        "back-off: engaged_recently (engaged_recently=true): borrower engaging: no new pressure"
    )


def test_a_live_promise_pauses_the_ladder_and_a_broken_one_resumes_it_where_it_left_off():
    kept_waiting = decide(
        BUNDLED, account_id=LADDER, days_past_due=20, last_step="call_d3", promise_status="live"
    )
    resumed = decide(
        BUNDLED, account_id=LADDER, days_past_due=20, last_step="call_d3", promise_status="broken"
    )

    assert kept_waiting.outcome is Outcome.BACK_OFF
    assert (resumed.step, resumed.due_on) == ("call_d16", AS_OF)


def test_after_the_last_rung_the_path_is_done():
    answer = decide(days_past_due=150, last_step="agency")

    assert (answer.step, answer.action, answer.outcome) == (None, "none", Outcome.DONE)
    assert answer.reason.endswith("path ladder: every step done")


def test_a_step_from_another_strategy_starts_the_path_from_its_beginning():
    answer = decide(days_past_due=45, last_step="old_strategy_step", balance="900")

    assert answer.step == "sms_d1"


def test_a_trigger_that_does_not_hold_is_passed_over():
    answer = decide(days_past_due=30, last_step="call_d3", no_answer_streak=0, balance="900")

    assert answer.step == "warning"


def test_a_conditional_step_is_passed_over_when_its_condition_fails():
    with_email = decide(BUNDLED, account_id=LADDER, days_past_due=2, last_step="sms_d1")
    without_email = decide(
        BUNDLED, account_id=LADDER, days_past_due=2, last_step="sms_d1", has_valid_email=False
    )

    assert with_email.step == "email_d2"
    assert "when has_valid_email (has_valid_email=true)" in with_email.reason
    assert (without_email.step, without_email.outcome) == ("call_d3", Outcome.WAITS)


# --- explain: the checks behind the answer ----------------------------------------------------


def test_the_scalar_answer_lists_every_check_it_made():
    answer = decide(account_id=CHAMPION, days_past_due=7, last_step="sms_d1")

    tested = [(c.kind, c.subject, c.answer) for c in answer.checks]
    assert tested[:4] == [
        ("segment", "disputed", "fails"),
        ("segment", "hardship", "fails"),
        ("segment", "early_high", "holds"),
        ("arm", "ladder", "chosen"),
    ]
    early_high = answer.checks[2]
    assert early_high.values == (("days_past_due", "7"), ("balance", "6200.00"))
    assert ("step", "call_d3", "due") in tested


@pytest.mark.parametrize("days_past_due", [0, 1, 2, 3, 15, 16, 29, 30, 31, 60, 90, 120, 121])
def test_the_bundled_ladder_walks_from_every_rung(days_past_due):
    for step in ["", *(s.id for s in BUNDLED.paths["ladder"].steps)]:
        decide(BUNDLED, account_id=LADDER, days_past_due=days_past_due, last_step=step,
               days_since_last_step=2 if step else None)  # fmt: skip
