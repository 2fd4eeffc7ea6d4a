"""Business days as the lender lives them: holidays, 调休 make-up Saturdays, closures."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.calendar import BusinessCalendar, add_months, day_in_month
from arrears.core.errors import ValidationError

CN = BusinessCalendar("CN")
US = BusinessCalendar("US")
GB = BusinessCalendar("GB")
IE = BusinessCalendar("IE")


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# The State Council's 2026 schedule (国办发明电, 4 Nov 2025): the days off and the weekend
# days worked in exchange, which the installed `holidays` package carries.
CN_2026_DAYS_OFF = {
    "元旦 New Year": days(date(2026, 1, 1), date(2026, 1, 3)),
    "春节 Spring Festival": days(date(2026, 2, 15), date(2026, 2, 23)),
    "清明 Qingming": days(date(2026, 4, 4), date(2026, 4, 6)),
    "劳动节 Labour Day": days(date(2026, 5, 1), date(2026, 5, 5)),
    "端午 Dragon Boat": days(date(2026, 6, 19), date(2026, 6, 21)),
    "中秋 Mid-Autumn": days(date(2026, 9, 25), date(2026, 9, 27)),
    "国庆 Golden Week": days(date(2026, 10, 1), date(2026, 10, 7)),
}
CN_2026_MAKE_UP_WORKDAYS = [
    date(2026, 1, 4),  # Sunday, for New Year
    date(2026, 2, 14),  # Saturday, for Spring Festival
    date(2026, 2, 28),  # Saturday, for Spring Festival
    date(2026, 5, 9),  # Saturday, for Labour Day
    date(2026, 9, 20),  # Sunday, for National Day
    date(2026, 10, 10),  # Saturday, for National Day
]


@pytest.mark.parametrize("holiday", sorted(CN_2026_DAYS_OFF))
def test_a_chinese_lender_is_closed_for_every_day_of_the_2026_holidays(holiday: str) -> None:
    closed = [d for d in CN_2026_DAYS_OFF[holiday] if CN.is_business_day(d)]
    assert closed == []


@pytest.mark.parametrize("workday", CN_2026_MAKE_UP_WORKDAYS)
def test_a_chinese_lender_works_the_2026_make_up_weekend_days(workday: date) -> None:
    assert workday.weekday() >= 5  # a weekend day...
    assert CN.is_business_day(workday)  # ...that is worked (调休)
    assert CN.holiday_name(workday) is None


def test_the_only_weekend_days_a_chinese_lender_works_in_2026_are_the_make_up_days() -> None:
    worked_weekends = [
        d
        for d in days(date(2026, 1, 1), date(2026, 12, 31))
        if d.weekday() >= 5 and CN.is_business_day(d)
    ]
    assert worked_weekends == CN_2026_MAKE_UP_WORKDAYS


def test_the_chinese_2026_weekday_holidays_are_exactly_the_official_ones() -> None:
    official = {d for block in CN_2026_DAYS_OFF.values() for d in block if d.weekday() < 5}
    weekday_holidays = {
        d
        for d in days(date(2026, 1, 1), date(2026, 12, 31))
        if d.weekday() < 5 and not CN.is_business_day(d)
    }
    assert weekday_holidays == official


def test_spring_festival_2026_is_named() -> None:
    assert CN.holiday_name(date(2026, 2, 17)) == "Chinese New Year (Spring Festival)"
    assert CN.holiday_name(date(2026, 10, 1)) == "National Day"


def test_a_payment_due_in_golden_week_is_collected_on_the_first_day_back() -> None:
    assert CN.next_business_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_two_business_days_after_golden_week_lands_on_the_make_up_saturday() -> None:
    # Thursday 8 Oct → Friday 9 Oct → Saturday 10 Oct, a worked Saturday.
    assert CN.add_business_days(date(2026, 10, 8), 2) == date(2026, 10, 10)


def test_the_last_business_day_before_spring_festival_is_a_saturday() -> None:
    assert CN.previous_business_day(date(2026, 2, 20)) == date(2026, 2, 14)


def test_us_thanksgiving_2026_is_not_a_business_day_but_the_friday_after_is() -> None:
    thanksgiving = date(2026, 11, 26)
    assert not US.is_business_day(thanksgiving)
    assert US.holiday_name(thanksgiving) == "Thanksgiving Day"
    assert US.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)


def test_us_banks_open_on_the_friday_before_a_saturday_independence_day() -> None:
    # 4 July 2026 is a Saturday; federal offices close on Friday 3 July, the Fed does not.
    assert US.is_business_day(date(2026, 7, 3))
    assert US.holiday_name(date(2026, 7, 4)) == "Independence Day"


def test_us_sunday_holidays_close_the_following_monday() -> None:
    # 4 July 2027 is a Sunday.
    assert not US.is_business_day(date(2027, 7, 5))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 4), "May Day"),
        (date(2026, 5, 25), "Spring Bank Holiday"),
        (date(2026, 8, 31), "Late Summer Bank Holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
    ],
)
def test_england_and_wales_bank_holidays_2026(day: date, name: str) -> None:
    assert not GB.is_business_day(day)
    assert GB.holiday_name(day) == name


def test_uk_is_the_same_calendar_as_gb_and_scotland_has_its_own() -> None:
    uk, scotland = BusinessCalendar("UK"), BusinessCalendar("GB-SCT")
    assert not uk.is_business_day(date(2026, 8, 31))
    assert scotland.is_business_day(date(2026, 8, 31))  # Scotland's summer holiday is 3 Aug
    assert not scotland.is_business_day(date(2026, 8, 3))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 2, 2), "Saint Brigid's Day"),
        (date(2026, 3, 17), "Saint Patrick's Day"),
        (date(2026, 4, 3), "Good Friday"),  # banks close though it is not a public holiday
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 6, 1), "June Bank Holiday"),
        (date(2026, 8, 3), "August Bank Holiday"),
        (date(2026, 10, 26), "October Bank Holiday"),
    ],
)
def test_irish_bank_holidays_2026(day: date, name: str) -> None:
    assert not IE.is_business_day(day)
    assert IE.holiday_name(day) == name


def test_an_ordinary_weekend_is_closed_everywhere() -> None:
    for calendar in (CN, US, GB, IE):
        assert not calendar.is_business_day(date(2026, 3, 7))  # Saturday
        assert not calendar.is_business_day(date(2026, 3, 8))  # Sunday
        assert calendar.is_business_day(date(2026, 3, 9))  # Monday
        assert calendar.holiday_name(date(2026, 3, 7)) is None


def test_a_lender_closure_is_a_day_off_with_its_own_name() -> None:
    typhoon = date(2026, 9, 15)
    shenzhen = BusinessCalendar("CN", closures=[typhoon])
    assert CN.is_business_day(typhoon)
    assert not shenzhen.is_business_day(typhoon)
    assert shenzhen.holiday_name(typhoon) == "Lender closure"
    assert shenzhen.next_business_day(typhoon) == date(2026, 9, 16)


def test_business_days_skip_the_weekend() -> None:
    friday = date(2026, 3, 13)
    assert GB.add_business_days(friday, 1) == date(2026, 3, 16)
    assert GB.add_business_days(date(2026, 3, 16), -1) == friday
    assert GB.add_business_days(friday, 5) == date(2026, 3, 20)


def test_adding_no_business_days_rolls_a_weekend_forward_only() -> None:
    assert GB.add_business_days(date(2026, 3, 13), 0) == date(2026, 3, 13)
    assert GB.add_business_days(date(2026, 3, 14), 0) == date(2026, 3, 16)
    assert GB.add_business_days(date(2026, 3, 14), 1) == date(2026, 3, 16)
    assert GB.add_business_days(date(2026, 3, 14), -1) == date(2026, 3, 13)


calendars = st.sampled_from([CN, US, GB, IE])
days_2020s = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(calendar=calendars, day=days_2020s, n=st.integers(-60, 60))
@settings(max_examples=200)
def test_counting_business_days_lands_on_one_and_back_again(
    calendar: BusinessCalendar, day: date, n: int
) -> None:
    start = calendar.next_business_day(day)
    moved = calendar.add_business_days(start, n)
    assert calendar.is_business_day(moved)
    assert calendar.add_business_days(moved, -n) == start
    between = days(min(start, moved), max(start, moved))
    assert sum(calendar.is_business_day(d) for d in between) == abs(n) + 1


@given(calendar=calendars, day=days_2020s)
@settings(max_examples=200)
def test_next_and_previous_business_days_are_the_nearest_ones(
    calendar: BusinessCalendar, day: date
) -> None:
    after, before = calendar.next_business_day(day), calendar.previous_business_day(day)
    assert calendar.is_business_day(after) and calendar.is_business_day(before)
    assert not any(calendar.is_business_day(d) for d in days(before, after)[1:-1])
    assert before <= day <= after


def test_an_unknown_country_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar("XX")
    assert refused.value.field == "country"


def test_years_can_be_loaded_ahead_of_the_nightly_cycle() -> None:
    calendar = BusinessCalendar("cn", years=range(2025, 2028))
    assert calendar.country == "CN"
    assert not calendar.is_business_day(date(2027, 10, 1))


def test_a_loan_booked_on_the_31st_falls_due_at_each_month_end() -> None:
    booked = date(2026, 1, 31)
    assert add_months(booked, 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 2, 28), 1, day_of_month=31) == date(2026, 3, 31)
    assert add_months(booked, 3) == date(2026, 4, 30)
    assert add_months(booked, -2) == date(2025, 11, 30)
    assert add_months(booked, 0) == booked
    assert add_months(booked, 12) == date(2027, 1, 31)


def test_day_in_month_clamps_to_the_month_end() -> None:
    assert day_in_month(2026, 4, 31) == date(2026, 4, 30)
    assert day_in_month(2026, 2, 30) == date(2026, 2, 28)
    assert day_in_month(2024, 2, 30) == date(2024, 2, 29)
    assert day_in_month(2026, 2, 15) == date(2026, 2, 15)
    with pytest.raises(ValidationError) as refused:
        day_in_month(2026, 2, 0)
    assert refused.value.field == "day_of_month"


@given(day=days_2020s, months=st.integers(-240, 240), day_of_month=st.integers(1, 31))
@settings(max_examples=200)
def test_add_months_moves_whole_months_and_keeps_the_day_where_it_can(
    day: date, months: int, day_of_month: int
) -> None:
    moved = add_months(day, months, day_of_month=day_of_month)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day_of_month or (
        moved.day < day_of_month and (moved + timedelta(1)).month != moved.month
    )
