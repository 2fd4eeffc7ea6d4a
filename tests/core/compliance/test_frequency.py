"""How often: Reg F 7-in-7 and the quiet period, China's daily caps, house caps on messages."""

from __future__ import annotations

from arrears.core.compliance import (
    AttemptOutcome,
    Channel,
    Direction,
    Party,
    Purpose,
    apply_house_rules,
)

from .builders import (
    CN_MOBILE,
    NY_NUMBER,
    call,
    denied_by,
    message,
    profile,
    request,
    result,
    run,
    utc,
)

IN_WINDOW = "frequency.calls_in_window"
AFTER_TALK = "frequency.after_conversation"
CN_ANSWERED = "frequency.daily_connected_voice"
CN_NUMBER = "frequency.daily_number_attempts"
CAPS = "frequency.electronic_caps"

# 10:00 in New York (EST) on each day of the week of Monday 6 January 2025.
WEEK = [utc(2025, 1, 6 + n, 15, 0) for n in range(7)]


def house(rules: dict) -> dict:
    return {"code": "house", "version": "t", "rules": rules}


# --- Reg F: more than 7 calls in 7 consecutive days (12 CFR 1006.14(b)(2)(i)) -------------------


def test_seventh_call_in_seven_days_is_allowed_and_the_eighth_is_not():
    sixth = run(request("US", utc(2025, 1, 12, 20, 0)), tuple(call(t) for t in WEEK[:6]))
    assert sixth.allowed
    eighth = run(request("US", utc(2025, 1, 12, 20, 0)), tuple(call(t) for t in WEEK))
    assert not eighth.allowed
    assert result(eighth, IN_WINDOW).denied
    assert "7 calls" in result(eighth, IN_WINDOW).reason_en


def test_seven_day_window_is_counted_in_local_calendar_days():
    attempts = tuple(call(t) for t in WEEK)  # Monday 6 … Sunday 12 January
    decision = run(request("US", utc(2025, 1, 12, 20, 0)), attempts)
    # The Monday call drops out at local midnight starting Monday 13 January (05:00 UTC) …
    assert result(decision, IN_WINDOW).next_permitted_at == utc(2025, 1, 13, 5, 0)
    # … and the first time every rule allows is 08:00 that morning.
    assert decision.next_permitted_at == utc(2025, 1, 13, 13, 0)
    assert run(request("US", utc(2025, 1, 13, 13, 0)), attempts).allowed


def test_seven_calls_on_one_day_block_the_next_six_days():
    attempts = tuple(call(utc(2025, 1, 6, 14 + n, 0)) for n in range(7))
    assert denied_by(run(request("US", utc(2025, 1, 12, 20, 0)), attempts)) == {IN_WINDOW}
    assert run(request("US", utc(2025, 1, 13, 15, 0)), attempts).allowed


def test_calls_to_every_number_of_the_person_count_together():
    numbers = [NY_NUMBER, "+12125550199"]
    attempts = tuple(call(t, address=numbers[i % 2]) for i, t in enumerate(WEEK))
    decision = run(request("US", utc(2025, 1, 12, 20, 0), address="+12125550177"), attempts)
    assert denied_by(decision) == {IN_WINDOW}


def test_voicemails_count_as_calls_placed():
    attempts = tuple(call(t, AttemptOutcome.VOICEMAIL) for t in WEEK)
    assert denied_by(run(request("US", utc(2025, 1, 12, 20, 0)), attempts)) == {IN_WINDOW}


def test_calls_that_did_not_connect_are_not_counted_unless_house_rules_say_so():
    attempts = tuple(call(t, AttemptOutcome.FAILED) for t in WEEK)
    req = request("US", utc(2025, 1, 12, 20, 0))
    assert run(req, attempts).allowed
    strict = apply_house_rules(
        profile("US"), house({"call_frequency": {"count_unconnected": True}})
    )
    assert denied_by(run(req, attempts, strict)) == {IN_WINDOW}
    assert result(run(req, attempts), IN_WINDOW).citation.ref == "US-FREQ-01"


def test_calls_placed_with_direct_consent_are_not_counted():
    attempts = tuple(call(t, direct_consent=True) for t in WEEK)
    assert run(request("US", utc(2025, 1, 12, 20, 0)), attempts).allowed


