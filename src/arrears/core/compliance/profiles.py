"""Jurisdiction profiles: the rules' parameters as versioned data with their citations.

A profile (CN, US, UK, EU, IE) is a YAML document in ``data/profiles/``: metadata, the `sources`
it cites (each with its verification label from regulations.md), and `rules`, one section per
rule with its parameters and a `cite`. A profile may `extend` another (Ireland extends the EU
base): the child's values replace the parent's, section by section. A rule whose section is
absent does not run in that profile; the hold rules always run.

A lender's house rules (``house.yaml``) are laid over a profile with `apply_house_rules`, and may
only make it stricter — a narrower window, a lower cap, fewer allowed roles — which is checked
field by field. Every error names the field by its dotted path, e.g.
``rules.contact_hours.reg_f.end: "21:30" is later than …``.

The sections are plain frozen dataclasses of numbers, times and sets, so the vectorised gate can
read the same parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import types
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from arrears.core.compliance._schema import (
    Section,
    check_stricter,
    read_section,
    read_sources,
    read_value,
)
from arrears.core.compliance.model import Channel, Citation, HoldKind
from arrears.core.compliance.sections import (
    AutomatedConsentRule,
    CallFrequencyRule,
    ContactPersonsRule,
    ContactWindow,
    ContentRule,
    DailyVoiceCapRule,
    ElectronicCapRule,
    HoldRule,
    LocationContactsRule,
    NumberAttemptCapRule,
    OptOutRule,
    PartiesRule,
    RuleSection,
    WorkplaceRule,
)
from arrears.core.compliance.zones import ZONE_BASES, country_zones
from arrears.core.errors import ValidationError

#: Sections that hold one rule's parameters.
_SINGLE: dict[str, type[Section]] = {
    "inconvenient_times": RuleSection,
    "inconvenient_places": RuleSection,
    "workplace": WorkplaceRule,
    "parties": PartiesRule,
    "location_contacts": LocationContactsRule,
    "contact_persons": ContactPersonsRule,
    "opt_out": OptOutRule,
    "automated_consent": AutomatedConsentRule,
    "call_frequency": CallFrequencyRule,
    "daily_voice_cap": DailyVoiceCapRule,
    "number_attempt_cap": NumberAttemptCapRule,
    "content": ContentRule,
}
#: Sections that are mappings of named parts: windows by name, holds by kind, caps by channel.
_NAMED: dict[str, type[Section]] = {
    "contact_hours": ContactWindow,
    "holds": HoldRule,
    "electronic_caps": ElectronicCapRule,
}
_TOP_LEVEL = frozenset(
    {"code", "version", "name_en", "name_zh", "country", "zone_basis", "extends", "effective_on"}
    | {"sources", "rules", "applies_to"}
)
_HOUSE_KEYS = frozenset({"code", "version", "name_en", "name_zh", "sources", "rules", "applies_to"})
_CODE = re.compile(r"[A-Z][A-Z0-9_-]{1,15}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Profile:
    """A jurisdiction's rule parameters, as loaded (with any parent and house rules merged in)."""

    code: str
    version: str
    name_en: str
    name_zh: str
    country: str | None
    zone_basis: str
    effective_on: dt.date | None
    layers: tuple[str, ...]  # e.g. ("EU@2025.1", "IE@2025.1", "house@2025.1")
    sources: Mapping[str, Citation]
    contact_hours: Mapping[str, ContactWindow]
    holds: Mapping[HoldKind, HoldRule]
    electronic_caps: Mapping[Channel, ElectronicCapRule]
    inconvenient_times: RuleSection | None = None
    inconvenient_places: RuleSection | None = None
    workplace: WorkplaceRule | None = None
    parties: PartiesRule | None = None
    location_contacts: LocationContactsRule | None = None
    contact_persons: ContactPersonsRule | None = None
    opt_out: OptOutRule | None = None
    automated_consent: AutomatedConsentRule | None = None
    call_frequency: CallFrequencyRule | None = None
    daily_voice_cap: DailyVoiceCapRule | None = None
    number_attempt_cap: NumberAttemptCapRule | None = None
    content: ContentRule | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)


