"""The profiles' rule parameters as per-profile columns, read from the same sections the scalar
rules read (`Profile.parties`, `Profile.call_frequency`, …): one definition of each parameter.

A batch carries a profile index `_pk` per row; `by_profile(values)` gathers one value per
profile, `by_profile_and(table, code)` one value per (profile, enum code) — e.g. "is this role
allowed in this profile" — from a small literal table, so no parameter is ever a join.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

from arrears.core.compliance.model import (
    AttemptOutcome,
    Channel,
    Direction,
    HoldKind,
    Purpose,
    Role,
)
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules import RULE_IDS, active_rules
from arrears.core.compliance.rules.holds import _rule_for as hold_rule_for
from arrears.core.compliance.rules.parties import obligor_roles
from arrears.core.compliance.sections import HoldRule
from arrears.core.errors import ValidationError

#: A Polars data type, as a class (`pl.Int64`) or an instance (`pl.List(pl.String)`).
DType = pl.DataType | type[pl.DataType]

CHANNELS: tuple[Channel, ...] = tuple(Channel)
PURPOSES: tuple[Purpose, ...] = tuple(Purpose)
ROLES: tuple[Role, ...] = tuple(Role)
OUTCOMES: tuple[AttemptOutcome, ...] = tuple(AttemptOutcome)
DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
HOLD_KINDS: tuple[HoldKind, ...] = tuple(HoldKind)

CHANNEL = pl.Enum([c.value for c in CHANNELS])
PURPOSE = pl.Enum([p.value for p in PURPOSES])
ROLE = pl.Enum([r.value for r in ROLES])
OUTCOME = pl.Enum([o.value for o in OUTCOMES])
DIRECTION = pl.Enum([d.value for d in DIRECTIONS])
HOLD_KIND = pl.Enum([k.value for k in HOLD_KINDS])
RULE = pl.Enum(list(RULE_IDS))


def code(member: Channel | Purpose | Role | AttemptOutcome | Direction | HoldKind) -> int:
    """The physical code of an enum member in its Polars `Enum` (declaration order)."""
    return list(type(member)).index(member)


def codes_of(members: Sequence[Any]) -> list[int]:
    return [code(m) for m in members]


ANSWERED = [code(o) for o in OUTCOMES if o.answered]
COMMUNICATED = [code(o) for o in OUTCOMES if o.communicated]


def _membership(
    profiles: Sequence[Profile],
    universe: Sequence[Any],
    members: Callable[[Profile], frozenset[Any] | set[Any] | None],
) -> list[list[bool]]:
    rows = []
    for profile in profiles:
        found = members(profile) or frozenset()
        rows.append([item in found for item in universe])
    return rows


_T = TypeVar("_T")

#: The last few `Compiled`, newest first (a night's shards and the dispatcher reuse a handful).
_KEEP = 8
_KEPT: list[Compiled] = []
_KEPT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Compiled:
    """The batch's profiles, indexed by `_pk`, with helpers to gather their parameters.

    The same profile objects give the same `Compiled` (a few are kept), and it remembers the
    tables it builds from them: a call of the batch gate then rebuilds nothing that depends
    only on the profiles. Profiles are frozen, so what is built from them never goes stale.
    """

    codes: tuple[str, ...]
    profiles: tuple[Profile, ...]
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, profiles: Mapping[str, Profile]) -> Compiled:
        for key, profile in profiles.items():
            if key != profile.code:
                raise ValidationError(
                    "profiles", f"key {key!r} names profile {profile.code}: use its code"
                )
        ordered = tuple(sorted(profiles))
        chosen = tuple(profiles[c] for c in ordered)
        with _KEPT_LOCK:
            for kept in _KEPT:
                if kept.codes == ordered and all(
                    a is b for a, b in zip(kept.profiles, chosen, strict=True)
                ):
                    return kept
        compiled = cls(ordered, chosen)
        with _KEPT_LOCK:
            _KEPT.insert(0, compiled)  # it holds its profiles: their ids are not reused
            del _KEPT[_KEEP:]
        return compiled

    def remember(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """`build()` once per key for these profiles (the value must be immutable)."""
        try:
            found: _T = self._memo[key]
        except KeyError:
            found = self._memo[key] = build()
        return found

    # --- gathering ---------------------------------------------------------------------------

    def by_profile(self, values: Sequence[Any], dtype: DType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("_pk"))

    def by_profile_and(self, table: Sequence[Sequence[Any]], key: pl.Expr, dtype: DType) -> pl.Expr:
        width = len(table[0])
        flat = [value for row in table for value in row]
        position = pl.col("_pk").cast(pl.Int64) * width + key.cast(pl.Int64)
        return pl.lit(pl.Series(flat, dtype=dtype)).gather(position)

    def active(self, rule_id: str) -> pl.Expr:
        """Does the row's profile run this rule (its section is present)?"""
        return self.remember(
            ("active", rule_id),
            lambda: self.by_profile([self.runs(p, rule_id) for p in self.profiles], pl.Boolean),
        )

    @staticmethod
    def runs(profile: Profile, rule_id: str) -> bool:
        return any(rule.rule_id == rule_id for rule in active_rules(profile))

    def any_runs(self, rule_id: str) -> bool:
        return self.remember(
            ("any_runs", rule_id), lambda: any(self.runs(p, rule_id) for p in self.profiles)
        )

    def member(
        self,
        universe: Sequence[Any],
        members: Callable[[Profile], frozenset[Any] | set[Any] | None],
        key: str,
    ) -> pl.Expr:
        """Is the row's `key` code in the profile's set (e.g. role in parties.allowed_roles)?"""
        table = _membership(self.profiles, universe, members)
        return self.by_profile_and(table, pl.col(key), pl.Boolean)

    def value(self, read: Callable[[Profile], Any], dtype: DType) -> pl.Expr:
        return self.by_profile([read(p) for p in self.profiles], dtype)

    def hold_rules(self) -> list[list[HoldRule]]:
        """[profile][hold kind] -> the section the scalar hold rule uses (a default if none)."""
        return [[hold_rule_for(p, kind) for kind in HOLD_KINDS] for p in self.profiles]


__all__ = [
    "ANSWERED",
    "CHANNEL",
    "COMMUNICATED",
    "DIRECTION",
    "HOLD_KIND",
    "OUTCOME",
    "PURPOSE",
    "ROLE",
    "RULE",
    "Compiled",
    "DType",
    "code",
    "codes_of",
    "obligor_roles",
]
