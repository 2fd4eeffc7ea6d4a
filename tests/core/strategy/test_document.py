"""A strategy document is checked on load, and every error names its dotted field path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from arrears.core.errors import ValidationError
from arrears.core.strategy import (
    Action,
    Approval,
    bundled_strategy_codes,
    load_bundled_strategy,
    parse_strategy,
    read_strategy,
)

EXAMPLE = """
code: cn-card-standard
version: "2026-11"
name: {en: CN card standard, zh: 信用卡标准策略}
segments:
  - id: disputed
    when: dispute_open
    action: none
  - id: hardship
    when: hardship or vulnerable
    paths: [{path: hardship_soft, share: 100}]
  - id: early_high
    when: days_past_due between 1 and 30 and balance >= 5000
    paths: [{path: ladder, share: 80}, {path: early_call_first, share: 20}]
  - id: rest
    paths: [{path: ladder}]
paths:
  ladder:
    back_off: {when: engaged_recently, reason: "borrower engaging: no new pressure"}
    steps:
      - {id: sms_d1, on_day: 1, action: message, channel: sms, template: collection_reminder}
      - {id: call_d3, on_day: 3, action: call, repeat_every_days: 1, until_day: 15}
      - {id: fallback_sms, trigger: "no_answer_streak >= 3", action: message, channel: sms,
         template: self_service_link}
      - {id: warning, on_day: 30, action: warning_letter, channel: letter,
         template: warning_letter, approval: supervisor, skip_when: "balance < 200"}
      - {id: lawyer, on_day: 60, action: lawyers_letter, channel: letter,
         template: lawyers_letter, approval: supervisor}
      - {id: legal_review, on_day: 90, action: legal_review, approval: supervisor}
      - {id: agency, on_day: 120, action: agency_placement}
  early_call_first:
    steps:
      - {id: call_d1, on_day: 1, action: call}
  hardship_soft:
    steps:
      - {id: support, on_day: 1, action: message, channel: email, template: hardship_support}
