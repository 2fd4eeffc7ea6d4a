"""Holds, vectorised: `rules/holds.py` over the exploded holds of the rows that carry any.

A hold is active when the contact's local date in any of the person's day zones lies in
[start_on, last day]; its profile section (or the default the scalar rule uses when the profile
has none) says what it lets through. A hold that ends by itself lifts at the start of the next
local day, the latest over the zones; bankruptcy's serial-filer cases follow the scalar rule.
"""

from __future__ import annotations

import polars as pl

from arrears.core.compliance.model import BreathingSpaceKind, HoldKind
from arrears.core.compliance.sections import HoldRule
from arrears.core.compliance.vectorised.clock import Clock
from arrears.core.compliance.vectorised.params import (
    HOLD_KIND,
    HOLD_KINDS,
    PURPOSES,
    ROLES,
    RULE,
    Compiled,
    DType,
    code,
)
from arrears.core.compliance.vectorised.simple import NEVER

_BANKRUPTCY = code(HoldKind.BANKRUPTCY)
_SERVICEMEMBER = code(HoldKind.SERVICEMEMBER)
_STAY_DAYS = 31  # one dismissal in the year before: the stay ends on day 30 (rules/holds.py)


def _kind_table(c: Compiled, values: list[list[object]], dtype: DType) -> pl.Expr:
    """One value per (profile, hold kind) gathered by the row's `_pk` and `_kind`."""
    flat = [v for row in values for v in row]
    position = pl.col("_pk").cast(pl.Int64) * len(HOLD_KINDS) + pl.col("_kind").cast(pl.Int64)
    return pl.lit(pl.Series(flat, dtype=dtype)).gather(position)


def _kind_member(
    c: Compiled, values: list[list[frozenset[object]]], universe: tuple[object, ...], key: str
) -> pl.Expr:
    flat = [item in found for row in values for found in row for item in universe]
    position = (
        pl.col("_pk").cast(pl.Int64) * len(HOLD_KINDS) + pl.col("_kind").cast(pl.Int64)
    ) * len(universe) + pl.col(key).cast(pl.Int64)
    return pl.lit(pl.Series(flat, dtype=pl.Boolean)).gather(position)


def hold_refusals(
    rows: pl.LazyFrame, zones: pl.LazyFrame, c: Compiled, clock: Clock
) -> list[pl.LazyFrame]:
    """(refusals, flags) of the seven hold rules at each row's moment `_m`.

    `rows` has the proposal columns and `_m`; `zones` has (`_row`, `_z`, `_today`) per day zone.
    """
    rules = c.hold_rules()
    holds = (
        rows.filter(pl.col("_holds").list.len() > 0)
        .select("_row", "_pk", "_role", "_pur", "_msg", "_debts", "_holds")
        .with_columns(pl.int_ranges(0, pl.col("_holds").list.len()).alias("_h"))
        .explode(["_holds", "_h"], empty_as_null=False, keep_nulls=False)
        .with_columns(
            pl.col("_holds").struct.field("kind").cast(HOLD_KIND).to_physical().alias("_kind"),
            pl.col("_holds").struct.field("start_on").to_physical().alias("_start"),
            pl.col("_holds").struct.field("end_on").to_physical().alias("_end"),
            pl.col("_holds").struct.field("debt_ids").alias("_hdebts"),
            pl.coalesce(
                pl.col("_holds").struct.field("petition_on"),
                pl.col("_holds").struct.field("start_on"),
            )
            .to_physical()
            .alias("_filed"),
            pl.col("_holds").struct.field("prior_dismissals_12m").fill_null(0).alias("_dismissed"),
            pl.col("_holds").struct.field("discharged_on").is_not_null().alias("_discharged"),
            (pl.col("_holds").struct.field("breathing_space") == BreathingSpaceKind.STANDARD.value)
            .fill_null(False)
            .alias("_standard"),
        )
    )
    standard_days = _kind_table(c, [[r.standard_days for r in row] for row in rules], pl.Int32)
    covers = ~(
        (pl.col("_hdebts").list.len() > 0)
        & (pl.col("_debts").list.len() > 0)
        & (pl.col("_hdebts").list.set_intersection("_debts").list.len() == 0)
    )
    last = pl.coalesce(
        pl.col("_end"),
        pl.when((pl.col("_kind") == code(HoldKind.BREATHING_SPACE)) & pl.col("_standard")).then(
            pl.col("_start") + standard_days
        ),
    )
    holds = holds.filter(covers).with_columns(last.alias("_last"))
    in_zone = (pl.col("_start") <= pl.col("_today")) & (
        pl.col("_last").is_null() | (pl.col("_today") <= pl.col("_last"))
    )
    active = (
        holds.join(zones.select("_row", "_today"), on="_row")
        .group_by("_row", "_h")
        .agg(pl.all().exclude("_today").first(), in_zone.any().alias("_active"))
        .filter(pl.col("_active"))
    )
    exempt = (
        _kind_member(c, [[r.allowed_roles for r in row] for row in rules], ROLES, "_role")
        | ~_kind_member(c, [[r.blocked_purposes for r in row] for row in rules], PURPOSES, "_pur")
        | _message_allowed(c, rules)
    )
    flag_action = _kind_table(c, [[r.action == "flag" for r in row] for row in rules], pl.Boolean)
    auto_lift = _kind_table(
        c, [[r.serial_filer_auto_lift for r in row] for row in rules], pl.Boolean
    )
    active = active.with_columns(
        exempt.alias("_exempt"), flag_action.alias("_flag"), auto_lift.alias("_auto")
    )
    flags = (
        active.filter((pl.col("_kind") == _SERVICEMEMBER) & pl.col("_flag"))
        .select("_row", pl.lit("hold.servicemember", RULE).alias("_rule"))
        .unique()
    )
    plain = _plain(active.filter(pl.col("_kind") != _BANKRUPTCY), zones, clock)
    bankrupt = _bankruptcy(active.filter(pl.col("_kind") == _BANKRUPTCY), zones, clock)
    return [pl.concat([plain, bankrupt]), flags]


