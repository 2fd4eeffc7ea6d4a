"""Counters over the contact log, vectorised (`rules/frequency.py`).

A counter's queries are its rows × day zones (× debts for Reg F); each is joined with the log
cut that can count — the same person (or, for China's per-number cap, the same number), within
the days any query's window reaches, and for a cap only the people with at least as many rows
as the lowest limit — and counted with one group-by.
Windows run from the start of a local day to the start of the day after the moment's, in each
zone; a refusal reopens at the start of the first local day on which the count is back under
the limit, the latest over the zones (and debts):

- Reg F per (row, zone, debt): the `max_calls`-th most recent counted call fixes the reopening
  day; the latest conversation about any of the request's debts fixes the quiet period's end.
  An attempt about no debt concerns every debt; a request about no debt counts every attempt.
- China: answered voice calls per person per day; dial attempts per number per day.
- House caps on SMS / e-mail: per day first (its refusal wins), then per 7 days.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from arrears.core.compliance.model import AttemptOutcome, Channel, Purpose
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules import frequency
from arrears.core.compliance.vectorised import frames
from arrears.core.compliance.vectorised.clock import Clock
from arrears.core.compliance.vectorised.log import Log
from arrears.core.compliance.vectorised.params import CHANNELS, RULE, Compiled, DType, code
from arrears.core.compliance.vectorised.simple import NEVER, refusals

_CALL = code(Channel.CALL)
_FAILED = code(AttemptOutcome.FAILED)
_CONVERSATION = code(AttemptOutcome.CONVERSATION)
_TRANSACTIONAL = code(Purpose.TRANSACTIONAL)
_WEEK = 7


def lookback_days(c: Compiled) -> int:
    """How many days before a moment a counter may look (plus two for zone offsets)."""
    days = [_WEEK, 1]
    for p in c.profiles:
        if p.call_frequency is not None:
            days.append(p.call_frequency.window_days)
            days.append(p.call_frequency.quiet_days_after_conversation or 1)
    return max(days) + 2


def counters(
    rows: pl.DataFrame, log: Log, c: Compiled, clock: Clock
) -> list[Callable[[], list[pl.DataFrame]]]:
    """The counters the profiles run, each a task giving its refusals at the moments `_m`."""
    needed = ("_row", "_pk", "_ch", "_pur", "_party", "_addr", "_debts", "_dc", "_m", "_dzl")
    rows = rows.select(needed)
    calls = rows.filter(pl.col("_ch") == _CALL)
    tasks: list[Callable[[], list[pl.DataFrame]]] = []
    calls_ruled = not calls.is_empty()
    if calls_ruled and c.any_runs(frequency.CALLS_IN_WINDOW):
        tasks.append(lambda: _reg_f(calls, log, c, clock))
    if calls_ruled and c.any_runs(frequency.DAILY_CONNECTED_VOICE):
        tasks.append(lambda: [_daily_voice(calls, log, c, clock)])
    if calls_ruled and c.any_runs(frequency.DAILY_NUMBER_ATTEMPTS):
        tasks.append(lambda: [_daily_number(calls, log, c, clock)])
    if c.any_runs(frequency.ELECTRONIC_CAPS) and calls.height < rows.height:
        tasks.append(lambda: _electronic(rows, log, c, clock))
    return tasks


def _param(c: Compiled, section: str, name: str, dtype: DType) -> pl.Expr:
    def read(p: Profile) -> Any:
        found = getattr(p, section)
        return None if found is None else getattr(found, name)

    return c.value(read, dtype)


def _per_zone(rows: pl.DataFrame, clock: Clock) -> pl.DataFrame:
    """Rows × their day zones (`_z`, `_k`) and the moment's local date there (`_today`)."""
    zoned = frames.zones_of(rows, "_dzl")
    return zoned.with_columns(clock.day(pl.col("_m"), pl.col("_z")).alias("_today"))


def _span(frame: pl.DataFrame, low: str, high: str) -> tuple[int, int]:
    found = frame.select(pl.col(low).min().alias("a"), pl.col(high).max().alias("b")).row(0)
    return int(found[0]), int(found[1])


