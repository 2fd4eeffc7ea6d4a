"""The next-time searches of the hours rules, replayed for all refused rows at once.

`earliest_all_open` is `hours._earliest_all_open`: each constraint in turn moves the moment to
its next opening (the first accepted day, at most `SEARCH_DAYS` ahead, whose opening is not
before the moment), until a round moves nothing, an opening is past the 16-day limit, or
`_MAX_ROUNDS` rounds pass. `first_convenient` is `hours._first_convenient`: step to the end of
the first stated range holding the moment until none does. Each step is one query over every
row still searching; the rows' moments live in NumPy arrays between steps.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from arrears.core.compliance.rules._base import SEARCH_DAYS
from arrears.core.compliance.rules.hours import _MAX_ROUNDS
from arrears.core.compliance.vectorised.clock import DAY, Clock, Days

_LIMIT = dt.timedelta(days=SEARCH_DAYS) // dt.timedelta(microseconds=1)
STRETCH = ["_row", "_c", "_z", "_s_start", "_s_end", "_s_rule"]


def in_range(days: Days, start: pl.Expr, end: pl.Expr, rule: pl.Expr, local: pl.Expr) -> pl.Expr:
    """`_base.in_range`: is the local time inside [start, end) on an accepted day?"""
    day, clock = local // DAY, local % DAY
    plain = (start <= clock) & (clock < end) & days.ok(rule, day)
    wraps = ((clock >= start) & days.ok(rule, day)) | ((clock < end) & days.ok(rule, day - 1))
    return pl.when(start < end).then(plain).otherwise(wraps)


def inside(clock: Clock, days: Days, moment: str = "_m") -> pl.Expr:
    """Is the moment inside the row's stretch (`_s_start`, `_s_end`, `_s_rule`) in zone `_z`?"""
    return in_range(
        days,
        pl.col("_s_start"),
        pl.col("_s_end"),
        pl.col("_s_rule"),
        clock.local(pl.col(moment), pl.col("_z")),
    )


