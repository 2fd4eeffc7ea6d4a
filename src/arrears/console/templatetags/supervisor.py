"""Template filters of the supervisor's screens: shares as percents, confidence intervals.

`{{ kpis.cure_rate|percent }}` → 25.00 % (a Decimal or float share of 1; — for None);
`{{ figure.interval|share_interval }}` → 12.3 % – 45.6 %; `{{ figure.interval|mean_interval }}`
for a mean per account; `{{ interval|minor_interval:currency }}` for money per account.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent
from django import template

from arrears.common.templatetags.formatting import _locale, minor_money
from arrears.core.stats import Interval

register = template.Library()


def _blank(value: object) -> bool:
    return value is None or value == ""


def _pattern(places: int | str) -> str:
    """A number pattern with `places` decimal places, e.g. #,##0.00."""
    return "#,##0." + "0" * int(places) if int(places) else "#,##0"


@register.filter
def percent(share: Decimal | float | None, places: int = 1) -> str:
    """A share of 1 as a percent in the reader's language, e.g. 25.0 %."""
    if _blank(share):
        return "—"
    return str(format_percent(Decimal(str(share)), format=_pattern(places) + "%", locale=_locale()))


@register.filter
def number(value: Decimal | float | int | None, places: int = 2) -> str:
    """A figure (per account, per 1,000 accounts) in the reader's language."""
    if _blank(value):
        return "—"
    return str(format_decimal(Decimal(str(value)), format=_pattern(places), locale=_locale()))


def _interval(
    found: Interval | None, end: Callable[[float], str], *, estimate: bool = False
) -> str:
    """`found` as low – high, each end written by `end`; with `estimate`, the estimate first and
    the interval in brackets; — for None."""
    if found is None:
        return "—"
    ends = f"{end(found.low)} – {end(found.high)}"
    return f"{end(found.estimate)} ({ends})" if estimate else ends


@register.filter
def share_interval(found: Interval | None) -> str:
    """A share's interval: low – high, in percent."""
    return _interval(found, percent)


@register.filter
def points_interval(found: Interval | None) -> str:
    """A difference of shares in percentage points: +12.3 (−2.0 – +26.5)."""
    return _interval(found, lambda share: _signed(share * 100, 1), estimate=True)


@register.filter
def figure_interval(found: Interval | None) -> str:
    """A mean's (or a difference of means') interval with 2 places."""
    return _interval(found, number)


@register.filter
def signed_interval(found: Interval | None) -> str:
    """A difference of means with its interval: +0.50 (−0.25 – +1.25)."""
    return _interval(found, lambda value: _signed(value, 2), estimate=True)


@register.filter
def minor_interval(found: Interval | None, currency: str) -> str:
    """An interval of money per account (minor units), each end rounded to a minor unit."""
    return _interval(found, lambda minor: minor_money(round(minor), currency))


@register.filter
def minor_amount(value: float | None, currency: str) -> str:
    if value is None or value == "":
        return "—"
    return minor_money(round(value), currency)


@register.filter
def signed_minor_interval(found: Interval | None, currency: str) -> str:
    """A difference of money per account with its interval: +CN¥5.00 (−CN¥1.00 – +CN¥11.00)."""
    return _interval(found, lambda minor: _signed_money(minor, currency), estimate=True)


def _signed(value: float, places: int) -> str:
    text = number(abs(value), places)
    return ("+" if value >= 0 else "−") + text


def _signed_money(minor: float, currency: str) -> str:
    return ("+" if minor >= 0 else "−") + minor_money(abs(round(minor)), currency)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] (None when missing): a roll-rate row's share of one bucket."""
    return mapping.get(key) if mapping else None
