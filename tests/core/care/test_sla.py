"""SLA clocks in the desk's words: nights, weekends, holidays, pauses, escalation, complaints."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.care.hours import BusinessHours, Period
from arrears.core.care.sla import (
    AlertKind,
    ClockState,
    StatusChange,
    TicketFacts,
    run_clock,
    ticket_sla,
)
from arrears.core.care.sla_policy import (
    HEAD_OFFICE_COMPLAINTS,
    Metric,
    Priority,
    SlaPolicy,
    Target,
    TicketKind,
    TicketStatus,
    bundled_sla_policies,
    parse_duration,
    sla_policies_from_yaml,
)
from arrears.core.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
H = dt.timedelta(hours=1)
S = TicketStatus
POLICIES = bundled_sla_policies()
STANDARD = POLICIES.policy_for(TicketKind.INQUIRY, Priority.NORMAL)
COMPLAINT = POLICIES.policy_for(TicketKind.COMPLAINT, Priority.NORMAL)
SPLIT = [Period(9 * 60, 12 * 60), Period(13 * 60 + 30, 18 * 60)]
DESK = BusinessHours(zone="Asia/Shanghai", weekly=dict.fromkeys(range(5), SPLIT), country="CN")
UK_DESK = BusinessHours(
    zone="Europe/London", weekly={day: [Period(540, 1020)] for day in range(5)}, country="GB"
)


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def ticket(
    created: dt.datetime,
    *changes: tuple[dt.datetime, TicketStatus],
    kind: TicketKind = TicketKind.INQUIRY,
    replies: tuple[dt.datetime, ...] = (),
    messages: tuple[dt.datetime, ...] = (),
    final_response_at: dt.datetime | None = None,
    jurisdiction: str | None = None,
) -> TicketFacts:
    history = (StatusChange(created, S.NEW), *(StatusChange(at, s) for at, s in changes))
    return TicketFacts(
        kind=kind,
        priority=Priority.NORMAL,
        created_at=created,
        history=history,
        agent_replies=replies,
        borrower_messages=messages,
        final_response_at=final_response_at,
        jurisdiction=jurisdiction,
    )


def first_reply(facts: TicketFacts, now: dt.datetime, policy: SlaPolicy = STANDARD):  # type: ignore[no-untyped-def]
    clock = ticket_sla(facts, policy=policy, hours=DESK, now=now).clock(Metric.FIRST_REPLY)
    assert clock is not None
    return clock


# --- nights, weekends, holidays --------------------------------------------------------------


def test_a_ticket_raised_in_the_evening_is_due_the_next_afternoon() -> None:
    # 4 business hours: 17:30–18:00 tonight, 09:00–12:00 tomorrow, 13:30–14:00 after lunch.
    clock = first_reply(ticket(sh(2025, 3, 4, 17, 30)), now=sh(2025, 3, 4, 20, 0))

    assert clock.due_at == sh(2025, 3, 5, 14, 0)
    assert clock.elapsed == 0.5 * H
    assert clock.state is ClockState.RUNNING


def test_a_friday_ticket_waits_out_the_weekend_without_using_its_target() -> None:
    clock = first_reply(ticket(sh(2025, 3, 7, 17, 0)), now=sh(2025, 3, 9, 23, 0))

    assert clock.elapsed == H
    assert clock.due_at == sh(2025, 3, 10, 12, 0)


def test_golden_week_does_not_count_against_the_first_reply() -> None:
    clock = first_reply(ticket(sh(2025, 9, 30, 17, 0)), now=sh(2025, 10, 8, 12, 0))

    assert clock.elapsed == H
    assert clock.due_at == sh(2025, 10, 9, 12, 0)


def test_a_reply_the_next_morning_meets_the_target_and_a_late_one_breaches_it() -> None:
    created = sh(2025, 3, 4, 17, 30)
    on_time = first_reply(ticket(created, replies=(sh(2025, 3, 5, 11, 0),)), now=sh(2025, 3, 6))
    late = first_reply(ticket(created, replies=(sh(2025, 3, 5, 16, 0),)), now=sh(2025, 3, 6))

    assert on_time.state is ClockState.MET
    assert late.state is ClockState.BREACHED
    assert late.elapsed == 6 * H


def test_a_reply_in_the_evening_after_the_due_time_is_still_a_breach() -> None:
    # Used up at 18:00 on the dot; a reply at 20:00 is after the due time though no more
    # business time has passed.
    created = sh(2025, 3, 4, 14, 0)
    clock = first_reply(ticket(created, replies=(sh(2025, 3, 4, 20, 0),)), now=sh(2025, 3, 5))

    assert clock.due_at == sh(2025, 3, 4, 18, 0)
    assert clock.elapsed == 4 * H
    assert clock.state is ClockState.BREACHED


# --- pauses ------------------------------------------------------------------------------------


def test_waiting_on_the_borrower_pauses_the_clock_and_pushes_the_due_time_back() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(created, (sh(2025, 3, 4, 10, 0), S.PENDING), (sh(2025, 3, 5, 10, 0), S.OPEN))
    running = first_reply(ticket(created), now=sh(2025, 3, 5, 11, 0))
    paused = first_reply(facts, now=sh(2025, 3, 5, 11, 0))

    assert running.state is ClockState.BREACHED
    assert paused.elapsed == 2 * H
    assert paused.due_at == sh(2025, 3, 5, 14, 30)
    assert paused.state is ClockState.RUNNING


def test_a_clock_on_hold_says_paused_and_when_it_would_fall_due() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(created, (sh(2025, 3, 4, 10, 0), S.ON_HOLD))
    clock = first_reply(facts, now=sh(2025, 3, 4, 15, 0))

    assert clock.state is ClockState.PAUSED
    assert clock.status is S.ON_HOLD
    assert clock.elapsed == H
    assert clock.due_at == sh(2025, 3, 4, 18, 0)  # 3 h left, from 15:00 if resumed now


def test_resolution_stops_when_solved_and_runs_again_after_a_reopen() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(
        created,
        (sh(2025, 3, 4, 10, 0), S.OPEN),
        (sh(2025, 3, 4, 11, 0), S.SOLVED),
        (sh(2025, 3, 6, 9, 0), S.OPEN),  # the borrower writes back
    )
    solved = ticket_sla(facts, policy=STANDARD, hours=DESK, now=sh(2025, 3, 5, 9, 0))
    reopened = ticket_sla(facts, policy=STANDARD, hours=DESK, now=sh(2025, 3, 6, 10, 0))

    solved_clock = solved.clock(Metric.RESOLUTION)
    reopened_clock = reopened.clock(Metric.RESOLUTION)
    assert solved_clock is not None and reopened_clock is not None
    assert solved_clock.state is ClockState.MET
    assert solved_clock.fulfilled_at == sh(2025, 3, 4, 11, 0)
    assert reopened_clock.state is ClockState.RUNNING
    assert reopened_clock.elapsed == 3 * H


# --- warnings and escalation -------------------------------------------------------------------


def test_an_unanswered_ticket_warns_then_breaches_then_climbs_to_head_office() -> None:
    created = sh(2025, 3, 4, 9, 0)
    result = ticket_sla(ticket(created), policy=STANDARD, hours=DESK, now=sh(2025, 3, 11, 18, 0))
    alerts = [a for a in result.alerts if a.metric is Metric.FIRST_REPLY]

    assert [(a.kind, a.level, a.notify) for a in alerts] == [
        (AlertKind.WARNING, None, None),
        (AlertKind.BREACH, None, None),
        (AlertKind.ESCALATION, 1, "team_lead"),
        (AlertKind.ESCALATION, 2, "desk_manager"),
        (AlertKind.ESCALATION, 3, HEAD_OFFICE_COMPLAINTS),
    ]
    assert [a.at for a in alerts] == [
        sh(2025, 3, 4, 12, 0),  # 75 % of 4 h
        sh(2025, 3, 4, 14, 30),  # breach (lunch is not counted)
        sh(2025, 3, 4, 14, 30),  # level 1 at the breach
        sh(2025, 3, 5, 15, 0),  # 8 business hours later
        sh(2025, 3, 6, 15, 30),  # 16 business hours later
    ]
    assert alerts[1].reason == "sla.breach"
    assert dict(alerts[3].params) == {
        "metric": "first_reply",
        "level": "2",
        "notify": "desk_manager",
    }


def test_no_alert_falls_due_after_the_reply() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(created, replies=(sh(2025, 3, 4, 12, 30),))  # after the 75 % warning
    result = ticket_sla(facts, policy=STANDARD, hours=DESK, now=sh(2025, 3, 20))

    first = [a for a in result.alerts if a.metric is Metric.FIRST_REPLY]
    assert [a.kind for a in first] == [AlertKind.WARNING]


def test_each_borrower_message_after_a_reply_starts_a_next_reply_cycle() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(
        created,
        replies=(sh(2025, 3, 4, 10, 0), sh(2025, 3, 4, 15, 0)),
        messages=(sh(2025, 3, 4, 11, 0), sh(2025, 3, 4, 11, 5), sh(2025, 3, 4, 16, 0)),
    )
    result = ticket_sla(facts, policy=STANDARD, hours=DESK, now=sh(2025, 3, 6, 9, 0))

    first, second = (result.clock(Metric.NEXT_REPLY, n) for n in (1, 2))
    assert first is not None and second is not None
    assert (first.started_at, first.fulfilled_at, first.state) == (
        sh(2025, 3, 4, 11, 0), sh(2025, 3, 4, 15, 0), ClockState.MET
    )  # fmt: skip
    assert second.started_at == sh(2025, 3, 4, 16, 0)
    assert second.state is ClockState.BREACHED  # 8 business hours ran out on 5 March
    assert result.clock(Metric.NEXT_REPLY, 3) is None


# --- complaints --------------------------------------------------------------------------------


def test_a_complaint_needs_a_written_final_response_within_the_uk_eight_weeks() -> None:
    created = dt.datetime(2025, 1, 6, 10, 0, tzinfo=LONDON)
    facts = ticket(
        created,
        (created + H, S.ON_HOLD),  # waiting on a third party: the business-time clock pauses
        kind=TicketKind.COMPLAINT,
        replies=(created + 0.5 * H,),
        jurisdiction="GB",
    )
    result = ticket_sla(facts, policy=COMPLAINT, hours=UK_DESK, now=created + dt.timedelta(days=60))
    final = result.clock(Metric.FINAL_RESPONSE)

    assert final is not None
    assert final.elapsed == H
    assert final.regulatory_due_at == dt.datetime(2025, 3, 4, tzinfo=LONDON)  # end of 3 March
    assert final.state is ClockState.BREACHED
    kinds = [a.kind for a in final.alerts]
    assert kinds[-1] is AlertKind.REGULATORY_BREACH
    assert final.alerts[-1].notify == HEAD_OFFICE_COMPLAINTS
    assert final.regulatory_limit is not None and final.regulatory_limit.verified


def test_a_final_response_in_time_meets_both_the_policy_and_the_regulator() -> None:
    created = sh(2025, 3, 4, 9, 0)
    facts = ticket(
        created,
        kind=TicketKind.COMPLAINT,
        replies=(sh(2025, 3, 4, 10, 0),),
        final_response_at=sh(2025, 3, 7, 17, 0),
        jurisdiction="CN",
    )
    result = ticket_sla(facts, policy=COMPLAINT, hours=DESK, now=sh(2025, 4, 30))
    final = result.clock(Metric.FINAL_RESPONSE)

    assert final is not None
    assert final.state is ClockState.MET
    assert final.regulatory_due_at == sh(2025, 3, 20)  # 15 days, to the end of 19 March
    assert final.regulatory_limit is not None and not final.regulatory_limit.verified
    assert not result.breached


def test_complaints_follow_the_stricter_policy() -> None:
    assert COMPLAINT.key == "complaint"
    stricter = COMPLAINT.targets[Metric.FIRST_REPLY].within
    assert stricter < STANDARD.targets[Metric.FIRST_REPLY].within
    assert Metric.FINAL_RESPONSE in COMPLAINT.targets


# --- policies as data --------------------------------------------------------------------------


def test_every_bundled_chain_ends_with_the_head_office_complaints_team() -> None:
    for policy in POLICIES.policies:
        assert policy.escalation[-1].notify == HEAD_OFFICE_COMPLAINTS
    for kind in TicketKind:
        for priority in Priority:
            POLICIES.policy_for(kind, priority)  # every ticket has a policy


def test_a_policy_that_stops_short_of_head_office_is_refused() -> None:
    text = """
