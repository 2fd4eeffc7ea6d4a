"""Dispositions (通话结果): the standard list, what each drives, and a lender's own codes."""

from __future__ import annotations

import pytest
import yaml

from arrears.core.collection.dispositions import (
    CALL_OUTCOMES,
    STANDARD_CODES,
    Effect,
    RetryRule,
    dispositions_from_yaml,
    parse_dispositions,
    standard_dispositions,
)
from arrears.core.compliance.model import AttemptOutcome
from arrears.core.errors import ValidationError


def lender_doc(**fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "label_en": "Borrower in hospital",
        "label_zh": "借款人住院",
        "right_party": False,
        "connected": True,
        "attempt_outcome": "connected",
        "retry": {"rule": "later_then_other_numbers", "hours": 48},
        "effects": ["flag_hardship"],
    }
    entry.update(fields)
    return {"dispositions": {"in_hospital": entry}}


def test_the_standard_list_holds_every_disposition_the_issue_names() -> None:
    assert tuple(standard_dispositions()) == STANDARD_CODES


def test_every_standard_disposition_has_both_labels_and_a_call_outcome() -> None:
    for disposition in standard_dispositions().values():
        assert disposition.label_en and disposition.label_zh
        assert disposition.attempt_outcome in CALL_OUTCOMES


def test_connected_to_the_borrower_is_a_right_party_contact_in_the_glossary_words() -> None:
    rpc = standard_dispositions()["right_party_contact"]

    assert rpc.right_party and rpc.connected
    assert rpc.label_zh == "本人接通"
    assert rpc.attempt_outcome is AttemptOutcome.CONVERSATION
    assert rpc.drives(Effect.RESET_NO_ANSWER)


def test_a_third_party_answering_is_connected_but_not_the_borrower() -> None:
    third = standard_dispositions()["third_party"]

    assert third.connected and not third.right_party
    assert third.attempt_outcome is AttemptOutcome.CONNECTED


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("busy", RetryRule.SOON),
        ("no_answer", RetryRule.NEXT_GOOD_SLOT),
        ("powered_off", RetryRule.LATER_THEN_OTHER_NUMBERS),
        ("number_suspended", RetryRule.LATER_THEN_OTHER_NUMBERS),
        ("invalid_number", RetryRule.MARK_NUMBER_BAD),
        ("wrong_number", RetryRule.MARK_NUMBER_BAD),
        ("promise_to_pay", RetryRule.NONE),
    ],
)
def test_each_disposition_drives_its_retry_rule(code: str, rule: RetryRule) -> None:
    assert standard_dispositions()[code].retry.rule is rule


def test_busy_retries_within_minutes_and_powered_off_within_hours() -> None:
    busy = standard_dispositions()["busy"]
    off = standard_dispositions()["powered_off"]

    assert busy.retry.minutes == 15 and busy.retry.hours is None
    assert off.retry.hours == 4 and off.retry.minutes is None


@pytest.mark.parametrize(
    ("code", "effect"),
    [
        ("promise_to_pay", Effect.PAUSE_TREATMENT),
        ("dispute_raised", Effect.OPEN_DISPUTE),
        ("hardship_claimed", Effect.FLAG_HARDSHIP),
        ("callback_requested", Effect.BOOK_CALLBACK),
        ("invalid_number", Effect.MARK_NUMBER_INVALID),
        ("no_answer", Effect.COUNT_NO_ANSWER),
    ],
)
def test_each_disposition_drives_its_effect(code: str, effect: Effect) -> None:
    assert standard_dispositions()[code].drives(effect)


def test_an_unanswered_call_never_counts_as_connected() -> None:
    for disposition in standard_dispositions().values():
        if disposition.drives(Effect.COUNT_NO_ANSWER):
            assert not disposition.connected


def test_a_lender_adds_its_own_disposition_to_the_standard_list() -> None:
    extended = dispositions_from_yaml(yaml.safe_dump(lender_doc(), allow_unicode=True))

    assert len(extended) == len(STANDARD_CODES) + 1
    hospital = extended["in_hospital"]
    assert hospital.retry.hours == 48
    assert hospital.drives(Effect.FLAG_HARDSHIP)
    assert hospital.label("zh-hans") == "借款人住院"


def test_a_lender_cannot_quietly_redefine_a_standard_disposition() -> None:
    doc = {"dispositions": {"busy": lender_doc()["dispositions"]["in_hospital"]}}  # type: ignore[index]

    with pytest.raises(ValidationError) as error:
        parse_dispositions(doc, base=standard_dispositions())

    assert error.value.field == "dispositions.busy"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"label_zh": ""}, "dispositions.in_hospital.label_zh"),
        ({"attempt_outcome": "sent"}, "dispositions.in_hospital.attempt_outcome"),
        ({"attempt_outcome": "no_answer"}, "dispositions.in_hospital.attempt_outcome"),
        ({"right_party": True, "connected": False, "attempt_outcome": "no_answer"},
         "dispositions.in_hospital.connected"),
        ({"retry": {"rule": "soon"}}, "dispositions.in_hospital.retry.minutes"),
        ({"retry": {"rule": "soon", "minutes": 0}}, "dispositions.in_hospital.retry.minutes"),
        ({"retry": {"rule": "none", "hours": 3}}, "dispositions.in_hospital.retry.hours"),
        ({"retry": {"rule": "whenever"}}, "dispositions.in_hospital.retry.rule"),
        ({"effects": ["call_mum"]}, "dispositions.in_hospital.effects[0]"),
        ({"effects": ["flag_hardship", "flag_hardship"]}, "dispositions.in_hospital.effects[1]"),
        ({"effects": ["count_no_answer"]}, "dispositions.in_hospital.effects"),
        ({"effects": ["mark_number_invalid"]}, "dispositions.in_hospital.effects"),
        ({"colour": "red"}, "dispositions.in_hospital.colour"),
    ],
)  # fmt: skip
def test_a_bad_field_in_a_lender_disposition_is_named(
    fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        parse_dispositions(lender_doc(**fields), base=standard_dispositions())

    assert error.value.field == field


def test_a_required_field_left_out_is_named() -> None:
    doc = lender_doc()
    del doc["dispositions"]["in_hospital"]["retry"]  # type: ignore[index]

    with pytest.raises(ValidationError) as error:
        parse_dispositions(doc)

    assert error.value.field == "dispositions.in_hospital.retry"


def test_a_code_must_be_lower_case_words() -> None:
    doc = {"dispositions": {"In Hospital": lender_doc()["dispositions"]["in_hospital"]}}  # type: ignore[index]

    with pytest.raises(ValidationError) as error:
        parse_dispositions(doc)

    assert error.value.field == "dispositions.In Hospital"


def test_broken_yaml_is_refused_with_a_message() -> None:
    with pytest.raises(ValidationError) as error:
        dispositions_from_yaml("dispositions: [unclosed")

    assert error.value.field == "document"


def test_an_unknown_disposition_is_named() -> None:
    with pytest.raises(ValidationError) as error:
        standard_dispositions()["hung_up_twice"]

    assert error.value.field == "disposition"
