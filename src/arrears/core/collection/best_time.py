"""Best time to call (最佳拨打时段): answer rates by hour of the week, learned from the contact log.

A week has 168 one-hour slots in the borrower's local time, slot 0 being Monday 00:00–01:00 and
slot 167 Sunday 23:00–24:00. A borrower has few calls per slot, so their raw rate is noise; it is
shrunk toward their segment's rate for the same slot, and the segment's toward everyone's, and
everyone's toward the overall rate (empirical Bayes, a Beta–binomial with prior weight m)::

    rate = (answers + m × rate_above) / (attempts + m)

With no calls in a slot the rate is the level above's; with many it is the borrower's own.
`m` says how many calls the level above is worth. Rates are probabilities (floats), never money.

Two forms compute the same numbers: `borrower_rates` for one borrower (online), and
`answer_rates` / `top_slots` over a Polars frame of attempts (the nightly batch). A differential
test holds them equal. `best_slots` turns rates into the next good hours to call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from arrears.core.errors import ValidationError

SLOTS = 7 * 24
_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Smoothing:
    """How many calls each level's rate is worth when it steadies the level below."""

    borrower: float = 5.0  # the segment's slot rate counts as 5 of the borrower's own calls
    segment: float = 20.0  # everyone's slot rate counts as 20 of the segment's calls
    everyone: float = 20.0  # the overall rate counts as 20 calls in a slot of the whole log
    overall: float = 1.0  # the prior counts as 1 call of the whole log
    prior: float = 0.3  # the overall rate before any call is logged

    def __post_init__(self) -> None:
        for name in ("borrower", "segment", "everyone", "overall"):
            if not getattr(self, name) > 0:
                raise ValidationError(f"smoothing.{name}", "must be more than zero")
        if not 0 <= self.prior <= 1:
            raise ValidationError("smoothing.prior", "must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class SlotTally:
    """Calls placed and answered in each of the 168 slots."""

    attempts: tuple[int, ...]
    answers: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.attempts) != SLOTS or len(self.answers) != SLOTS:
            raise ValidationError("tally", f"needs {SLOTS} slots")
        if any(a < n or n < 0 for a, n in zip(self.attempts, self.answers, strict=True)):
            raise ValidationError("tally", "answers must be between 0 and the attempts")

    @property
    def total_attempts(self) -> int:
        return sum(self.attempts)

    @property
    def total_answers(self) -> int:
        return sum(self.answers)

    def __add__(self, other: SlotTally) -> SlotTally:
        return SlotTally(
            tuple(a + b for a, b in zip(self.attempts, other.attempts, strict=True)),
            tuple(a + b for a, b in zip(self.answers, other.answers, strict=True)),
        )


EMPTY = SlotTally((0,) * SLOTS, (0,) * SLOTS)


def hour_of_week(local: dt.datetime) -> int:
    """The slot a local time falls in: Monday 00:00 is 0, Sunday 23:00 is 167."""
    return local.weekday() * 24 + local.hour


def tally(calls: Iterable[tuple[int, bool]]) -> SlotTally:
    """Count (hour of week, answered) pairs into slots."""
    attempts = [0] * SLOTS
    answers = [0] * SLOTS
    for slot, answered in calls:
        _check_slot(slot)
        attempts[slot] += 1
        answers[slot] += bool(answered)
    return SlotTally(tuple(attempts), tuple(answers))


def shrink(answers: int, attempts: int, *, toward: float, strength: float) -> float:
    """(answers + m·toward) / (attempts + m): a rate steadied by the level above."""
    return (answers + strength * toward) / (attempts + strength)


def slot_rates(own: SlotTally, toward: Sequence[float], strength: float) -> tuple[float, ...]:
    return tuple(
        shrink(n, a, toward=t, strength=strength)
        for a, n, t in zip(own.attempts, own.answers, toward, strict=True)
    )


def segment_rates(
    segment: SlotTally, everyone: SlotTally, smoothing: Smoothing = Smoothing()
) -> tuple[float, ...]:
    """The segment's rate per slot, steadied by everyone's rate for that slot."""
    overall = shrink(
        everyone.total_answers,
        everyone.total_attempts,
        toward=smoothing.prior,
        strength=smoothing.overall,
    )
    everyone_rates = slot_rates(everyone, (overall,) * SLOTS, smoothing.everyone)
    return slot_rates(segment, everyone_rates, smoothing.segment)


def borrower_rates(
    borrower: SlotTally,
    segment: SlotTally,
    everyone: SlotTally,
    smoothing: Smoothing = Smoothing(),
) -> tuple[float, ...]:
    """One borrower's 168 answer rates (`segment` and `everyone` include the borrower's calls)."""
    return slot_rates(borrower, segment_rates(segment, everyone, smoothing), smoothing.borrower)


