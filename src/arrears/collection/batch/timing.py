"""When to call: the hour of the contact day each borrower is most likely to answer.

A call is proposed at the best whole hour between `ARREARS_COLLECTION_CALL_HOURS` (default
9–20, the borrower's local time) on the day after the business date, never before now. "Best"
is the borrower's answer rate for that hour of the week (`core.collection.best_time`): their own
calls of the last five weeks (`reading.LOG_DAYS`), steadied toward everyone's rate for the same
hour (empirical Bayes: (answers + m·everyone) / (calls + m), m = `Smoothing.borrower`). Equal
rates go to the earlier hour. That rate is also the call's reach in its expected value
(`core.collection.value`). A borrower's calls are placed in their own time zone (else the
lender's).

"Everyone" is the collection population: each shard records the calls of its borrowers by hour
of the week (`shard_tally`, in the shard's run record), and the next night adds them up — so no
night scans the whole contact log. Before any night has run, the prior rate stands for everyone.
The batch (`call_moments`) and the per-account path (`call_moment`) compute the same floats in
the same order, so they choose the same hour.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence

import polars as pl
from django.conf import settings

from arrears.core.collection.best_time import SLOTS, SlotTally, Smoothing, segment_rates

_UTC = pl.Datetime("us", "UTC")


def call_hours() -> tuple[int, int]:
    """The first and last local hour a call is proposed at (both included)."""
    first, last = getattr(settings, "ARREARS_COLLECTION_CALL_HOURS", (9, 20))
    return int(first), int(last)


def everyone_rates(tallies: Sequence[Mapping[str, Sequence[int]]]) -> tuple[float, ...]:
    """Everyone's answer rate for each of the 168 hours of the week, from the call tallies the
    shards of the previous night recorded (`shard_tally`); with none, the prior rate."""
    attempts, answers = [0] * SLOTS, [0] * SLOTS
    for tally in tallies:
        for slot, (tried, picked) in enumerate(
            zip(tally["attempts"], tally["answers"], strict=True)
        ):
            attempts[slot] += int(tried)
            answers[slot] += int(picked)
    total = SlotTally(tuple(attempts), tuple(answers))
    return segment_rates(total, total, Smoothing())


def shard_tally(calls: pl.DataFrame, zones: pl.DataFrame, lender_zone: str) -> dict[str, list[int]]:
    """The calls of a shard's borrowers counted by hour of the week in each one's local time
    (`zones`: borrower_id, time_zone): what the next night learns everyone's rates from."""
    people = zones.select(
        "borrower_id",
        pl.col("time_zone")
        .map_elements(lambda z: zone_of(z, lender_zone), return_dtype=pl.String)
        .alias("zone"),
    )
    slots = _tallies(calls.join(people, on="borrower_id", how="inner"))
    totals = slots.group_by("slot").agg(pl.col("attempts").sum(), pl.col("answers").sum())
    attempts, answers = [0] * SLOTS, [0] * SLOTS
    for slot, tried, picked in totals.select("slot", "attempts", "answers").iter_rows():
        attempts[slot], answers[slot] = int(tried), int(picked)
    return {"attempts": attempts, "answers": answers}


def zone_of(name: str | None, lender_zone: str) -> str:
    """The borrower's time zone, else the lender's."""
    if name:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return lender_zone
        return name
    return lender_zone


def call_moments(
    callers: pl.DataFrame,
    calls: pl.DataFrame,
    everyone: Sequence[float],
    *,
    day: dt.date,
    now: dt.datetime,
    hours: tuple[int, int],
    lender_zone: str,
) -> pl.DataFrame:
    """For each borrower to call (borrower_id, time_zone): the best hour `at` (UTC) and its
    answer rate."""
    if callers.is_empty():
        return pl.DataFrame(schema={"borrower_id": pl.Int64, "at": _UTC, "answer_rate": pl.Float64})
    people = callers.select(
        "borrower_id",
        pl.col("time_zone")
        .map_elements(lambda z: zone_of(z, lender_zone), return_dtype=pl.String)
        .alias("zone"),
    ).unique("borrower_id")
    own = _tallies(calls.join(people, on="borrower_id", how="inner"))
    options = _options(people, day=day, now=now, hours=hours)
    toward = pl.DataFrame({"slot": list(range(SLOTS)), "toward": list(everyone)},
                          schema={"slot": pl.Int64, "toward": pl.Float64})  # fmt: skip
    strength = Smoothing().borrower
    scored = (
        options.join(own, on=["borrower_id", "slot"], how="left")
        .join(toward, on="slot", how="left")
        .with_columns(pl.col("attempts", "answers").fill_null(0))
        .with_columns(
            (
                (pl.col("answers") + strength * pl.col("toward")) / (pl.col("attempts") + strength)
            ).alias("answer_rate")
        )
    )
    return (
        scored.sort(["borrower_id", "answer_rate", "at"], descending=[False, True, False])
        .group_by("borrower_id", maintain_order=True)
        .first()
        .select("borrower_id", "at", "answer_rate")
    )


