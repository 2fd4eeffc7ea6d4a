"""Contact hours and stated inconvenient times, vectorised (`rules/hours.py`).

`hours.window`: a constraint is one window of the profile that covers the row's channel and
purpose, in one of the row's candidate zones (window-major, zone-minor: the scalar's order). It
is open when its window's stretch — or, where the window lets agreed times override it, one of
the person's agreed stretches — holds the local time; a row is refused when a constraint is
shut. `hours.inconvenient`: the first stated range (zones outer, ranges inner) holding the time
refuses. Their next times are searched in `searches`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from arrears.core.compliance.rules import hours
from arrears.core.compliance.rules._base import SEARCH_DAYS
from arrears.core.compliance.vectorised.clock import (
    ALL_WEEKDAYS_MASK,
    DAY,
    Clock,
    Days,
    time_micros,
    weekday_mask,
)
from arrears.core.compliance.vectorised.log import collect
from arrears.core.compliance.vectorised.params import CHANNELS, PURPOSES, Compiled, code
from arrears.core.compliance.vectorised.searches import first_hits, inside
from arrears.core.compliance.vectorised.simple import NEVER, refusals

_SLOT = 1024  # constraint order: window order × _SLOT + zone order
_LIMIT = dt.timedelta(days=SEARCH_DAYS) // dt.timedelta(microseconds=1)


def mask_rules(days: Days, *stated: pl.DataFrame) -> pl.Series:
    """Day rule id for each weekday mask 0…127 the rows' agreed or inconvenient times use."""
    used: set[int] = set()
    for frame in stated:
        for name in ("_itimes", "_atimes"):
            if name in frame.columns and frame.height:
                column = frame.get_column(name).explode()
                used.update(column.struct.field("weekdays").drop_nulls().unique().to_list())
    ids = [0] * 128
    for mask in used:
        ids[mask] = days.rule(int(mask), None)
    return pl.Series(ids, dtype=pl.Int64)


