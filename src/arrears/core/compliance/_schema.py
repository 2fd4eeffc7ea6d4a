"""Reading rule sections from YAML data and checking that house rules only tighten them.

Each rule section is a frozen dataclass; its fields' types say how to read them and each field's
``stricter`` metadata says which way is stricter, so one reader and one comparison serve every
section. Errors name the field by its dotted path in the document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from arrears.core.compliance.model import Citation, Verification
from arrears.core.errors import ValidationError

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def strict(way: str, **limits: Any) -> dict[str, Any]:
    """Field metadata: which way a parameter is stricter (see `check_stricter`), and its limits."""
    return {"stricter": way, **limits}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Section:
    """A rule's parameters: the citation for the rule and, where they differ, for a parameter."""

    #: Names under `cites` besides the parameters: points a rule cites separately (e.g. "sms").
    CITE_KEYS: typing.ClassVar[frozenset[str]] = frozenset()

    cite: Citation
    cites: Mapping[str, Citation] = dataclasses.field(default_factory=dict)

    def citation_for(self, name: str) -> Citation:
        return self.cites.get(name, self.cite)

    def extra_stricter_check(self, base: Section, path: str) -> None:
        """Checks across fields that a per-field comparison cannot make."""


# --- reading ----------------------------------------------------------------------------------


def read_section(
    cls: type[Section], data: object, path: str, sources: Mapping[str, Citation]
) -> Section:
    """Build one section from its YAML mapping; `cite`/`cites` name entries of `sources`."""
    if not isinstance(data, Mapping):
        raise ValidationError(path, "must be a mapping of parameters")
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            raise ValidationError(f"{path}.{key}", "unknown field")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        where = f"{path}.{name}"
        if name not in data:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                raise ValidationError(where, "is required")
            continue
        raw = data[name]
        if name == "cite":
            values[name] = read_cite(where, raw, sources)
        elif name == "cites":
            values[name] = _read_cites(where, raw, sources, set(known) | cls.CITE_KEYS)
        else:
            values[name] = read_value(where, raw, hints[name], spec.metadata)
    section = cls(**values)
    _check_limits(section, path)
    return section


def read_cite(path: str, raw: object, sources: Mapping[str, Citation]) -> Citation:
    if not isinstance(raw, str) or raw not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise ValidationError(path, f"{raw!r} is not an entry of `sources` (known: {known})")
    return sources[raw]


def _read_cites(
    path: str, raw: object, sources: Mapping[str, Citation], names: set[str]
) -> dict[str, Citation]:
    if not isinstance(raw, Mapping):
        raise ValidationError(path, "must map parameter names to entries of `sources`")
    for name in raw:
        if name not in names - {"cite", "cites"}:
            allowed = ", ".join(sorted(names - {"cite", "cites"}))
            raise ValidationError(f"{path}.{name}", f"is not a parameter of this rule ({allowed})")
    return {str(name): read_cite(f"{path}.{name}", ref, sources) for name, ref in raw.items()}


def read_sources(path: str, raw: object) -> dict[str, Citation]:
    """`sources`: id → {source, status}; status is a verification label of regulations.md §0.1."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError(path, "must map source ids to {source, status}")
    found: dict[str, Citation] = {}
    statuses = ", ".join(v.value for v in Verification)
    for ref, entry in raw.items():
        where = f"{path}.{ref}"
        if not isinstance(entry, Mapping):
            raise ValidationError(where, "must be a mapping with source and status")
        for key in entry:
            if key not in ("source", "status", "note"):
                raise ValidationError(f"{where}.{key}", "unknown field")
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValidationError(f"{where}.source", "is required (the statute, rule or document)")
        try:
            status = Verification(str(entry.get("status")))
        except ValueError:
            raise ValidationError(f"{where}.status", f"must be one of {statuses}") from None
        found[str(ref)] = Citation(ref=str(ref), source=source.strip(), status=status)
    return found


def read_value(path: str, raw: object, hint: Any, metadata: Mapping[str, Any]) -> Any:
    """Read one parameter by its declared type."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, _UnionType) and type(None) in args:
        if raw is None:
            return None
        (inner,) = (a for a in args if a is not type(None))
        return read_value(path, raw, inner, metadata)
    if hint is bool:
        if not isinstance(raw, bool):
            raise ValidationError(path, "must be true or false")
        return raw
    if hint is int:
        return _read_whole(path, raw, metadata)
    if hint is dt.time:
        return read_time(path, raw)
    if hint is str:
        if not isinstance(raw, str) or not raw.strip():
            raise ValidationError(path, "must be text")
        choices = metadata.get("choices")
        if choices and raw not in choices:
            raise ValidationError(path, f"must be one of {', '.join(choices)}")
        return raw
    if origin is frozenset:
        (item,) = args
        return _read_set(path, raw, item, metadata)
    raise TypeError(f"{path}: no reader for {hint!r}")  # a programming error, not bad data


