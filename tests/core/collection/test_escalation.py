"""Escalation preconditions: the checks before a warning letter, lawyer's letter, legal review."""

from __future__ import annotations

import copy
import datetime as dt
from importlib import resources
from typing import Any

import pytest
import yaml

from arrears.core.collection.escalation import (
    CaseFacts,
    EscalationStep,
    bundled_escalation_rules,
    check_escalation,
    escalation_rules_for,
    parse_escalation_rules,
)
from arrears.core.collection.labels import describe
from arrears.core.compliance.model import Verification
from arrears.core.errors import ValidationError
from arrears.core.money import Money

TODAY = dt.date(2025, 6, 30)
CN = escalation_rules_for("CN")
UK = escalation_rules_for("GB")


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def cn_case(**changes: Any) -> CaseFacts:
    facts: dict[str, Any] = {
        "as_of": TODAY,
        "days_past_due": 75,
        "balance": Money("8000.00", "CNY"),
        "notices_sent": {
            "reminder": days_ago(40),
            "warning_letter": days_ago(20),
        },
    }
    facts.update(changes)
    return CaseFacts(**facts)


def failed(readiness: Any) -> list[str]:
    return [c.reason for c in readiness.failures]


def test_a_warning_letter_may_go_once_the_reminder_has_waited_its_days() -> None:
    readiness = check_escalation(EscalationStep.WARNING_LETTER, cn_case(), CN)

    assert readiness.ready
    assert {c.name for c in readiness.checks} >= {
        "days_past_due",
        "balance",
        "notice:reminder",
        "no_dispute",
        "no_hold",
        "not_on_plan",
        "no_live_promise",
    }


def test_a_lawyers_letter_needs_the_warning_letter_and_its_waiting_period() -> None:
    facts = cn_case(notices_sent={"reminder": days_ago(40), "warning_letter": days_ago(10)})

    readiness = check_escalation(EscalationStep.LAWYERS_LETTER, facts, CN)

    assert failed(readiness) == ["escalation.waiting_period"]
    assert readiness.waiting_until == days_ago(10) + dt.timedelta(days=15)
    check = readiness.failures[0]
    assert check.params["notice"] == "warning_letter"
    assert describe(check.reason, check.params, "zh") == (
        f"催收函于 {days_ago(10).isoformat()} 发送：需等待 15 天，至 {check.params['ready_on']}"
    )


def test_a_lawyers_letter_without_any_warning_letter_is_held_back() -> None:
    facts = cn_case(notices_sent={"reminder": days_ago(40)})

    readiness = check_escalation(EscalationStep.LAWYERS_LETTER, facts, CN)

    assert failed(readiness) == ["escalation.notice_missing"]
    assert readiness.waiting_until is None


def test_a_legal_review_needs_the_lawyers_letter_long_enough_ago() -> None:
    facts = cn_case(days_past_due=120, notices_sent={"lawyers_letter": days_ago(29)})

    readiness = check_escalation(EscalationStep.LEGAL_REVIEW, facts, CN)

    assert failed(readiness) == ["escalation.waiting_period"]
    assert readiness.waiting_until == TODAY + dt.timedelta(days=1)


def test_a_disputed_account_is_never_escalated() -> None:
    readiness = check_escalation(EscalationStep.WARNING_LETTER, cn_case(dispute_open=True), CN)

    assert failed(readiness) == ["escalation.dispute_open"]


def test_an_account_under_a_hold_is_never_escalated_and_the_hold_is_named() -> None:
    facts = cn_case(holds=frozenset({"bankruptcy"}))

    readiness = check_escalation(EscalationStep.AGENCY_PLACEMENT, facts, CN)

    assert failed(readiness) == ["escalation.hold_in_force"]
    assert readiness.failures[0].params == {"holds": "bankruptcy"}


def test_a_borrower_on_a_plan_or_with_a_live_promise_is_not_escalated() -> None:
    readiness = check_escalation(
        EscalationStep.WARNING_LETTER, cn_case(on_plan=True, live_promise=True), CN
    )

    assert failed(readiness) == ["escalation.on_plan", "escalation.live_promise"]


def test_a_small_balance_or_too_few_days_past_due_is_not_escalated() -> None:
    facts = cn_case(days_past_due=20, balance=Money("50.00", "CNY"))

    readiness = check_escalation(EscalationStep.WARNING_LETTER, facts, CN)

    assert failed(readiness) == ["escalation.too_few_days_past_due", "escalation.balance_too_small"]
    assert readiness.waiting_until is None