def _message_allowed(c: Compiled, rules: list[list[HoldRule]]) -> pl.Expr:
    """Is the row's message kind one the hold's section still allows?"""
    expr = pl.lit(False)
    for pk, row in enumerate(rules):
        for kind, rule in enumerate(row):
            allowed = sorted(rule.allowed_messages)
            if allowed:
                expr = expr | (
                    (pl.col("_pk") == pk)
                    & (pl.col("_kind") == kind)
                    & pl.col("_msg").is_in(allowed).fill_null(False)
                )
    return expr


def _rule_of(kind: pl.Expr) -> pl.Expr:
    ids = pl.Series([f"hold.{k.value}" for k in HOLD_KINDS], dtype=RULE)
    return pl.lit(ids).gather(kind)


def _plain(active: pl.LazyFrame, zones: pl.LazyFrame, clock: Clock) -> pl.LazyFrame:
    """Every hold kind but bankruptcy: refused unless let through; lifts the day after."""
    refused = (
        active.filter(~pl.col("_exempt") & ~((pl.col("_kind") == _SERVICEMEMBER) & pl.col("_flag")))
        .group_by("_row", "_kind")
        .agg(
            pl.col("_last").is_null().any().alias("_forever"),
            pl.col("_last").max().alias("_latest"),
        )
    )
    lifts = (
        refused.join(zones.select("_row", "_z"), on="_row")
        .with_columns(clock.day_start(pl.col("_latest") + 1, pl.col("_z")).alias("_lift"))
        .group_by("_row", "_kind")
        .agg(pl.col("_forever").first(), pl.col("_lift").max())
    )
    return lifts.select(
        "_row",
        _rule_of(pl.col("_kind")).alias("_rule"),
        pl.when(pl.col("_forever")).then(NEVER).otherwise(pl.col("_lift")).alias("_next"),
    )


def _bankruptcy(active: pl.LazyFrame, zones: pl.LazyFrame, clock: Clock) -> pl.LazyFrame:
    """US-BK-01/02: the stay, the serial-filer cases and the discharge (rules/holds.py)."""
    ends = pl.col("_filed") + _STAY_DAYS
    per_zone = (
        active.join(zones.select("_row", "_z", "_today"), on="_row")
        .with_columns(
            (pl.col("_today") >= ends).alias("_past"),
            clock.day_start(ends, pl.col("_z")).alias("_stay_end"),
        )
        .group_by("_row", "_h")
        .agg(
            pl.all().exclude("_z", "_today", "_past", "_stay_end").first(),
            pl.col("_past").all().alias("_past"),
            pl.col("_stay_end").max().alias("_stay_end"),
        )
    )
    one = pl.col("_dismissed") == 1
    skipped = pl.col("_auto") & ((pl.col("_dismissed") >= 2) | (one & pl.col("_past")))
    lift = pl.when(one & pl.col("_auto")).then(pl.col("_stay_end")).otherwise(NEVER)
    per_hold = per_zone.with_columns(skipped.alias("_skip"), lift.alias("_lift"))
    per_row = per_hold.group_by("_row").agg(
        pl.col("_discharged").any().alias("_discharged"),
        pl.col("_exempt").first().alias("_exempt"),
        (~pl.col("_skip")).any().alias("_held"),
        (pl.col("_lift").is_null() & ~pl.col("_skip")).any().alias("_forever"),
        pl.col("_lift").filter(~pl.col("_skip")).max().alias("_lift"),
    )
    refused = pl.col("_discharged") | (~pl.col("_exempt") & pl.col("_held"))
    next_at = (
        pl.when(pl.col("_discharged") | pl.col("_forever")).then(NEVER).otherwise(pl.col("_lift"))
    )
    return per_row.filter(refused).select(
        "_row", pl.lit("hold.bankruptcy", RULE).alias("_rule"), next_at.alias("_next")
    )