def _counted(
    queries: pl.DataFrame,
    log: pl.DataFrame,
    key: str,
    low: str,
    high: str,
    carry: tuple[str, ...] = (),
    numbers: Log | None = None,
    least: int = 1,
) -> pl.DataFrame:
    """Queries (numbered `_q`) × the log rows of the same key inside [low, high) of the query,
    with the query columns `carry`. The log is first cut to the queries' keys and time span in
    one pass (a hash-set filter), and, when a query needs at least `least` rows to matter, to
    the keys with that many in the span — usually a few — so the join reads only rows that
    can count."""
    if queries.is_empty():
        cut = log.head(0)
    else:
        first, last = _span(queries, low, high)
        cut = log.filter(
            (pl.col("_hat") >= first)
            & (pl.col("_hat") < last)
            & (
                pl.lit(True)
                if numbers is not None
                else pl.col(key).is_in(queries.get_column(key).implode())
            )
        )
    if numbers is not None:
        cut = numbers.numbers(cut)
        cut = cut.filter(pl.col(key).is_in(queries.get_column(key).implode()))
    asked = queries.select(*dict.fromkeys(("_q", key, low, high, *carry)))
    if least > 1:
        busy = cut.group_by(key).len().filter(pl.col("len") >= least).get_column(key)
        cut = cut.filter(pl.col(key).is_in(busy.implode()))
        asked = asked.filter(pl.col(key).is_in(busy.implode()))
    return asked.join(cut, on=key).filter(
        (pl.col("_hat") >= pl.col(low)) & (pl.col("_hat") < pl.col(high))
    )


def _least(queries: pl.DataFrame, *limits: str) -> int:
    """The fewest log rows any query needs to reach one of its limits (nulls: no limit)."""
    found = queries.select(pl.min_horizontal(*limits).min().alias("least")).item()
    return max(int(found), 1) if found is not None else 1


def _per_row(groups: pl.DataFrame, when: pl.Expr, reopens: pl.Expr, rule_id: str) -> pl.DataFrame:
    """The rule's refusals: per row, the latest reopening over its groups at the limit."""
    return (
        groups.filter(when)
        .select("_row", reopens.alias("_next"))
        .group_by("_row")
        .agg(pl.col("_next").max())
        .select("_row", pl.lit(rule_id, RULE).alias("_rule"), "_next")
    )


def _kth_latest(matches: pl.DataFrame, groups: pl.DataFrame, k: str) -> pl.DataFrame:
    """For the groups with at least `k` matches, the k-th most recent match's time: `_kth`."""
    full = groups.filter(pl.col("_n") >= pl.col(k)).select("_q", k)
    if full.is_empty():
        return groups.with_columns(pl.lit(None, pl.Int64).alias("_kth"))
    kth = (
        matches.join(full, on="_q")
        .sort("_q", "_hat", descending=[False, True])
        .group_by("_q", maintain_order=True)
        .agg(pl.col("_hat").get(pl.col(k).first() - 1).alias("_kth"))
    )
    return groups.join(kth, on="_q", how="left")


# --- Reg F ---------------------------------------------------------------------------------------


