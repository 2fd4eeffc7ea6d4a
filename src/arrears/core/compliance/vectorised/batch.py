"""The batch gate: every rule for every proposed contact, and the earliest permitted time.

`decide_batch` mirrors `gate.decide` for a whole frame of proposals against one shared contact
log. Round 0 evaluates every active rule at each row's `at`: its refusals are the row's
`denied_rule_ids`. A refused row then takes the scalar gate's steps — move to the latest of the
refusing rules' next times and ask again — all refused rows together, round after round
(`gate.MAX_ROUNDS`), until every rule allows (`next_permitted_at` is that moment), a rule says
only a person can lift it, a rule does not move forward, or the search passes `gate.HORIZON`.
Rules that do not depend on the time (who, opt-outs, workplace, places) are asked once.

Rows are decided independently against the same log, as `decide` does: two proposals to one
person in a batch do not see each other. Within a round the rule families are independent and
run side by side on threads (Polars releases the GIL while it computes).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from arrears.core.compliance.gate import HORIZON, MAX_ROUNDS
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules import hours as scalar_hours
from arrears.core.compliance.vectorised import frames, hours
from arrears.core.compliance.vectorised.clock import DAY, Clock, Days
from arrears.core.compliance.vectorised.frequency import counters, lookback_days
from arrears.core.compliance.vectorised.holds import hold_refusals
from arrears.core.compliance.vectorised.log import Log, as_micros, collect
from arrears.core.compliance.vectorised.params import RULE, Compiled
from arrears.core.compliance.vectorised.searches import (
    STRETCH,
    earliest_all_open,
    first_convenient,
)
from arrears.core.compliance.vectorised.simple import automated_consent, static_refusals
from arrears.core.compliance.zones import zone
from arrears.core.errors import ValidationError

_HORIZON = HORIZON // dt.timedelta(microseconds=1)
#: Days past the latest `at` that a search can reach: the horizon, then an hours search (16
#: days) or up to 64 steps out of stated inconvenient ranges (under two days each).
_DAYS_AHEAD = HORIZON.days + 200
_REFUSAL = pl.Schema([("_row", pl.UInt32()), ("_rule", RULE), ("_next", pl.Int64())])
_FLAG = pl.Schema([("_row", pl.UInt32()), ("_rule", RULE)])
#: Rule families evaluated side by side (Polars releases the GIL while it computes); 1: in turn.
_WORKERS = 4
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """One pool for every call: starting threads per call cost more than a small batch.

    Its tasks never wait on one another, so calls from several threads can share it. A forked
    worker process gets its own (the parent's threads do not exist there)."""
    pid = os.getpid()
    found = _POOLS.get(pid)
    if found is None:
        with _POOL_LOCK:
            found = _POOLS.get(pid)
            if found is None:
                found = ThreadPoolExecutor(max_workers=max(_WORKERS, 2), thread_name_prefix="gate")
                _POOLS[pid] = found
    return found


@dataclass(frozen=True)
class _Batch:
    rows: frames.Rows  # the proposals (`_row`: their position)
    log: Log
    compiled: Compiled
    clock: Clock
    days: Days
    windows: hours.Windows
    masks: pl.Series


def decide_batch(
    proposals: pl.DataFrame | pl.LazyFrame,
    history: pl.DataFrame | pl.LazyFrame,
    profiles: Mapping[str, Profile],
    *,
    now: dt.datetime,
) -> pl.DataFrame:
    """Decide every proposed contact at once; the frames are described in `frames`.

    `profiles` maps each `profile_code` used to its (house-ruled) profile. Returns, in the
    proposals' order: request_id, allowed, denied_rule_ids, flagged_rule_ids (List of the
    `RULE` enum, in the gate's order), next_permitted_at (UTC) — what `decide` answers.
    """
    proposals = proposals.collect() if isinstance(proposals, pl.LazyFrame) else proposals
    history = history.collect() if isinstance(history, pl.LazyFrame) else history
    batch = _prepare(proposals, history, profiles, now)
    denied, flagged, resolved = _search(batch)
    n = proposals.height
    rules = _spread(denied, "_rules", n)
    flags = _spread(flagged, "_flags", n)
    empty = pl.lit([], pl.List(RULE))
    return pl.DataFrame(
        [
            proposals.get_column("request_id"),
            rules.is_null().alias("allowed"),
            rules.alias("denied_rule_ids"),
            flags.alias("flagged_rule_ids"),
            resolved.cast(pl.Datetime("us", "UTC")).alias("next_permitted_at"),
        ]
    ).with_columns(
        pl.col("denied_rule_ids").fill_null(empty), pl.col("flagged_rule_ids").fill_null(empty)
    )


def _spread(found: pl.DataFrame, name: str, n: int) -> pl.Series:
    """A column of `found` (one row per `_row` it has) laid out over all `n` rows (null else)."""
    index = np.full(n, -1, dtype=np.int64)
    index[found.get_column("_row").to_numpy()] = np.arange(found.height)
    positions = pl.Series(index)
    return found.get_column(name).gather(positions.set(positions < 0, None))


def _prepare(
    proposals: pl.DataFrame,
    history: pl.DataFrame,
    profiles: Mapping[str, Profile],
    now: dt.datetime,
) -> _Batch:
    compiled = Compiled.of(profiles)
    names = frames.zone_names(proposals)
    for key in names:
        zone(key)  # an unknown zone is an error naming the field
    if "at" not in proposals.columns:
        raise ValidationError("proposals.at", "is required")
    at = as_micros(proposals, "at", "proposals")
    low = int(at.min()) if at.len() and at.null_count() < at.len() else 0  # type: ignore[arg-type]
    high = int(at.max()) if at.len() and at.null_count() < at.len() else 0  # type: ignore[arg-type]
    behind = lookback_days(compiled)
    _same_types(proposals, history)
    reading = _pool().submit(Log.of, history, low - behind * DAY)
    rows = frames.internal_proposals(proposals, compiled, names, now)
    log = reading.result()
    days = Days(low // DAY - 3, high // DAY + _DAYS_AHEAD)
    return _Batch(
        rows=rows,
        log=log,
        compiled=compiled,
        clock=Clock(names, low - (behind + 45) * DAY, high + _DAYS_AHEAD * DAY),
        days=days,
        windows=hours.Windows.of(compiled, days),
        masks=hours.mask_rules(days, rows.itimes, rows.atimes),
    )


def _same_types(proposals: pl.DataFrame, history: pl.DataFrame) -> None:
    """Ids are compared across the frames: people and debts must be of one type in both."""
    for mine, theirs, inner in (("party_id", "party_id", False), ("debt_ids", "debt_id", True)):
        if mine not in proposals.columns or theirs not in history.columns:
            continue
        listed = proposals.schema[mine]
        ours: object = listed
        if inner:
            if not isinstance(listed, pl.List):
                raise ValidationError(f"proposals.{mine}", "must be a list column")
            ours = listed.inner
        other = history.schema[theirs]
        if pl.Null not in (ours, other) and ours != other:
            raise ValidationError(
                f"history.{theirs}", f"is {other}, but the proposals' ids are {ours}"
            )


def _search(batch: _Batch) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """Round 0's refusals and flags, and every row's earliest permitted time (null: none)."""
    core = batch.rows.core
    at = core.get_column("_at").to_numpy()
    answer = np.zeros(core.height, dtype=np.int64)
    answered = np.zeros(core.height, dtype=bool)
    state = core.with_columns(pl.col("_at").alias("_m"))
    denied = pl.DataFrame(schema={"_row": pl.UInt32, "_rules": pl.List(RULE)})
    flagged = pl.DataFrame(schema={"_row": pl.UInt32, "_flags": pl.List(RULE)})
    for round_ in range(MAX_ROUNDS):
        if state.is_empty():
            break
        refused, flags = _evaluate(batch, state, first=round_ == 0)
        summary = (
            refused.sort("_row", "_rule")
            .group_by("_row", maintain_order=True)
            .agg(
                pl.col("_rule").alias("_rules"),
                pl.col("_next").is_null().any().alias("_forever"),
                pl.col("_next").max().alias("_cand"),
            )
        )
        if round_ == 0:
            denied = summary.select("_row", "_rules")
            flagged = (
                flags.sort("_row", "_rule")
                .group_by("_row", maintain_order=True)
                .agg(pl.col("_rule").alias("_flags"))
            )
        # Rows no rule refuses are allowed at their moment (`_row` is the position in `core`).
        rows = state.get_column("_row").to_numpy()
        moment = state.get_column("_m").to_numpy()
        clear = np.ones(core.height, dtype=bool)
        clear[summary.get_column("_row").to_numpy()] = False
        free = clear[rows]
        answer[rows[free]] = moment[free]
        answered[rows[free]] = True
        # A refusal only a person can lift, one that does not move forward or one past the
        # horizon ends the search with no time; the others move to the latest next time.
        m = pl.Series(np.zeros(core.height, dtype=np.int64)).scatter(rows, moment)
        moving = summary.filter(
            ~pl.col("_forever")
            & (pl.col("_cand") > pl.lit(m).gather(pl.col("_row")))
            & (pl.col("_cand") <= pl.lit(pl.Series(at)).gather(pl.col("_row")) + _HORIZON)
        ).select("_row", pl.col("_cand").alias("_m"))
        state = core[moving.get_column("_row")].with_columns(moving.get_column("_m"))
    return denied, flagged, pl.Series(answer).set(pl.Series(~answered), None)


def _today(state: pl.DataFrame, clock: Clock) -> pl.DataFrame:
    """(`_row`, `_k`, `_z`, `_today`): the rows' day zones and the moment's local date there."""
    return frames.zones_of(state.select("_row", "_m", "_dzl"), "_dzl").select(
        "_row", "_k", "_z", clock.day(pl.col("_m"), pl.col("_z")).alias("_today")
    )


def _evaluate(
    batch: _Batch, state: pl.DataFrame, *, first: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every rule at each row's moment `_m`: refusals (`_row`, `_rule`, `_next`) and flags.

    The families run side by side: the static rules (round 0 only), holds and consent, each
    counter, the hours window with its search, the stated times with theirs.
    """
    c, clock, days, rows = batch.compiled, batch.clock, batch.days, batch.rows
    moments = state.select("_row", "_m")

    def zones_of(subset: pl.DataFrame) -> pl.DataFrame:
        asked = state.select("_row", "_m", "_dzl").join(
            subset.select("_row"), on="_row", how="semi"
        )
        return _today(asked, clock)

    def static() -> list[pl.DataFrame]:
        return static_refusals(rows.once, batch.log, c) if first else []

    def holds_and_consent() -> list[pl.DataFrame]:
        consent = automated_consent(state, c)
        held = rows.holds.join(moments, on="_row")
        if held.is_empty():
            return [consent]
        held_zones = zones_of(held)
        refused, flags = collect(
            hold_refusals(held.lazy(), held_zones.lazy(), c, clock), held.height
        )
        return [consent, refused, flags.cast(_FLAG)]

    def window() -> list[pl.DataFrame]:
        closed, nowhere = batch.windows.shut(state, rows.atimes, batch.masks, c, clock, days)
        if closed.is_empty():
            return [nowhere]
        constraints, _ = batch.windows.constraints(state.join(closed, on="_row"), c)
        agreed = hours.agreed_stretches(constraints, rows.atimes, batch.masks)
        stretches = pl.concat([constraints.select(STRETCH), agreed.select(STRETCH)])
        found = earliest_all_open(stretches, moments.join(closed, on="_row"), clock, days)
        return [nowhere, _refusal(closed.join(found, on="_row", how="left"), scalar_hours.WINDOW)]

    def stated_times() -> list[pl.DataFrame]:
        if rows.itimes.is_empty():
            return []
        ranges = hours.inconvenient_ranges(
            rows.itimes, state, zones_of(rows.itimes), batch.masks, c
        )
        hit = hours.inconvenient_rows(ranges, moments, clock, days)
        found = first_convenient(ranges, moments.join(hit, on="_row"), clock, days)
        return [_refusal(hit.join(found, on="_row", how="left"), scalar_hours.INCONVENIENT)]

    tasks = [static, holds_and_consent, window, stated_times]
    tasks.extend(counters(state, batch.log, c, clock))
    if _WORKERS == 1:
        results = [frame for task in tasks for frame in task()]
    else:
        done = _pool().map(lambda task: task(), tasks)
        results = [frame for found in done for frame in found]
    flags = [f for f in results if f.schema == _FLAG]
    refused = [r.cast(_REFUSAL) for r in results if r.schema != _FLAG]
    return pl.concat(refused), pl.concat([pl.DataFrame(schema=_FLAG), *flags])


def _refusal(found: pl.DataFrame, rule_id: str) -> pl.DataFrame:
    return found.select("_row", pl.lit(rule_id, RULE).alias("_rule"), "_next")
