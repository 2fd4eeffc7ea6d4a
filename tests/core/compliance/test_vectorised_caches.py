"""The batch gate keeps what depends only on profiles, zones and dates between calls (zone
tables, day rules, compiled profiles, its thread pool). These tests hold a warm call to the
answer of a cold one: calls with other profiles, dates and zones interleaved must not leak into
each other, so a cache keyed too loosely fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.compliance.rules._base import holiday_calendar
from arrears.core.compliance.vectorised import clock as clock_module
from arrears.core.compliance.vectorised import decide_batch, history_frame, proposals_frame
from arrears.core.compliance.vectorised import params as params_module
from arrears.core.compliance.vectorised.clock import DAY, Clock, Days, from_micros, micros
from arrears.core.compliance.vectorised.params import Compiled

from .test_vectorised import (
    PROFILES,
    Case,
    SeededPick,
    batch_answers,
    make_case,
    scalar_answers,
)

UTC = dt.UTC
ZONE_KEYS = (
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Dublin",
    "Europe/London",
    "Asia/Shanghai",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
)


def forget() -> None:
    """Empty every cache the batch gate keeps between calls."""
    for cached in (
        clock_module._tables,
        clock_module._years,
        clock_module._zone_slots,
        clock_module._day_rule,
    ):
        cached.cache_clear()
    with params_module._KEPT_LOCK:
        params_module._KEPT.clear()


def answer(case: Case) -> list[tuple[object, ...]]:
    out = decide_batch(
        proposals_frame(case.requests, case.profiles),
        history_frame(case.attempts),
        case.profiles,
        now=case.now,
    )
    return [tuple(row) for row in out.iter_rows()]


def test_interleaved_calls_with_other_profiles_dates_and_zones_answer_as_fresh_calls():
    cases = [make_case(SeededPick(seed), requests=40, attempts=120) for seed in range(10, 22)]
    # The cases differ in profiles (with and without house rules), dates (several years) and
    # zones; check that, or the test would not test the caches' keys.
    assert len({c.now.year for c in cases}) > 1
    assert len({tuple(id(p) for p in c.profiles.values()) for c in cases}) > 1
    fresh = []
    for case in cases:
        forget()
        fresh.append(answer(case))
    order = list(range(len(cases))) * 2
    random.Random(5).shuffle(order)
    for index in order:
        assert answer(cases[index]) == fresh[index], index
    # And the scalar gate, which keeps nothing, agrees (a cache outliving `forget` is caught).
    for case in cases:
        assert batch_answers(case) == scalar_answers(case)


def test_calls_from_several_threads_at_once_answer_as_one_at_a_time():
    cases = [make_case(SeededPick(seed), requests=30, attempts=90) for seed in range(40, 46)]
    alone = [answer(case) for case in cases]
    with ThreadPoolExecutor(max_workers=3) as callers:
        together = list(callers.map(answer, cases * 2))
    assert together == alone * 2


def test_compiled_profiles_are_shared_only_for_the_very_same_profile_objects():
    profiles = {"US": PROFILES["US"], "CN": PROFILES["CN"]}
    first = Compiled.of(profiles)
    assert Compiled.of(dict(reversed(list(profiles.items())))) is first
    copied = {**profiles, "US": dataclasses.replace(PROFILES["US"])}
    other = Compiled.of(copied)
    assert other is not first
    assert other.profiles[other.codes.index("US")] is copied["US"]
    assert Compiled.of({"US": PROFILES["US"]}) is not first


@st.composite
def clocks(draw: st.DrawFn) -> tuple[list[str], int, int, bool]:
    zones = draw(st.lists(st.sampled_from(ZONE_KEYS), min_size=1, max_size=4, unique=True))
    start = dt.datetime(2019, 1, 1, tzinfo=UTC)
    low = micros(start) + draw(st.integers(0, 3000 * 86_400)) * 1_000_000
    high = low + draw(st.integers(0, 800 * 86_400)) * 1_000_000
    return zones, low, high, draw(st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clocks(), st.randoms(use_true_random=False))
def test_a_clock_from_shared_tables_reads_zoneinfo_inside_its_range_and_its_edges_outside(
    drawn: tuple[list[str], int, int, bool], rng: random.Random
):
    zones, low, high, slots = drawn
    clock = Clock(zones, low, high, slots=slots)
    rows = [
        (rng.randrange(len(zones)), rng.randrange(low - DAY, high + DAY + 1)) for _ in range(300)
    ]
    frame = pl.DataFrame(rows, schema={"z": pl.UInt16, "t": pl.Int64}, orient="row")
    found = frame.with_columns(
        clock.local(pl.col("t"), pl.col("z")).alias("local"),
    ).with_columns(clock.to_utc(pl.col("local"), pl.col("z")).alias("back"))
    for z, t, wall, back in found.iter_rows():
        key = ZoneInfo(zones[z])
        seen = from_micros(t).astimezone(key).replace(tzinfo=None, fold=0)
        assert micros(seen.replace(tzinfo=UTC)) == wall
        assert micros(seen.replace(tzinfo=key).astimezone(UTC)) == back
    if slots:
        # Past its slots a clock reads its edge slots, as a table of its own did.
        edge = (low - 2 * DAY) // Clock.SLOT * Clock.SLOT
        far = pl.DataFrame(
            {"z": list(range(len(zones))), "t": [edge - 400 * DAY] * len(zones)},
            schema={"z": pl.UInt16, "t": pl.Int64},
        )
        near = far.with_columns(pl.lit(edge, pl.Int64).alias("t"))
        shift = (clock.local(pl.col("t"), pl.col("z")) - pl.col("t")).alias("shift")
        assert far.select(shift).equals(near.select(shift))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(19_000, 21_000),
    st.integers(1, 900),
    st.lists(st.tuples(st.integers(1, 127), st.sampled_from([None, "IE", "CN", "US"]))),
)
def test_shared_day_rules_accept_the_days_a_calendar_and_weekdays_accept(
    first: int, span: int, rules: list[tuple[int, str | None]]
):
    days = Days(first, first + span - 1)
    ids = [days.rule(mask, calendar) for mask, calendar in rules]
    probe = pl.DataFrame(
        [(i, d) for i in sorted(set(ids)) for d in range(first - 2, first + span + 2, 7)],
        schema={"r": pl.Int64, "d": pl.Int64},
        orient="row",
    )
    found = probe.with_columns(
        days.ok(pl.col("r"), pl.col("d")).alias("ok"),
        days.next_ok(pl.col("r"), pl.col("d")).alias("next"),
    )
    accepts = {i: _accepted(first, span, *rules[ids.index(i)]) for i in set(ids)}
    for rule, day, ok, nxt in found.iter_rows():
        inside = min(max(day, first), first + span - 1)  # outside the table: its edge
        assert ok == (inside in accepts[rule])
        upcoming = [d for d in sorted(accepts[rule]) if d >= inside]
        assert nxt == (upcoming[0] if upcoming else Days.NEVER)


def _accepted(first: int, span: int, weekdays: int, calendar: str | None) -> set[int]:
    """The day numbers a rule accepts, asked of the calendar day by day (no tables)."""
    epoch = dt.date(1970, 1, 1)
    found = set()
    for number in range(first, first + span):
        day = epoch + dt.timedelta(days=number)
        holiday = calendar is not None and holiday_calendar(calendar).holiday_name(day) is not None
        if weekdays >> day.weekday() & 1 and not holiday:
            found.add(number)
    return found
