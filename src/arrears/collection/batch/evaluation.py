"""Which strategy applies, what it says for every open case, and what the case records.

The strategy is the active `collection.Strategy` row (the most recently saved, if several codes
are active), else the bundled conventional ladder. `evaluate_frame` decides a whole shard;
before that, the batch's own two rules apply to both paths alike:

- a case whose treatment is paused (`paused_until` on or after the date: a live promise, a
  hardship claim) starts no step — its next action is none, with the pause's reason;
- a case that already had a step scheduled on this date is not evaluated again (a re-run of the
  night writes nothing).

The case records the strategy, segment, path (the arm), next action, its date and the reason;
a step due today also becomes the case's `last_step` (done on this date). Only rows whose
values change are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from arrears.collection.batch import texts
from arrears.collection.batch.cases import cancel_pending_actions, write_events
from arrears.collection.choices import CaseEventKind
from arrears.collection.models import Case, Strategy
from arrears.common import bulk
from arrears.core.strategy import Outcome, evaluate_frame, load_bundled_strategy, read_strategy
from arrears.core.strategy import Strategy as StrategyDocument
from arrears.core.strategy.document import DEFAULT_STRATEGY

PAUSED = "paused"


@dataclass(frozen=True)
class ActiveStrategy:
    document: StrategyDocument
    row_id: int | None  # None: the bundled strategy (no row)


def active_strategy() -> ActiveStrategy:
    """The strategy the night applies (see the module's docstring)."""
    row = Strategy.objects.filter(is_active=True).order_by("-saved_at", "-pk").first()
    if row is None:
        return ActiveStrategy(load_bundled_strategy(DEFAULT_STRATEGY), None)
    return ActiveStrategy(read_strategy(row.yaml_text, source=f"strategy {row}"), row.pk)


def evaluate_cases(
    strategy: StrategyDocument, facts: pl.DataFrame, cases: pl.DataFrame, *, day: dt.date
) -> pl.DataFrame:
    """The strategy's answer for each open case (evaluate_frame's columns + case_id), with the
    pause applied; cases already stepped today are left out."""
    stepped = cases.filter(pl.col("last_step_on") == day)["case_id"]
    todo = facts.filter(~pl.col("case_id").is_in(stepped.implode()))
    answers = evaluate_frame(strategy, todo.drop("case_id"), as_of=day)
    joined = answers.join(todo.select("account_id", "case_id"), on="account_id", how="left").join(
        cases.select("case_id", "paused_until", "pause_reason"), on="case_id", how="left"
    )
    return apply_pause(joined, day=day).drop("paused_until", "pause_reason")


def apply_pause(answers: pl.DataFrame, *, day: dt.date) -> pl.DataFrame:
    """A paused case starts no step: its action is none and its reason the pause's."""
    paused = pl.col("paused_until").is_not_null() & (pl.col("paused_until") >= day)
    reason = pl.struct("paused_until", "pause_reason").map_elements(
        lambda row: texts.paused_reason(until=row["paused_until"], why=row["pause_reason"]),
        return_dtype=pl.String,
    )
    none = pl.lit(None, dtype=pl.String)
    return answers.with_columns(
        pl.when(paused).then(none).otherwise(pl.col("step")).alias("step"),
        pl.when(paused).then(pl.lit("none")).otherwise(pl.col("action")).alias("action"),
        pl.when(paused).then(none).otherwise(pl.col("channel")).alias("channel"),
        pl.when(paused).then(none).otherwise(pl.col("template")).alias("template"),
        pl.when(paused).then(pl.lit(False)).otherwise(pl.col("approval")).alias("approval"),
        pl.when(paused).then(pl.lit(None, pl.Date)).otherwise(pl.col("due_on")).alias("due_on"),
        pl.when(paused)
        .then(pl.col("paused_until") + pl.duration(days=1))
        .otherwise(pl.col("next_on"))
        .alias("next_on"),
        pl.when(paused).then(pl.lit(PAUSED)).otherwise(pl.col("outcome")).alias("outcome"),
        pl.when(paused).then(reason).otherwise(pl.col("reason")).alias("reason"),
    )


def leave_queues(answers: pl.DataFrame, *, now: dt.datetime) -> int:
    """Cases the strategy leaves alone (a dispute, a plan) leave every queue: what they had
    still to come is cancelled, with the strategy's reason. Returns how many actions."""
    alone = answers.filter(pl.col("outcome") == Outcome.LEFT_ALONE.value).select(
        "case_id", pl.col("reason").alias("why")
    )
    if alone.is_empty():
        return 0
    return sum(cancel_pending_actions(alone, now=now).values())


def due_today(answers: pl.DataFrame) -> pl.Expr:
    return pl.col("outcome").is_in([Outcome.DUE.value, Outcome.REPEAT_DUE.value])


def record_on_cases(
    answers: pl.DataFrame,
    cases: pl.DataFrame,
    *,
    strategy_id: int | None,
    day: dt.date,
    now: dt.datetime,
    steps_taken: bool = True,
) -> int:
    """Write each case's segment, path, next action and reason (changed rows only); a step due
    today becomes its last step (unless `steps_taken` is False: a catch-up night). A case that
    changes segment or path gets a `treatment` event. Returns how many cases were written."""
    due = due_today(answers) & pl.lit(steps_taken)
    has_step = pl.col("outcome").is_in(
        [o.value for o in Outcome if o.has_step]  # due, repeat due/waits, waits
    )
    wanted = answers.select(
        "case_id",
        pl.lit(strategy_id, dtype=pl.Int64).alias("strategy_id"),
        pl.col("segment").fill_null(""),
        pl.col("arm").fill_null("").alias("path"),
        pl.when(has_step).then(pl.col("action")).otherwise(pl.lit("none")).alias("next_action"),
        pl.coalesce("due_on", "next_on").alias("next_action_on"),
        pl.col("reason").alias("next_action_reason"),
        pl.when(due).then(pl.col("step")).otherwise(None).alias("_step"),
    )
    before = cases.select(
        "case_id",
        pl.col("strategy_id").alias("_strategy_id"),
        pl.col("segment").alias("_segment"),
        pl.col("path").alias("_path"),
        pl.col("next_action").alias("_next_action"),
        pl.col("next_action_on").alias("_next_action_on"),
        pl.col("next_action_reason").alias("_next_action_reason"),
        pl.col("last_step").alias("_last_step"),
        pl.col("last_step_on").alias("_last_step_on"),
    )
    merged = wanted.join(before, on="case_id", how="inner").with_columns(
        pl.coalesce("_step", "_last_step").alias("last_step"),
        pl.when(pl.col("_step").is_not_null())
        .then(pl.lit(day))
        .otherwise(pl.col("_last_step_on"))
        .alias("last_step_on"),
    )
    columns = ("strategy_id", "segment", "path", "next_action", "next_action_on",
               "next_action_reason", "last_step", "last_step_on")  # fmt: skip
    changed = merged.filter(
        pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"_{c}")) for c in columns)
    )
    bulk.update_rows(
        Case,
        (*columns, "evaluated_on", "updated_at"),
        [(*row[1:], day, now, row[0]) for row in changed.select("case_id", *columns).iter_rows()],
    )
    moved = merged.filter(
        pl.col("segment").ne_missing(pl.col("_segment"))
        | pl.col("path").ne_missing(pl.col("_path"))
    )
    write_events(
        (
            (
                case_id,
                CaseEventKind.TREATMENT,
                reason,
                {
                    "strategy": strategy_id,
                    "segment": segment,
                    "path": path,
                    "from": {"segment": old_segment, "path": old_path},
                },
            )
            for case_id, segment, path, old_segment, old_path, reason in moved.select(
                "case_id", "segment", "path", "_segment", "_path", "next_action_reason"
            ).iter_rows()
        ),
        day=day,
        now=now,
    )
    return changed.height