def _reg_f(calls: pl.DataFrame, log: Log, c: Compiled, clock: Clock) -> list[pl.DataFrame]:
    def param(name: str, dtype: DType) -> pl.Expr:
        return _param(c, "call_frequency", name, dtype).alias(f"_{name}")

    rows = calls.filter(c.active(frequency.CALLS_IN_WINDOW)).select(
        "_row",
        "_party",
        "_debts",
        "_dc",
        "_m",
        "_dzl",
        param("max_calls", pl.Int64),
        param("window_days", pl.Int64),
        param("quiet_days_after_conversation", pl.Int64),
        param("count_unconnected", pl.Boolean),
        param("count_direct_consent", pl.Boolean),
        param("direct_consent_days", pl.Int64),
    )
    per_zone = _per_zone(rows, clock)
    # Placed within the person's direct prior consent (day of consent = day 1) in every zone.
    asked = per_zone.filter(
        pl.col("_dc").is_not_null()
        & ~pl.col("_count_direct_consent")
        & (pl.col("_dc") <= pl.col("_m"))
    )
    if not asked.is_empty():
        within = pl.col("_today") <= (
            clock.day(pl.col("_dc"), pl.col("_z")) + pl.col("_direct_consent_days") - 1
        )
        consented = (
            asked.with_columns(within.alias("_within"))
            .group_by("_row")
            .agg(pl.col("_within").all())
            .filter(pl.col("_within"))
            .select("_row")
        )
        per_zone = per_zone.join(consented, on="_row", how="anti")
    z, today = pl.col("_z"), pl.col("_today")
    quiet = pl.col("_quiet_days_after_conversation")
    queries = (
        per_zone.explode("_debts", empty_as_null=True, keep_nulls=True)
        .rename({"_debts": "_qdebt"})
        .with_row_index("_q")
        .with_columns(
            clock.day_start(today + 1, z).alias("_hi"),
            clock.day_start(today - pl.col("_window_days") + 1, z).alias("_lo_w"),
        )
        .with_columns(
            pl.when(quiet.is_null())
            .then(pl.col("_hi"))
            .otherwise(clock.day_start(today - quiet + 1, z))
            .alias("_lo_q"),
        )
    )
    concerns = (pl.col("_qdebt").is_null() & pl.col("_first")) | (
        pl.col("_qdebt").is_not_null()
        & (pl.col("_debt").is_null() | (pl.col("_debt") == pl.col("_qdebt")))
    )
    hat = pl.col("_hat")
    counted = (
        ~pl.col("_inbound")
        & (pl.col("_count_unconnected") | (pl.col("_out") != _FAILED))
        & (pl.col("_count_direct_consent") | ~pl.col("_hdc"))
        & (hat >= pl.col("_lo_w"))
    )
    # The 7-in-7 count reads every call of the few people called that often; the quiet
    # period reads only conversations.
    carry = ("_qdebt", "_lo_w", "_count_unconnected", "_count_direct_consent")
    matches = (
        _counted(
            queries, log.calls, "_party", "_lo_w", "_hi", carry, least=_least(queries, "_max_calls")
        )
        .filter(concerns)
        .select("_q", "_hat", counted.alias("_counts"))
    )
    talks = (
        _counted(queries, log.talks, "_party", "_lo_q", "_hi", ("_qdebt",))
        .filter(concerns)
        .group_by("_q")
        .agg(pl.col("_hat").max().alias("_talk"))
    )
    about = queries.select(
        "_q", "_row", "_z", "_max_calls", "_window_days", "_quiet_days_after_conversation"
    )
    groups = about.join(
        matches.group_by("_q").agg(pl.col("_counts").sum().alias("_n")), on="_q", how="left"
    ).join(talks, on="_q", how="left")
    groups = groups.filter(pl.col("_n").is_not_null() | pl.col("_talk").is_not_null())
    groups = _kth_latest(matches.filter(pl.col("_counts")), groups, "_max_calls")
    window_reopens = clock.day_start(clock.day(pl.col("_kth"), z) + pl.col("_window_days"), z)
    quiet_ends = clock.day_start(clock.day(pl.col("_talk"), z) + quiet, z)
    return [
        _per_row(
            groups,
            pl.col("_n") >= pl.col("_max_calls"),
            window_reopens,
            frequency.CALLS_IN_WINDOW,
        ),
        _per_row(groups, pl.col("_talk").is_not_null(), quiet_ends, frequency.AFTER_CONVERSATION),
    ]


# --- China's daily caps -------------------------------------------------------------------------


def _daily(
    rows: pl.DataFrame,
    log: pl.DataFrame,
    key: str,
    rule_id: str,
    clock: Clock,
    numbers: Log | None = None,
) -> pl.DataFrame:
    """At most `_limit` log rows on the moment's local day, in every zone (`_window_cap`)."""
    none = refusals(rows, rule_id, pl.col("_limit") == 0, NEVER)
    queries = (
        _per_zone(rows.filter(pl.col("_limit") > 0), clock)
        .with_row_index("_q")
        .with_columns(
            clock.day_start(pl.col("_today"), pl.col("_z")).alias("_lo"),
            clock.day_start(pl.col("_today") + 1, pl.col("_z")).alias("_hi"),
        )
    )
    counts_ai = "_ai_counts" in rows.columns
    extra = pl.col("_ai_counts") | ~pl.col("_hai") if counts_ai else pl.lit(True)
    carry = ("_ai_counts",) if counts_ai else ()
    groups = (
        _counted(queries, log, key, "_lo", "_hi", carry, numbers, least=_least(queries, "_limit"))
        .filter(extra)
        .group_by("_q")
        .agg(pl.len().alias("_n"))
        .join(queries.select("_q", "_row", "_limit", "_hi"), on="_q")
    )
    full = _per_row(groups, pl.col("_n") >= pl.col("_limit"), pl.col("_hi"), rule_id)
    return pl.concat([none, full])