@dataclass(frozen=True)
class Windows:
    """The profiles' windows and, per (profile, channel, purpose), the ones covering it."""

    covering: tuple[pl.Series, ...]  # j-th covering window's id per key, -1 for none
    start: pl.Series
    end: pl.Series
    rule: pl.Series
    override: pl.Series

    @classmethod
    def of(cls, c: Compiled, days: Days) -> Windows:
        width = len(CHANNELS) * len(PURPOSES)
        covering: list[list[int]] = []
        start: list[int] = []
        end: list[int] = []
        rule: list[int] = []
        override: list[bool] = []
        for pk, profile in enumerate(c.profiles):
            if not c.runs(profile, hours.WINDOW):
                continue
            for window in profile.contact_hours.values():
                wid = len(start)
                start.append(time_micros(window.start))
                end.append(time_micros(window.end))
                blocked = weekday_mask(window.blocked_weekdays)
                rule.append(days.rule(ALL_WEEKDAYS_MASK & ~blocked, window.holiday_calendar))
                override.append(window.agreed_times_override)
                for channel in window.channels:
                    for purpose in window.purposes:
                        key = pk * width + code(channel) * len(PURPOSES) + code(purpose)
                        slot = 0
                        while slot < len(covering) and covering[slot][key] >= 0:
                            slot += 1
                        if slot == len(covering):
                            covering.append([-1] * (len(c.profiles) * width))
                        covering[slot][key] = wid
        return cls(
            covering=tuple(pl.Series(t, dtype=pl.Int64) for t in covering),
            start=pl.Series(start, dtype=pl.Int64),
            end=pl.Series(end, dtype=pl.Int64),
            rule=pl.Series(rule, dtype=pl.Int64),
            override=pl.Series(override, dtype=pl.Boolean),
        )

    def constraints(self, state: pl.DataFrame, c: Compiled) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(constraints, refusals for want of a zone) of the rows the hours rule covers.

        A constraint row: `_row`, `_c` (its order), `_z`, its window's stretch, `_override`,
        `_m`; windows in the profile's order, then the person's candidate zones (`_zl`).
        """
        key = (
            pl.col("_pk").cast(pl.Int64) * (len(CHANNELS) * len(PURPOSES))
            + pl.col("_ch").cast(pl.Int64) * len(PURPOSES)
            + pl.col("_pur").cast(pl.Int64)
        )
        ruled = state.select(
            "_row", "_m", "_known", "_zl", key.alias("_key"), c.active(hours.WINDOW).alias("_on")
        )
        ruled = ruled.filter(pl.col("_on"))
        covered = []
        for order, table in enumerate(self.covering):
            found = ruled.with_columns(pl.lit(table).gather(pl.col("_key")).alias("_wid"))
            covered.append(
                found.filter(pl.col("_wid") >= 0).select(
                    "_row",
                    "_m",
                    "_known",
                    "_zl",
                    pl.lit(order * _SLOT, pl.Int64).alias("_w"),
                    pl.lit(self.start).gather(pl.col("_wid")).alias("_s_start"),
                    pl.lit(self.end).gather(pl.col("_wid")).alias("_s_end"),
                    pl.lit(self.rule).gather(pl.col("_wid")).alias("_s_rule"),
                    pl.lit(self.override).gather(pl.col("_wid")).alias("_override"),
                )
            )
        schema = {"_row": pl.UInt32, "_c": pl.Int64, "_z": pl.UInt16, "_m": pl.Int64}
        if not covered:
            empty = pl.DataFrame(schema=schema)
            return empty, refusals(empty, hours.WINDOW, pl.lit(False), NEVER)
        nowhere = pl.concat(
            [part.filter(~pl.col("_known")).select("_row") for part in covered]
        ).unique()
        constraints = pl.concat(
            [zoned.select(_CONSTRAINT) for part in covered for zoned in _zoned(part)]
        )
        return constraints, refusals(nowhere, hours.WINDOW, pl.lit(True), NEVER)

    def shut(
        self,
        state: pl.DataFrame,
        atimes: pl.DataFrame,
        masks: pl.Series,
        c: Compiled,
        clock: Clock,
        days: Days,
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(rows the window refuses at `_m`, refusals for want of a zone).

        The window's own stretch is checked for every row in one pass without building the
        constraint frame; only rows that stretch shuts and whose agreed times could open it
        are checked again, exactly, with their constraints and agreed stretches.
        """
        key = (
            pl.col("_pk").cast(pl.Int64) * (len(CHANNELS) * len(PURPOSES))
            + pl.col("_ch").cast(pl.Int64) * len(PURPOSES)
            + pl.col("_pur").cast(pl.Int64)
        )
        ruled = (
            state.lazy()
            .filter(c.active(hours.WINDOW))
            .select("_row", "_m", "_known", "_zl", key.alias("_key"))
        )
        queries: list[pl.LazyFrame] = []
        for table in self.covering:
            found = ruled.with_columns(pl.lit(table).gather(pl.col("_key")).alias("_wid")).filter(
                pl.col("_wid") >= 0
            )
            queries.append(found.filter(~pl.col("_known")).select("_row"))
            # A profile's window never runs past midnight (start < end is checked on load).
            wid = pl.col("_wid")
            local = clock.local(pl.col("_m"), pl.col("_z"))
            time = local % DAY
            inside = (
                (pl.lit(self.start).gather(wid) <= time)
                & (time < pl.lit(self.end).gather(wid))
                & days.ok(pl.lit(self.rule).gather(wid), local // DAY)
            )
            known = found.filter(pl.col("_known"))
            # Every row's first zone in place; the others (a few rows have several) exploded.
            queries.append(
                known.with_columns(pl.col("_zl").list.first().alias("_z"))
                .filter(~inside)
                .select("_row")
            )
            queries.append(
                known.filter(pl.col("_zl").list.len() > 1)
                .with_columns(pl.col("_zl").list.slice(1).alias("_z"))
                .explode("_z", empty_as_null=False, keep_nulls=False)
                .with_columns(pl.col("_z").cast(pl.UInt16))
                .filter(~inside)
                .select("_row")
            )
        schema = {"_row": pl.UInt32}
        found_rows = collect(queries, state.height) if queries else []
        unknown = pl.concat([pl.DataFrame(schema=schema), *found_rows[0::3]]).unique()
        shut = [f for i, f in enumerate(found_rows) if i % 3]
        closed = pl.concat([pl.DataFrame(schema=schema), *shut]).unique()
        agreed_rows = closed.join(atimes.select("_row"), on="_row")
        if not agreed_rows.is_empty():
            constraints, _ = self.constraints(state.join(agreed_rows, on="_row"), c)
            agreed = agreed_stretches(constraints, atimes, masks)
            exact = closed_rows(constraints, agreed, clock, days)
            closed = pl.concat([closed.join(agreed_rows, on="_row", how="anti"), exact])
        return closed, refusals(unknown, hours.WINDOW, pl.lit(True), NEVER)


_CONSTRAINT = ["_row", "_c", "_z", "_m", "_s_start", "_s_end", "_s_rule", "_override"]


def _zoned(part: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A window's rows × their candidate zones (`_c` = window order + zone order): every row's
    first zone in place, and the few with more exploded."""
    first = part.with_columns(pl.col("_w").alias("_c"), pl.col("_zl").list.first().alias("_z"))
    count = pl.col("_zl").list.len()
    rest = (
        part.filter(count > 1)
        .with_columns(
            pl.col("_zl").list.slice(1).alias("_z"),
            pl.int_ranges(1, count, dtype=pl.Int64).alias("_k"),
        )
        .explode(["_z", "_k"], empty_as_null=False, keep_nulls=False)
        .with_columns((pl.col("_w") + pl.col("_k")).alias("_c"), pl.col("_z").cast(pl.UInt16))
    )
    return first, rest


def agreed_stretches(
    constraints: pl.DataFrame, atimes: pl.DataFrame, masks: pl.Series
) -> pl.DataFrame:
    """The person's agreed stretches for the constraints whose window they override."""
    return (
        constraints.filter(pl.col("_override"))
        .select("_row", "_c", "_z", "_m")
        .join(atimes.select("_row", "_atimes"), on="_row")
        .explode("_atimes", empty_as_null=False, keep_nulls=False)
        .select(
            "_row",
            "_c",
            "_z",
            pl.col("_atimes").struct.field("start").alias("_s_start"),
            pl.col("_atimes").struct.field("end").alias("_s_end"),
            pl.lit(masks).gather(pl.col("_atimes").struct.field("weekdays")).alias("_s_rule"),
            "_m",
        )
    )


def closed_rows(
    constraints: pl.DataFrame, agreed: pl.DataFrame, clock: Clock, days: Days
) -> pl.DataFrame:
    """Rows with a constraint whose stretches all exclude the moment `_m`: (`_row`)."""
    shut = constraints.filter(~inside(clock, days)).select("_row", "_c")
    if not agreed.is_empty() and not shut.is_empty():
        opened = agreed.filter(inside(clock, days)).select("_row", "_c").unique()
        shut = shut.join(opened, on=["_row", "_c"], how="anti")
    return shut.select("_row").unique()


# --- inconvenient times -------------------------------------------------------------------------


def inconvenient_ranges(
    itimes: pl.DataFrame, state: pl.DataFrame, zones: pl.DataFrame, masks: pl.Series, c: Compiled
) -> pl.DataFrame:
    """(row, order, zone, start, end, day rule) of the pending rows' stated inconvenient times:
    zones outer, ranges inner, as `hours._inside` reads them."""
    stated = (
        itimes.join(state.select("_row"), on="_row")
        .filter(c.active(hours.INCONVENIENT))
        .select("_row", "_itimes")
    )
    return (
        stated.with_columns(
            pl.int_ranges(0, pl.col("_itimes").list.len(), dtype=pl.Int64).alias("_r")
        )
        .explode(["_itimes", "_r"], empty_as_null=False, keep_nulls=False)
        .join(zones.select("_row", "_k", "_z"), on="_row")
        .select(
            "_row",
            (pl.col("_k").cast(pl.Int64) * _SLOT + pl.col("_r")).alias("_o"),
            "_z",
            pl.col("_itimes").struct.field("start").alias("_s_start"),
            pl.col("_itimes").struct.field("end").alias("_s_end"),
            pl.lit(masks).gather(pl.col("_itimes").struct.field("weekdays")).alias("_s_rule"),
        )
    )


def inconvenient_rows(
    ranges: pl.DataFrame, moments: pl.DataFrame, clock: Clock, days: Days
) -> pl.DataFrame:
    """Rows whose moment `_m` falls in a stated inconvenient range: (`_row`)."""
    if ranges.is_empty():
        return ranges.select("_row")
    joined = ranges.lazy().join(moments.lazy(), on="_row")
    return first_hits(joined, pl.col("_m"), clock, days).select("_row")