def test_in_the_uk_a_lawyers_letter_needs_the_default_notice_and_a_forbearance_assessment() -> None:
    facts = CaseFacts(
        as_of=TODAY,
        days_past_due=70,
        balance=Money("900.00", "GBP"),
        notices_sent={"default_notice": days_ago(15), "warning_letter": days_ago(30)},
    )

    readiness = check_escalation(EscalationStep.LAWYERS_LETTER, facts, UK)

    assert failed(readiness) == [
        "escalation.waiting_period",
        "escalation.forbearance_not_considered",
    ]
    default_notice = readiness.failures[0]
    assert default_notice.cite.ref == "UK-CCA-01"
    assert default_notice.cite.status is Verification.PRIMARY


def test_ireland_uses_the_eu_rules_and_an_uncovered_country_is_refused() -> None:
    assert escalation_rules_for("IE").jurisdiction == "EU"
    assert escalation_rules_for("FR").currency == "EUR"
    with pytest.raises(ValidationError):
        escalation_rules_for("JP")


def test_a_balance_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        check_escalation(EscalationStep.WARNING_LETTER, cn_case(balance=Money("1", "USD")), CN)

    assert error.value.field == "balance"


def test_every_bundled_figure_carries_a_citation_and_unverified_ones_say_so() -> None:
    statuses = set()
    for rules in bundled_escalation_rules().values():
        assert set(rules.steps) == set(EscalationStep)
        for step in rules.steps.values():
            statuses.add(step.cite.status)
            for need in step.notices:
                statuses.add(need.cite.status)
    assert Verification.UNVERIFIED in statuses and Verification.POLICY in statuses


def test_every_reason_has_words_in_both_languages() -> None:
    facts = cn_case(
        days_past_due=1,
        balance=Money("1.00", "CNY"),
        notices_sent={},
        dispute_open=True,
        holds=frozenset({"dispute"}),
        on_plan=True,
        live_promise=True,
    )
    for step in EscalationStep:
        for good in (cn_case(days_past_due=200), facts):
            for check in check_escalation(step, good, CN).checks:
                for language in ("en", "zh"):
                    words = describe(check.reason, check.params, language)
                    assert words != check.reason and "{" not in words


# --- the data file's errors name the field -------------------------------------------------


def bundled_doc() -> dict[str, Any]:
    text = resources.files("arrears.core").joinpath("data/escalation.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("CN", "steps", "warning_letter", "min_balance"), 100.0,
         "jurisdictions.CN.steps.warning_letter.min_balance"),
        (("CN", "steps", "warning_letter", "min_balance"), "100.001",
         "jurisdictions.CN.steps.warning_letter.min_balance"),
        (("CN", "steps", "warning_letter", "min_days_past_due"), -1,
         "jurisdictions.CN.steps.warning_letter.min_days_past_due"),
        (("CN", "steps", "warning_letter", "cite"), "NOWHERE",
         "jurisdictions.CN.steps.warning_letter.cite"),
        (("CN", "steps", "warning_letter", "no_dispute"), "yes",
         "jurisdictions.CN.steps.warning_letter.no_dispute"),
        (("CN", "steps", "warning_letter", "notices"), [{"notice": "reminder"}],
         "jurisdictions.CN.steps.warning_letter.notices[0].min_days_since"),
        (("CN", "steps", "warning_letter", "colour"), "red",
         "jurisdictions.CN.steps.warning_letter.colour"),
        (("CN", "steps", "court_visit"), {}, "jurisdictions.CN.steps.court_visit"),
    ],
)  # fmt: skip
def test_a_bad_figure_in_the_escalation_data_is_named(
    path: tuple[str, ...], value: object, field: str
) -> None:
    doc = copy.deepcopy(bundled_doc())
    target = doc["jurisdictions"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    with pytest.raises(ValidationError) as error:
        parse_escalation_rules(doc)

    assert error.value.field == field


def test_an_unknown_jurisdiction_in_the_data_is_named() -> None:
    doc = bundled_doc()
    doc["jurisdictions"]["XX"] = doc["jurisdictions"]["CN"]

    with pytest.raises(ValidationError) as error:
        parse_escalation_rules(doc)

    assert error.value.field == "jurisdictions.XX"


def test_a_source_without_a_verification_label_is_refused() -> None:
    doc = bundled_doc()
    doc["sources"]["CN-POLICY"]["status"] = "probably"

    with pytest.raises(ValidationError) as error:
        parse_escalation_rules(doc)

    assert error.value.field == "sources.CN-POLICY.status"
