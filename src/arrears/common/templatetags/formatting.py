"""Template filters that show money, dates and instants the way the reader's language writes them.

`{{ balance|money }}` for a `Money`; `{{ row.owed_minor|minor_money:row.currency }}` for integer
minor units from a selector; `{{ day|day }}` for a date; `{{ at|instant:zone }}` for a UTC
instant in a zone. Babel does the formatting (¥1,234.50 / US$1,234.50, 2026年11月29日 …).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from django import template
from django.utils import translation

from arrears.core.money import Money

register = template.Library()


def _locale() -> str:
    language = translation.get_language() or "en"
    return "zh_Hans_CN" if language.lower().startswith("zh") else "en_GB"


@register.filter
def money(value: Money | None) -> str:
    """A `Money` in the reader's language; an empty cell for None."""
    if value is None:
        return "—"
    return str(format_currency(value.amount, value.currency, locale=_locale()))


@register.filter
def minor_money(minor: int | None, currency: str) -> str:
    """Integer minor units of `currency` (as stored) in the reader's language."""
    if minor is None:
        return "—"
    return money(Money.from_minor(int(minor), currency))


@register.filter
def day(value: dt.date | None) -> str:
    """A business date, e.g. 2026年11月29日 or 29 Nov 2026."""
    if value is None:
        return "—"
    return str(format_date(value, format="medium", locale=_locale()))


@register.filter
def instant(value: dt.datetime | None, zone: Any = "Asia/Shanghai") -> str:
    """A UTC instant shown in `zone` (the borrower's or the desk's), with the zone's name."""
    if value is None:
        return "—"
    tz = ZoneInfo(str(zone or "Asia/Shanghai"))
    return str(format_datetime(value.astimezone(tz), format="medium", tzinfo=tz, locale=_locale()))