champion_challenger: {seed: 20261128}
"""


def document() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(EXAMPLE))


def refused(change: Callable[[dict[str, Any]], object]) -> tuple[str, str]:
    """(field, reason) of the error the changed document is refused with."""
    data = document()
    change(data)
    with pytest.raises(ValidationError) as caught:
        parse_strategy(data)
    return caught.value.field, caught.value.reason


def ladder_step(data: dict[str, Any], index: int) -> dict[str, Any]:
    step: dict[str, Any] = data["paths"]["ladder"]["steps"][index]
    return step


# --- what loads -------------------------------------------------------------------------------


def test_the_example_strategy_loads_into_segments_paths_and_steps():
    strategy = read_strategy(EXAMPLE)

    assert [s.id for s in strategy.segments] == ["disputed", "hardship", "early_high", "rest"]
    assert strategy.segments[0].leaves_alone
    assert [(a.path, a.share) for a in strategy.segments[2].arms] == [
        ("ladder", 80),
        ("early_call_first", 20),
    ]
    assert strategy.segments[3].when is None
    ladder = strategy.paths["ladder"]
    assert ladder.back_off is not None and ladder.back_off.when.source == "engaged_recently"
    warning = ladder.steps[3]
    assert (warning.action, warning.channel, warning.approval) == (
        Action.WARNING_LETTER,
        "letter",
        Approval.SUPERVISOR,
    )
    assert warning.skip_when is not None and warning.skip_when.source == "balance < 200"
    assert ladder.steps[1].channel == "call"  # a call's channel goes without saying
    assert ladder.steps[5].channel is None  # a legal review contacts nobody
    assert strategy.seed == 20261128


def test_the_bundled_ladder_loads():
    assert "conventional-ladder" in bundled_strategy_codes()

    strategy = load_bundled_strategy("conventional-ladder")

    assert strategy.code == "conventional-ladder"
    assert strategy.name.zh == "常规逐级升级策略"
    delinquent = strategy.segments[-1]
    assert [(a.path, a.share) for a in delinquent.arms] == [("ladder", 80), ("call_first", 20)]
    actions = [step.action for step in strategy.paths["ladder"].steps]
    for rung in (Action.MESSAGE, Action.CALL, Action.WARNING_LETTER, Action.LAWYERS_LETTER,
                 Action.LEGAL_REVIEW, Action.AGENCY_PLACEMENT):  # fmt: skip
        assert rung in actions


def test_an_unknown_bundled_strategy_is_named():
    with pytest.raises(ValidationError, match="no bundled strategy 'nope'"):
        load_bundled_strategy("nope")


# --- what is refused, by field ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (lambda d: d.update(colour="red"), "colour", "unknown field"),
        (lambda d: d.pop("segments"), "segments", "is required"),
        (lambda d: d["segments"][1].update(colour="red"), "segments[1].colour", "unknown field"),
        (
            lambda d: ladder_step(d, 3).update(chanel="letter"),
            "paths.ladder.steps[3].chanel",
            "unknown field",
        ),
        (
            lambda d: ladder_step(d, 3).update(channel="sms"),
            "paths.ladder.steps[3].channel",
            "sms is not a channel for a warning_letter (letter, email)",
        ),
        (
            lambda d: ladder_step(d, 5).update(channel="letter"),
            "paths.ladder.steps[5].channel",
            "letter is not a channel for a legal_review (it uses none)",
        ),
        (
            lambda d: ladder_step(d, 0).pop("channel"),
            "paths.ladder.steps[0].channel",
            "is required (sms, email, letter, in_app)",
        ),
        (
            lambda d: ladder_step(d, 0).pop("template"),
            "paths.ladder.steps[0].template",
            "is required",
        ),
        (
            lambda d: ladder_step(d, 6).update(template="x"),
            "paths.ladder.steps[6].template",
            "has no template",
        ),
        (
            lambda d: ladder_step(d, 1).update(action="visit"),
            "paths.ladder.steps[1].action",
            "'visit' is not one of message, call",
        ),
        (
            lambda d: ladder_step(d, 1).update(action="none"),
            "paths.ladder.steps[1].action",
            "a step must do something",
        ),
        (
            lambda d: ladder_step(d, 1).update(id="sms_d1"),
            "paths.ladder.steps[1].id",
            "'sms_d1' is also paths.ladder.steps[0]",
        ),
        (
            lambda d: ladder_step(d, 1).update(id="Call D3"),
            "paths.ladder.steps[1].id",
            "is not an id",
        ),
        (
            lambda d: ladder_step(d, 4).update(on_day=20),
            "paths.ladder.steps[4].on_day",
            "day 20 comes after day 30 of paths.ladder.steps[3]",
        ),
        (
            lambda d: ladder_step(d, 0).update(on_day=-1),
            "paths.ladder.steps[0].on_day",
            "must be between 0 and 3650",
        ),
        (
            lambda d: ladder_step(d, 0).update(on_day="1"),
            "paths.ladder.steps[0].on_day",
            "is not a whole number",
        ),
        (
            lambda d: ladder_step(d, 2).update(on_day=5),
            "paths.ladder.steps[2]",
            "either `on_day` or `trigger`",
        ),
        (
            lambda d: ladder_step(d, 0).pop("on_day"),
            "paths.ladder.steps[0]",
            "either `on_day` or `trigger`",
        ),
        (
            lambda d: ladder_step(d, 0).update(until_day=9),
            "paths.ladder.steps[0].until_day",
            "goes with repeat_every_days",
        ),
        (
            lambda d: ladder_step(d, 1).update(until_day=2),
            "paths.ladder.steps[1].until_day",
            "must be between 3 and 3650",
        ),
        (
            lambda d: ladder_step(d, 1).update(repeat_every_days=0),
            "paths.ladder.steps[1].repeat_every_days",
            "must be between 1 and 365",
        ),
        (
            lambda d: ladder_step(d, 3).update(approval="manager"),
            "paths.ladder.steps[3].approval",
            "is not one of none, supervisor",
        ),
        (
            lambda d: ladder_step(d, 2).update(trigger="no_answer >= 3"),
            "paths.ladder.steps[2].trigger",
            'unknown fact "no_answer" at column 1',
        ),
        (
            lambda d: ladder_step(d, 3).update(skip_when="balance < '200'"),
            "paths.ladder.steps[3].skip_when",
            'cannot be compared with "200"',
        ),
        (
            lambda d: d["paths"]["ladder"]["back_off"].pop("reason"),
            "paths.ladder.back_off.reason",
            "is required",
        ),
        (
            lambda d: d["paths"]["ladder"].update(steps=[]),
            "paths.ladder.steps",
            "must be a non-empty list",
        ),
        (
            lambda d: d["segments"][2].update(when="dpd > 0"),
            "segments[2].when",
            'unknown fact "dpd" at column 1; did you mean "days_past_due"?',
        ),
        (
            lambda d: d["segments"][1].update(id="disputed"),
            "segments[1].id",
            "'disputed' is also segments[0]",
        ),
        (
            lambda d: d["segments"][1]["paths"][0].update(path="soft"),
            "segments[1].paths[0].path",
            "no path 'soft' (paths: ladder, early_call_first, hardship_soft)",
        ),
        (
            lambda d: d["segments"][2]["paths"][1].update(share=30),
            "segments[2].paths",
            "shares add up to 110, not 100",
        ),
        (
            lambda d: d["segments"][2]["paths"][1].update(share=20.5),
            "segments[2].paths[1].share",
            "20.5 is not a whole number",
        ),
        (
            lambda d: d["segments"][2]["paths"][1].pop("share"),
            "segments[2].paths[1].share",
            "is required",
        ),
        (
            lambda d: d["segments"][2]["paths"][1].update(path="ladder"),
            "segments[2].paths[1].path",
            "already an arm of this segment",
        ),
        (
            lambda d: d["segments"][0].update(action="call"),
            "segments[0].action",
            "can only be none",
        ),
        (
            lambda d: d["segments"][0].update(paths=[{"path": "ladder"}]),
            "segments[0]",
            "either `action: none` or `paths`, not both",
        ),
        (
            lambda d: d["segments"][1].pop("when"),
            "segments[2]",
            "is never reached: segments[1] (hardship) applies to every account",
        ),
        (
            lambda d: d.pop("champion_challenger"),
            "champion_challenger.seed",
            "is required: segment early_high splits between paths",
        ),
        (lambda d: d["name"].pop("zh"), "name.zh", "is required"),
        (lambda d: d.update(version=""), "version", "must be text"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field(change, field, says):
    found_field, reason = refused(change)

    assert found_field == field
    assert says in reason


def test_a_key_written_twice_is_refused_with_its_line():
    text = EXAMPLE.replace("code: cn-card-standard", "code: cn-card-standard\ncode: other")

    with pytest.raises(ValidationError) as caught:
        read_strategy(text, source="mine.yaml")

    assert caught.value.field == "mine.yaml"
    assert "the key 'code' is written twice" in caught.value.reason
    assert "line 3" in caught.value.reason


def test_text_that_is_not_yaml_names_the_line_and_column():
    with pytest.raises(ValidationError) as caught:
        read_strategy("code: [unclosed\nversion: 1\n", source="mine.yaml")

    assert caught.value.field == "mine.yaml"
    assert "not valid YAML (line" in caught.value.reason


def test_a_document_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValidationError, match="must be a mapping"):
        read_strategy("- just\n- a list\n")


def test_a_version_written_as_a_number_is_read_as_text():
    data = document()
    data["version"] = 3

    assert parse_strategy(data).version == "3"
