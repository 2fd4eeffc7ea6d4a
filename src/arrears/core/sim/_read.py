"""Reading behaviour parameters from YAML, naming the field by its dotted path.

Behaviour parameters are rates and probabilities, not money, so plain YAML numbers are read as
floats; amounts (incomes, balances) are quoted decimal strings turned into integer minor units.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from arrears.core.errors import ValidationError
from arrears.core.money import minor_units
from arrears.core.parsing import decimal_places, parse_decimal


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Report errors raised inside under `prefix` (``prefix.field``)."""
    try:
        yield
    except ValidationError as error:
        field = f"{prefix}.{error.field}" if error.field else prefix
        raise ValidationError(field, error.reason) from None


def mapping(field: str, value: object, known: Sequence[str]) -> Mapping[str, object]:
    """A mapping whose keys are all in `known`; every known key is required."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a mapping of names to values")
    for key in value:
        if key not in known:
            raise ValidationError(_join(field, key), f"unknown field; use {', '.join(known)}")
    for key in known:
        if key not in value:
            raise ValidationError(_join(field, key), "is required")
    return value


def items(field: str, value: object) -> list[object]:
    if not isinstance(value, list) or not value:
        raise ValidationError(field, "must be a non-empty list")
    return value


def number(field: str, value: object, *, low: float, high: float = math.inf) -> float:
    """A finite number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, "must be a number")
    result = float(value)
    if not math.isfinite(result) or not low <= result <= high:
        raise ValidationError(field, f"must be between {low:g} and {high:g}, got {value}")
    return result


def probability(field: str, value: object) -> float:
    return number(field, value, low=0.0, high=1.0)


def positive(field: str, value: object) -> float:
    result = number(field, value, low=0.0)
    if result <= 0:
        raise ValidationError(field, f"must be more than zero, got {value}")
    return result


def whole(field: str, value: object, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "must be a whole number")
    if not low <= value <= high:
        raise ValidationError(field, f"must be between {low} and {high}, got {value}")
    return value


def amount_minor(field: str, value: object, currency: str) -> int:
    """A positive amount written as text in major units ("9000.00"), in integer minor units."""
    if not isinstance(value, str):
        raise ValidationError(field, 'write the amount as quoted text, e.g. "9000.00"')
    amount = parse_decimal(field, value)
    places = minor_units(currency)
    if decimal_places(amount) > places:
        raise ValidationError(field, f"{value} has more decimals than {currency} allows")
    if amount <= 0:
        raise ValidationError(field, f"must be more than zero, got {value}")
    return int(amount.scaleb(places))


def _join(field: str, key: object) -> str:
    return f"{field}.{key}" if field else str(key)
