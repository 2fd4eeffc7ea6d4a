"""Reading values people type (CLI options, CSV cells, YAML text) exactly, naming the field.

Amounts are decimal strings in major units ("1234.56"): they are read character by character
into a Decimal, never through a float, and refused when they carry more decimals than the
currency has (a fen cannot be split). Dates are ISO 8601 (YYYY-MM-DD), the one unambiguous
spelling.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.money import Money, minor_units

#: Plain decimal notation only: no exponent, no thousands separator, no currency sign.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_WHOLE = re.compile(r"[+-]?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_decimal(field: str, text: str) -> Decimal:
    """A plain decimal number such as "4.9" or "-12"; refuses "1e3", "1,000", "NaN"."""
    cleaned = text.strip()
    if not _DECIMAL.fullmatch(cleaned):
        raise ValidationError(field, f"{text!r} is not a plain decimal number (e.g. 1234.56)")
    return Decimal(cleaned)


def decimal_places(value: Decimal) -> int:
    """How many digits a decimal has after the point, as written ("1.50" has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_amount(field: str, text: str, currency: str, *, allow_zero: bool = False) -> Money:
    """A positive amount in major units, with no more decimals than the currency allows."""
    value = parse_decimal(field, text)
    places = minor_units(currency)
    if decimal_places(value) > places:
        raise ValidationError(
            field,
            f"{text.strip()} has more than {places} decimal places, the most {currency} allows",
        )
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(field, f"must be more than zero, got {text.strip()}")
    return Money(value, currency)


def parse_date(field: str, text: str) -> date:
    """An ISO date, YYYY-MM-DD."""
    cleaned = text.strip()
    try:
        if not _ISO_DATE.fullmatch(cleaned):
            raise ValueError(cleaned)
        return date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a date in the form YYYY-MM-DD") from None


def parse_whole(field: str, text: str, *, low: int, high: int) -> int:
    """A whole number within [low, high]."""
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        raise ValidationError(field, f"{text!r} is not a whole number")
    value = int(cleaned)
    if not low <= value <= high:
        raise ValidationError(field, f"must be between {low} and {high}, got {value}")
    return value
