"""The gate: every rule runs, one deny refuses, and the next permitted time is a fixed point."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from arrears.core.compliance import (
    AttemptOutcome,
    Hold,
    HoldKind,
    Party,
    TimeRange,
    decide,
    evaluate,
    load_profile,
    next_permitted,
)
from arrears.core.compliance.rules import active_rules
from arrears.core.errors import ValidationError

from .builders import call, denied_by, history, profile, request, run, utc

NOON_NY = utc(2025, 1, 15, 17, 0)


def test_rules_run_in_the_recommended_order_holds_first_counters_last():
    ids = [r.rule_id for r in run(request("US", NOON_NY)).rules]
    assert ids == [rule.rule_id for rule in active_rules(profile("US"))]
    assert all(i.startswith("hold.") for i in ids[:7])
    assert ids.index("party.role") < ids.index("channel.opt_out") < ids.index("hours.window")
    assert ids.index("hours.window") < ids.index("frequency.calls_in_window")


def test_allowed_only_when_no_rule_denies_and_every_answer_is_explained():
    decision = run(request("US", NOON_NY))
    assert decision.allowed and decision.denials == ()
    assert decision.next_permitted_at == NOON_NY
    for rule in decision.rules:
        assert rule.reason_en and rule.reason_zh
    assert decision.rules == evaluate(request("US", NOON_NY), history(), profile("US"))


def test_next_permitted_is_the_first_moment_every_rule_allows():
    # Spoke on Wednesday 15 January (day 1): quiet until Wednesday 22nd; the window opens at
    # 08:00, but the person said Wednesday mornings are inconvenient until noon.
    talk = (call(utc(2025, 1, 15, 15, 0), AttemptOutcome.CONVERSATION),)
    party = Party(
        "p1", inconvenient_times=(TimeRange(dt.time(7, 0), dt.time(12, 0), frozenset({2})),)
    )
    req = request("US", utc(2025, 1, 16, 15, 0), party=party)
    decision = run(req, talk)
    assert denied_by(decision) == {"frequency.after_conversation"}
    assert decision.next_permitted_at == utc(2025, 1, 22, 17, 0)  # Wednesday 12:00 EST
    later = run(request("US", decision.next_permitted_at, party=party), talk)
    assert later.allowed
    assert (
        next_permitted(req, history(*talk), profile("US"), now=req.at) == decision.next_permitted_at
    )


def test_a_hold_or_an_opt_out_has_no_next_permitted_time():
    ceased = (Hold(HoldKind.CEASE_COMMUNICATION, dt.date(2025, 1, 1), "agent-1"),)
    assert run(request("US", utc(2025, 1, 15, 12, 0), holds=ceased)).next_permitted_at is None


def test_windows_that_never_meet_in_the_candidate_zones_have_no_next_time():
    raw = profile("US").raw
    rules = {
        **raw["rules"],
        "contact_hours": {
            "reg_f": {**raw["rules"]["contact_hours"]["reg_f"], "start": "09:00", "end": "10:00"}
        },
    }
    tight = load_profile({**raw, "rules": rules})
    party = Party("p1", home_zones=("America/New_York", "Asia/Shanghai"))
    decision = run(request("US", NOON_NY, party=party), prof=tight)
    assert not decision.allowed and decision.next_permitted_at is None


def test_decision_records_when_and_under_which_profile_version():
    now = NOON_NY - dt.timedelta(hours=2)
    decision = decide(request("US", NOON_NY), history(), profile("US", house=True), now=now)
    assert decision.evaluated_at == now and decision.at == NOON_NY
    assert decision.profile_code == "US"
    assert decision.profile_version == "US@2025.1+house@2025.1"
    logged = json.loads(json.dumps(decision.as_dict()))
    assert logged["allowed"] is True
    assert logged["rules"][0]["citation"]["status"] == "V-PRIMARY"


def test_bad_inputs_name_the_field():
    with pytest.raises(ValidationError) as error:
        decide(request("CN", NOON_NY), history(), profile("US"), now=NOON_NY)
    assert error.value.field == "profile_code"
    with pytest.raises(ValidationError) as error:
        decide(
            request("US", NOON_NY), history(), profile("US"), now=NOON_NY + dt.timedelta(seconds=1)
        )
    assert error.value.field == "at"
    with pytest.raises(ValidationError) as error:
        decide(request("US", NOON_NY), history(), profile("US"), now=dt.datetime(2025, 1, 15))
    assert error.value.field == "now"
    with pytest.raises(ValidationError) as error:
        request("US", dt.datetime(2025, 1, 15, 12))
    assert error.value.field == "at"