def _tallies(calls: pl.DataFrame) -> pl.DataFrame:
    if calls.is_empty():
        return pl.DataFrame(schema={"borrower_id": pl.Int64, "slot": pl.Int64,
                                    "attempts": pl.Int64, "answers": pl.Int64})  # fmt: skip
    parts = []
    for (zone,), rows in calls.partition_by("zone", as_dict=True).items():
        local = pl.col("at").dt.convert_time_zone(str(zone))
        parts.append(
            rows.select(
                "borrower_id",
                (
                    (local.dt.weekday().cast(pl.Int64) - 1) * 24 + local.dt.hour().cast(pl.Int64)
                ).alias("slot"),
                "answered",
            )
        )
    return (
        pl.concat(parts)
        .group_by("borrower_id", "slot")
        .agg(pl.len().cast(pl.Int64).alias("attempts"), pl.col("answered").sum().alias("answers"))
    )


def _options(
    people: pl.DataFrame, *, day: dt.date, now: dt.datetime, hours: tuple[int, int]
) -> pl.DataFrame:
    """Every (borrower, hour) a call may be proposed at, as UTC instants, with its slot."""
    rows = []
    for zone in people["zone"].unique().to_list():
        for at, slot in hour_options(str(zone), day=day, now=now, hours=hours):
            rows.append((zone, at, slot))
    options = pl.DataFrame(rows, schema={"zone": pl.String, "at": _UTC, "slot": pl.Int64},
                           orient="row")  # fmt: skip
    return people.join(options, on="zone", how="inner")


def hour_options(
    zone: str, *, day: dt.date, now: dt.datetime, hours: tuple[int, int]
) -> list[tuple[dt.datetime, int]]:
    """The whole hours of the contact day (the day after `day`) a call may be proposed at, in
    the zone, not before now (when every one is past: now itself), with their hour of week."""
    tz = zoneinfo.ZoneInfo(zone)
    contact_day = day + dt.timedelta(days=1)
    found = []
    for hour in range(hours[0], hours[1] + 1):
        local = dt.datetime.combine(contact_day, dt.time(hour), tzinfo=tz)
        if local.astimezone(dt.UTC) >= now:
            found.append((local.astimezone(dt.UTC), local.weekday() * 24 + local.hour))
    if not found:
        local = now.astimezone(tz)
        found.append((now, local.weekday() * 24 + local.hour))
    return found


def call_moment(
    calls: Sequence[tuple[dt.datetime, bool]],
    zone: str,
    everyone: Sequence[float],
    *,
    day: dt.date,
    now: dt.datetime,
    hours: tuple[int, int],
) -> tuple[dt.datetime, float]:
    """`call_moments` for one borrower: (the best hour, its answer rate)."""
    tz = zoneinfo.ZoneInfo(zone)
    attempts, answers = [0] * SLOTS, [0] * SLOTS
    for at, answered in calls:
        local = at.astimezone(tz)
        slot = local.weekday() * 24 + local.hour
        attempts[slot] += 1
        answers[slot] += int(answered)
    strength = Smoothing().borrower
    best: tuple[dt.datetime, float] | None = None
    for at, slot in hour_options(zone, day=day, now=now, hours=hours):
        rate = (answers[slot] + strength * everyone[slot]) / (attempts[slot] + strength)
        if best is None or rate > best[1]:
            best = (at, rate)
    assert best is not None
    return best
