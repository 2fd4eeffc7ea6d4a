"""Properties of the gate over random streams of contacts.

1. The gate never allows a contact outside the window of any candidate zone, nor beyond a cap:
   replaying random proposals through the gate (recording each allowed one with a random
   outcome), an independent count over the resulting log never exceeds Reg F 7-in-7, the quiet
   period, China's daily caps or the house caps.
2. `next_permitted` is never earlier than a time that is then denied: deciding at it allows,
   and every instant between the request and it is denied.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.compliance import (
    Attempt,
    AttemptOutcome,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Direction,
    Party,
    Profile,
    Purpose,
    decide,
    next_permitted,
)

from .builders import profile

UTC = dt.UTC
ZONES = {
    "US": [
        ("America/New_York",),
        ("America/Boise", "America/Los_Angeles"),
        ("America/Chicago", "Pacific/Honolulu"),
    ],
    "CN": [("Asia/Shanghai",)],
    "IE": [("Europe/Dublin",)],
    "UK": [("Europe/London",)],
}
NUMBERS = ("n1", "n2")
DEBTS = ("d1", "d2")
#: Outcomes, weighted so that conversations are rare enough for 7-in-7 to be reached too.
OUTCOMES = (
    AttemptOutcome.FAILED,
    *[AttemptOutcome.NO_ANSWER] * 4,
    AttemptOutcome.VOICEMAIL,
    *[AttemptOutcome.CONNECTED] * 2,
    AttemptOutcome.CONVERSATION,
)


@st.composite
def proposals(
    draw: st.DrawFn,
    codes: tuple[str, ...] = tuple(sorted(ZONES)),
    outcomes: tuple[AttemptOutcome, ...] = OUTCOMES,
    channels: tuple[Channel, ...] = (Channel.CALL, Channel.CALL, Channel.CALL, Channel.SMS),
):
    """Proposed contacts for one person, dense around the day (local time of the first zone)."""
    code = draw(st.sampled_from(codes))
    zones = draw(st.sampled_from(ZONES[code]))
    house = draw(st.booleans())
    first = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 1)))
    span_days = draw(st.sampled_from([0, 0, 1, 6]))
    home = ZoneInfo(zones[0])
    numbers = draw(st.sampled_from([NUMBERS[:1], NUMBERS]))
    items = draw(
        st.lists(
            st.tuples(
                st.integers(0, span_days),
                st.integers(6 * 60, 23 * 60),  # local minute of the day: mostly inside windows
                st.sampled_from(channels),
                st.sampled_from(numbers),
                st.sampled_from([("d1",), ("d2",), ("d1", "d2")]),
                st.sampled_from(outcomes),
                st.booleans(),  # artificial voice
            ),
            min_size=8,
            max_size=60,
        )
    )
    stream = []
    for day, minute, *rest in items:
        local = dt.datetime.combine(
            first + dt.timedelta(days=day), dt.time(minute // 60, minute % 60)
        )
        stream.append((local.replace(tzinfo=home).astimezone(UTC), *rest))
    return code, zones, house, sorted(stream, key=lambda item: item[0])


def make_request(
    code: str, zones, at: dt.datetime, channel: Channel, number: str, debts, ai: bool
) -> ContactRequest:
    return ContactRequest(
        request_id="r",
        profile_code=code,
        party=Party("p1", home_zones=zones),
        contact_point=ContactPoint(channel, number, zones=zones),
        purpose=Purpose.COLLECTION,
        at=at,
        debt_ids=frozenset(debts),
        artificial_voice=ai and code == "CN",
    )


def inside_every_window(prof: Profile, req: ContactRequest, zones) -> bool:
    """An independent reading of the windows: local wall clock, weekday, public holiday."""
    for window in prof.contact_hours.values():
        if req.channel not in window.channels or req.purpose not in window.purposes:
            continue
        for key in zones:
            local = req.at.astimezone(ZoneInfo(key))
            if not window.start <= local.time() < window.end:
                return False
            if local.weekday() in window.blocked_weekdays:
                return False
            if window.holiday_calendar == "IE":
                days_off = holidays.country_holidays(
                    "IE", years=local.year, categories=("public", "optional")
                )
                if local.date() in days_off:
                    return False
    return True


def local_day(at: dt.datetime, key: str) -> dt.date:
    return at.astimezone(ZoneInfo(key)).date()


def assert_caps_hold(code: str, zones, house: bool, log: list[Attempt]) -> None:
    calls = [a for a in log if a.channel is Channel.CALL and a.direction is Direction.OUTBOUND]
    for key in zones:
        if code == "US":
            for debt in DEBTS:
                counted = Counter(
                    local_day(a.at, key)
                    for a in calls
                    if debt in a.debt_ids and a.outcome is not AttemptOutcome.FAILED
                )
                for day in counted:
                    in_seven = sum(counted.get(day - dt.timedelta(n), 0) for n in range(7))
                    assert in_seven <= 7, (debt, day, in_seven)
                for talk in (
                    a
                    for a in calls
                    if debt in a.debt_ids and a.outcome is AttemptOutcome.CONVERSATION
                ):
                    day_one = local_day(talk.at, key)
                    for later in calls:
                        if later.at > talk.at and debt in later.debt_ids:
                            assert local_day(later.at, key) >= day_one + dt.timedelta(7), (
                                talk,
                                later,
                            )
        if code == "CN":
            answered = Counter(local_day(a.at, key) for a in calls if a.outcome.answered)
            assert max(answered.values(), default=0) <= 3
            per_number = Counter((a.address, local_day(a.at, key)) for a in calls)
            assert max(per_number.values(), default=0) <= 6
        if house:
            texts = Counter(local_day(a.at, key) for a in log if a.channel is Channel.SMS)
            assert max(texts.values(), default=0) <= 2
            for day in texts:
                assert sum(texts.get(day - dt.timedelta(n), 0) for n in range(7)) <= 7


def replay(case) -> None:
    """Put each proposal to the gate; record the allowed ones; check windows and caps."""
    code, zones, house, items = case
    prof = profile(code, house=house)
    log: list[Attempt] = []
    hist = ContactHistory()
    for at, channel, number, debts, outcome, ai in items:
        req = make_request(code, zones, at, channel, number, debts, ai)
        decision = decide(req, hist, prof, now=at)
        if not decision.allowed:
            assert decision.next_permitted_at is None or decision.next_permitted_at > at
            continue
        assert inside_every_window(prof, req, zones), (req.at, zones)
        attempt = Attempt(
            at=at,
            channel=channel,
            party_id="p1",
            address=number,
            outcome=outcome if channel is Channel.CALL else AttemptOutcome.SENT,
            debt_ids=frozenset(debts),
            artificial_voice=req.artificial_voice,
            purpose=Purpose.COLLECTION,
        )
        log.append(attempt)
        hist = hist.with_attempt(attempt)
    assert_caps_hold(code, zones, house, log)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_gate_never_allows_outside_any_zones_window_or_beyond_a_cap(case):
    replay(case)


WITHOUT_CONVERSATION = tuple(o for o in OUTCOMES if o is not AttemptOutcome.CONVERSATION)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals(codes=("US",), outcomes=WITHOUT_CONVERSATION, channels=(Channel.CALL,)))
def test_reg_f_seven_in_seven_is_never_exceeded(case):
    replay(case)


ANSWERED_OFTEN = (AttemptOutcome.CONNECTED, AttemptOutcome.CONVERSATION, AttemptOutcome.NO_ANSWER)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals(codes=("CN",), outcomes=ANSWERED_OFTEN, channels=(Channel.CALL,)))
def test_cn_daily_voice_caps_are_never_exceeded(case):
    replay(case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    proposals(),
    st.integers(0, 14 * 24 * 60),
    st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=8),
)
def test_next_permitted_is_allowed_and_nothing_earlier_is(case, ask_after, fractions):
    code, zones, house, items = case
    prof = profile(code, house=house)
    # The log: every proposal taken as made (the gate is not consulted), so caps are often hit.
    log = [
        Attempt(
            at=at,
            channel=channel,
            party_id="p1",
            address=number,
            outcome=outcome if channel is Channel.CALL else AttemptOutcome.SENT,
            debt_ids=frozenset(debts),
            purpose=Purpose.COLLECTION,
        )
        for at, channel, number, debts, outcome, _ in items
    ]
    hist = ContactHistory(tuple(log))
    now = log[-1].at
    _, channel, number, debts, _, ai = items[-1]
    req = make_request(
        code,
        zones,
        now + dt.timedelta(minutes=ask_after % (3 * 24 * 60)),
        channel,
        number,
        debts,
        ai,
    )
    found = next_permitted(req, hist, prof, now=now)
    if found is None:
        return
    assert found >= req.at
    at_found = decide(
        make_request(code, zones, found, channel, number, debts, ai), hist, prof, now=now
    )
    assert at_found.allowed, at_found.denials
    for fraction in fractions:
        earlier = req.at + (found - req.at) * fraction
        if earlier < found:
            probe = make_request(code, zones, earlier, channel, number, debts, ai)
            assert not decide(probe, hist, prof, now=now).allowed, earlier
