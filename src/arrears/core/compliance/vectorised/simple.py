"""Rules that read only the row and its profile (and, for two of them, the whole log of the
person): who may be contacted, opt-outs, the workplace, stated places — and consent to automated
calls, the one of them that depends on the time.

Each function returns the rows a rule refuses as (`_row`, `_rule`, `_next`); the rules here
refuse for good (`_next` null: a person must act), except automated consent recorded after the
contact's time. The logic mirrors `rules/parties.py` and `rules/channels.py` line by line.
"""

from __future__ import annotations

import polars as pl

from arrears.core.compliance.model import Purpose
from arrears.core.compliance.rules import channels, parties
from arrears.core.compliance.sections import AUTOMATION_KINDS
from arrears.core.compliance.vectorised.log import Log
from arrears.core.compliance.vectorised.params import (
    CHANNELS,
    PURPOSES,
    ROLES,
    RULE,
    Compiled,
    code,
    obligor_roles,
)

NEVER = pl.lit(None, pl.Int64)


def refusals(frame: pl.DataFrame, rule_id: str, when: pl.Expr, next_at: pl.Expr) -> pl.DataFrame:
    """The rows of `frame` the rule refuses, with the earliest time it would allow."""
    return frame.filter(when).select(
        pl.col("_row"), pl.lit(rule_id, RULE).alias("_rule"), next_at.cast(pl.Int64).alias("_next")
    )


def static_refusals(rows: pl.DataFrame, log: Log, c: Compiled) -> list[pl.DataFrame]:
    """Refusals that do not depend on the time of the contact (all with `_next` null).

    The row-only rules are one pass over the rows (one boolean column per rule); the two that
    read the log, and stated places, look only at the few rows they can concern.
    """
    masks: dict[str, pl.Expr] = {}
    location = pl.col("_pur") == code(Purpose.LOCATION)
    if c.any_runs(parties.ROLE):
        allowed = c.member(ROLES, lambda p: _set(p.parties, "allowed_roles"), "_role")
        location_only = c.member(ROLES, lambda p: _set(p.parties, "location_only_roles"), "_role")
        masks[parties.ROLE] = c.active(parties.ROLE) & ~allowed & ~(location_only & location)
    if c.any_runs(channels.OPT_OUT):
        exempt = c.member(PURPOSES, lambda p: _set(p.opt_out, "exempt_purposes"), "_pur")
        by_channel = c.value(
            lambda p: p.opt_out is not None and p.opt_out.scope == "channel", pl.Boolean
        )
        stopped = pl.col("_oo_here") | (by_channel & pl.col("_oo_channel"))
        masks[channels.OPT_OUT] = c.active(channels.OPT_OUT) & ~exempt & stopped
    if c.any_runs(channels.WORKPLACE):
        honour = c.value(
            lambda p: p.workplace is not None and p.workplace.honour_stated_prohibition,
            pl.Boolean,
        )
        needs_consent = c.member(
            CHANNELS, lambda p: _set(p.workplace, "consent_required_channels"), "_ch"
        )
        refused = pl.col("_work") & (
            (honour & pl.col("_no_work")) | (needs_consent & ~pl.col("_work_ok"))
        )
        masks[channels.WORKPLACE] = c.active(channels.WORKPLACE) & refused
    found = rows.select("_row", *(mask.alias(rule) for rule, mask in masks.items()))
    row = found.get_column("_row")
    out = [
        pl.DataFrame([row.filter(found.get_column(rule))]).with_columns(
            pl.lit(rule, RULE).alias("_rule"), NEVER.alias("_next")
        )
        for rule in masks
    ]
    if c.any_runs(parties.CONTACT_PERSON):
        out.append(_contact_person(rows, log, c))
    if c.any_runs(parties.LOCATION_ONCE):
        out.append(_location_once(rows, log, c))
    if c.any_runs(channels.INCONVENIENT_PLACE):
        stated = rows.filter(pl.col("_places").list.len() > 0)
        place = pl.coalesce(pl.col("_place"), pl.when(pl.col("_work")).then(pl.lit("work")))
        said = pl.col("_places").list.contains(place) | (
            pl.col("_work") & pl.col("_places").list.contains(pl.lit("work"))
        )
        refused = place.is_not_null() & said.fill_null(False)
        out.append(
            refusals(
                stated,
                channels.INCONVENIENT_PLACE,
                c.active(channels.INCONVENIENT_PLACE) & refused,
                NEVER,
            )
        )
    return out