def _daily_voice(calls: pl.DataFrame, log: Log, c: Compiled, clock: Clock) -> pl.DataFrame:
    rule = frequency.DAILY_CONNECTED_VOICE
    rows = calls.filter(c.active(rule)).select(
        "_row",
        "_party",
        "_m",
        "_dzl",
        _param(c, "daily_voice_cap", "max_connected_per_day", pl.Int64).alias("_limit"),
        _param(c, "daily_voice_cap", "ai_voice_counts", pl.Boolean).alias("_ai_counts"),
    )
    return _daily(rows, log.answered, "_party", rule, clock)


def _daily_number(calls: pl.DataFrame, log: Log, c: Compiled, clock: Clock) -> pl.DataFrame:
    rule = frequency.DAILY_NUMBER_ATTEMPTS
    rows = calls.filter(c.active(rule)).select(
        "_row",
        "_addr",
        "_m",
        "_dzl",
        _param(c, "number_attempt_cap", "max_attempts_per_day", pl.Int64).alias("_limit"),
    )
    return _daily(rows, log.dialled, "_addr", rule, clock, numbers=log)


# --- house caps on electronic messages ----------------------------------------------------------


def _electronic(rows: pl.DataFrame, log: Log, c: Compiled, clock: Clock) -> list[pl.DataFrame]:
    rule = frequency.ELECTRONIC_CAPS

    def cap(name: str) -> pl.Expr:
        table = [
            [getattr(p.electronic_caps.get(ch), name, None) for ch in CHANNELS] for p in c.profiles
        ]
        return c.by_profile_and(table, pl.col("_ch"), pl.Int64).alias(f"_{name}")

    has_cap = c.by_profile_and(
        [[ch in p.electronic_caps for ch in CHANNELS] for p in c.profiles],
        pl.col("_ch"),
        pl.Boolean,
    )
    capped = rows.filter(has_cap & c.active(rule) & (pl.col("_pur") != _TRANSACTIONAL)).select(
        "_row", "_party", "_ch", "_m", "_dzl", cap("per_day"), cap("per_week")
    )
    day_zero = refusals(capped, rule, pl.col("_per_day") == 0, NEVER)
    counting = capped.filter(pl.col("_per_day").is_null() | (pl.col("_per_day") > 0))
    z, today = pl.col("_z"), pl.col("_today")
    queries = (
        _per_zone(counting, clock)
        .with_row_index("_q")
        .with_columns(
            clock.day_start(today - _WEEK + 1, z).alias("_lo_w"),
            clock.day_start(today, z).alias("_lo_d"),
            clock.day_start(today + 1, z).alias("_hi"),
        )
    )
    matches = (
        _counted(
            queries,
            log.sent,
            "_party",
            "_lo_w",
            "_hi",
            ("_ch", "_lo_d"),
            least=_least(queries, "_per_day", "_per_week"),
        )
        .filter(pl.col("_ch") == pl.col("_ch_right"))
        .select("_q", "_hat", (pl.col("_hat") >= pl.col("_lo_d")).alias("_today_too"))
        if not queries.is_empty()
        else pl.DataFrame(schema={"_q": pl.UInt32, "_hat": pl.Int64, "_today_too": pl.Boolean})
    )
    groups = (
        matches.group_by("_q")
        .agg(pl.col("_today_too").sum().alias("_n_day"), pl.len().alias("_n"))
        .join(queries.select("_q", "_row", "_z", "_today", "_hi", "_per_day", "_per_week"), on="_q")
    )
    daily = _per_row(
        groups,
        pl.col("_per_day").is_not_null() & (pl.col("_n_day") >= pl.col("_per_day")),
        pl.col("_hi"),
        rule,
    )
    weekly_rows = counting.join(daily, on="_row", how="anti")
    week_zero = refusals(weekly_rows, rule, pl.col("_per_week") == 0, NEVER)
    weekly_groups = _kth_latest(
        matches,
        groups.filter(pl.col("_per_week") > 0).join(daily, on="_row", how="anti"),
        "_per_week",
    )
    reopens = clock.day_start(
        pl.max_horizontal(clock.day(pl.col("_kth"), z) + _WEEK, pl.col("_today") + 1), z
    )
    weekly = _per_row(weekly_groups, pl.col("_n") >= pl.col("_per_week"), reopens, rule)
    return [day_zero, daily, week_zero, weekly]