def test_a_call_within_seven_days_of_the_persons_direct_consent_is_not_limited():
    attempts = tuple(call(t) for t in WEEK)
    consented = request("US", utc(2025, 1, 12, 20, 0), direct_consent_at=utc(2025, 1, 11, 15, 0))
    decision = run(consented, attempts)
    assert decision.allowed
    assert result(decision, IN_WINDOW).citation.status.value == "V-SECONDARY"
    stale = request("US", utc(2025, 1, 12, 20, 0), direct_consent_at=utc(2025, 1, 5, 15, 0))
    assert denied_by(run(stale, attempts)) == {
        IN_WINDOW
    }  # consent day 5 Jan is day 1; 12 Jan is day 8


def test_calls_about_another_debt_do_not_count():
    attempts = tuple(call(t, debts=("d2",)) for t in WEEK)
    assert run(request("US", utc(2025, 1, 12, 20, 0)), attempts).allowed
    other = run(request("US", utc(2025, 1, 12, 20, 0), debt_ids=frozenset({"d2"})), attempts)
    assert denied_by(other) == {IN_WINDOW}


def test_a_call_about_two_debts_counts_for_each():
    attempts = tuple(call(t, debts=("d1", "d2")) for t in WEEK)
    for debt in ("d1", "d2"):
        decision = run(request("US", utc(2025, 1, 12, 20, 0), debt_ids=frozenset({debt})), attempts)
        assert denied_by(decision) == {IN_WINDOW}, debt


# --- Reg F: no call within 7 days after a telephone conversation (1006.14(b)(2)(ii)) ------------

SPOKE = utc(2025, 1, 15, 15, 0)  # Wednesday 15 January, 10:00 EST: day 1


def test_conversation_day_is_day_one_of_the_quiet_period():
    talk = (call(SPOKE, AttemptOutcome.CONVERSATION),)
    later_same_day = run(request("US", utc(2025, 1, 15, 20, 0)), talk)
    assert denied_by(later_same_day) == {AFTER_TALK}
    day_seven = run(request("US", utc(2025, 1, 21, 15, 0)), talk)  # Tuesday 21 = day 7
    assert denied_by(day_seven) == {AFTER_TALK}
    assert result(day_seven, AFTER_TALK).next_permitted_at == utc(2025, 1, 22, 5, 0)
    assert day_seven.next_permitted_at == utc(2025, 1, 22, 13, 0)  # 08:00 on day 8
    assert run(request("US", utc(2025, 1, 22, 13, 0)), talk).allowed


def test_a_conversation_about_two_debts_blocks_calls_about_both():
    talk = (call(SPOKE, AttemptOutcome.CONVERSATION, debts=("d1", "d2")),)
    at = utc(2025, 1, 17, 15, 0)
    for debt in ("d1", "d2"):
        decision = run(request("US", at, debt_ids=frozenset({debt})), talk)
        assert denied_by(decision) == {AFTER_TALK}, debt
    assert run(request("US", at, debt_ids=frozenset({"d3"})), talk).allowed


def test_the_persons_own_call_is_a_conversation_too():
    talk = (call(SPOKE, AttemptOutcome.CONVERSATION, direction=Direction.INBOUND),)
    assert denied_by(run(request("US", utc(2025, 1, 16, 15, 0)), talk)) == {AFTER_TALK}


def test_an_answered_call_without_a_conversation_starts_no_quiet_period():
    answered = (call(SPOKE, AttemptOutcome.CONNECTED),)
    assert run(request("US", utc(2025, 1, 16, 15, 0)), answered).allowed


def test_texts_are_not_calls_for_reg_f():
    talk = (call(SPOKE, AttemptOutcome.CONVERSATION),)
    sms = run(request("US", utc(2025, 1, 16, 15, 0), channel=Channel.SMS), talk)
    assert sms.allowed
    assert not result(sms, AFTER_TALK).denied


# --- China: ≤3 answered voice calls a day per debtor, ≤6 attempts a day per number --------------

BEIJING_MORNING = [utc(2025, 1, 15, 2 + n, 0) for n in range(6)]  # 10:00, 11:00 … 北京时间


