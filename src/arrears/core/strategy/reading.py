"""Reading YAML documents field by field, naming each field by its dotted path.

`StrictLoader` is YAML's safe loader refusing a key written twice (which YAML would silently keep
the last of); the `read_*` helpers check one field each and raise `ValidationError(path, …)`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import yaml

from arrears.core.errors import ValidationError

ID = re.compile(r"[a-z][a-z0-9_-]{0,63}")
E_ = TypeVar("E_", bound=enum.StrEnum)


class StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping."""


def _no_duplicates(loader: StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is written twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def read_fields(
    where: str, raw: object, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    """A mapping's fields (nulls dropped): unknown ones refused, required ones present."""
    label = where or "the strategy"
    if not isinstance(raw, Mapping):
        raise ValidationError(where or "strategy", f"{label} must be a mapping of fields")
    for key in raw:
        if key not in required and key not in optional:
            known = ", ".join((*required, *optional))
            raise ValidationError(_join(where, str(key)), f"unknown field (fields: {known})")
    for key in required:
        if key not in raw or raw[key] is None:
            raise ValidationError(_join(where, key), "is required")
    return {str(k): v for k, v in raw.items() if v is not None}


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def read_list(where: str, raw: object) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError(where, "must be a non-empty list")
    return raw


def read_text(where: str, raw: object, *, blank: bool = False) -> str:
    if not isinstance(raw, str) or (not blank and not raw.strip()):
        raise ValidationError(where, "must be text")
    return raw.strip()


def read_id(where: str, raw: object) -> str:
    if not isinstance(raw, str) or not ID.fullmatch(raw):
        raise ValidationError(
            where, f"{raw!r} is not an id (lower-case letters, digits, - and _; a letter first)"
        )
    return raw


def read_whole(where: str, raw: object, *, low: int, high: int) -> int:
    if raw is None:
        raise ValidationError(where, "is required")
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ValidationError(where, f"{raw!r} is not a whole number")
    if not low <= raw <= high:
        raise ValidationError(where, f"must be between {low} and {high}, got {raw}")
    return raw


def read_choice(where: str, raw: object, kind: type[E_]) -> E_:
    try:
        return kind(str(raw))
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ValidationError(where, f"{raw!r} is not one of {allowed}") from None
