"""The vectorised gate's part of a wave: allowed, the refusing rules and the next permitted
time for every row (`core.compliance.vectorised.decide_batch` over the shared log), and the end
of every allowed row's permit, every minute of every permit decided at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import polars as pl

from arrears.compliance.services.bulk.log import ContactLog
from arrears.compliance.services.bulk.proposals import UTC
from arrears.compliance.services.gate import permit_lifetime
from arrears.core import compliance as core
from arrears.core.compliance.vectorised import PROPOSAL_SCHEMA, decide_batch
from arrears.core.compliance.vectorised.convert import proposal_row

_STEP = dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class Vectorised:
    """The vectorised gate's answers for a wave, by position: the refusing rules, the next
    permitted time, and the permit's end (for the allowed)."""

    denied: list[list[str]]
    next_at: list[dt.datetime | None]
    valid_until: list[dt.datetime | None]

    @classmethod
    def of(
        cls,
        requests: list[core.ContactRequest],
        *,
        log: ContactLog,
        profiles: Mapping[str, core.Profile],
        now: dt.datetime,
        with_ends: bool = True,
    ) -> Vectorised:
        """Decide the wave's requests (each with its profile in `profiles`) over the log; the
        permits' ends only `with_ends` (no permit is issued without: no need to find them)."""
        proposals = _proposals_frame(requests, profiles)
        shared = log.frame_about(proposals.get_column("party_id"), proposals.get_column("address"))
        answer = decide_batch(proposals, shared, profiles, now=now)
        denied = answer.get_column("denied_rule_ids").cast(pl.List(pl.String)).to_list()
        valid_until: list[dt.datetime | None] = [None] * len(requests)
        if with_ends:
            allowed = answer.get_column("allowed")
            ends = _permit_ends(proposals.filter(allowed), shared, profiles, now)
            for position, end in ends.iter_rows():
                valid_until[position] = end
        return cls(denied, answer.get_column("next_permitted_at").to_list(), valid_until)


def _proposals_frame(
    requests: list[core.ContactRequest], profiles: Mapping[str, core.Profile]
) -> pl.DataFrame:
    """The wave as the vectorised gate's proposals (`request_id`: the position in the wave)."""
    rows = [proposal_row(r, profiles[r.profile_code]) for r in requests]
    frame = pl.DataFrame(rows, schema=PROPOSAL_SCHEMA, orient="row")
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("request_id"))


def _permit_ends(
    allowed: pl.DataFrame,
    shared: pl.DataFrame,
    profiles: Mapping[str, core.Profile],
    now: dt.datetime,
) -> pl.DataFrame:
    """(position, valid_until) of each allowed proposal: the first whole minute within the
    permit's lifetime at which a rule would refuse, else the end of the lifetime — every minute
    of every permit decided at once."""
    if allowed.is_empty():
        return pl.DataFrame(schema={"request_id": pl.Int64, "valid_until": UTC})
    lifetime = permit_lifetime()
    steps = lifetime // _STEP + 1
    end = pl.col("at") + pl.lit(lifetime)
    minutes = (
        allowed.with_columns(
            end.alias("_end"), pl.lit(list(range(1, steps + 1)), pl.List(pl.Int64)).alias("_k")
        )
        .explode("_k")
        .with_columns(
            (pl.col("at").dt.truncate("1m") + pl.duration(minutes=pl.col("_k"))).alias("at")
        )
        .filter(pl.col("at") < pl.col("_end"))
    )
    refused = pl.DataFrame(schema={"request_id": pl.Int64, "_first": UTC})
    if not minutes.is_empty():
        answer = decide_batch(minutes.drop("_end", "_k"), shared, profiles, now=now)
        refused = (
            minutes.select("request_id", "at")
            .filter(~answer.get_column("allowed"))
            .group_by("request_id")
            .agg(pl.col("at").min().alias("_first"))
        )
    return (
        allowed.select("request_id", end.alias("_end"))
        .join(refused, on="request_id", how="left")
        .select("request_id", pl.coalesce("_first", "_end").alias("valid_until"))
    )
