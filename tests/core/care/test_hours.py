"""Business hours as the desk lives them: split shifts, nights, weekends, holidays, 调休, DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.care.hours import (
    BusinessHours,
    ClosedSpan,
    DayKind,
    Period,
    parse_business_hours,
)
from arrears.core.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def shanghai_desk(**kwargs: object) -> BusinessHours:
    """09:00–12:00 and 13:30–18:00 Monday to Friday, 10:00–16:00 Saturday, CN holidays."""
    split = [Period.parse("p", "09:00-12:00"), Period.parse("p", "13:30-18:00")]
    weekly = {day: split for day in range(5)} | {5: [Period.parse("p", "10:00-16:00")]}
    return BusinessHours(zone="Asia/Shanghai", weekly=weekly, country="CN", **kwargs)  # type: ignore[arg-type]


def nine_to_five(zone: str, country: str | None = None) -> BusinessHours:
    return BusinessHours(
        zone=zone, weekly={day: [Period(9 * 60, 17 * 60)] for day in range(5)}, country=country
    )


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


DESK = shanghai_desk()


# --- open or not -------------------------------------------------------------------------


def test_the_lunch_break_is_closed_and_both_shifts_are_open() -> None:
    tuesday = (2025, 3, 4)

    assert DESK.is_open(sh(*tuesday, 9, 0))
    assert DESK.is_open(sh(*tuesday, 11, 59))
    assert not DESK.is_open(sh(*tuesday, 12, 0))  # closing instant is out
    assert not DESK.is_open(sh(*tuesday, 13, 0))
    assert DESK.is_open(sh(*tuesday, 13, 30))
    assert not DESK.is_open(sh(*tuesday, 18, 0))


def test_after_hours_the_next_opening_is_the_next_morning() -> None:
    assert DESK.next_open(sh(2025, 3, 4, 19, 30)) == sh(2025, 3, 5, 9, 0)
    assert DESK.next_open(sh(2025, 3, 4, 12, 15)) == sh(2025, 3, 4, 13, 30)
    assert DESK.next_open(sh(2025, 3, 4, 10, 0)) == sh(2025, 3, 4, 10, 0)


def test_saturday_has_its_own_hours_and_sunday_is_closed() -> None:
    assert DESK.is_open(sh(2025, 3, 8, 15, 0))
    assert not DESK.is_open(sh(2025, 3, 8, 16, 30))
    assert DESK.next_open(sh(2025, 3, 8, 16, 30)) == sh(2025, 3, 10, 9, 0)


def test_golden_week_is_closed_including_its_weekend() -> None:
    for day in range(1, 9):
        assert DESK.day_kind(dt.date(2025, 10, day)) is DayKind.HOLIDAY, day
    assert DESK.next_open(sh(2025, 9, 30, 18, 0)) == sh(2025, 10, 9, 9, 0)


def test_a_make_up_sunday_opens_with_mondays_hours() -> None:
    make_up_sunday = dt.date(2025, 9, 28)  # worked for National Day (调休)

    assert DESK.day_kind(make_up_sunday) is DayKind.MAKE_UP
    assert DESK.periods_on(make_up_sunday) == DESK.weekly[0]
    assert DESK.is_open(sh(2025, 9, 28, 14, 0))


def test_make_up_days_can_follow_another_weekday() -> None:
    desk = shanghai_desk(make_up_days_as=5)

    assert desk.periods_on(dt.date(2025, 9, 28)) == (Period(600, 960),)


def test_lender_closures_and_special_hours() -> None:
    desk = shanghai_desk(
        closed_days=[dt.date(2025, 3, 5)],
        special_hours={dt.date(2025, 3, 6): [Period(9 * 60, 13 * 60)]},
        closed_spans=[ClosedSpan(sh(2025, 3, 7, 10, 0), sh(2025, 3, 7, 11, 30), "outage")],
    )

    assert not desk.is_open(sh(2025, 3, 5, 10, 0))
    assert desk.day_kind(dt.date(2025, 3, 6)) is DayKind.SPECIAL
    assert desk.is_open(sh(2025, 3, 6, 12, 30))
    assert not desk.is_open(sh(2025, 3, 6, 14, 0))
    assert not desk.is_open(sh(2025, 3, 7, 10, 45))
    assert desk.next_open(sh(2025, 3, 7, 10, 0)) == sh(2025, 3, 7, 11, 30)
    assert desk.business_time_between(sh(2025, 3, 7, 9, 0), sh(2025, 3, 7, 12, 0)) == 1.5 * H


def test_special_hours_open_a_public_holiday() -> None:
    desk = shanghai_desk(special_hours={dt.date(2025, 10, 1): [Period(10 * 60, 14 * 60)]})

    assert desk.is_open(sh(2025, 10, 1, 11, 0))


# --- counting open time ----------------------------------------------------------------------


def test_friday_evening_plus_four_business_hours_is_monday_morning() -> None:
    friday_5pm = sh(2025, 3, 7, 17, 0)
    due = DESK.add_business_time(friday_5pm, 4 * H)

    # 1 h on Friday, 6 h on Saturday would be too much: Saturday is open 10:00–16:00.
    assert due == sh(2025, 3, 8, 13, 0)
    assert DESK.business_time_between(friday_5pm, due) == 4 * H


def test_a_target_used_up_at_closing_falls_due_at_closing() -> None:
    assert DESK.add_business_time(sh(2025, 3, 4, 17, 0), H) == sh(2025, 3, 4, 18, 0)


def test_a_day_of_split_shifts_counts_seven_and_a_half_hours() -> None:
    assert DESK.business_time_between(sh(2025, 3, 4, 0, 0), sh(2025, 3, 5, 0, 0)) == 7.5 * H
    assert DESK.business_seconds_between(sh(2025, 3, 4, 0, 0), sh(2025, 3, 5, 0, 0)) == 27000.0


def test_the_us_desk_counts_eight_hours_on_the_days_clocks_change() -> None:
    desk = nine_to_five("America/New_York", "US")
    for day in (dt.date(2025, 3, 10), dt.date(2025, 11, 3)):  # Mondays after DST changes
        start = dt.datetime.combine(day, dt.time(0), tzinfo=NEW_YORK)
        assert desk.business_time_between(start, start + 24 * H) == 8 * H


def test_a_round_the_clock_desk_counts_the_real_length_of_dst_days() -> None:
    always = BusinessHours(zone="Europe/London", weekly={d: [Period(0, 1440)] for d in range(7)})
    spring = dt.datetime(2025, 3, 30, tzinfo=LONDON)  # clocks go forward: a 23-hour day
    autumn = dt.datetime(2025, 10, 26, tzinfo=LONDON)  # clocks go back: a 25-hour day

    assert always.business_time_between(spring, dt.datetime(2025, 3, 31, tzinfo=LONDON)) == 23 * H
    assert always.business_time_between(autumn, dt.datetime(2025, 10, 27, tzinfo=LONDON)) == 25 * H


def test_a_due_time_across_the_uk_clock_change_stays_on_the_wall_clock() -> None:
    desk = nine_to_five("Europe/London", "GB")
    friday = dt.datetime(2025, 10, 24, 16, 0, tzinfo=LONDON)  # BST; Monday is GMT

    due = desk.add_business_time(friday, 2 * H)

    assert due.astimezone(LONDON) == dt.datetime(2025, 10, 27, 10, 0, tzinfo=LONDON)
    assert due.utcoffset() == dt.timedelta(0)


def test_an_hour_skipped_by_the_clock_change_is_not_open() -> None:
    night = BusinessHours(zone="America/New_York", weekly={6: [Period(2 * 60, 3 * 60)]})

    sunday = dt.datetime(2025, 3, 9, tzinfo=NEW_YORK)
    assert night.business_time_between(sunday, sunday + 24 * H) == dt.timedelta(0)


def test_the_next_close_merges_back_to_back_periods() -> None:
    desk = BusinessHours(zone="Asia/Shanghai", weekly={0: [Period(540, 720), Period(720, 1080)]})

    assert desk.next_close(sh(2025, 3, 3, 10, 0)) == sh(2025, 3, 3, 18, 0)


def test_open_intervals_are_clipped_to_the_window() -> None:
    found = DESK.open_intervals(sh(2025, 3, 4, 10, 0), sh(2025, 3, 4, 15, 0))

    assert found == [(sh(2025, 3, 4, 10, 0), sh(2025, 3, 4, 12, 0)),
                     (sh(2025, 3, 4, 13, 30), sh(2025, 3, 4, 15, 0))]  # fmt: skip


# --- bad input -------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        DESK.is_open(dt.datetime(2025, 3, 4, 10, 0))
    assert error.value.field == "at"


def test_overlapping_periods_and_unknown_zones_are_refused() -> None:
    with pytest.raises(ValidationError, match="overlap"):
        BusinessHours(zone="UTC", weekly={0: [Period(540, 720), Period(700, 800)]})
    with pytest.raises(ValidationError) as error:
        BusinessHours(zone="Mars/Olympus", weekly={0: [Period(540, 720)]})
    assert error.value.field == "zone"
    with pytest.raises(ValidationError, match="never open"):
        BusinessHours(zone="UTC", weekly={})


def test_a_desk_that_never_reopens_says_so() -> None:
    desk = BusinessHours(
        zone="UTC",
        weekly={},
        special_hours={dt.date(2025, 1, 2): [Period(540, 600)]},
        horizon_days=30,
    )
    with pytest.raises(ValidationError, match="does not open"):
        desk.next_open(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))


def test_a_calendar_reads_from_yaml_with_field_named_errors() -> None:
    desk = parse_business_hours(
        {
            "zone": "Asia/Shanghai",
            "country": "CN",
            "weekly": {"mon": ["09:00-12:00", "13:30-18:00"], "sat": ["10:00-16:00"]},
            "make_up_days_as": "sat",
            "closed_days": ["2025-03-05"],
            "closed_spans": [
                {"start": "2025-03-07T10:00:00+08:00", "end": "2025-03-07T11:30:00+08:00"}
            ],
            "special_hours": {"2025-12-24": ["09:00-24:00"]},
        }
    )
    assert desk.weekly[0] == (Period(540, 720), Period(810, 1080))
    assert desk.make_up_days_as == 5
    assert desk.periods_on(dt.date(2025, 12, 24)) == (Period(540, 1440),)

    with pytest.raises(ValidationError) as error:
        parse_business_hours({"zone": "UTC", "weekly": {"mon": ["9-12"]}})
    assert error.value.field == "hours.weekly.mon[0]"
    with pytest.raises(ValidationError) as error:
        parse_business_hours({"zone": "UTC", "weekly": {"funday": ["09:00-12:00"]}})
    assert error.value.field == "hours.weekly"
    with pytest.raises(ValidationError) as error:
        parse_business_hours({"zone": "UTC", "weekly": {"mon": []}, "closed_spans": [{}]})
    assert error.value.field.startswith("hours.closed_spans[0]")


# --- properties ------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2026, 12, 31),
    timezones=st.just(dt.UTC),
)
desks = st.sampled_from([DESK, nine_to_five("America/New_York", "US"),
                         nine_to_five("Europe/London", "GB")])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(desks, instants, instants, instants)
def test_open_time_over_adjacent_intervals_adds_up_to_the_whole(
    desk: BusinessHours, a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    a, b, c = sorted((a, b, c))

    assert desk.business_time_between(a, b) + desk.business_time_between(b, c) == (
        desk.business_time_between(a, c)
    )


@settings(max_examples=150, deadline=None)
@given(desks, instants, st.integers(min_value=0, max_value=200 * 60))
def test_adding_open_time_then_counting_it_gives_it_back(
    desk: BusinessHours, start: dt.datetime, minutes: int
) -> None:
    due = desk.add_business_time(start, minutes * M)

    assert due >= start
    assert desk.business_time_between(start, due) == minutes * M
    if minutes:
        # the earliest such instant: a moment earlier, less open time has passed
        assert desk.business_time_between(start, due - dt.timedelta(microseconds=1)) < minutes * M


@settings(max_examples=150, deadline=None)
@given(desks, instants)
def test_the_next_opening_is_open_and_nothing_before_it_is(
    desk: BusinessHours, at: dt.datetime
) -> None:
    opens = desk.next_open(at)

    assert desk.is_open(opens)
    assert desk.business_time_between(at, opens) == dt.timedelta(0)
