"""Every reason the collection core gives has words in English and Chinese."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from zoneinfo import ZoneInfo

from arrears.core.collection import escalation
from arrears.core.collection.assignment import CaseToAssign, Owner, assign_cases
from arrears.core.collection.dispositions import Effect, standard_dispositions
from arrears.core.collection.escalation import EscalationStep, bundled_escalation_rules
from arrears.core.collection.labels import LABELS, describe
from arrears.core.collection.promises import InstalmentStatus, PromiseStatus
from arrears.core.collection.retries import PhoneNumber, SelfService, next_attempt
from arrears.core.compliance.model import Channel
from arrears.core.money import Money

_KEY = re.compile(r'"((?:retry|escalation|assignment)\.[a-z_.]+)"')


def reason_keys_in_the_code() -> set[str]:
    keys: set[str] = set()
    package = resources.files("arrears.core.collection")
    for name in ("retries.py", "escalation.py", "assignment.py"):
        keys |= set(_KEY.findall(package.joinpath(name).read_text("utf-8")))
    keys |= {f"escalation.{name}" for name in escalation._SWITCHES}
    return keys


def test_every_reason_key_in_the_code_has_words_in_both_languages() -> None:
    keys = reason_keys_in_the_code()

    assert len(keys) > 30
    missing = sorted(k for k in keys if k not in LABELS)
    assert missing == []


def test_every_label_has_english_and_chinese() -> None:
    for key, words in LABELS.items():
        assert set(words) == {"en", "zh"}, key
        assert words["en"].strip() and words["zh"].strip(), key


def test_codes_shown_to_people_have_words() -> None:
    codes = (
        [f"channel.{c}" for c in Channel]
        + [f"effect.{e}" for e in Effect]
        + [f"self_service.{s}" for s in SelfService]
        + [f"step.{s}" for s in EscalationStep]
        + [f"promise.{s}" for s in PromiseStatus]
        + [f"instalment.{s}" for s in InstalmentStatus]
    )
    notices = {
        f"notice.{need.notice}"
        for rules in bundled_escalation_rules().values()
        for step in rules.steps.values()
        for need in step.notices
    }

    assert [c for c in [*codes, *sorted(notices)] if c not in LABELS] == []


def test_a_reason_reads_with_its_codes_put_into_words() -> None:
    params = {"count": "3", "channel": "sms"}

    assert describe("retry.fallback_after_no_answers", params, "zh-hans") == (
        "连续 3 次未接通：改发短信，附自助链接"
    )
    assert describe("retry.fallback_after_no_answers", params) == (
        "3 calls in a row unanswered: send SMS with a self-service link instead"
    )


def test_an_unknown_key_is_shown_as_it_is() -> None:
    assert describe("retry.something_new") == "retry.something_new"


def test_every_retry_reason_is_filled_in_with_its_parameters() -> None:
    at = dt.datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    numbers = [PhoneNumber("+8613800000001"), PhoneNumber("+8613800000002")]
    for disposition in standard_dispositions().values():
        for tries, run, channels in ((1, 0, {Channel.SMS}), (7, 2, set()), (2, 2, {Channel.SMS})):
            for dialled in (numbers, numbers[:1]):
                plan = next_attempt(
                    disposition,
                    at=at,
                    number=dialled[0].number,
                    numbers=dialled,
                    attempts_today=tries,
                    no_answers_in_a_row=run,
                    other_channels=channels,
                )
                for language in ("en", "zh"):
                    words = describe(plan.reason, plan.params, language)
                    assert plan.reason in LABELS and "{" not in words, plan


def test_every_allocation_reason_is_filled_in_with_its_parameters() -> None:
    def case(case_id: str, owner: str | None = None, *skills: str) -> CaseToAssign:
        return CaseToAssign(case_id, Money("100.00", "CNY"), frozenset(skills), owner)

    owners = [Owner("li", max_open_cases=2), Owner("wang", available=False)]
    cases = [case("c1", "li"), case("c2", "wang"), case("c3"), case("c4", None, "legal")]

    result = assign_cases(cases, owners)

    reasons = [(a.reason, a.params) for a in result.assignments]
    reasons += [(u.reason, u.params) for u in result.unassigned]
    assert len(reasons) == 4
    for reason, params in reasons:
        for language in ("en", "zh"):
            assert "{" not in describe(reason, params, language)