def best_slots(
    rates: Sequence[float],
    *,
    after: dt.datetime,
    allowed: Callable[[dt.datetime], bool] | Sequence[bool] | None = None,
    k: int = 3,
    horizon_hours: int = SLOTS,
) -> list[dt.datetime]:
    """The `k` best hours to call in the `horizon_hours` after `after`, best first.

    `after` is the borrower's local time (aware). Candidates are the starts of the whole hours
    after it, counted in local wall-clock time; `allowed` keeps some of them — a function of the
    local start (the compliance window, the borrower's inconvenient times) or a 168-slot mask.
    Equal rates go to the earlier hour.
    """
    if len(rates) != SLOTS:
        raise ValidationError("rates", f"needs {SLOTS} slot rates, got {len(rates)}")
    if after.tzinfo is None:
        raise ValidationError("after", "must be the borrower's local time with its time zone")
    if k < 1:
        raise ValidationError("k", "must be at least 1")
    is_allowed = _allowed(allowed)
    start = after.replace(minute=0, second=0, microsecond=0)
    candidates = [start + _HOUR * step for step in range(1, horizon_hours + 1)]
    open_hours = [(at, rates[hour_of_week(at)]) for at in candidates if is_allowed(at)]
    open_hours.sort(key=lambda pair: -pair[1])  # stable: earlier hours first on a tie
    return [at for at, _ in open_hours[:k]]


def _allowed(
    allowed: Callable[[dt.datetime], bool] | Sequence[bool] | None,
) -> Callable[[dt.datetime], bool]:
    if allowed is None:
        return lambda _at: True
    if callable(allowed):
        return allowed
    mask = list(allowed)
    if len(mask) != SLOTS:
        raise ValidationError("allowed", f"a mask needs {SLOTS} slots, got {len(mask)}")
    return lambda at: bool(mask[hour_of_week(at)])


def _check_slot(slot: int) -> None:
    if not 0 <= slot < SLOTS:
        raise ValidationError("hour_of_week", f"must be between 0 and {SLOTS - 1}, got {slot}")


# --- vectorised (Polars) -------------------------------------------------------------------

#: The columns `answer_rates` reads: one row per call attempt.
ATTEMPT_COLUMNS = ("borrower_id", "segment", "hour_of_week", "answered")


