"""Jurisdiction profiles as versioned rows: seeded from the bundled YAML, edited in the admin.

The active `ProfileVersion` of a code is the profile the gate uses; a code with no row falls
back to the bundled YAML. A profile that `extends` another (Ireland extends the EU base) is laid
over the *active* parent. The lender's house rules (settings `ARREARS_HOUSE_RULES`: a YAML path,
``none``, or empty for the bundled example) are laid over every profile they apply to, and may
only make it stricter.

Every text is checked with the core's own loader before it is stored: an edit that would not
load — or would make a profile that extends it, or the house rules, fail to load — is refused
with the field named (``rules.contact_hours.reg_f.end: …``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.compliance.models import ProfileVersion
from arrears.core.clock import Clock, SystemClock
from arrears.core.compliance import Profile, apply_house_rules, load_profile
from arrears.core.compliance.jurisdictions import PROFILE_CODES
from arrears.core.errors import Conflict, ValidationError

#: Parent profiles first, so a child is checked against the parent just loaded.
_LOAD_ORDER = ("CN", "US", "UK", "EU", "IE")
_MAX_DEPTH = 4


@dataclass(frozen=True)
class ActiveProfile:
    """The profile the gate uses for a code, and whether the house rules were laid over it."""

    profile: Profile
    house_rules: bool


def bundled_text(code: str) -> str:
    """The YAML of a bundled profile, as shipped."""
    root = resources.files("arrears.core.compliance").joinpath("data", "profiles")
    return root.joinpath(f"{code.lower()}.yaml").read_text(encoding="utf-8")


# --- reading ------------------------------------------------------------------------------------


def active_texts() -> dict[str, str]:
    """The YAML of every active profile row, by code (one query)."""
    return dict(ProfileVersion.objects.filter(is_active=True).values_list("code", "yaml_text"))


def active_profile(
    code: str, *, house_rules: bool = True, texts: Mapping[str, str] | None = None
) -> ActiveProfile:
    """The profile the gate uses for `code`, with the house rules laid over it when they apply.

    Parsing is cached by text, so a decision costs one small query and no YAML parsing.
    """
    if code not in PROFILE_CODES:
        raise ValidationError("jurisdiction", _("no profile %(code)s") % {"code": code})
    chain = _chain(code, active_texts() if texts is None else texts)
    house = house_rules_text() if house_rules else None
    if house is not None and not _house_applies(house, code):
        house = None
    return ActiveProfile(_compile(chain, house), house is not None)


def house_rules_text() -> str | None:
    """The house rules' YAML from settings: a path, `none`, or the bundled example by default."""
    configured = str(getattr(settings, "ARREARS_HOUSE_RULES", "") or "").strip()
    if configured.lower() == "none":
        return None
    return _read_house(configured)


@functools.lru_cache(maxsize=8)
def _read_house(path: str) -> str:
    if not path:
        return bundled_text("house")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            "ARREARS_HOUSE_RULES",
            _("cannot read %(path)s: %(error)s") % {"path": path, "error": error},
        ) from None


def _chain(code: str, texts: Mapping[str, str]) -> tuple[str, ...]:
    """The texts from the root profile down to `code`'s, following `extends`."""
    return tuple(text for _code, text in _lineage(code, texts))


