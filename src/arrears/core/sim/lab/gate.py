"""The lab's contacts through the real vectorised compliance gate (`decide_batch`).

Every proposed contact — the night's messages at noon, each collector's call at its minute —
is put to `core.compliance.vectorised.decide_batch` with the CN profile and the bundled house
rules, over the lab's own contact log (every attempt of the last `LOG_DAYS` days, as the
database's contact log holds them). Only an allowed contact is made; it is then logged, so the
next decision counts it (frequency caps, quiet hours, opt-outs are the gate's, not the lab's).
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import polars as pl

from arrears.core.compliance import (
    ContactHistory,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
)
from arrears.core.compliance import decide as decide_one
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.vectorised import decide_batch
from arrears.core.compliance.vectorised.convert import attempts_of, request_of
from arrears.core.compliance.vectorised.frames import PROPOSAL_DEFAULTS
from arrears.core.sim.params import CHANNEL_INDEX, CHANNELS
from arrears.core.sim.population import BorrowerState, time_zone_of

LOG_DAYS = 35
PROFILE = "CN"
_UTC = pl.Datetime("us", "UTC")
LOG_SCHEMA: dict[str, pl.DataType] = {
    "attempt_id": pl.Int64(),
    "party_id": pl.Int64(),
    "channel": pl.String(),
    "address": pl.String(),
    "at": _UTC,
    "outcome": pl.String(),
    "debt_id": pl.Int64(),  # null: an attempt about no particular debt
}


@functools.cache
def profiles() -> dict[str, Profile]:
    return {PROFILE: apply_house_rules(bundled_profile(PROFILE), bundled_house_rules())}


def addresses(who: np.ndarray, channel: np.ndarray) -> pl.Series:
    """Each borrower's (fictitious) address on a channel: one number, one e-mail, one letter."""
    frame = pl.DataFrame({"who": who.astype(np.int64), "channel": channel.astype(np.int64)})
    number = pl.col("who").cast(pl.String)
    phone = pl.format("+8613{}", number.str.zfill(9))
    email, app, post = (
        pl.format("b{}@sim.example", number),
        pl.format("app:{}", number),
        pl.format("addr:{}", number),
    )
    picked = (
        pl.when(pl.col("channel") <= CHANNEL_INDEX["sms"])
        .then(phone)
        .when(pl.col("channel") == CHANNEL_INDEX["email"])
        .then(email)
        .when(pl.col("channel") == CHANNEL_INDEX["in_app"])
        .then(app)
        .otherwise(post)
    )
    return frame.select(picked.alias("address")).to_series()


def _zones(state: BorrowerState, who: np.ndarray) -> pl.Series:
    """Each borrower's time zone, as the one-zone candidate list the gate reads."""
    offsets = pl.Series(state.utc_offset_hours[who].astype(np.int64))
    names = {int(h): time_zone_of(int(h)) for h in np.unique(state.utc_offset_hours)}
    zone = offsets.replace_strict(names, return_dtype=pl.String)
    return pl.select(pl.concat_list(pl.lit(zone)).alias("zones")).to_series()


class ContactLog:
    """The attempts made, as the gate reads them (one row per attempt)."""

    def __init__(self) -> None:
        self.frame = pl.DataFrame(schema=LOG_SCHEMA)
        self.next_id = 1

    def add(self, who: np.ndarray, channel: np.ndarray, at: np.ndarray, outcome: list[str]) -> None:
        n = who.size
        if not n:
            return
        rows = pl.DataFrame(
            {
                "attempt_id": np.arange(self.next_id, self.next_id + n, dtype=np.int64),
                "party_id": who.astype(np.int64),
                "channel": np.array(CHANNELS, object)[channel],
                "address": addresses(who, channel),
                "at": pl.Series(at).cast(_UTC),
                "outcome": outcome,
                "debt_id": pl.Series([None] * n, dtype=pl.Int64),
            },
            schema=LOG_SCHEMA,
        )
        self.next_id += n
        self.frame = pl.concat([self.frame, rows], how="vertical")

    def prune(self, now: dt.datetime) -> None:
        self.frame = self.frame.filter(pl.col("at") >= now - dt.timedelta(days=LOG_DAYS))


def proposals(
    state: BorrowerState, who: np.ndarray, channel: np.ndarray, at: np.ndarray
) -> pl.DataFrame:
    """The proposals frame `decide_batch` reads, one row per contact."""
    return pl.DataFrame(
        {
            "request_id": np.arange(who.size, dtype=np.int64),
            "profile_code": np.full(who.size, PROFILE, object),
            "party_id": who.astype(np.int64),
            "channel": np.array(CHANNELS, object)[channel],
            "address": addresses(who, channel),
            "purpose": np.full(who.size, "collection", object),
            "at": pl.Series(at).cast(_UTC),
            "zones": _zones(state, who),
            "opt_out_here": state.opted_out[who, channel],
        }
    )


def audit(
    state: BorrowerState,
    log: ContactLog,
    who: np.ndarray,
    channel: np.ndarray,
    at: np.ndarray,
    *,
    now: dt.datetime,
) -> int:
    """How many of these contacts the scalar gate (`core.compliance.decide`, the online form)
    would refuse, each over its own history: the lab's count of compliance breaches."""
    rows = proposals(state, who, channel, at)
    full = rows.with_columns(
        pl.lit(value, dtype).alias(name)
        for name, (value, dtype) in PROPOSAL_DEFAULTS.items()
        if name not in rows.columns
    )
    breaches = 0
    for row in full.iter_rows(named=True):
        mine = log.frame.filter(
            (pl.col("party_id") == row["party_id"]) | (pl.col("address") == row["address"])
        )
        history = ContactHistory(tuple(attempts_of(mine)))
        decision = decide_one(request_of(row), history, profiles()[PROFILE], now=now)
        breaches += not decision.allowed
    return breaches


def decide(
    state: BorrowerState,
    log: ContactLog,
    who: np.ndarray,
    channel: np.ndarray,
    at: np.ndarray,
    *,
    now: dt.datetime,
) -> tuple[np.ndarray, np.ndarray]:
    """(allowed, next permitted moment as datetime64[us] UTC, NaT when none) per proposal."""
    if not who.size:
        return np.zeros(0, bool), np.zeros(0, "datetime64[us]")
    answer = decide_batch(proposals(state, who, channel, at), log.frame, profiles(), now=now)
    allowed = answer.get_column("allowed").to_numpy().astype(bool)
    next_at = answer.get_column("next_permitted_at").dt.replace_time_zone(None).to_numpy()
    return allowed, next_at
