"""Reading hardship data (statements, norms, policy) from JSON or YAML, naming the field.

Amounts and rates are decimal strings ("1234.56", "4.5"): a float is refused, because it cannot
hold money or a rate exactly. Every error names the value by its dotted path, e.g.
``expenses[2].category`` or ``options.term_extension.terms[1]``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import yaml

from arrears.core.errors import ValidationError
from arrears.core.money import Money, minor_units
from arrears.core.parsing import decimal_places

_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_E = TypeVar("_E", bound=enum.StrEnum)


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Report errors raised inside under `prefix` (``prefix.field``)."""
    try:
        yield
    except ValidationError as error:
        field = f"{prefix}.{error.field}" if error.field else prefix
        raise ValidationError(field, error.reason) from None


def load_yaml(path_or_text: str | Path, what: str) -> object:
    """A `Path` (or a one-line ``*.yaml`` string) is read as a file, any other string as YAML."""
    one_line = isinstance(path_or_text, str) and "\n" not in path_or_text
    if one_line and str(path_or_text).endswith((".yaml", ".yml", ".json")):
        path_or_text = Path(path_or_text)
    text = (
        path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(what, f"is not valid YAML: {error}") from None


def mapping(field: str, value: object, known: Sequence[str] | None = None) -> Mapping[str, object]:
    """A mapping with text keys; when `known` is given, any other key is an error."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a mapping of names to values")
    for key in value:
        if not isinstance(key, str):
            raise ValidationError(f"{field}.{key}", "keys must be text")
        if known is not None and key not in known:
            raise ValidationError(_join(field, key), f"unknown field; use {', '.join(known)}")
    return value


def items(field: str, value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list")
    return value


def text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "is required" if value is None else "must be text")
    return value.strip()


def decimal(field: str, value: object) -> Decimal:
    if value is None:
        raise ValidationError(field, "is required")
    if isinstance(value, float):
        raise ValidationError(field, f'write it as quoted text, e.g. "{value}": a float is inexact')
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError(field, 'must be a number written as text, e.g. "12.50"')
    if isinstance(value, Decimal):
        return value
    cleaned = str(value).strip()
    if not _PLAIN_DECIMAL.fullmatch(cleaned):
        raise ValidationError(field, f"{value!r} is not a plain decimal number, e.g. 12.50")
    return Decimal(cleaned)


def percent(field: str, value: object) -> Decimal:
    """A percentage 0..100 written as text ("12.5")."""
    result = decimal(field, value)
    if not 0 <= result <= 100:
        raise ValidationError(field, f"must be a percent between 0 and 100, got {result}")
    return result


def money(field: str, value: object, currency: str) -> Money:
    """An amount of 0 or more in major units, no finer than the currency's minor unit."""
    amount = decimal(field, value)
    if decimal_places(amount) > minor_units(currency):
        raise ValidationError(field, f"{amount} has more decimals than {currency} allows")
    if amount < 0:
        raise ValidationError(field, f"cannot be negative, got {amount}")
    return Money(amount, currency)


def whole(field: str, value: object, *, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(field, "must be a whole number")
    if not low <= value <= high:
        raise ValidationError(field, f"must be between {low} and {high}, got {value}")
    return value


def flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, "must be true or false")
    return value


def choice(field: str, value: object, kind: type[_E]) -> _E:
    """A member of a string enum, by value."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        raise ValidationError(field, f"unknown {value!r}; use {', '.join(kind)}") from None


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
