"""Template filters of the supervisor's screens: shares as percents, confidence intervals.

`{{ kpis.cure_rate|percent }}` → 25.00 % (a Decimal or float share of 1; — for None);
`{{ figure.interval|share_interval }}` → 12.3 % – 45.6 %; `{{ figure.interval|mean_interval }}`
for a mean per account; `{{ interval|minor_interval:currency }}` for money per account.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent
from django import template

from arrears.common.templatetags.formatting import _locale, minor_money
from arrears.core.stats import Interval

register = template.Library()


@register.filter
def percent(share: Decimal | float | None, places: int = 1) -> str:
    """A share of 1 as a percent in the reader's language, e.g. 25.0 %."""
    if share is None or share == "":
        return "—"
    pattern = "#,##0." + "0" * int(places) + "%" if int(places) else "#,##0%"
    return str(format_percent(Decimal(str(share)), format=pattern, locale=_locale()))


@register.filter
def number(value: Decimal | float | int | None, places: int = 2) -> str:
    """A figure (per account, per 1,000 accounts) in the reader's language."""
    if value is None or value == "":
        return "—"
    pattern = "#,##0." + "0" * int(places) if int(places) else "#,##0"
    return str(format_decimal(Decimal(str(value)), format=pattern, locale=_locale()))


@register.filter
def share_interval(found: Interval | None) -> str:
    """A share's interval: low – high, in percent."""
    if found is None:
        return "—"
    return f"{percent(found.low)} – {percent(found.high)}"


@register.filter
def points_interval(found: Interval | None) -> str:
    """A difference of shares in percentage points: +12.3 (−2.0 – +26.5)."""
    if found is None:
        return "—"
    low, high = _signed(found.low * 100, 1), _signed(found.high * 100, 1)
    return f"{_signed(found.estimate * 100, 1)} ({low} – {high})"


@register.filter
def figure_interval(found: Interval | None) -> str:
    """A mean's (or a difference of means') interval with 2 places."""
    if found is None:
        return "—"
    return f"{number(found.low)} – {number(found.high)}"


@register.filter
def signed_interval(found: Interval | None) -> str:
    if found is None:
        return "—"
    return f"{_signed(found.estimate, 2)} ({_signed(found.low, 2)} – {_signed(found.high, 2)})"


@register.filter
def minor_interval(found: Interval | None, currency: str) -> str:
    """An interval of money per account (minor units), each end rounded to a minor unit."""
    if found is None:
        return "—"
    return f"{minor_money(round(found.low), currency)} – {minor_money(round(found.high), currency)}"


@register.filter
def minor_amount(value: float | None, currency: str) -> str:
    if value is None or value == "":
        return "—"
    return minor_money(round(value), currency)


@register.filter
def signed_minor_interval(found: Interval | None, currency: str) -> str:
    if found is None:
        return "—"
    return (
        f"{_signed_money(found.estimate, currency)} "
        f"({_signed_money(found.low, currency)} – {_signed_money(found.high, currency)})"
    )


def _signed(value: float, places: int) -> str:
    text = number(abs(value), places)
    return ("+" if value >= 0 else "−") + text


def _signed_money(minor: float, currency: str) -> str:
    return ("+" if minor >= 0 else "−") + minor_money(abs(round(minor)), currency)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] (None when missing): a roll-rate row's share of one bucket."""
    return mapping.get(key) if mapping else None