def _next_entry(part: pl.LazyFrame, clock: Clock, days: Days) -> pl.DataFrame:
    """`_base.next_entry` of each stretch at `_mom`: `_open` (null: none within SEARCH_DAYS)."""
    start, rule, z, moment = pl.col("_s_start"), pl.col("_s_rule"), pl.col("_z"), pl.col("_mom")
    day = pl.col("_d")
    today = clock.at_local(day, start, z)
    later = clock.at_local(pl.col("_try"), start, z)
    found = (
        part.with_columns(
            inside(clock, days, "_mom").alias("_in"),
            (clock.local(moment, z) // DAY).alias("_d"),
        )
        .with_columns(
            pl.when(pl.col("_in"))
            .then(moment)
            .when(days.ok(rule, day) & (today >= moment))
            .then(today)
            .alias("_open"),
            days.next_ok(rule, day + 1).alias("_try"),
        )
        .with_columns(
            pl.when(pl.col("_open").is_null() & (pl.col("_try") < day + SEARCH_DAYS))
            .then(pl.when(later >= moment).then(later))
            .otherwise(pl.col("_open"))
            .alias("_open"),
            (
                pl.col("_open").is_null() & (pl.col("_try") < day + SEARCH_DAYS) & (later < moment)
            ).alias("_more"),
        )
        .collect()
    )
    # Rarely (a zone whose clock jumps back across midnight) the first accepted day after
    # today opens before the moment; the scalar then tries the following days.
    for _ in range(SEARCH_DAYS):
        if not found.get_column("_more").any():
            break
        found = found.with_columns(
            pl.when(pl.col("_more"))
            .then(days.next_ok(rule, pl.col("_try") + 1))
            .otherwise(pl.col("_try"))
            .alias("_try")
        ).with_columns(
            pl.when(pl.col("_more") & (pl.col("_try") < day + SEARCH_DAYS) & (later >= moment))
            .then(later)
            .otherwise(pl.col("_open"))
            .alias("_open"),
            (pl.col("_more") & (pl.col("_try") < day + SEARCH_DAYS) & (later < moment)).alias(
                "_more"
            ),
        )
    return found


class _Moments:
    """The search state of many rows at once, in NumPy: each row's moment, whether it is still
    searching, and its answer (`None` until found, null when there is none)."""

    def __init__(self, start: pl.DataFrame) -> None:
        self.rows = start.get_column("_row").to_numpy()
        self.moment = start.get_column("_m").to_numpy().astype(np.int64)
        self.first = self.moment.copy()
        self.searching = np.ones(len(self.rows), dtype=bool)
        self.answer = np.zeros(len(self.rows), dtype=np.int64)
        self.found = np.zeros(len(self.rows), dtype=bool)

    def index(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (rows of `start`) with `_i`, each row's position here."""
        ids = pl.DataFrame({"_row": self.rows, "_i": np.arange(len(self.rows), dtype=np.int64)})
        return frame.join(ids.with_columns(pl.col("_row").cast(frame.schema["_row"])), on="_row")

    def at(self) -> pl.Expr:
        """The current moment of the row at `_i`, and whether it is still searching."""
        return pl.lit(pl.Series(self.moment)).gather(pl.col("_i"))

    def live(self) -> pl.Expr:
        return pl.lit(pl.Series(self.searching)).gather(pl.col("_i"))

    def settle(self, which: np.ndarray, answer: np.ndarray | None) -> None:
        self.searching[which] = False
        if answer is not None:
            self.answer[which] = answer
            self.found[which] = True

    def result(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "_row": self.rows,
                "_next": pl.Series(self.answer).set(pl.Series(~self.found), None),
            }
        )


def earliest_all_open(
    stretches: pl.DataFrame, start: pl.DataFrame, clock: Clock, days: Days
) -> pl.DataFrame:
    """`hours._earliest_all_open` for every row of `start` (`_row`, `_m`) → (`_row`, `_next`).

    Each constraint in turn (all rows at once, one query) moves every searching row's moment to
    its next opening; a round that moves a row nowhere settles it. A row with one constraint
    whose opening lies inside the stretch that gave it is settled there at once: the scalar's
    next round would ask that constraint again, find it open and move nowhere.
    """
    state = _Moments(start)
    if not len(state.rows):
        return state.result()
    size = len(state.rows)
    limit = state.first + _LIMIT
    indexed = state.index(stretches.select(STRETCH))
    slots = sorted(indexed.get_column("_c").unique().to_list())
    by_slot = {slot: indexed.filter(pl.col("_c") == slot).drop("_c") for slot in slots}
    constraints = np.zeros(size, dtype=np.int64)
    for frame in by_slot.values():
        constraints[frame.get_column("_i").unique().to_numpy()] += 1
    alone = constraints == 1
    for _ in range(_MAX_ROUNDS):
        if not state.searching.any():
            break
        moved = np.zeros(size, dtype=bool)
        for slot in slots:
            part = by_slot[slot].lazy().filter(state.live()).with_columns(state.at().alias("_mom"))
            found = _next_entry(part, clock, days)
            if found.is_empty():
                continue
            opening = pl.col("_open")
            opens = found.select(
                "_i",
                opening.fill_null(_NONE).alias("_open"),
                in_range(
                    days,
                    pl.col("_s_start"),
                    pl.col("_s_end"),
                    pl.col("_s_rule"),
                    clock.local(opening, pl.col("_z")),
                )
                .fill_null(False)
                .alias("_open_in"),
            )
            index = opens.get_column("_i").to_numpy()
            value = opens.get_column("_open").to_numpy()
            earliest = np.full(size, _NONE, dtype=np.int64)
            np.minimum.at(earliest, index, value)
            seen = np.zeros(size, dtype=bool)
            seen[index] = True
            asked = np.flatnonzero(seen)
            got = earliest[asked]
            failed = (got == _NONE) | (got > limit[asked])
            state.settle(asked[failed], None)
            ahead = ~failed & (got > state.moment[asked])
            state.moment[asked[ahead]] = got[ahead]
            moved[asked[ahead]] = True
            # Open at once where the earliest opening is inside its own stretch.
            settled = np.zeros(size, dtype=bool)
            inside_own = opens.get_column("_open_in").to_numpy() & (value == earliest[index])
            settled[index[inside_own]] = True
            done = asked[~failed & alone[asked] & settled[asked]]
            state.settle(done, state.moment[done])
        still = state.searching & ~moved
        state.settle(still, state.moment[still])
    return state.result()


_NONE = np.iinfo(np.int64).max  # "no opening" while taking minima


def first_hits(ranges: pl.LazyFrame, moment: pl.Expr, clock: Clock, days: Days) -> pl.DataFrame:
    """Per row, the first range (zones outer, ranges inner) holding the moment, with it."""
    local = clock.local(moment, pl.col("_z"))
    return (
        ranges.with_columns(moment.alias("_mom"))
        .filter(in_range(days, pl.col("_s_start"), pl.col("_s_end"), pl.col("_s_rule"), local))
        .sort("_row", "_o")
        .group_by("_row", maintain_order=True)
        .first()
        .collect()
    )


def first_convenient(
    ranges: pl.DataFrame, start: pl.DataFrame, clock: Clock, days: Days
) -> pl.DataFrame:
    """`hours._first_convenient` for every row of `start` (`_row`, `_m`) → (`_row`, `_next`):
    step out of the first range holding the moment until none holds it."""
    state = _Moments(start)
    if not len(state.rows):
        return state.result()
    indexed = state.index(ranges)
    for _ in range(_MAX_ROUNDS):
        if not state.searching.any():
            break
        hits = first_hits(indexed.lazy().filter(state.live()), state.at(), clock, days)
        inside = np.zeros(len(state.rows), dtype=bool)
        inside[hits.get_column("_i").to_numpy()] = True
        clear = state.searching & ~inside
        state.settle(clear, state.moment[clear])
        local = clock.local(pl.col("_mom"), pl.col("_z"))
        day, time = local // DAY, local % DAY
        same_day = (pl.col("_s_start") < pl.col("_s_end")) | (time < pl.col("_s_end"))
        leaves = clock.at_local(
            pl.when(same_day).then(day).otherwise(day + 1), pl.col("_s_end"), pl.col("_z")
        )
        out = hits.select("_i", leaves.alias("_leaves"))
        state.moment[out.get_column("_i").to_numpy()] = out.get_column("_leaves").to_numpy()
    return state.result()
