"""Applying a strategy to a whole facts frame at once (the nightly batch's form of `evaluate`).

The rule is the one in `evaluate` (read its docstring first); here it runs column-wise:

1. one when/then chain gives each row its segment; NumPy splitmix64 gives each row its arm;
2. per path, a Boolean column per step says whether the step stops the walk (its day is not
   reached), is due, or is skipped; the walk's end is the first step after `last_step` that
   stops or is due (one when/then chain), and the skipped steps before it form a bit mask;
3. the rows' (outcome, step, skipped steps) per path — a few dozen groups — each get one row
   of a small table with the group's answer and its reason template cut into texts and slots;
   one join gives every row its group's answer, and the slots are filled with the row's facts
   (no select per group: on a shard of a few thousand cases that overhead was most of the time).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from arrears.core.errors import ValidationError
from arrears.core.strategy.document import Segment, Step, Strategy, TreatmentPath
from arrears.core.strategy.expressions import Expression, to_polars
from arrears.core.strategy.expressions.tree import MAX_EXPONENT
from arrears.core.strategy.facts import FACTS, MINOR_EXPONENT, FactType, facts_schema
from arrears.core.strategy.outcomes import (
    LEFT_ALONE,
    NO_SEGMENT,
    Outcome,
    back_off_part,
    done_part,
    due_part,
    nothing_due_part,
    path_part,
    repeat_due_part,
    repeat_waits_part,
    segment_part,
    skipped_part,
    waits_part,
)
from arrears.core.strategy.reasons import Template, fact_text, joined
from arrears.core.strategy.reasons import to_polars as reason_text
from arrears.core.strategy.split import arms_of, slots

#: The columns `evaluate_frame` returns, one row per account, in the input's order.
OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Int64(),
    "segment": pl.String(),
    "arm": pl.String(),
    "step": pl.String(),
    "action": pl.String(),
    "channel": pl.String(),
    "template": pl.String(),
    "approval": pl.Boolean(),
    "due_on": pl.Date(),
    "next_on": pl.Date(),
    "outcome": pl.String(),
    "reason": pl.String(),
}

#: Facts every evaluation reads, whatever the strategy's conditions.
ALWAYS_READ = ("account_id", "days_past_due", "last_step", "days_since_last_step")

_OUTCOMES = list(Outcome)
_ROW = "_row"
#: What a path's rows are grouped by: the outcome, the step it is about, the skipped steps.
_GROUP = ("_kind", "_at", "_skip")


def evaluate_frame(strategy: Strategy, facts: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    """`evaluate` for every row of a facts frame (`facts_schema()`; extra columns are ignored)."""
    frame = checked_facts(strategy, facts).with_row_index(_ROW)
    if frame.is_empty():
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    segment_index: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for index, segment in reversed(list(enumerate(strategy.segments))):
        applies = to_polars(segment.when) if segment.when else pl.lit(True)
        segment_index = pl.when(applies).then(pl.lit(index, pl.Int64)).otherwise(segment_index)
    frame = frame.with_columns(segment_index.alias("_segment"))
    answers: list[pl.DataFrame] = []
    for (key,), rows in frame.partition_by("_segment", as_dict=True).items():
        if key is None:
            answers.append(_answer(rows, as_of, Outcome.NO_SEGMENT, [NO_SEGMENT]))
        else:
            assert isinstance(key, int)
            answers.extend(_segment_answers(strategy, strategy.segments[key], rows, as_of))
    return pl.concat(answers, how="vertical").sort(_ROW).drop(_ROW)


def facts_read(strategy: Strategy) -> tuple[str, ...]:
    """The facts the strategy reads: those its conditions name, and `ALWAYS_READ`."""
    names = dict.fromkeys(ALWAYS_READ)
    for expression in conditions(strategy):
        names.update(dict.fromkeys(expression.facts))
    return tuple(names)


def conditions(strategy: Strategy) -> Iterator[Expression]:
    for segment in strategy.segments:
        if segment.when is not None:
            yield segment.when
    for path in strategy.paths.values():
        if path.back_off is not None:
            yield path.back_off.when
        for step in path.steps:
            yield from (e for e in (step.trigger, step.when, step.skip_when) if e is not None)


def checked_facts(strategy: Strategy, facts: pl.DataFrame) -> pl.DataFrame:
    """The columns the strategy reads, cast to `facts_schema()`; a missing one is named."""
    schema = facts_schema()
    names = facts_read(strategy)
    columns = [FACTS[name].column for name in names]
    if any(FACTS[name].type is FactType.MONEY for name in names):
        columns.append(MINOR_EXPONENT)
    for column in columns:
        if column not in facts.columns:
            raise ValidationError(f"facts.{column}", "missing column (see facts_schema())")
    try:
        frame = facts.select(pl.col(c).cast(schema[c]) for c in columns)
    except pl.exceptions.PolarsError as error:
        raise ValidationError("facts", f"a column has the wrong type: {error}") from None
    if frame.get_column("account_id").null_count():
        raise ValidationError("facts.account_id", "every row needs an account id")
    if MINOR_EXPONENT in columns:
        exponent = frame.get_column(MINOR_EXPONENT)
        if exponent.null_count() or not exponent.is_between(0, MAX_EXPONENT).all():
            raise ValidationError(
                f"facts.{MINOR_EXPONENT}", f"must be a whole number from 0 to {MAX_EXPONENT}"
            )
    return frame


# --- segments and arms ------------------------------------------------------------------------


def _segment_answers(
    strategy: Strategy, segment: Segment, rows: pl.DataFrame, as_of: dt.date
) -> list[pl.DataFrame]:
    opening = segment_part(segment)
    if segment.leaves_alone:
        return [_answer(rows, as_of, Outcome.LEFT_ALONE, [opening, LEFT_ALONE], segment=segment)]
    if len(segment.arms) == 1:
        return _path_answers(strategy, segment, 0, rows, as_of)
    shares = [arm.share for arm in segment.arms]
    ids = rows.get_column("account_id").to_numpy()
    rows = rows.with_columns(
        pl.Series("_arm", arms_of(slots(strategy.seed, segment.id, ids), shares))
    )
    answers: list[pl.DataFrame] = []
    for (arm,), arm_rows in rows.partition_by("_arm", as_dict=True).items():
        assert isinstance(arm, int)
        answers.extend(_path_answers(strategy, segment, arm, arm_rows.drop("_arm"), as_of))
    return answers


# --- the walk along a path --------------------------------------------------------------------


def _path_answers(
    strategy: Strategy, segment: Segment, arm: int, rows: pl.DataFrame, as_of: dt.date
) -> list[pl.DataFrame]:
    path = strategy.paths[segment.arms[arm].path]
    opening = [segment_part(segment), path_part(segment, arm)]
    walked = rows
    for stage in _walk(path):
        walked = walked.with_columns(stage)
    walked = walked.select(*rows.columns, *_GROUP)
    groups: list[_Group] = []
    for code, at, mask in walked.select(_GROUP).unique().iter_rows():
        outcome = _OUTCOMES[code]
        step = path.steps[at] if at >= 0 else None
        skipped = [skipped_part(s) for i, s in enumerate(path.steps) if mask >> i & 1]
        reason = joined([*opening, *skipped, _closing(outcome, path, step)])
        groups.append(_Group((code, at, mask), outcome, segment, path, step, reason))
    return [_group_answers(walked, groups, as_of)]


@functools.lru_cache(maxsize=256)
def _walk(path: TreatmentPath) -> tuple[tuple[pl.Expr, ...], ...]:
    """The walk's expressions, stage by stage, built once per path (on a shard of a few
    thousand cases, building them cost more than running them)."""
    return (
        tuple(_step_columns(path)),
        tuple(_walk_end(path)),
        tuple(_outcome(path)),
        (_step_at(),),
    )


def _step_columns(path: TreatmentPath) -> list[pl.Expr]:
    """Per step i: `_stop{i}` (its day is not reached), `_due{i}`, `_skip{i}`; `_start`."""
    days = pl.col("days_past_due")
    ids = [step.id for step in path.steps]
    start = pl.col("last_step").replace_strict(ids, list(range(len(ids))), default=-1)
    columns = [start.cast(pl.Int64).fill_null(-1).alias("_start")]
    for i, step in enumerate(path.steps):
        if step.on_day is not None:
            reached = (days >= step.on_day).fill_null(False)
            columns.append((~reached).alias(f"_stop{i}"))
        else:
            assert step.trigger is not None
            reached = to_polars(step.trigger)
            columns.append(pl.lit(False).alias(f"_stop{i}"))
        live = reached & ~_window_over(step) & _holds(step.when, default=True)
        skip = _holds(step.skip_when, default=False)
        columns += [(live & ~skip).alias(f"_due{i}"), (live & skip).alias(f"_skip{i}")]
        if step.repeats:
            active = ~_window_over(step) & _holds(step.trigger, default=True)
            active = active & _holds(step.when, default=True) & ~skip
            columns.append(active.alias(f"_active{i}"))
    return columns


def _walk_end(path: TreatmentPath) -> list[pl.Expr]:
    """`_end`: the first step after `_start` that stops or is due (len(steps): none);
    `_end_due`: it is due; `_current`: `last_step` repeats and is active, `_again`: its turn."""
    start = pl.col("_start")
    n = len(path.steps)
    end: pl.Expr = pl.lit(n, pl.Int64)
    end_due: pl.Expr = pl.lit(False)
    current: pl.Expr = pl.lit(False)
    again: pl.Expr = pl.lit(False)
    since = pl.col("days_since_last_step")
    for i in reversed(range(n)):
        stops = (start < i) & (pl.col(f"_stop{i}") | pl.col(f"_due{i}"))
        end = pl.when(stops).then(pl.lit(i, pl.Int64)).otherwise(end)
        end_due = pl.when(stops).then(pl.col(f"_due{i}")).otherwise(end_due)
        every = path.steps[i].repeat_every_days
        if every is not None:
            current = pl.when(start == i).then(pl.col(f"_active{i}")).otherwise(current)
            turn = since.is_null() | (since >= every).fill_null(False)
            again = pl.when(start == i).then(turn).otherwise(again)
    return [end.alias("_end"), end_due.alias("_end_due"), current.alias("_current"),
            again.alias("_again")]  # fmt: skip


def _outcome(path: TreatmentPath) -> list[pl.Expr]:
    """`_kind` (index into Outcome) and `_skip` (bit i: step i was skipped on the way)."""
    n = len(path.steps)
    start, end = pl.col("_start"), pl.col("_end")
    kind = (
        pl.when(pl.col("_end_due")).then(_code(Outcome.DUE))
        .when(pl.col("_current") & pl.col("_again")).then(_code(Outcome.REPEAT_DUE))
        .when(pl.col("_current")).then(_code(Outcome.REPEAT_WAITS))
        .when(end < n).then(_code(Outcome.WAITS))
        .when(start == n - 1).then(_code(Outcome.DONE))
        .otherwise(_code(Outcome.NOTHING_DUE))
    )  # fmt: skip
    skipped = functools.reduce(
        operator.add,
        (
            pl.when((start < i) & (end > i) & pl.col(f"_skip{i}"))
            .then(pl.lit(1 << i, pl.Int64))
            .otherwise(pl.lit(0, pl.Int64))
            for i in range(n)
        ),
    )
    if path.back_off is not None:
        backing_off = to_polars(path.back_off.when)
        kind = pl.when(backing_off).then(_code(Outcome.BACK_OFF)).otherwise(kind)
        skipped = pl.when(backing_off).then(pl.lit(0, pl.Int64)).otherwise(skipped)
    return [kind.alias("_kind"), skipped.alias("_skip")]


def _step_at() -> pl.Expr:
    """`_at`: the step the answer is about (the walk's end, or `last_step` when it repeats)."""
    kind = pl.col("_kind")
    return (
        pl.when(kind.is_in([_index(Outcome.DUE), _index(Outcome.WAITS)]))
        .then(pl.col("_end"))
        .when(kind.is_in([_index(Outcome.REPEAT_DUE), _index(Outcome.REPEAT_WAITS)]))
        .then(pl.col("_start"))
        .otherwise(pl.lit(-1, pl.Int64))
        .alias("_at")
    )


def _index(outcome: Outcome) -> int:
    return _OUTCOMES.index(outcome)


def _code(outcome: Outcome) -> pl.Expr:
    return pl.lit(_index(outcome), pl.Int64)


def _window_over(step: Step) -> pl.Expr:
    if step.until_day is None:
        return pl.lit(False)
    return (pl.col("days_past_due") > step.until_day).fill_null(False)


def _holds(expression: Expression | None, *, default: bool) -> pl.Expr:
    return pl.lit(default) if expression is None else to_polars(expression)


def _closing(outcome: Outcome, path: TreatmentPath, step: Step | None) -> Template:
    if outcome is Outcome.BACK_OFF:
        return back_off_part(path)
    if step is None:
        return done_part(path) if outcome is Outcome.DONE else nothing_due_part(path)
    return {
        Outcome.DUE: due_part,
        Outcome.REPEAT_DUE: repeat_due_part,
        Outcome.REPEAT_WAITS: repeat_waits_part,
        Outcome.WAITS: waits_part,
    }[outcome](step)


# --- one group's answer -----------------------------------------------------------------------


def _answer(
    rows: pl.DataFrame,
    as_of: dt.date,
    outcome: Outcome,
    reason: list[Template],
    *,
    segment: Segment | None = None,
    path: TreatmentPath | None = None,
    step: Step | None = None,
) -> pl.DataFrame:
    def text(value: str | None) -> pl.Expr:
        return pl.lit(value, dtype=pl.String)

    return rows.select(
        pl.col(_ROW),
        pl.col("account_id"),
        text(segment.id if segment else None).alias("segment"),
        text(path.id if path else None).alias("arm"),
        text(step.id if step else None).alias("step"),
        text(step.action.value if step else "none").alias("action"),
        text(step.channel if step else None).alias("channel"),
        text(step.template if step else None).alias("template"),
        pl.lit(step.needs_approval if step else False).alias("approval"),
        pl.lit(as_of if outcome.is_due else None, dtype=pl.Date).alias("due_on"),
        _next_on(outcome, step, as_of).alias("next_on"),
        text(outcome.value).alias("outcome"),
        reason_text(joined(reason)).alias("reason"),
    )


def _next_on(outcome: Outcome, step: Step | None, as_of: dt.date) -> pl.Expr:
    if outcome.is_due:
        return pl.lit(as_of, dtype=pl.Date)
    if step is not None and outcome is Outcome.WAITS and step.on_day is not None:
        wait = pl.lit(step.on_day, pl.Int64) - pl.col("days_past_due")
        return (pl.lit(as_of, dtype=pl.Date) + pl.duration(days=wait)).cast(pl.Date)
    if step is not None and outcome is Outcome.REPEAT_WAITS and step.repeat_every_days:
        wait = pl.lit(step.repeat_every_days, pl.Int64) - pl.col("days_since_last_step")
        return (pl.lit(as_of, dtype=pl.Date) + pl.duration(days=wait)).cast(pl.Date)
    return pl.lit(None, dtype=pl.Date)


# --- a path's answers, every group at once ----------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """One (outcome, step, skipped steps) of a path: everything its rows' answers share."""

    key: tuple[int, int, int]
    outcome: Outcome
    segment: Segment
    path: TreatmentPath
    step: Step | None
    reason: Template

    def texts_and_slots(self) -> tuple[list[str], list[str]]:
        """The reason as text, slot, text, … (texts[i] comes before slots[i])."""
        texts, slots = [""], []
        for part in self.reason:
            if isinstance(part, str):
                texts[-1] += part
            else:
                slots.append(part.fact)
                texts.append("")
        return texts, slots


def _group_answers(walked: pl.DataFrame, groups: list[_Group], as_of: dt.date) -> pl.DataFrame:
    """What `_answer` gives each group, for all of them with one join: a small table holds
    each group's literal columns and its reason's texts and slots; the rows fill the slots
    with their facts (the same text `reasons.to_polars` writes), without a select per group."""
    pieces = [g.texts_and_slots() for g in groups]
    width = max(len(slots) for _texts, slots in pieces)
    shown = list(dict.fromkeys(fact for _texts, slots in pieces for fact in slots))
    table = pl.DataFrame(
        {
            **{name: [g.key[i] for g in groups] for i, name in enumerate(_GROUP)},
            "segment": [g.segment.id for g in groups],
            "arm": [g.path.id for g in groups],
            "step": [g.step.id if g.step else None for g in groups],
            "action": [g.step.action.value if g.step else "none" for g in groups],
            "channel": [g.step.channel if g.step else None for g in groups],
            "template": [g.step.template if g.step else None for g in groups],
            "approval": [g.step.needs_approval if g.step else False for g in groups],
            "outcome": [g.outcome.value for g in groups],
            "_due": [g.outcome.is_due for g in groups],
            "_wait_on": [_waits_for_day(g) for g in groups],
            "_wait_every": [_waits_to_repeat(g) for g in groups],
            **{f"_t{i}": [(t + [""] * width)[i] for t, _s in pieces] for i in range(width + 1)},
            **{f"_s{i}": [(s + [None] * width)[i] for _t, s in pieces] for i in range(width)},
        },
        schema_overrides={
            **dict.fromkeys(_GROUP, pl.Int64),
            **dict.fromkeys(("step", "channel", "template"), pl.String),
            **{f"_s{i}": pl.String for i in range(width)},
            "_wait_on": pl.Int64,
            "_wait_every": pl.Int64,
        },
    )
    joined_rows = walked.with_columns(
        fact_text(fact).alias(f"_f{j}") for j, fact in enumerate(shown)
    ).join(table, on=list(_GROUP), how="left")
    reason: list[pl.Expr] = [pl.col("_t0")]
    for i in range(width):
        value: pl.Expr = pl.lit("")
        for j, fact in reversed(list(enumerate(shown))):
            value = pl.when(pl.col(f"_s{i}") == fact).then(pl.col(f"_f{j}")).otherwise(value)
        reason += [value, pl.col(f"_t{i + 1}")]
    day = pl.lit(as_of, dtype=pl.Date)
    return joined_rows.select(
        pl.col(_ROW), pl.col("account_id"), pl.col("segment"), pl.col("arm"), pl.col("step"),
        pl.col("action"), pl.col("channel"), pl.col("template"), pl.col("approval"),
        pl.when(pl.col("_due")).then(day).otherwise(pl.lit(None, pl.Date)).alias("due_on"),
        pl.when(pl.col("_due")).then(day)
        .when(pl.col("_wait_on").is_not_null())
        .then((day + pl.duration(days=pl.col("_wait_on") - pl.col("days_past_due"))).cast(pl.Date))
        .when(pl.col("_wait_every").is_not_null())
        .then((day + pl.duration(days=pl.col("_wait_every") - pl.col("days_since_last_step")))
              .cast(pl.Date))
        .otherwise(pl.lit(None, pl.Date)).alias("next_on"),
        pl.col("outcome"),
        (pl.concat_str(reason) if width else pl.col("_t0")).alias("reason"),
    )  # fmt: skip


def _waits_for_day(group: _Group) -> int | None:
    """The day the step waits for (`_next_on`'s WAITS case), else None."""
    step = group.step
    if step is not None and group.outcome is Outcome.WAITS and step.on_day is not None:
        return step.on_day
    return None


def _waits_to_repeat(group: _Group) -> int | None:
    """The days between a repeating step's turns (`_next_on`'s REPEAT_WAITS case), else None."""
    step = group.step
    if step is not None and group.outcome is Outcome.REPEAT_WAITS and step.repeat_every_days:
        return step.repeat_every_days
    return None