def _lineage(code: str, texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, text) from the root profile down to `code`."""
    found: list[tuple[str, str]] = []
    current: str | None = code
    while current is not None:
        if len(found) >= _MAX_DEPTH:
            raise ValidationError("extends", _("profiles extend each other in a loop"))
        text = texts.get(current) or bundled_text(current)
        found.append((current, text))
        current = _extends(text)
    return list(reversed(found))


@functools.lru_cache(maxsize=64)
def _document(text: str) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(
            "profile", _("is not valid YAML: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError("profile", _("must be a YAML mapping"))
    return data


def _extends(text: str) -> str | None:
    parent = _document(text).get("extends")
    if parent is None:
        return None
    if not isinstance(parent, str) or parent.upper() not in PROFILE_CODES:
        raise ValidationError(
            "extends", _("must be one of %(codes)s") % {"codes": ", ".join(PROFILE_CODES)}
        )
    return parent.upper()


def _house_applies(house: str, code: str) -> bool:
    applies_to = _document(house).get("applies_to")
    return applies_to is None or (isinstance(applies_to, list) and code in applies_to)


@functools.lru_cache(maxsize=64)
def _compile(chain: tuple[str, ...], house: str | None) -> Profile:
    profile: Profile | None = None
    for text in chain:
        profile = load_profile(dict(_document(text)), parent=profile)
    assert profile is not None
    if house is not None:
        profile = apply_house_rules(profile, dict(_document(house)))
    return profile


# --- checking an edit ---------------------------------------------------------------------------


def check_profile_text(*, code: str, text: str) -> Profile:
    """Check a profile's YAML as the gate would load it, before it is stored.

    The `code` in the text must be `code`. The profile is loaded over its active parent, with
    the house rules; every active profile that extends it is loaded over it too.
    """
    document = _document(text)
    if document.get("code") != code:
        raise ValidationError(
            "code", _("must be %(code)s, the profile being edited") % {"code": code}
        )
    texts = {**active_texts(), code: text}
    checked = active_profile(code, texts=texts).profile
    for other in PROFILE_CODES:
        ancestors = [found for found, _text in _lineage(other, texts)[:-1]]
        if code in ancestors:
            try:
                active_profile(other, texts=texts)
            except ValidationError as error:
                raise ValidationError(
                    error.field,
                    _("%(reason)s (in profile %(other)s, which extends this one)")
                    % {"reason": error.reason, "other": other},
                ) from None
    return checked


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def load_profiles(*, clock: Clock | None = None) -> list[ProfileVersion]:
    """Store each bundled profile's version as shipped; returns the rows, one per code.

    A version already stored is left alone. A new bundled version becomes active unless a
    person edited the active one (their edit stays in force; the new version waits, inactive,
    for a compliance officer). Safe to run any number of times.
    """
    now = (clock or SystemClock()).now()
    rows = []
    for code in _LOAD_ORDER:
        text = bundled_text(code)
        version = str(_document(text).get("version"))
        row = ProfileVersion.objects.filter(code=code, version=version).first()
        if row is None:
            active = ProfileVersion.objects.select_for_update().filter(code=code, is_active=True)
            current = active.first()
            take_over = current is None or current.is_bundled
            if take_over:
                active.update(is_active=False)
            row = ProfileVersion.objects.create(
                code=code,
                version=version,
                yaml_text=text,
                is_active=take_over,
                is_bundled=True,
                edited_at=now,
            )
        rows.append(row)
    return rows


@transaction.atomic
def save_profile_version(
    *,
    code: str,
    yaml_text: str,
    edited_by: Any = None,
    activate: bool = True,
    clock: Clock | None = None,
) -> ProfileVersion:
    """Store an edited profile as a new version (the YAML's `version`), checked first.

    A version is never overwritten: decisions name the version they were made under. Edit the
    text and bump `version`; the new version becomes the active one unless `activate` is False.
    """
    check_profile_text(code=code, text=yaml_text)
    version = str(_document(yaml_text).get("version"))
    if ProfileVersion.objects.filter(code=code, version=version).exists():
        raise ValidationError(
            "version",
            _("%(code)s@%(version)s already exists: give the edited profile a new version")
            % {"code": code, "version": version},
        )
    if activate:
        ProfileVersion.objects.filter(code=code, is_active=True).update(is_active=False)
    try:
        with transaction.atomic():
            return ProfileVersion.objects.create(
                code=code,
                version=version,
                yaml_text=yaml_text,
                is_active=activate,
                is_bundled=False,
                edited_by=edited_by,
                edited_at=(clock or SystemClock()).now(),
            )
    except IntegrityError:
        raise Conflict(
            _("%(code)s was changed by someone else at the same moment; try again") % {"code": code}
        ) from None


@transaction.atomic
def activate_profile_version(*, profile_version: ProfileVersion) -> ProfileVersion:
    """Make this version the one the gate uses for its code (checked against the others first)."""
    check_profile_text(code=profile_version.code, text=profile_version.yaml_text)
    ProfileVersion.objects.filter(code=profile_version.code, is_active=True).exclude(
        pk=profile_version.pk
    ).update(is_active=False)
    ProfileVersion.objects.filter(pk=profile_version.pk).update(is_active=True)
    profile_version.is_active = True
    return profile_version
