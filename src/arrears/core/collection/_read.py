"""Reading collection settings from YAML mappings, naming the field on every error."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from arrears.core.errors import ValidationError
from arrears.core.parsing import parse_decimal

CODE = re.compile(r"[a-z][a-z0-9_]*")


def mapping(path: str, raw: object) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationError(path, "must be a mapping")
    return raw


def known_keys(path: str, raw: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Refuse a key the reader does not know (a typo would otherwise be silently ignored)."""
    for key in raw:
        if key not in allowed:
            raise ValidationError(f"{path}.{key}", f"unknown field (known: {', '.join(allowed)})")


def required(path: str, raw: Mapping[str, Any], key: str) -> Any:
    if key not in raw:
        raise ValidationError(f"{path}.{key}", "is required")
    return raw[key]


def code(path: str, raw: object) -> str:
    if not isinstance(raw, str) or not CODE.fullmatch(raw):
        raise ValidationError(path, f"{raw!r} is not a code (lower case letters, digits and _)")
    return raw


def text(path: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(path, "must be text")
    return raw.strip()


def flag(path: str, raw: object) -> bool:
    if not isinstance(raw, bool):
        raise ValidationError(path, "must be true or false")
    return raw


def whole(path: str, raw: object, *, low: int, high: int) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ValidationError(path, "must be a whole number")
    if not low <= raw <= high:
        raise ValidationError(path, f"must be between {low} and {high}, got {raw}")
    return raw


def decimal(path: str, raw: object, *, low: Decimal, high: Decimal | None = None) -> Decimal:
    """A decimal written as a quoted string ("0.25"); YAML floats are refused."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValidationError(path, 'write the number in quotes, e.g. "0.25" (no floats)')
    value = parse_decimal(path, str(raw))
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationError(path, f"must be {bound}, got {value}")
    return value


def string_list(path: str, raw: object) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValidationError(path, "must be a list of names")
    return list(raw)