# --- loading ----------------------------------------------------------------------------------


def parse_profile(data: Mapping[str, Any], *, parent: Profile | None = None) -> Profile:
    """Build a profile from its YAML mapping; with `parent`, the mapping overrides the parent's."""
    if not isinstance(data, Mapping):
        raise ValidationError("profile", "must be a mapping")
    for key in data:
        if key not in _TOP_LEVEL or key == "applies_to":
            raise ValidationError(str(key), "unknown field")
    merged = _deep_merge(parent.raw, data) if parent is not None else dict(data)
    merged.pop("extends", None)
    layers = (*(parent.layers if parent else ()), _layer(data))
    return _build(merged, layers)


def apply_house_rules(profile: Profile, house: Mapping[str, Any]) -> Profile:
    """Lay a lender's house rules over a profile; they may only make it stricter.

    Errors are reported under ``house.``, e.g. ``house.rules.electronic_caps.sms.per_day``.
    """
    try:
        if not isinstance(house, Mapping):
            raise ValidationError("house", "must be a mapping")
        for key in house:
            if key not in _HOUSE_KEYS:
                raise ValidationError(str(key), "unknown field (house rules change only `rules`)")
        applies_to = house.get("applies_to")
        if applies_to is not None:
            if not isinstance(applies_to, list) or not all(isinstance(c, str) for c in applies_to):
                raise ValidationError("applies_to", "must be a list of profile codes")
            if profile.code not in applies_to:
                raise ValidationError("applies_to", f"does not include profile {profile.code}")
        overlay = {k: v for k, v in house.items() if k in ("sources", "rules")}
        merged = _deep_merge(profile.raw, overlay)
        layers = (*profile.layers, _layer(house, default_code="house"))
        stricter = _build(merged, layers)
        _check_house(profile, stricter)
    except ValidationError as error:
        raise ValidationError(f"house.{error.field}", error.reason) from None
    return stricter


def load_profile(
    source: str | Path | Mapping[str, Any], *, parent: Profile | None = None
) -> Profile:
    """A profile from a file, YAML text or a mapping (resolving `extends` among bundled ones)."""
    data = _load(source)
    extends = data.get("extends")
    if extends is not None and parent is None:
        if not isinstance(extends, str):
            raise ValidationError("extends", "must be a profile code")
        parent = bundled_profile(extends)
    return parse_profile(data, parent=parent)


@functools.cache
def bundled_profile(code: str) -> Profile:
    """One of the profiles shipped with Arrears: CN, US, UK, EU, IE."""
    name = code.strip().lower()
    if name not in BUNDLED:
        choices = ", ".join(c.upper() for c in BUNDLED)
        raise ValidationError("profile_code", f"no bundled profile {code!r}; use {choices}")
    return load_profile(_bundled_text(f"profiles/{name}.yaml"))


def bundled_house_rules() -> dict[str, Any]:
    """The example house rules shipped with Arrears (``data/profiles/house.yaml``)."""
    return _load(_bundled_text("profiles/house.yaml"))


BUNDLED = ("cn", "us", "uk", "eu", "ie")


def _bundled_text(name: str) -> str:
    root = resources.files("arrears.core.compliance").joinpath("data")
    return root.joinpath(name).read_text(encoding="utf-8")