def answer_rates(
    attempts: pl.DataFrame,
    *,
    smoothing: Smoothing = Smoothing(),
    borrowers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every borrower's 168 rates: columns borrower_id, segment, hour_of_week, rate.

    `attempts` has one row per call (`ATTEMPT_COLUMNS`; hour_of_week in the borrower's local
    time). `borrowers` (borrower_id, segment) adds borrowers with no calls yet, and fixes each
    one's segment; otherwise a borrower's segment is the one their calls carry (only one).
    168 rows a borrower is a lot for a whole portfolio: the nightly batch wants
    `top_slots_from_log`, which gives the same best slots without them.
    """
    members, segments, own = _prepare(attempts, smoothing, borrowers)
    return (
        members.join(_all_slots(), how="cross")
        .join(segments, on=["segment", "hour_of_week"], how="left")
        .join(own, on=["borrower_id", "hour_of_week"], how="left")
        .with_columns(pl.col("attempts", "answers").fill_null(0))
        .select(
            "borrower_id",
            "segment",
            "hour_of_week",
            _shrunk("answers", "attempts", "segment_rate", smoothing.borrower).alias("rate"),
        )
        .sort("borrower_id", "hour_of_week")
    )


def top_slots_from_log(
    attempts: pl.DataFrame,
    *,
    k: int = 3,
    smoothing: Smoothing = Smoothing(),
    borrowers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`top_slots(answer_rates(...))` without the 168 rows a borrower.

    A slot where the borrower has no calls has the segment's rate, so a borrower with n slots
    of their own needs only those n and the segment's best k + n slots: the best k are among
    them. Columns: borrower_id, rank, hour_of_week, rate.
    """
    if k < 1:
        raise ValidationError("k", "must be at least 1")
    members, segments, own = _prepare(attempts, smoothing, borrowers)
    # a slot without the borrower's calls: shrink(0, 0, toward=segment rate), as the scalar does;
    # a real column of zeros, not a literal: Polars divides by a scalar as × its reciprocal
    zeros = pl.zeros(segments.height, dtype=pl.Int64, eager=True).alias("none")
    ranked = (
        segments.with_columns(zeros)
        .with_columns(
            _shrunk("none", "none", "segment_rate", smoothing.borrower).alias("no_calls_rate")
        )
        .sort(["segment", "no_calls_rate", "hour_of_week"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("segment").alias("segment_rank"))
    )
    own_rates = (
        own.join(members, on="borrower_id", how="inner")
        .join(segments, on=["segment", "hour_of_week"], how="left")
        .select(
            "borrower_id",
            "hour_of_week",
            _shrunk("answers", "attempts", "segment_rate", smoothing.borrower).alias("rate"),
        )
    )
    counts = own_rates.group_by("borrower_id").agg(pl.len().alias("own_slots"))
    from_segment = (
        members.join(counts, on="borrower_id", how="left")
        .with_columns(
            pl.int_ranges(1, k + 1 + pl.col("own_slots").fill_null(0)).alias("segment_rank")
        )
        .explode("segment_rank")
        .join(ranked, on=["segment", "segment_rank"], how="inner")
        .join(own_rates, on=["borrower_id", "hour_of_week"], how="anti")
        .select("borrower_id", "hour_of_week", pl.col("no_calls_rate").alias("rate"))
    )
    return top_slots(pl.concat([own_rates, from_segment]), k=k)


def _prepare(
    attempts: pl.DataFrame, smoothing: Smoothing, borrowers: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The members (borrower_id, segment), segment rates per slot, and each borrower's tally."""
    _check_attempts(attempts)
    calls = attempts.select(
        pl.col("borrower_id"),
        pl.col("segment"),
        pl.col("hour_of_week").cast(pl.Int64),
        pl.col("answered").cast(pl.Int64),
    )
    members = _members(calls, borrowers)
    segments = _segment_rates(calls, members, _all_slots(), smoothing)
    own = calls.group_by("borrower_id", "hour_of_week").agg(
        pl.len().cast(pl.Int64).alias("attempts"), pl.col("answered").sum().alias("answers")
    )
    return members, segments, own


def _all_slots() -> pl.DataFrame:
    return pl.DataFrame({"hour_of_week": pl.int_range(0, SLOTS, eager=True).cast(pl.Int64)})


def top_slots(rates: pl.DataFrame, *, k: int = 3) -> pl.DataFrame:
    """The `k` best slots of each borrower: borrower_id, rank, hour_of_week, rate.

    Equal rates go to the earlier slot of the week (the same order as sorting the scalar rates).
    """
    if k < 1:
        raise ValidationError("k", "must be at least 1")
    return (
        rates.sort(["borrower_id", "rate", "hour_of_week"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("borrower_id").alias("rank"))
        .filter(pl.col("rank") <= k)
        .select("borrower_id", "rank", "hour_of_week", "rate")
    )


def top_slots_of(rates: Sequence[float], k: int = 3) -> list[int]:
    """The scalar twin of `top_slots`: the `k` best hours of the week, best first."""
    return sorted(range(SLOTS), key=lambda slot: (-rates[slot], slot))[:k]


def _check_attempts(attempts: pl.DataFrame) -> None:
    missing = [c for c in ATTEMPT_COLUMNS if c not in attempts.columns]
    if missing:
        raise ValidationError("attempts", f"missing columns: {', '.join(missing)}")
    if attempts.height and not attempts["hour_of_week"].is_between(0, SLOTS - 1).all():
        raise ValidationError("attempts.hour_of_week", f"must be between 0 and {SLOTS - 1}")


def _members(calls: pl.DataFrame, borrowers: pl.DataFrame | None) -> pl.DataFrame:
    if borrowers is not None:
        members = borrowers.select("borrower_id", "segment").unique("borrower_id", keep="last")
        return members.sort("borrower_id")
    members = calls.group_by("borrower_id").agg(
        pl.col("segment").n_unique().alias("segments"), pl.col("segment").first()
    )
    mixed = members.filter(pl.col("segments") > 1)
    if mixed.height:
        who = mixed["borrower_id"][0]
        raise ValidationError("attempts.segment", f"borrower {who} is in more than one segment")
    return members.select("borrower_id", "segment").sort("borrower_id")


def _segment_rates(
    calls: pl.DataFrame, members: pl.DataFrame, slots: pl.DataFrame, smoothing: Smoothing
) -> pl.DataFrame:
    total_attempts = calls.height
    total_answers = int(calls["answered"].sum()) if total_attempts else 0
    overall = shrink(
        total_answers, total_attempts, toward=smoothing.prior, strength=smoothing.overall
    )
    everyone = (
        slots.join(
            calls.group_by("hour_of_week").agg(
                pl.len().cast(pl.Int64).alias("attempts"), pl.col("answered").sum().alias("answers")
            ),
            on="hour_of_week",
            how="left",
        )
        .with_columns(pl.col("attempts", "answers").fill_null(0), pl.lit(overall).alias("above"))
        .select(
            "hour_of_week",
            _shrunk("answers", "attempts", "above", smoothing.everyone).alias("everyone_rate"),
        )
    )
    by_segment = calls.group_by("segment", "hour_of_week").agg(
        pl.len().cast(pl.Int64).alias("attempts"), pl.col("answered").sum().alias("answers")
    )
    return (
        members.select("segment")
        .unique()
        .join(slots, how="cross")
        .join(everyone, on="hour_of_week", how="left")
        .join(by_segment, on=["segment", "hour_of_week"], how="left")
        .with_columns(pl.col("attempts", "answers").fill_null(0))
        .select(
            "segment",
            "hour_of_week",
            _shrunk("answers", "attempts", "everyone_rate", smoothing.segment).alias(
                "segment_rate"
            ),
        )
    )


def _shrunk(answers: str, attempts: str, toward: str, strength: float) -> pl.Expr:
    """`shrink` as an expression, with the same operations in the same order."""
    return (pl.col(answers).cast(pl.Float64) + strength * pl.col(toward)) / (
        pl.col(attempts).cast(pl.Float64) + strength
    )
