"""The bulk gate works out an answer many rows share once (no hold, the contact-hours window at
one moment, the role, no stated times or places): every row still gets, word for word, the
answer the scalar rules give it over its own history — the same reasons, citations and next
permitted time, written in the same offset."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from arrears.compliance.services.bulk.answers import RuleAnswers, _window
from arrears.compliance.services.bulk.rows import RuleTexts
from arrears.core import compliance as core
from tests.core.compliance.test_vectorised import Case, SeededPick, cases, make_case

_OTHER_ZONES = (ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York"), dt.UTC)


def _asked(case: Case) -> list[core.ContactRequest]:
    """The case's requests, each also at moments the others share, and in other offsets."""
    moments = [case.now + dt.timedelta(hours=h, minutes=m) for h in (0, 3, 9, 14) for m in (0, 7)]
    asked = []
    for number, request in enumerate(case.requests):
        asked.append(request)
        for moment in moments[number % 3 :: 3]:
            asked.append(dataclasses.replace(request, at=moment))
        zone = _OTHER_ZONES[number % len(_OTHER_ZONES)]
        asked.append(dataclasses.replace(request, at=request.at.astimezone(zone)))
    return asked


def _assert_word_for_word(case: Case) -> None:
    history = core.ContactHistory(tuple(case.attempts))
    answers = RuleAnswers()
    texts, plain = RuleTexts(), RuleTexts()
    for request in _asked(case):
        profile = case.profiles[request.profile_code]
        want = core.evaluate(request, history, profile)
        got = answers.evaluate(request, history, profile)
        assert repr(got) == repr(want), request
        assert texts.of(got) == plain.of(want)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_row_gets_the_scalar_rules_answer_word_for_word_when_answers_are_shared(case):
    _assert_word_for_word(case)


@pytest.mark.parametrize("seed", range(3))
def test_a_portfolio_asked_at_the_nights_few_moments_gets_the_scalar_answers(seed):
    _assert_word_for_word(make_case(SeededPick(seed), requests=120, attempts=600))


def test_people_without_holds_share_one_answer_per_hold_rule_and_the_window_one_per_moment():
    case = make_case(SeededPick(5), requests=80, attempts=0)
    history = core.ContactHistory(())
    answers = RuleAnswers()
    moment = case.now + dt.timedelta(hours=2)
    plain = [dataclasses.replace(r, at=moment) for r in case.requests if not r.holds]
    assert len(plain) > 10
    first: dict[str, dict[str, core.RuleResult]] = {}
    for request in plain:
        results = answers.evaluate(request, history, case.profiles[request.profile_code])
        seen = first.setdefault(request.profile_code, {r.rule_id: r for r in results})
        for result in results:
            if result.rule_id.startswith("hold."):
                assert result is seen[result.rule_id]


def test_the_two_readings_of_a_wall_time_a_clock_change_repeats_do_not_share_an_answer():
    """01:30 on the night New York's clocks go back happens twice: an hour apart, two answers."""
    case = make_case(SeededPick(7), requests=30, attempts=0)
    request = next(r for r in case.requests if r.profile_code == "US")
    profile = case.profiles["US"]
    new_york = ZoneInfo("America/New_York")
    first = dataclasses.replace(request, at=dt.datetime(2025, 11, 2, 1, 30, tzinfo=new_york))
    second = dataclasses.replace(request, at=first.at.replace(fold=1))
    assert first.at == second.at and first.at.utcoffset() != second.at.utcoffset()
    assert _window(first, profile) != _window(second, profile)
    in_utc = [dataclasses.replace(request, at=r.at.astimezone(dt.UTC)) for r in (first, second)]
    history = core.ContactHistory(())
    answers = RuleAnswers()
    for asked in (first, second, *in_utc):
        want = core.evaluate(asked, history, profile)
        assert repr(answers.evaluate(asked, history, profile)) == repr(want)