def test_cn_fourth_answered_call_of_the_day_is_refused_ai_voice_and_agencies_included():
    attempts = (
        call(BEIJING_MORNING[0], AttemptOutcome.CONNECTED, address=CN_MOBILE),
        call(BEIJING_MORNING[1], AttemptOutcome.CONVERSATION, address=CN_MOBILE, by="agency-7"),
        call(
            BEIJING_MORNING[2], AttemptOutcome.CONNECTED, address=CN_MOBILE, artificial_voice=True
        ),
    )
    decision = run(request("CN", BEIJING_MORNING[4]), attempts)
    assert denied_by(decision) == {CN_ANSWERED}
    assert decision.next_permitted_at == utc(2025, 1, 16, 0, 0)  # 08:00 the next Beijing day
    assert run(request("CN", BEIJING_MORNING[4]), attempts[:2]).allowed


def test_cn_unanswered_calls_do_not_use_up_the_answered_cap():
    attempts = tuple(
        call(t, AttemptOutcome.NO_ANSWER, address=CN_MOBILE) for t in BEIJING_MORNING[:3]
    )
    assert run(request("CN", BEIJING_MORNING[4]), attempts).allowed


def test_cn_seventh_dial_to_one_number_in_a_day_is_refused_but_another_number_is_not():
    attempts = tuple(call(t, AttemptOutcome.NO_ANSWER, address=CN_MOBILE) for t in BEIJING_MORNING)
    at = utc(2025, 1, 15, 9, 0)  # 17:00 北京时间
    decision = run(request("CN", at), attempts)
    assert denied_by(decision) == {CN_NUMBER}
    assert decision.next_permitted_at == utc(2025, 1, 16, 0, 0)
    assert run(request("CN", at, address="+8613900139000"), attempts).allowed


def test_cn_day_is_the_beijing_day():
    # 23:30 UTC on the 14th is 07:30 on the 15th in Beijing: the same Beijing day as the morning.
    attempts = (
        call(utc(2025, 1, 14, 23, 30), AttemptOutcome.CONNECTED, address=CN_MOBILE),
        *(call(t, AttemptOutcome.CONNECTED, address=CN_MOBILE) for t in BEIJING_MORNING[:2]),
    )
    assert denied_by(run(request("CN", BEIJING_MORNING[3]), attempts)) == {CN_ANSWERED}


# --- House caps on SMS and e-mail (house.yaml) -------------------------------------------------


def test_house_cap_of_two_texts_a_day():
    sent = (message(utc(2025, 1, 15, 14, 0)), message(utc(2025, 1, 15, 15, 0)))
    req = request("US", utc(2025, 1, 15, 18, 0), channel=Channel.SMS)
    assert run(req, sent).allowed  # no cap without the house rules
    capped = run(req, sent, profile("US", house=True))
    assert denied_by(capped) == {CAPS}
    assert result(capped, CAPS).citation.ref == "HOUSE-ELECTRONIC"
    assert capped.next_permitted_at == utc(2025, 1, 16, 13, 0)  # next day, 08:00 EST
    email = request("US", utc(2025, 1, 15, 18, 0), channel=Channel.EMAIL, address="p@x.com")
    assert run(email, sent, profile("US", house=True)).allowed  # caps are per channel


def test_house_cap_of_seven_texts_in_seven_days():
    sent = tuple(message(utc(2025, 1, 9 + n, 15, 0)) for n in range(7))  # one a day, 9–15 Jan
    decision = run(
        request("US", utc(2025, 1, 15, 18, 0), channel=Channel.SMS),
        sent,
        profile("US", house=True),
    )
    assert denied_by(decision) == {CAPS}
    assert decision.next_permitted_at == utc(2025, 1, 16, 13, 0)  # the 9 January text drops out


def test_transactional_messages_are_not_capped():
    sent = (message(utc(2025, 1, 15, 14, 0)), message(utc(2025, 1, 15, 15, 0)))
    req = request("US", utc(2025, 1, 15, 18, 0), channel=Channel.SMS, purpose=Purpose.TRANSACTIONAL)
    assert run(req, sent, profile("US", house=True)).allowed


def test_counts_reopen_in_every_candidate_zone():
    # With a Honolulu address too, the 7-day window ends at the later (Hawaiian) midnight.
    party = Party("p1", home_zones=("Pacific/Honolulu",))
    decision = run(
        request("US", utc(2025, 1, 12, 22, 0), party=party), tuple(call(t) for t in WEEK)
    )
    assert result(decision, IN_WINDOW).next_permitted_at == utc(2025, 1, 13, 10, 0)
    # and both clocks must then be inside 08:00–21:00: 08:00 in Honolulu is 18:00 UTC.
    assert decision.next_permitted_at == utc(2025, 1, 13, 18, 0)
