"""The contact log, cut once per batch into the few narrow frames the counters read.

The counters look back a few days from each moment (`frequency.lookback_days`), so only the log
rows since the earliest moment minus that look-back are converted (columns chosen before rows
are cut: a 5-million-row log is mostly text). A counter then keeps the rows of the people (or
numbers) it asks about — a hash-set filter — before it joins. The all-time questions — has this
person ever refused, how often were they reached — read the whole log, for the few people they
concern only.

An attempt's rows (one per debt) count once where the scalar rules count attempts: `_first`
marks an attempt's first row. Rows of one attempt normally arrive together (a log read in
attempt order); otherwise they are found by hashing the attempt ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from arrears.core.compliance.model import AttemptOutcome, Channel, Direction, Purpose
from arrears.core.compliance.vectorised.params import (
    ANSWERED,
    CHANNEL,
    COMMUNICATED,
    DIRECTION,
    OUTCOME,
    PURPOSE,
    DType,
    code,
)
from arrears.core.errors import ValidationError

_REQUIRED = ("attempt_id", "party_id", "channel", "address", "at", "outcome")
_DEFAULTS: dict[str, tuple[Any, DType]] = {
    "debt_id": (None, pl.String),
    "direction": ("outbound", pl.String),
    "direct_consent": (False, pl.Boolean),
    "artificial_voice": (False, pl.Boolean),
    "purpose": (None, pl.String),
}
_CALL = code(Channel.CALL)
_TRANSACTIONAL = code(Purpose.TRANSACTIONAL)


def as_code(frame: pl.DataFrame, name: str, dtype: pl.Enum, where: str) -> pl.Series:
    """A text or enum column as its physical code in `dtype`; unknown values name the field."""
    column = frame.get_column(name)
    if column.dtype != dtype:
        try:
            column = column.cast(pl.String).cast(dtype)
        except pl.exceptions.InvalidOperationError:
            allowed = dtype.categories.to_list()
            unknown = sorted(
                set(column.cast(pl.String).drop_nulls().unique().to_list()) - set(allowed)
            )
            raise ValidationError(
                f"{where}.{name}", f"unknown value(s) {unknown}; use one of {allowed}"
            ) from None
    return column.to_physical().cast(pl.UInt8).alias(name)


def as_micros(frame: pl.DataFrame, name: str, where: str) -> pl.Series:
    """An aware Datetime column as UTC microseconds since the epoch."""
    column = frame.get_column(name)
    if column.dtype == pl.Null:
        return pl.Series(name, [None] * frame.height, dtype=pl.Int64)
    if not isinstance(column.dtype, pl.Datetime) or column.dtype.time_zone is None:
        raise ValidationError(f"{where}.{name}", "must be a timezone-aware Datetime column")
    return column.dt.cast_time_unit("us").to_physical().alias(name)


def first_of_attempt(ids: pl.Series) -> pl.Series:
    """True on each attempt's first row (cheap when an attempt's rows are adjacent)."""
    boundary = (ids != ids.shift(1)).fill_null(True)
    if int(boundary.sum()) == ids.n_unique():
        return boundary.alias("_first")
    return ids.is_first_distinct().alias("_first")


@dataclass(frozen=True)
class Log:
    """The cuts of the contact log the counters need."""

    raw: pl.DataFrame
    calls: pl.DataFrame  # calls, one row per attempt and debt: Reg F
    talks: pl.DataFrame  # the conversations among them: Reg F's quiet period
    answered: pl.DataFrame  # answered outbound calls, one row per attempt: China's voice cap
    dialled: pl.DataFrame  # outbound calls, one row per attempt: China's number cap (positions)
    sent: pl.DataFrame  # outbound messages but transactional ones: house caps

    @classmethod
    def of(cls, history: pl.DataFrame, since: int) -> Log:
        where = "history"
        for name in _REQUIRED:
            if name not in history.columns:
                raise ValidationError(f"{where}.{name}", "is required")
        missing = [
            pl.lit(value, dtype=dtype).alias(name)
            for name, (value, dtype) in _DEFAULTS.items()
            if name not in history.columns
        ]
        raw = history.with_columns(missing) if missing else history
        stamps = as_micros(raw, "at", where)
        recent = stamps >= since  # the rows a counter's window can reach
        cut = raw.select(
            "party_id",
            "debt_id",
            "channel",
            "outcome",
            "direction",
            "direct_consent",
            "artificial_voice",
            "purpose",
            "attempt_id",
        ).filter(recent)
        log = pl.DataFrame(
            [
                recent.arg_true().cast(pl.UInt32).alias("_at_pos"),
                cut.get_column("party_id").alias("_party"),
                cut.get_column("debt_id").alias("_debt"),
                as_code(cut, "channel", CHANNEL, where).alias("_ch"),
                stamps.filter(recent).alias("_hat"),
                as_code(cut, "outcome", OUTCOME, where).alias("_out"),
                (as_code(cut, "direction", DIRECTION, where) == code(Direction.INBOUND)).alias(
                    "_inbound"
                ),
                cut.get_column("direct_consent").alias("_hdc"),
                cut.get_column("artificial_voice").alias("_hai"),
                as_code(cut, "purpose", PURPOSE, where).alias("_hpur"),
                first_of_attempt(cut.get_column("attempt_id")),
            ]
        )
        call = pl.col("_ch") == _CALL
        outbound = pl.col("_first") & ~pl.col("_inbound")
        recent_log = log.lazy()
        calls, talks, answered, dialled, sent = collect(
            [
                recent_log.filter(call).select(
                    "_party", "_debt", "_hat", "_out", "_inbound", "_hdc", "_first"
                ),
                recent_log.filter(
                    call & (pl.col("_out") == code(AttemptOutcome.CONVERSATION))
                ).select("_party", "_debt", "_hat", "_first"),
                recent_log.filter(call & outbound & pl.col("_out").is_in(ANSWERED)).select(
                    "_party", "_hat", "_hai"
                ),
                recent_log.filter(call & outbound).select("_at_pos", "_hat"),
                recent_log.filter(
                    outbound
                    & ~call
                    & (pl.col("_hpur").is_null() | (pl.col("_hpur") != _TRANSACTIONAL))
                ).select("_party", "_ch", "_hat"),
            ],
            log.height,
        )
        return cls(raw=raw, calls=calls, talks=talks, answered=answered, dialled=dialled, sent=sent)

    def numbers(self, dialled: pl.DataFrame) -> pl.DataFrame:
        """Dialled rows with the number dialled (`_addr`), read only for the rows asked about."""
        found = self.raw.get_column("address").gather(dialled.get_column("_at_pos"))
        return dialled.with_columns(found.cast(pl.String).alias("_addr"))

    def of_people(self, parties: pl.Series) -> pl.DataFrame:
        """Every log row of these people (all time): party, attempt, outcome code, inbound."""
        rows = self.raw.select("attempt_id", "party_id", "outcome", "direction").filter(
            pl.col("party_id").is_in(parties.implode())
        )
        return pl.DataFrame(
            [
                rows.get_column("party_id").alias("_party"),
                as_code(rows, "outcome", OUTCOME, "history").alias("_out"),
                (as_code(rows, "direction", DIRECTION, "history") == code(Direction.INBOUND)).alias(
                    "_inbound"
                ),
                first_of_attempt(rows.get_column("attempt_id")),
            ]
        )

    def refused(self, parties: pl.Series) -> pl.DataFrame:
        """Those of these people who ever refused contact: (`_party`)."""
        rows = self.of_people(parties)
        return rows.filter(pl.col("_out") == code(AttemptOutcome.REFUSED)).select("_party").unique()

    def reached(self, parties: pl.Series) -> pl.DataFrame:
        """How often each of these people was reached (outbound, communicated): (`_party`, n)."""
        rows = self.of_people(parties)
        return (
            rows.filter(pl.col("_first") & ~pl.col("_inbound") & pl.col("_out").is_in(COMMUNICATED))
            .group_by("_party")
            .agg(pl.len().alias("_reached"))
        )


#: Below this many rows queries are collected one by one: `collect_all` first looks for plans
#: the queries share and runs them side by side, which costs more than small queries take.
SMALL = 20_000


def collect(queries: Sequence[pl.LazyFrame], rows: int) -> list[pl.DataFrame]:
    """The queries' frames; `rows`: about how many rows they read (the same frames either way)."""
    if rows < SMALL:
        return [query.collect() for query in queries]
    return pl.collect_all(queries)


def window(frame: pl.DataFrame, low: int, high: int) -> pl.DataFrame:
    """The rows of a cut with `_hat` in [low, high)."""
    return frame.filter((pl.col("_hat") >= low) & (pl.col("_hat") < high))


__all__ = ["Log", "as_code", "as_micros", "collect", "first_of_attempt", "window"]
