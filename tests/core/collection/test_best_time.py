"""Best time to call: answer rates by hour of the week, smoothed toward the segment's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.collection.best_time import (
    EMPTY,
    SLOTS,
    Smoothing,
    answer_rates,
    best_slots,
    borrower_rates,
    hour_of_week,
    segment_rates,
    shrink,
    tally,
    top_slots,
    top_slots_from_log,
    top_slots_of,
)
from arrears.core.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = 9
TUESDAY_19 = 24 + 19


def test_hours_of_the_week_run_from_monday_midnight_to_sunday_night() -> None:
    assert hour_of_week(dt.datetime(2025, 3, 3, 0, 30)) == 0  # Monday
    assert hour_of_week(dt.datetime(2025, 3, 4, 19, 5)) == TUESDAY_19
    assert hour_of_week(dt.datetime(2025, 3, 9, 23, 59)) == SLOTS - 1  # Sunday


def test_a_slot_with_no_calls_takes_the_rate_of_the_level_above() -> None:
    assert shrink(0, 0, toward=0.42, strength=5) == pytest.approx(0.42)


def test_many_calls_outweigh_the_level_above() -> None:
    assert shrink(900, 1000, toward=0.1, strength=5) == pytest.approx(0.8960, abs=1e-4)


def test_a_borrower_who_answers_in_the_evening_gets_a_higher_evening_rate_than_the_segment() -> (
    None
):
    mine = tally([(TUESDAY_19, True)] * 4 + [(MONDAY_9, False)] * 4)
    segment = mine + tally([(TUESDAY_19, False), (MONDAY_9, True)] * 20)

    rates = borrower_rates(mine, segment, segment)
    seg = segment_rates(segment, segment)

    assert rates[TUESDAY_19] > seg[TUESDAY_19]
    assert rates[MONDAY_9] < seg[MONDAY_9]
    assert top_slots_of(rates, 1) == [TUESDAY_19]


def test_an_empty_log_gives_every_slot_the_prior() -> None:
    rates = borrower_rates(EMPTY, EMPTY, EMPTY, Smoothing(prior=0.25))

    assert set(rates) == {0.25}


def test_more_smoothing_pulls_the_borrower_closer_to_the_segment() -> None:
    mine = tally([(MONDAY_9, True)] * 3)
    segment = mine + tally([(MONDAY_9, False)] * 30)
    seg_rate = segment_rates(segment, segment)[MONDAY_9]

    light = borrower_rates(mine, segment, segment, Smoothing(borrower=1))[MONDAY_9]
    heavy = borrower_rates(mine, segment, segment, Smoothing(borrower=50))[MONDAY_9]

    assert abs(heavy - seg_rate) < abs(light - seg_rate)


@settings(deadline=None)
@given(
    calls=st.lists(st.tuples(st.integers(0, SLOTS - 1), st.booleans()), max_size=60),
    others=st.lists(st.tuples(st.integers(0, SLOTS - 1), st.booleans()), max_size=60),
)
def test_every_rate_is_a_probability(
    calls: list[tuple[int, bool]], others: list[tuple[int, bool]]
) -> None:
    mine = tally(calls)
    segment = mine + tally(others)

    rates = borrower_rates(mine, segment, segment)

    assert len(rates) == SLOTS
    assert all(0.0 <= r <= 1.0 for r in rates)


# --- best slots ----------------------------------------------------------------------------


def evening_rates() -> list[float]:
    rates = [0.1] * SLOTS
    for day in range(7):
        rates[day * 24 + 19] = 0.6
        rates[day * 24 + 12] = 0.4
    return rates


def test_the_best_slots_are_the_highest_rates_in_the_week_ahead_best_first() -> None:
    after = dt.datetime(2025, 3, 4, 10, 15, tzinfo=SHANGHAI)  # Tuesday

    slots = best_slots(evening_rates(), after=after, k=3)

    assert slots == [
        dt.datetime(2025, 3, 4, 19, 0, tzinfo=SHANGHAI),
        dt.datetime(2025, 3, 5, 19, 0, tzinfo=SHANGHAI),
        dt.datetime(2025, 3, 6, 19, 0, tzinfo=SHANGHAI),
    ]


def test_slots_outside_the_allowed_hours_are_never_offered() -> None:
    after = dt.datetime(2025, 3, 4, 10, 15, tzinfo=SHANGHAI)

    def before_six_pm(at: dt.datetime) -> bool:
        return 8 <= at.hour < 18

    slots = best_slots(evening_rates(), after=after, allowed=before_six_pm, k=2)

    assert [s.hour for s in slots] == [12, 12]
    assert all(before_six_pm(s) for s in slots)


def test_a_mask_of_the_week_limits_the_slots_too() -> None:
    after = dt.datetime(2025, 3, 4, 10, 15, tzinfo=SHANGHAI)
    weekends_only = [slot >= 5 * 24 for slot in range(SLOTS)]

    slots = best_slots(evening_rates(), after=after, allowed=weekends_only, k=2)

    assert [s.weekday() for s in slots] == [5, 6]


def test_the_current_hour_is_never_offered() -> None:
    after = dt.datetime(2025, 3, 4, 19, 5, tzinfo=SHANGHAI)

    slots = best_slots(evening_rates(), after=after, k=1)

    assert slots == [dt.datetime(2025, 3, 5, 19, 0, tzinfo=SHANGHAI)]


def test_best_slots_need_a_local_time_with_its_zone() -> None:
    with pytest.raises(ValidationError) as error:
        best_slots(evening_rates(), after=dt.datetime(2025, 3, 4, 10), k=1)

    assert error.value.field == "after"


# --- the vectorised form agrees with the scalar form ---------------------------------------

BORROWERS = {"b1": "early", "b2": "early", "b3": "late", "b4": "late", "b5": "new"}


@st.composite
def contact_logs(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(BORROWERS)),
                st.integers(0, SLOTS - 1),
                st.booleans(),
            ),
            max_size=120,
        )
    )
    return pl.DataFrame(
        {
            "borrower_id": [r[0] for r in rows],
            "segment": [BORROWERS[r[0]] for r in rows],
            "hour_of_week": [r[1] for r in rows],
            "answered": [r[2] for r in rows],
        },
        schema={"borrower_id": pl.String, "segment": pl.String,
                "hour_of_week": pl.Int64, "answered": pl.Boolean},
    )  # fmt: skip


def scalar_rates(log: pl.DataFrame, borrower: str, smoothing: Smoothing) -> tuple[float, ...]:
    def calls(frame: pl.DataFrame) -> list[tuple[int, bool]]:
        return list(zip(frame["hour_of_week"].to_list(), frame["answered"].to_list(), strict=True))

    segment = BORROWERS[borrower]
    return borrower_rates(
        tally(calls(log.filter(pl.col("borrower_id") == borrower))),
        tally(calls(log.filter(pl.col("segment") == segment))),
        tally(calls(log)),
        smoothing,
    )


@settings(max_examples=40, deadline=None)
@given(
    log=contact_logs(),
    strengths=st.tuples(st.floats(0.5, 50), st.floats(0.5, 50), st.floats(0.5, 50)),
)
def test_vectorised_rates_equal_the_scalar_rates_for_every_borrower(
    log: pl.DataFrame, strengths: tuple[float, float, float]
) -> None:
    smoothing = Smoothing(borrower=strengths[0], segment=strengths[1], everyone=strengths[2])
    members = pl.DataFrame({"borrower_id": list(BORROWERS), "segment": list(BORROWERS.values())})

    frame = answer_rates(log, smoothing=smoothing, borrowers=members)

    assert frame.height == len(BORROWERS) * SLOTS
    for borrower in BORROWERS:
        mine = frame.filter(pl.col("borrower_id") == borrower).sort("hour_of_week")
        assert tuple(mine["rate"].to_list()) == scalar_rates(log, borrower, smoothing)


@settings(max_examples=30, deadline=None)
@given(log=contact_logs(), k=st.integers(1, 5))
def test_vectorised_top_slots_equal_the_scalar_top_slots(log: pl.DataFrame, k: int) -> None:
    rates = answer_rates(log)

    top = top_slots(rates, k=k)

    for borrower in rates["borrower_id"].unique().to_list():
        theirs = top.filter(pl.col("borrower_id") == borrower).sort("rank")
        expected = top_slots_of(scalar_rates(log, borrower, Smoothing()), k)
        assert theirs["hour_of_week"].to_list() == expected


@settings(max_examples=40, deadline=None)
@given(log=contact_logs(), k=st.integers(1, 6), with_members=st.booleans())
def test_top_slots_straight_from_the_log_equal_the_top_of_all_168_rates(
    log: pl.DataFrame, k: int, with_members: bool
) -> None:
    members = (
        pl.DataFrame({"borrower_id": list(BORROWERS), "segment": list(BORROWERS.values())})
        if with_members
        else None
    )

    quick = top_slots_from_log(log, k=k, borrowers=members)
    full = top_slots(answer_rates(log, borrowers=members), k=k)

    assert quick.sort("borrower_id", "rank").equals(full.sort("borrower_id", "rank"))


def test_a_borrower_with_no_calls_gets_the_segment_rates() -> None:
    log = pl.DataFrame(
        {"borrower_id": ["b1", "b1"], "segment": ["early", "early"],
         "hour_of_week": [MONDAY_9, TUESDAY_19], "answered": [True, False]}
    )  # fmt: skip
    members = pl.DataFrame({"borrower_id": ["b1", "b9"], "segment": ["early", "early"]})

    frame = answer_rates(log, borrowers=members)

    newcomer = frame.filter(pl.col("borrower_id") == "b9").sort("hour_of_week")["rate"]
    segment = tally([(MONDAY_9, True), (TUESDAY_19, False)])
    assert tuple(newcomer.to_list()) == segment_rates(segment, segment)


def test_a_borrower_in_two_segments_is_refused() -> None:
    log = pl.DataFrame(
        {"borrower_id": ["b1", "b1"], "segment": ["early", "late"],
         "hour_of_week": [1, 2], "answered": [True, False]}
    )  # fmt: skip

    with pytest.raises(ValidationError) as error:
        answer_rates(log)

    assert error.value.field == "attempts.segment"


def test_an_hour_of_week_out_of_range_is_refused() -> None:
    log = pl.DataFrame(
        {"borrower_id": ["b1"], "segment": ["early"], "hour_of_week": [168], "answered": [True]}
    )

    with pytest.raises(ValidationError) as error:
        answer_rates(log)

    assert error.value.field == "attempts.hour_of_week"
