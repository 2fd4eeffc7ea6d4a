"""The batch gate agrees with the scalar gate, row by row.

The same random proposals and contact logs — holds, opt-outs, consents, stated times and places,
several candidate zones, DST changes, Irish holidays, every counter at and around its limit —
are decided by `decide` one request at a time and by `decide_batch` all at once; for every row
the allowed flag, the refusing rules (in order), the flags and `next_permitted_at` must be equal.
Hypothesis draws small cases and shrinks a disagreement to a minimal one; seeded portfolios of a
few hundred proposals over a shared log add volume.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.compliance import (
    Attempt,
    AttemptOutcome,
    AutomatedConsent,
    BreathingSpaceKind,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Direction,
    Hold,
    HoldKind,
    OptOut,
    Party,
    Profile,
    Purpose,
    Role,
    TimeRange,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    decide,
    parse_profile,
)
from arrears.core.compliance.vectorised import decide_batch, history_frame, proposals_frame
from arrears.core.compliance.vectorised.clock import Clock, from_micros, micros
from arrears.core.compliance.vectorised.convert import attempts_of, request_of
from arrears.core.errors import ValidationError

UTC = dt.UTC
T = TypeVar("T")

# --- profiles: the bundled ones, with and without house rules, and two that turn every knob -----

#: A profile on the US base with the other settings of every parameter (looser ones included,
#: which house rules could not make): a second window on weekdays off US holidays, automatic
#: serial-filer lifts, channel-wide opt-outs, Reg F counting everything, China's caps too.
KNOBS: dict[str, Any] = {
    "code": "ZZ",
    "version": "test",
    "rules": {
        "contact_hours": {
            "weekdays": {
                "cite": "US-COMM-01",
                "start": "09:30",
                "end": "20:00",
                "channels": ["call", "visit"],
                "purposes": ["collection"],
                "blocked_weekdays": ["saturday", "sunday"],
                "holiday_calendar": "US",
                "agreed_times_override": False,
            }
        },
        "holds": {
            "bankruptcy": {"serial_filer_auto_lift": True},
            "breathing_space": {
                "cite": "US-COMM-05",
                "standard_days": 60,
                "allowed_roles": ["attorney"],
                "allowed_messages": ["statutory_notice"],
            },
            "servicemember": {"action": "deny"},
            "dispute": {"blocked_purposes": ["collection"]},
        },
        "opt_out": {"scope": "channel", "exempt_purposes": ["transactional"]},
        "workplace": {"consent_required_channels": ["email", "call"]},
        "location_contacts": {"max_per_person": 2},
        "contact_persons": {
            "cite": "US-COMM-06",
            "roles": ["contact_person", "spouse"],
            "require_debtor_unreachable": True,
            "stop_on_refusal": True,
        },
        "call_frequency": {
            "max_calls": 3,
            "window_days": 5,
            "quiet_days_after_conversation": 2,
            "count_unconnected": True,
            "count_direct_consent": False,
            "direct_consent_days": 3,
        },
        "daily_voice_cap": {
            "cite": "US-FREQ-02",
            "max_connected_per_day": 2,
            "ai_voice_counts": False,
        },
        "number_attempt_cap": {"cite": "US-FREQ-02", "max_attempts_per_day": 3},
        "electronic_caps": {
            "sms": {"cite": "US-ELEC-01", "per_day": 1, "per_week": 3},
            "email": {"cite": "US-ELEC-01", "per_day": 0},
            "in_app": {"cite": "US-ELEC-01", "per_week": 2},
        },
    },
}
#: China's base with zones read address-first, no quiet period, caps of zero, no Reg F counting
#: of unconnected calls but of direct-consent ones.
KNOBS_CN: dict[str, Any] = {
    "code": "ZC",
    "version": "test",
    "zone_basis": "address_first",
    "rules": {
        "daily_voice_cap": {"max_connected_per_day": 0},
        "call_frequency": {
            "cite": "CN-FREQ-01",
            "max_calls": 2,
            "window_days": 3,
            "count_direct_consent": True,
        },
        "electronic_caps": {"sms": {"cite": "CN-OPT-OUT", "per_week": 0}},
        "holds": {"attorney": {"allowed_roles": []}},
        "location_contacts": {"cite": "CN-PARTY-01", "max_per_person": 0},
    },
}


def _profiles() -> dict[str, Profile]:
    house = bundled_house_rules()
    found: dict[str, Profile] = {}
    for code in ("US", "CN", "UK", "IE", "EU"):
        base = bundled_profile(code)
        found[code] = base
        found[f"{code}+"] = apply_house_rules(base, house)
    found["ZZ"] = parse_profile(KNOBS, parent=bundled_profile("US"))
    found["ZC"] = parse_profile(KNOBS_CN, parent=bundled_profile("CN"))
    return found


PROFILES = _profiles()
#: The batch needs one profile per code: a case picks one variant of each code.
VARIANTS = {
    "US": ("US", "US+"),
    "CN": ("CN", "CN+"),
    "UK": ("UK", "UK+"),
    "IE": ("IE", "IE+"),
    "EU": ("EU",),
    "ZZ": ("ZZ",),
    "ZC": ("ZC",),
}

# --- drawing: one generator for Hypothesis (which shrinks) and for seeded portfolios ------------


class Pick(Protocol):
    def choice(self, items: Sequence[T]) -> T: ...
    def integer(self, low: int, high: int) -> int: ...
    def chance(self, percent: int) -> bool: ...


class SeededPick:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def chance(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent


class DrawPick:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, items: Sequence[T]) -> T:
        return self.draw(st.sampled_from(items))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < percent


#: Days around DST changes (US, EU), Irish public holidays, New Year, and plain days.
DAYS = (
    dt.date(2025, 1, 15),
    dt.date(2025, 3, 8),
    dt.date(2025, 3, 14),
    dt.date(2025, 3, 28),
    dt.date(2025, 4, 17),
    dt.date(2025, 10, 24),
    dt.date(2025, 10, 31),
    dt.date(2025, 12, 23),
    dt.date(2026, 3, 13),
    dt.date(2026, 6, 30),
    dt.date(2026, 12, 30),
)
ZONES = {
    "US": [
        (),
        ("America/New_York",),
        ("America/Boise", "America/Los_Angeles"),
        ("America/Chicago", "Pacific/Honolulu"),
    ],
    "CN": [(), ("Asia/Shanghai",), ("Asia/Shanghai", "Asia/Urumqi")],
    "UK": [(), ("Europe/London",)],
    "IE": [(), ("Europe/Dublin",), ("Europe/Dublin", "Europe/London")],
    "EU": [(), ("Europe/Berlin",), ("Europe/Lisbon", "Europe/Helsinki")],
}
ZONES["ZZ"] = ZONES["US"]
ZONES["ZC"] = ZONES["CN"]
NUMBERS = {
    "US": ("+12125550100", "+12085550100", "+18085550100", "+15555"),
    "CN": ("+8613800138000", "+8613900139000"),
    "UK": ("+447700900123", "+447700900124"),
    "IE": ("+353871234567", "+353871234568"),
    "EU": ("+4915123456789", "not-a-number"),
}
NUMBERS["ZZ"] = NUMBERS["US"]
NUMBERS["ZC"] = NUMBERS["CN"]
PARTIES = ("p1", "p2", "c1")
DEBTS = ("d1", "d2", "d3")
OUTCOMES = tuple(AttemptOutcome)
CALLISH = (
    AttemptOutcome.NO_ANSWER,
    AttemptOutcome.CONNECTED,
    AttemptOutcome.CONVERSATION,
    AttemptOutcome.FAILED,
    AttemptOutcome.VOICEMAIL,
    AttemptOutcome.REFUSED,
)
CHANNELS = (Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.IN_APP, Channel.VISIT, Channel.LETTER)
MESSAGES = (None, "termination_notice", "statutory_notice", "reply_to_debtor")


def _address(pick: Pick, code: str, channel: Channel, party: str) -> str:
    if channel in (Channel.CALL, Channel.SMS):
        return pick.choice(NUMBERS[code])
    return pick.choice((f"{party}@example.com", f"{party}@work.example", "shared@example.com"))


def _range(pick: Pick) -> TimeRange:
    start = pick.integer(0, 47) * 30
    length = pick.choice((60, 120, 30, 600, 900))
    end = (start + length) % (24 * 60)
    weekdays = frozenset(d for d in range(7) if pick.chance(70)) or frozenset({0})
    return TimeRange(dt.time(start // 60, start % 60), dt.time(end // 60, end % 60), weekdays)


def _hold(pick: Pick, today: dt.date) -> Hold:
    kind = pick.choice(tuple(HoldKind))
    start = today + dt.timedelta(days=pick.integer(-70, 3))
    end = pick.choice((None, start + dt.timedelta(days=pick.integer(0, 10))))
    review = pick.choice((None, start + dt.timedelta(days=30)))
    debts = frozenset(d for d in DEBTS if pick.chance(25))
    return Hold(
        kind=kind,
        start_on=start,
        set_by="test",
        end_on=end,
        review_on=review,
        debt_ids=debts,
        petition_on=pick.choice((None, start - dt.timedelta(days=pick.integer(0, 40)))),
        prior_dismissals_12m=pick.choice((0, 1, 2, 1)),
        discharged_on=pick.choice((None, None, None, start)),
        breathing_space=pick.choice(tuple(BreathingSpaceKind))
        if kind is HoldKind.BREATHING_SPACE
        else None,
    )


def _attempt(pick: Pick, now: dt.datetime, code: str) -> Attempt:
    channel = pick.choice(CHANNELS[:4] if pick.chance(80) else CHANNELS)
    party = pick.choice(PARTIES)
    # Most attempts anywhere in the counters' reach; a third in the hours before `now`, so the
    # daily caps are reached too.
    minutes = pick.integer(-11 * 24 * 60, 36 * 60) if pick.chance(65) else -pick.integer(0, 1200)
    return Attempt(
        at=now + dt.timedelta(minutes=minutes, seconds=pick.integer(0, 59)),
        channel=channel,
        party_id=party,
        address=_address(pick, code, channel, party),
        outcome=pick.choice(CALLISH if channel is Channel.CALL else OUTCOMES),
        debt_ids=frozenset(d for d in DEBTS if pick.chance(35)),
        direction=Direction.INBOUND if pick.chance(8) else Direction.OUTBOUND,
        direct_consent=pick.chance(10),
        by=pick.choice(("lender", "agency-1")),
        artificial_voice=pick.chance(15),
        purpose=pick.choice((Purpose.COLLECTION, None, Purpose.TRANSACTIONAL, Purpose.SERVICING)),
    )


def _request(pick: Pick, number: int, now: dt.datetime, code: str) -> ContactRequest:
    # About half are plain collection calls and texts to the debtor, so that the time-bound
    # rules (hours, counters, holds with an end) are often the only refusals and their next
    # times decide the answer; the rest vary every fact.
    if pick.chance(45):
        return _plain_request(pick, number, now, code)
    channel = pick.choice(CHANNELS)
    party_id = pick.choice(PARTIES)
    role = Role.DEBTOR if pick.chance(60) else pick.choice(tuple(Role))
    at = now + dt.timedelta(minutes=pick.choice((0, pick.integer(0, 72 * 60))))
    zones = pick.choice(ZONES[code])
    point_zones = pick.choice(((), (), zones, ZONES[code][-1]))
    today = at.date()
    consent = None
    if pick.chance(60):
        given = at + dt.timedelta(hours=pick.integer(-200, 30))
        revoked = pick.choice((None, None, given + dt.timedelta(hours=pick.integer(0, 80))))
        consent = AutomatedConsent(given, revoked)
    stops = tuple(
        OptOut(
            pick.choice(CHANNELS), now, pick.choice((None, _address(pick, code, channel, party_id)))
        )
        for _ in range(pick.choice((0, 0, 0, 1, 2)))
    )
    party = Party(
        party_id,
        role=role,
        home_zones=zones,
        inconvenient_times=tuple(_range(pick) for _ in range(pick.choice((0, 0, 0, 1, 2)))),
        inconvenient_places=frozenset(p for p in ("work", "hospital", "home") if pick.chance(10)),
        agreed_times=tuple(_range(pick) for _ in range(pick.choice((0, 0, 0, 1, 2)))),
        opt_outs=stops,
        no_workplace_contact=pick.chance(20),
        refused_contact=pick.chance(10),
    )
    point = ContactPoint(
        channel,
        _address(pick, code, channel, party_id),
        zones=point_zones,
        place=pick.choice((None, None, "home", "work", "hospital")),
        is_workplace=pick.chance(20),
        workplace_consent=pick.chance(50),
        automated_consent=consent,
    )
    direct = None
    if pick.chance(20):
        direct = at - dt.timedelta(hours=pick.integer(-5, 200))
    return ContactRequest(
        request_id=f"r{number}",
        profile_code=code,
        party=party,
        contact_point=point,
        purpose=pick.choice(tuple(Purpose)) if pick.chance(50) else Purpose.COLLECTION,
        at=at,
        debt_ids=frozenset(d for d in DEBTS if pick.chance(40)),
        autodialled=pick.chance(25),
        prerecorded=pick.chance(10),
        artificial_voice=pick.chance(15),
        message_kind=pick.choice(MESSAGES),
        direct_consent_at=direct,
        holds=tuple(_hold(pick, today) for _ in range(pick.choice((0, 0, 0, 0, 1, 2)))),
        debtor_unreachable=pick.chance(30),
        recontact_exception=pick.chance(15),
    )


def _plain_request(pick: Pick, number: int, now: dt.datetime, code: str) -> ContactRequest:
    channel = pick.choice((Channel.CALL, Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL))
    party_id = pick.choice(PARTIES[:2])
    at = now + dt.timedelta(minutes=pick.choice((0, pick.integer(0, 72 * 60))))
    zones = pick.choice(ZONES[code][1:] or ZONES[code])
    hold = ()
    if pick.chance(15):  # a hold that lifts by itself
        start = at.date() - dt.timedelta(days=pick.integer(0, 5))
        hold = (
            Hold(
                kind=pick.choice((HoldKind.DISPUTE, HoldKind.CEASE_COMMUNICATION)),
                start_on=start,
                set_by="test",
                end_on=start + dt.timedelta(days=pick.integer(0, 9)),
            ),
        )
    direct = at - dt.timedelta(hours=pick.integer(0, 200)) if pick.chance(15) else None
    return ContactRequest(
        request_id=f"r{number}",
        profile_code=code,
        party=Party(
            party_id,
            home_zones=zones,
            agreed_times=tuple(_range(pick) for _ in range(pick.choice((0, 0, 0, 0, 1)))),
        ),
        contact_point=ContactPoint(channel, _address(pick, code, channel, party_id)),
        purpose=Purpose.COLLECTION,
        at=at,
        debt_ids=frozenset(d for d in DEBTS[:2] if pick.chance(60)),
        direct_consent_at=direct,
        holds=hold,
    )


@dataclasses.dataclass
class Case:
    profiles: dict[str, Profile]
    now: dt.datetime
    attempts: list[Attempt]
    requests: list[ContactRequest]


def make_case(pick: Pick, requests: int, attempts: int) -> Case:
    chosen = {code: PROFILES[pick.choice(v)] for code, v in VARIANTS.items()}
    # Profiles are keyed by their own code: a variant with house rules keeps the code.
    profiles = {p.code: p for p in chosen.values()}
    day = pick.choice(DAYS) + dt.timedelta(days=pick.integer(0, 3))
    now = dt.datetime.combine(day, dt.time(pick.integer(0, 23), pick.integer(0, 59)), UTC)
    codes = sorted(profiles)
    main = pick.choice(codes)
    log = [
        _attempt(pick, now, main if pick.chance(70) else pick.choice(codes))
        for _ in range(attempts)
    ]
    asks = [
        _request(pick, n, now, main if pick.chance(60) else pick.choice(codes))
        for n in range(requests)
    ]
    return Case(profiles, now, log, asks)


def scalar_answers(case: Case) -> list[tuple[bool, list[str], list[str], dt.datetime | None]]:
    history = ContactHistory(tuple(case.attempts))
    answers = []
    for request in case.requests:
        decision = decide(request, history, case.profiles[request.profile_code], now=case.now)
        answers.append(
            (
                decision.allowed,
                [r.rule_id for r in decision.denials],
                [r.rule_id for r in decision.flags],
                decision.next_permitted_at,
            )
        )
    return answers


def batch_answers(case: Case) -> list[tuple[bool, list[str], list[str], dt.datetime | None]]:
    out = decide_batch(
        proposals_frame(case.requests, case.profiles),
        history_frame(case.attempts),
        case.profiles,
        now=case.now,
    )
    assert out.get_column("request_id").to_list() == [r.request_id for r in case.requests]
    return [
        (row["allowed"], row["denied_rule_ids"], row["flagged_rule_ids"], row["next_permitted_at"])
        for row in out.iter_rows(named=True)
    ]


def assert_agree(case: Case) -> None:
    expected = scalar_answers(case)
    found = batch_answers(case)
    for request, want, got in zip(case.requests, expected, found, strict=True):
        assert got == want, (request, want, got)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    pick = DrawPick(draw)
    return make_case(pick, pick.integer(1, 6), pick.integer(0, 30))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_batch_gate_decides_every_proposal_as_the_scalar_gate_does(case):
    assert_agree(case)


@pytest.mark.parametrize("seed", range(4))
def test_a_random_portfolio_gets_the_same_decisions_from_both_gates(seed):
    assert_agree(make_case(SeededPick(seed), requests=250, attempts=1500))


def test_rows_read_back_as_requests_and_attempts_decide_the_same():
    """The converters both ways keep every fact a rule reads (the benchmark relies on it)."""
    case = make_case(SeededPick(11), requests=120, attempts=400)
    frame = proposals_frame(case.requests, case.profiles)
    again = [request_of(row) for row in frame.iter_rows(named=True)]
    log = ContactHistory(tuple(attempts_of(history_frame(case.attempts))))
    original = ContactHistory(tuple(case.attempts))
    for request, back in zip(case.requests, again, strict=True):
        want = decide(request, original, case.profiles[request.profile_code], now=case.now)
        got = decide(back, log, case.profiles[back.profile_code], now=case.now)
        assert (got.allowed, got.next_permitted_at) == (want.allowed, want.next_permitted_at)
        assert [r.rule_id for r in got.denials] == [r.rule_id for r in want.denials]


# --- the parts the answers rest on ---------------------------------------------------------------


@pytest.mark.parametrize("slots", [True, False])
def test_local_clocks_match_zoneinfo_across_dst_changes_and_odd_zones(slots):
    keys = [
        "America/New_York",
        "Europe/Dublin",
        "Australia/Lord_Howe",
        "America/Havana",
        "Asia/Kathmandu",
        "America/Santiago",
        "Asia/Shanghai",
        "UTC",
    ]
    low = micros(dt.datetime(2025, 1, 2, tzinfo=UTC))
    high = micros(dt.datetime(2026, 12, 30, tzinfo=UTC))
    clock = Clock(keys, low, high, slots=slots)
    rng = random.Random(3)
    rows = [(rng.randrange(len(keys)), rng.randrange(low, high)) for _ in range(20_000)]
    for z, key in enumerate(keys):  # every minute of the hours around each change
        tz = ZoneInfo(key)
        at = dt.datetime(2025, 1, 3, tzinfo=UTC)
        before = at.astimezone(tz).utcoffset()
        while at < dt.datetime(2026, 12, 29, tzinfo=UTC):
            offset = at.astimezone(tz).utcoffset()
            if offset != before:
                rows.extend((z, micros(at) + s * 60_000_000 - 1) for s in range(-150, 150))
            before, at = offset, at + dt.timedelta(hours=1)
    frame = pl.DataFrame(rows, schema={"z": pl.UInt16, "t": pl.Int64}, orient="row")
    local = frame.with_columns(clock.local(pl.col("t"), pl.col("z")).alias("local"))
    back = local.with_columns(clock.to_utc(pl.col("local"), pl.col("z")).alias("back"))
    for z, t, wall, again in back.iter_rows():
        key = ZoneInfo(keys[z])
        seen = from_micros(t).astimezone(key).replace(tzinfo=None, fold=0)
        assert micros(seen.replace(tzinfo=UTC)) == wall
        assert micros(seen.replace(tzinfo=key).astimezone(UTC)) == again


def test_an_unknown_profile_a_past_contact_or_a_naive_time_is_refused_naming_the_field():
    case = make_case(SeededPick(1), requests=3, attempts=3)
    proposals = proposals_frame(case.requests, case.profiles)
    history = history_frame(case.attempts)
    with pytest.raises(ValidationError) as error:
        decide_batch(proposals, history, {"US": PROFILES["US"]}, now=case.now)
    assert error.value.field == "proposals.profile_code"
    with pytest.raises(ValidationError) as error:
        decide_batch(proposals, history, case.profiles, now=case.now + dt.timedelta(days=9))
    assert error.value.field == "proposals.at"
    naive = proposals.with_columns(pl.col("at").dt.replace_time_zone(None))
    with pytest.raises(ValidationError) as error:
        decide_batch(naive, history, case.profiles, now=case.now)
    assert error.value.field == "proposals.at"


def test_ids_of_another_type_an_unknown_hold_or_an_empty_weekday_set_name_the_field():
    case = make_case(SeededPick(2), requests=4, attempts=4)
    proposals = proposals_frame(case.requests, case.profiles)
    history = history_frame(case.attempts)
    numbered = history.with_columns(pl.col("party_id").hash().alias("party_id"))
    with pytest.raises(ValidationError) as error:
        decide_batch(proposals, numbered, case.profiles, now=case.now)
    assert error.value.field == "history.party_id"
    hold = {
        "kind": "vacation",
        "start_on": dt.date(2025, 1, 1),
        "end_on": None,
        "review_on": None,
        "set_by": "x",
        "debt_ids": [],
        "petition_on": None,
        "prior_dismissals_12m": 0,
        "discharged_on": None,
        "breathing_space": None,
    }
    held = proposals.with_columns(pl.lit([hold], dtype=proposals.schema["holds"]).alias("holds"))
    with pytest.raises(ValidationError) as error:
        decide_batch(held, history, case.profiles, now=case.now)
    assert error.value.field == "proposals.holds.kind"
    never = [{"start": dt.time(9), "end": dt.time(10), "weekdays": 0}]
    stated = proposals.with_columns(
        pl.lit(never, dtype=proposals.schema["agreed_times"]).alias("agreed_times")
    )
    with pytest.raises(ValidationError) as error:
        decide_batch(stated, history, case.profiles, now=case.now)
    assert error.value.field == "proposals.agreed_times.weekdays"


def test_an_empty_batch_gets_an_empty_answer():
    proposals = proposals_frame([], PROFILES)
    out = decide_batch(proposals, history_frame([]), {"US": PROFILES["US"]}, now=utc_now())
    assert out.height == 0
    assert out.columns == [
        "request_id",
        "allowed",
        "denied_rule_ids",
        "flagged_rule_ids",
        "next_permitted_at",
    ]


def utc_now() -> dt.datetime:
    return dt.datetime(2025, 6, 1, tzinfo=UTC)