policies:
  - key: thin
    kinds: [inquiry]
    priorities: [normal]
    targets: {first_reply: {within: 4h}}
    escalation: [{after: 0h, notify: team_lead}]
"""
    with pytest.raises(ValidationError) as error:
        sla_policies_from_yaml(text)
    assert error.value.field == "policies[0].escalation"


def test_a_complaint_policy_without_a_final_response_is_refused() -> None:
    text = """
policies:
  - key: weak
    kinds: [complaint]
    priorities: [normal]
    targets: {first_reply: {within: 4h}}
    escalation: [{after: 0h, notify: head_office_complaints}]
"""
    with pytest.raises(ValidationError) as error:
        sla_policies_from_yaml(text)
    assert error.value.field == "policies[0].targets.final_response"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("policies: [{key: x, kinds: [inquiry], priorities: [normal], "
         "targets: {first_reply: {within: 2d}}, escalation: []}]",
         "policies[0].targets.first_reply.within"),
        ("policies: [{key: x, kinds: [question], priorities: [normal], "
         "targets: {}, escalation: []}]", "policies[0].kinds[0]"),
        ("policies: [{key: x, kinds: [inquiry], priorities: [normal], colour: red}]",
         "policies[0].colour"),
        ("policies: []", "policies"),
    ],
)  # fmt: skip
def test_policy_errors_name_the_field(text: str, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        sla_policies_from_yaml(text)
    assert error.value.field == field


def test_durations_read_as_business_hours_and_minutes() -> None:
    assert parse_duration("d", "1h30m") == 1.5 * H
    assert parse_duration("d", "45m") == dt.timedelta(minutes=45)
    with pytest.raises(ValidationError):
        parse_duration("d", "3 days")


# --- properties ------------------------------------------------------------------------------

START = sh(2025, 3, 3, 9, 0)
TARGET = Target(Metric.RESOLUTION, 20 * H, (75,))
minutes = st.integers(min_value=0, max_value=14 * 24 * 60)


def clock_at(history: list[StatusChange], now: dt.datetime):  # type: ignore[no-untyped-def]
    return run_clock(
        metric=Metric.RESOLUTION,
        target=TARGET,
        escalation=STANDARD.escalation,
        history=history,
        started_at=START,
        fulfilled_at=None,
        hours=DESK,
        now=now,
        pause_statuses=STANDARD.pause_statuses,
    )


def history_from(steps: list[tuple[int, TicketStatus]]) -> list[StatusChange]:
    return [StatusChange(START, S.NEW)] + [
        StatusChange(START + dt.timedelta(minutes=m), s) for m, s in sorted(steps)
    ]


status_steps = st.lists(
    st.tuples(minutes, st.sampled_from([S.OPEN, S.PENDING, S.ON_HOLD])), max_size=6
)


@settings(max_examples=80, deadline=None)
@given(status_steps, minutes)
def test_pausing_never_brings_the_due_time_earlier(
    steps: list[tuple[int, TicketStatus]], now_minutes: int
) -> None:
    now = START + dt.timedelta(minutes=now_minutes)
    with_pauses = clock_at(history_from(steps), now)
    without = clock_at(history_from([(m, S.OPEN) for m, _ in steps]), now)

    assert with_pauses.due_at >= without.due_at
    assert with_pauses.elapsed <= without.elapsed


@settings(max_examples=80, deadline=None)
@given(status_steps, minutes, minutes)
def test_elapsed_business_time_never_goes_down_as_time_passes(
    steps: list[tuple[int, TicketStatus]], earlier: int, later: int
) -> None:
    earlier, later = sorted((earlier, later))
    history = history_from(steps)

    first = clock_at(history, START + dt.timedelta(minutes=earlier))
    second = clock_at(history, START + dt.timedelta(minutes=later))
    assert first.elapsed <= second.elapsed
    assert first.alerts == second.alerts[: len(first.alerts)]  # alerts once due stay due


@settings(max_examples=80, deadline=None)
@given(minutes, minutes)
def test_an_open_ticket_counts_exactly_the_open_time_between_two_moments(
    earlier: int, later: int
) -> None:
    earlier, later = sorted((earlier, later))
    history = [StatusChange(START, S.OPEN)]
    a, b = START + dt.timedelta(minutes=earlier), START + dt.timedelta(minutes=later)

    assert clock_at(history, b).elapsed - clock_at(history, a).elapsed == (
        DESK.business_time_between(a, b)
    )