def _load(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    if isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml")):
        text = Path(source).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError("profile", f"is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ValidationError("profile", "must be a YAML mapping")
    return data


def _layer(data: Mapping[str, Any], default_code: str = "") -> str:
    return f"{data.get('code', default_code)}@{data.get('version', '?')}"


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def _build(data: Mapping[str, Any], layers: tuple[str, ...]) -> Profile:
    code = data.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValidationError("code", "must be an upper-case code such as US or CN")
    version = data.get("version")
    if not isinstance(version, str | int) or isinstance(version, bool) or not str(version).strip():
        raise ValidationError("version", 'is required, as text (e.g. "2025.1")')
    names = {}
    for key in ("name_en", "name_zh"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(key, "is required")
        names[key] = value
    country = data.get("country")
    if country is not None:
        if not isinstance(country, str):
            raise ValidationError("country", "must be an ISO country code such as US")
        try:
            country_zones(country)
        except ValidationError as error:
            raise ValidationError("country", error.reason) from None
    zone_basis = read_value(
        "zone_basis", data.get("zone_basis", "all_candidates"), str, {"choices": ZONE_BASES}
    )
    effective_on = data.get("effective_on")
    if effective_on is not None and not (
        isinstance(effective_on, dt.date) and not isinstance(effective_on, dt.datetime)
    ):
        raise ValidationError("effective_on", "must be a date, YYYY-MM-DD")
    sources = read_sources("sources", data.get("sources"))
    rules = data.get("rules") or {}
    if not isinstance(rules, Mapping):
        raise ValidationError("rules", "must be a mapping of rule sections")
    sections: dict[str, Any] = {}
    for key, raw in rules.items():
        path = f"rules.{key}"
        if key in _SINGLE:
            sections[key] = None if raw is None else _read(_SINGLE[key], raw, path, sources)
        elif key in _NAMED:
            sections[key] = _read_named(key, raw, path, sources)
        else:
            raise ValidationError(path, "unknown rule section")
    for key in _NAMED:
        sections[key] = types.MappingProxyType(sections.get(key) or {})
    return Profile(
        code=code,
        version=str(version),
        name_en=names["name_en"],
        name_zh=names["name_zh"],
        country=country,
        zone_basis=zone_basis,
        effective_on=effective_on,
        layers=layers,
        sources=types.MappingProxyType(sources),
        raw=types.MappingProxyType(dict(data)),
        **sections,
    )


def _read(cls: type[Section], raw: object, path: str, sources: Mapping[str, Citation]) -> Section:
    try:
        return read_section(cls, raw, path, sources)
    except ValidationError as error:
        if error.field.startswith(path):
            raise
        raise ValidationError(f"{path}.{error.field}", error.reason) from None


def _read_named(
    key: str, raw: object, path: str, sources: Mapping[str, Citation]
) -> dict[Any, Section]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError(path, "must be a mapping of named parts")
    found: dict[Any, Section] = {}
    for name, part in raw.items():
        where = f"{path}.{name}"
        if part is None:
            continue  # a child profile may drop a part it does not want
        name_key: Any = name
        if key == "holds":
            name_key = _enum(where, name, HoldKind)
        elif key == "electronic_caps":
            name_key = _enum(where, name, Channel)
        found[name_key] = _read(_NAMED[key], part, where, sources)
    return found


def _enum(path: str, name: object, enum: type[HoldKind] | type[Channel]) -> Any:
    try:
        return enum(str(name))
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(path, f"must be one of {allowed}") from None


def _check_house(base: Profile, house: Profile) -> None:
    if base.zone_basis != house.zone_basis and house.zone_basis != "all_candidates":
        raise ValidationError("zone_basis", "house rules may only be stricter: use all_candidates")
    for key in _SINGLE:
        old, new = getattr(base, key), getattr(house, key)
        if old is None:
            continue
        if new is None:
            raise ValidationError(f"rules.{key}", "house rules cannot remove a rule of the profile")
        check_stricter(old, new, f"rules.{key}")
    for key in _NAMED:
        old_parts, new_parts = getattr(base, key), getattr(house, key)
        for name, old in old_parts.items():
            new = new_parts.get(name)
            if new is None:
                raise ValidationError(
                    f"rules.{key}.{name}", "house rules cannot remove a rule of the profile"
                )
            check_stricter(old, new, f"rules.{key}.{name}")