_UnionType = type(int | None)


def read_time(path: str, raw: object) -> dt.time:
    if isinstance(raw, int) and not isinstance(raw, bool):
        hours, minutes = divmod(raw, 60)
        raise ValidationError(
            path, f'write the time in quotes, e.g. "{hours:02d}:{minutes:02d}" (YAML read a number)'
        )
    if not isinstance(raw, str) or not _TIME.fullmatch(raw.strip()):
        raise ValidationError(path, f'{raw!r} is not a time of day "HH:MM" (00:00–23:59)')
    hour, minute = raw.strip().split(":")
    return dt.time(int(hour), int(minute))


def _read_whole(path: str, raw: object, metadata: Mapping[str, Any]) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ValidationError(path, "must be a whole number")
    low, high = metadata.get("low", 0), metadata.get("high", 10_000)
    if not low <= raw <= high:
        raise ValidationError(path, f"must be between {low} and {high}, got {raw}")
    return raw


def _read_set(path: str, raw: object, item: Any, metadata: Mapping[str, Any]) -> frozenset[Any]:
    if not isinstance(raw, list):
        raise ValidationError(path, "must be a list")
    values: set[Any] = set()
    for i, element in enumerate(raw):
        where = f"{path}[{i}]"
        if metadata.get("weekdays"):
            if element not in WEEKDAY_NAMES:
                raise ValidationError(where, f"must be a weekday name ({', '.join(WEEKDAY_NAMES)})")
            values.add(WEEKDAY_NAMES.index(str(element)))
        elif isinstance(item, type) and issubclass(item, StrEnum):
            try:
                values.add(item(element))
            except ValueError:
                allowed = ", ".join(m.value for m in item)
                raise ValidationError(where, f"{element!r} is not one of {allowed}") from None
        else:
            choices = metadata.get("choices")
            if not isinstance(element, str) or (choices and element not in choices):
                hint = f"one of {', '.join(choices)}" if choices else "text"
                raise ValidationError(where, f"must be {hint}")
            values.add(element)
    return frozenset(values)


def _check_limits(section: Section, path: str) -> None:
    for f in dataclasses.fields(section):
        before = f.metadata.get("before")
        if before:
            value, limit = getattr(section, f.name), getattr(section, before)
            if value is not None and limit is not None and not value < limit:
                raise ValidationError(f"{path}.{f.name}", f"must be before {before} ({limit})")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


# --- house rules may only tighten ---------------------------------------------------------------


def check_stricter(base: Section, house: Section, path: str) -> None:
    """Refuse any parameter of `house` that loosens `base`, naming it."""
    for f in dataclasses.fields(base):
        way = f.metadata.get("stricter")
        if way is None or way == "none":
            continue
        old, new = getattr(base, f.name), getattr(house, f.name)
        problem = _loosens(way, old, new)
        if problem:
            raise ValidationError(
                f"{path}.{f.name}", f"house rules may only be stricter: {problem}"
            )
    house.extra_stricter_check(base, path)


def _loosens(way: str, old: Any, new: Any) -> str | None:
    if old == new:
        return None
    if way == "later":
        return None if new >= old else f"{_show(new)} is earlier than the profile's {_show(old)}"
    if way == "earlier":
        return None if new <= old else f"{_show(new)} is later than the profile's {_show(old)}"
    if way in ("lower", "higher"):
        if old is None:
            return None
        if new is None:
            return f"cannot remove the profile's limit of {old}"
        if way == "lower":
            return None if new <= old else f"{new} is above the profile's {old}"
        return None if new >= old else f"{new} is below the profile's {old}"
    if way == "true":
        return None if new or not old else "cannot turn off what the profile turns on"
    if way == "false":
        return None if not new or old else "cannot turn on what the profile keeps off"
    if way == "superset":
        missing = old - new
        return None if not missing else f"cannot drop {_show(missing)}"
    if way == "subset":
        extra = new - old
        return None if not extra else f"cannot add {_show(extra)}"
    if way == "set_once":
        return None if old is None else f"cannot change the profile's {_show(old)}"
    if way.startswith("order:"):
        order = way.removeprefix("order:").split("<")
        if order.index(str(new)) >= order.index(str(old)):
            return None
        return f"{new} is looser than the profile's {old} (strictest last: {', '.join(order)})"
    raise ValueError(f"unknown strictness {way!r}")


def _show(value: Any) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, frozenset):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)