def _contact_person(rows: pl.DataFrame, log: Log, c: Compiled) -> pl.DataFrame:
    rule = parties.CONTACT_PERSON
    in_roles = c.member(ROLES, lambda p: _set(p.contact_persons, "roles"), "_role")
    stop = c.value(
        lambda p: bool(p.contact_persons and p.contact_persons.stop_on_refusal), pl.Boolean
    )
    require = c.value(
        lambda p: bool(p.contact_persons and p.contact_persons.require_debtor_unreachable),
        pl.Boolean,
    )
    candidates = rows.filter(c.active(rule) & in_roles)
    if candidates.is_empty():
        return refusals(candidates, rule, pl.lit(False), NEVER)
    ever = log.refused(candidates.get_column("_party").unique()).get_column("_party")
    refused = (stop & (pl.col("_refused") | pl.col("_party").is_in(ever.implode()))) | (
        require & ~pl.col("_unreachable")
    )
    return refusals(candidates, rule, refused, NEVER)


def _location_once(rows: pl.DataFrame, log: Log, c: Compiled) -> pl.DataFrame:
    rule = parties.LOCATION_ONCE
    obligor = c.member(ROLES, obligor_roles, "_role")
    most = c.value(
        lambda p: p.location_contacts.max_per_person if p.location_contacts else None, pl.Int64
    )
    candidates = rows.filter(
        c.active(rule)
        & (pl.col("_pur") == code(Purpose.LOCATION))
        & ~obligor
        & ~pl.col("_recontact")
    ).with_columns(most.alias("_most"))
    if candidates.is_empty():
        return refusals(candidates, rule, pl.lit(False), NEVER)
    reached = log.reached(candidates.get_column("_party").unique())
    joined = candidates.join(reached, on="_party", how="left").with_columns(
        pl.col("_reached").fill_null(0)
    )
    return refusals(joined, rule, pl.col("_reached") >= pl.col("_most"), NEVER)


def _set(section: object | None, name: str) -> frozenset[object] | None:
    return None if section is None else getattr(section, name)


def automated_consent(rows: pl.DataFrame, c: Compiled) -> pl.DataFrame:
    """`channel.automated_consent` at the row's moment `_m`."""
    rule = channels.AUTOMATED_CONSENT
    covered = c.member(CHANNELS, lambda p: _set(p.automated_consent, "channels"), "_ch")
    automated = pl.lit(False)
    for kind in AUTOMATION_KINDS:
        needs = [
            p.automated_consent is not None and kind in p.automated_consent.required_for
            for p in c.profiles
        ]
        automated = automated | (c.by_profile(needs, pl.Boolean) & pl.col(f"_{kind}"))
    given, revoked, moment = pl.col("_cg"), pl.col("_cr"), pl.col("_m")
    valid = (given <= moment) & (revoked.is_null() | (moment < revoked))
    refused = c.active(rule) & covered & automated & (given.is_null() | ~valid)
    revoked_now = revoked.is_not_null() & (revoked <= moment)
    next_at = pl.when(given.is_null() | revoked_now).then(NEVER).otherwise(given)
    flagged = pl.any_horizontal(*(pl.col(f"_{kind}") for kind in AUTOMATION_KINDS))
    automated_rows = rows.select(
        "_row", "_pk", "_ch", "_cg", "_cr", "_m", *(f"_{k}" for k in AUTOMATION_KINDS)
    ).filter(flagged)
    return refusals(automated_rows, rule, refused, next_at)


__all__ = ["NEVER", "automated_consent", "refusals", "static_refusals"]
