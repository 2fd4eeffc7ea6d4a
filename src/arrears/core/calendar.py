"""Business days and month arithmetic for due dates.

A lender can only collect, post and send notices on business days, so due dates, grace periods
and "T+n" settlement all count business days. Days off come from the `holidays` package,
chosen as the days the lender's bank and payment rails are shut (see `_CALENDARS`); weekends
are off, except China's make-up working days (调休), when a Saturday or Sunday
is worked to bridge a long holiday such as Golden Week. Lender closures (a branch shut for a
typhoon, a system cut-over) add more days off.

The nightly cycle asks about the same few years over and over, so each (country, year) is
loaded from the package once per process and kept as plain sets.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from arrears.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a calendar's days off come from in the `holidays` package."""

    code: str
    subdiv: str | None = None
    categories: tuple[str, ...] = ("public",)
    market: bool = False  # a financial-market calendar rather than a country's


#: The calendars a lender can choose: the days its bank and payment rails are shut.
_CALENDARS: dict[str, _Source] = {
    "CN": _Source("CN"),
    # The Federal Reserve's holidays: when ACH and Fedwire settle. Unlike federal public
    # holidays, a Saturday holiday is not moved to Friday (the Fed is open that Friday).
    "US": _Source("FED", market=True),
    # England & Wales bank holidays, the ones Bacs, CHAPS and Faster Payments settle on; a
    # lender in Scotland or Northern Ireland picks GB-SCT or GB-NIR.
    "GB": _Source("GB", "ENG"),
    "UK": _Source("GB", "ENG"),
    "GB-ENG": _Source("GB", "ENG"),
    "GB-WLS": _Source("GB", "WLS"),
    "GB-SCT": _Source("GB", "SCT"),
    "GB-NIR": _Source("GB", "NIR"),
    # Public holidays plus Good Friday, when Irish banks and TARGET2 are closed.
    "IE": _Source("IE", categories=("public", "optional")),
}

#: Holiday names in one fixed language, whatever the server's locale.
_NAME_LANGUAGE = "en_US"

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5

CLOSURE_NAME = "Lender closure"


@dataclass(frozen=True, slots=True)
class _Year:
    """One calendar year's days off and weekend make-up working days, as plain sets."""

    holidays: Mapping[date, str]
    workdays: frozenset[date]


@functools.cache
def _package_year(source: _Source, year: int) -> holidays.HolidayBase:
    if source.market:
        return holidays.financial_holidays(
            source.code, years=year, language=_NAME_LANGUAGE, categories=source.categories
        )
    return holidays.country_holidays(
        source.code,
        subdiv=source.subdiv,
        years=year,
        language=_NAME_LANGUAGE,
        categories=source.categories,
    )


@functools.cache
def _year(source: _Source, year: int) -> _Year:
    """Collect a year's days from the package's neighbouring years too.

    A holiday can be published under the next year (a New Year's Day observed on 31 December)
    and a make-up working day under the previous or next one (a late-December Saturday worked
    for the next New Year), so we look at year-1..year+1 and keep the dates inside `year`.
    """
    names: dict[date, str] = {}
    workdays: set[date] = set()
    for source_year in range(max(year - 1, 1), min(year + 1, 9999) + 1):
        package = _package_year(source, source_year)
        names.update((day, str(name)) for day, name in package.items() if day.year == year)
        workdays.update(day for day in package.weekend_workdays if day.year == year)
    return _Year(holidays=names, workdays=frozenset(workdays.difference(names)))


def _resolve(country: str) -> _Source:
    code = country.strip().upper() if isinstance(country, str) else ""
    try:
        return _CALENDARS[code]
    except KeyError:
        choices = ", ".join(_CALENDARS)
        raise ValidationError(
            "country", f"no business calendar for {country!r}; use one of {choices}"
        ) from None


class BusinessCalendar:
    """Which days a lender in one country works, and counting in such days."""

    def __init__(
        self, country: str, *, closures: Iterable[date] = (), years: Iterable[int] | None = None
    ) -> None:
        self._source = _resolve(country)
        self.country = country.strip().upper()
        self.closures: frozenset[date] = frozenset(closures)
        self._years: dict[int, _Year] = {}
        for year in years or ():
            self._for_year(year)  # warm the cache up front, e.g. before the nightly cycle

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.country!r}, closures={len(self.closures)})"

    def _for_year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = _year(self._source, year)
        return found

    def is_business_day(self, day: date) -> bool:
        """Open for business: not a holiday or closure, and a weekday or a make-up workday."""
        if day in self.closures:
            return False
        year = self._for_year(day.year)
        if day in year.holidays:
            return False
        if day.weekday() >= _SATURDAY:
            return day in year.workdays
        return True

    def next_business_day(self, day: date) -> date:
        """The day itself when it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def previous_business_day(self, day: date) -> date:
        """The day itself when it is a business day, else the last one before it."""
        while not self.is_business_day(day):
            day -= _ONE_DAY
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """Step n business days forward (or back when n < 0); the result is a business day.

        Each business day stepped onto counts one, so Friday + 1 is Monday and Saturday + 1 is
        also Monday. Adding 0 settles on the day itself, rolled forward if it is a day off.
        """
        if n == 0:
            return self.next_business_day(day)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name (in English), "Lender closure", or None for other days.

        Plain weekends have no name; neither do make-up working days, which are business days.
        """
        name = self._for_year(day.year).holidays.get(day)
        if name is not None:
            return name
        return CLOSURE_NAME if day in self.closures else None


def day_in_month(year: int, month: int, day_of_month: int) -> date:
    """The given day of a month, or the month's last day when the month is shorter.

    A loan booked on the 31st is due on the 30th in April and the 28th/29th in February.
    """
    if not 1 <= day_of_month <= 31:
        raise ValidationError("day_of_month", f"must be 1..31, got {day_of_month}")
    if not 1 <= month <= 12:
        raise ValidationError("month", f"must be 1..12, got {month}")
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day_of_month, last))


def add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    """The same day `months` later (or earlier), clamped to the month's end.

    Pass the loan's repayment day as `day_of_month` so a schedule anchored on the 31st goes
    31 Jan → 28 Feb → 31 Mar instead of drifting to the 28th for good.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValidationError("months", f"{day} + {months} months is outside the calendar")
    return day_in_month(year, month0 + 1, day.day if day_of_month is None else day_of_month)
