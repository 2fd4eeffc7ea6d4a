"""Cases: opened at the stage their days past due say, closed with a reason, moved, assigned,
paused and resumed — each change in the case's history with why."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.collection.choices import ActionStatus, CaseEventKind, CaseStatus, OwnerKind
from arrears.collection.models import CollectionAction
from arrears.collection.services import (
    assign_case,
    close_case,
    flag_hardship,
    move_case_stage,
    open_case,
    pause_treatment,
    resume_treatment,
    schedule_call,
)
from arrears.core.collection.stages import Stage, StageRule, stage_for
from arrears.core.errors import Conflict, ValidationError
from tests.collection.conftest import MONDAY, primary_mobile, shanghai

pytestmark = pytest.mark.django_db


def kinds(case):
    return [e.kind for e in case.events.order_by("at", "id")]


def test_a_case_opens_at_the_stage_its_days_past_due_say(loan, morning):
    case = open_case(account=loan, on=MONDAY, reason="entered collection", clock=morning)

    assert (case.status, case.stage, case.opened_on) == (CaseStatus.OPEN, "early", MONDAY)
    event = case.events.get()
    assert event.kind == CaseEventKind.OPENED and event.reason == "entered collection"
    assert event.detail == {"stage": "early", "days_past_due": 14, "bucket": "M1"}


def test_an_account_has_one_open_case_at_a_time(case, loan, morning):
    with pytest.raises(Conflict):
        open_case(account=loan, on=MONDAY, reason="again", clock=morning)

    assert loan.collection_cases.count() == 1


def test_closing_a_case_says_why_and_cancels_what_was_still_to_come(case, morning):
    call = schedule_call(
        case=case,
        at=shanghai(MONDAY, 15),
        number=primary_mobile(case.account),
        key="test-call",
        reason="first call",
        now=morning.now(),
        clock=morning,
    )

    closed = close_case(case=case, on=MONDAY, reason="cured", note="paid up", clock=morning)

    assert (closed.status, closed.close_reason, closed.closed_on) == ("closed", "cured", MONDAY)
    call.refresh_from_db()
    assert call.status == ActionStatus.CANCELLED
    last = closed.events.order_by("-id").first()
    assert last.kind == CaseEventKind.CLOSED and last.detail["cancelled"] == 1


def test_a_closed_case_cannot_be_closed_or_moved_again(case, morning):
    close_case(case=case, on=MONDAY, reason="paid_in_full", clock=morning)

    with pytest.raises(Conflict):
        close_case(case=case, on=MONDAY, reason="cured", clock=morning)
    with pytest.raises(Conflict):
        move_case_stage(case=case, stage="late", on=MONDAY, reason="x", clock=morning)


def test_an_unknown_close_reason_is_refused_naming_the_field(case, morning):
    with pytest.raises(ValidationError) as error:
        close_case(case=case, on=MONDAY, reason="gave_up", clock=morning)

    assert error.value.field == "reason"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_moving_a_stage_is_recorded_from_and_to(case, morning):
    move_case_stage(case=case, stage="mid", on=MONDAY, reason="31 days past due", clock=morning)
    move_case_stage(case=case, stage="mid", on=MONDAY, reason="again", clock=morning)

    stage_events = case.events.filter(kind=CaseEventKind.STAGE)
    assert [e.detail for e in stage_events] == [{"from": "early", "to": "mid"}]


def test_a_case_goes_to_a_collector_only_within_their_capacity(
    case, morning, make_collector, early_queue
):
    full = make_collector("full", max_open_cases=0, queues=[early_queue])
    free = make_collector("free", max_open_cases=10, queues=[early_queue])

    with pytest.raises(ValidationError) as error:
        assign_case(case=case, on=MONDAY, reason="allocation", agent=full, clock=morning)
    assert error.value.field == "agent"

    assign_case(case=case, on=MONDAY, reason="allocation", agent=free, clock=morning)
    case.refresh_from_db()
    assert (case.owner_kind, case.agent) == (OwnerKind.AGENT, free)
    owner = case.events.get(kind=CaseEventKind.OWNER)
    assert owner.detail["to"]["agent"] == free.pk and owner.reason == "allocation"


def test_assigning_needs_exactly_one_owner(case, early_queue, morning):
    with pytest.raises(ValidationError) as error:
        assign_case(case=case, on=MONDAY, reason="x", clock=morning)
    assert error.value.field == "owner"


def test_a_pause_holds_the_treatment_to_its_last_day_and_resumes_on_demand(case, morning):
    until = MONDAY + dt.timedelta(days=5)
    pause_treatment(case=case, until=until, on=MONDAY, reason="promise", clock=morning)
    case.refresh_from_db()
    assert case.paused_until == until

    resume_treatment(case=case, on=MONDAY + dt.timedelta(days=2), reason="early", clock=morning)
    case.refresh_from_db()
    assert case.paused_until == MONDAY + dt.timedelta(days=1)
    assert kinds(case)[-2:] == [CaseEventKind.PAUSED, CaseEventKind.RESUMED]


def test_a_pause_cannot_end_before_it_starts(case, morning):
    with pytest.raises(ValidationError) as error:
        pause_treatment(
            case=case, until=MONDAY - dt.timedelta(days=1), on=MONDAY, reason="x", clock=morning
        )
    assert error.value.field == "until"


def test_a_claim_of_hardship_flags_the_case_and_pauses_the_pressure(case, morning):
    flag_hardship(case=case, on=MONDAY, reason="lost their job", clock=morning)

    case.refresh_from_db()
    assert case.hardship is True
    assert case.paused_until == MONDAY + dt.timedelta(days=30)


def test_every_change_to_a_case_is_in_its_history(case, morning, early_queue):
    move_case_stage(case=case, stage="mid", on=MONDAY, reason="r1", clock=morning)
    assign_case(case=case, on=MONDAY, reason="r2", queue=early_queue, clock=morning)
    pause_treatment(case=case, until=MONDAY, on=MONDAY, reason="r3", clock=morning)
    close_case(case=case, on=MONDAY, reason="settled", clock=morning)

    assert kinds(case) == ["opened", "stage", "owner", "paused", "closed"]
    assert not CollectionAction.objects.filter(case=case).exists()


# --- the stage rule (pure) -------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=5000))
def test_the_stage_rule_covers_every_day_past_due(dpd):
    stage = stage_for(dpd)
    assert stage is (
        Stage.PRE_DELINQUENCY
        if dpd == 0
        else Stage.EARLY
        if dpd <= 30
        else Stage.MID
        if dpd <= 60
        else Stage.LATE
    )


@given(st.integers(min_value=0, max_value=5000), st.sampled_from([Stage.LEGAL, Stage.AGENCY]))
def test_an_escalated_case_stays_where_escalation_put_it(dpd, stage):
    assert stage_for(dpd, current=stage, charged_off=True) is stage


def test_a_charged_off_account_is_in_recovery():
    assert stage_for(200, charged_off=True) is Stage.RECOVERY


def test_a_lender_may_set_its_own_stage_bounds():
    rule = StageRule(early_until_dpd=15, mid_until_dpd=45)
    assert [stage_for(d, rule=rule) for d in (15, 16, 45, 46)] == [
        Stage.EARLY,
        Stage.MID,
        Stage.MID,
        Stage.LATE,
    ]
    with pytest.raises(ValidationError):
        StageRule(early_until_dpd=30, mid_until_dpd=30)
