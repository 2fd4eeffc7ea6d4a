"""Every proposed contact of a shard through the compliance gate at once (`decide_in_bulk`).

Messages are decided with permits (the outbox row carries the decision and the permit, so the
dispatcher can send at once); calls are decided without (a permit lasts minutes, an agent calls
later and asks the gate again). The answer sets the action, as the per-case scheduling does:

- allowed at the proposed moment → `scheduled` (a message) or `queued` (a call), due then;
- refused with a next permitted time → `deferred` to that time;
- refused with none (a hold, an opt-out: only a person can lift it) → `blocked`, not due.

Each proposal's request id is the action's key (`plan.request_id`): a re-run gets the decision
already logged back and logs nothing new.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from arrears.collection.batch import texts
from arrears.collection.batch.plan import GATE
from arrears.collection.choices import ActionKind, ActionStatus
from arrears.compliance.choices import Purpose
from arrears.compliance.services.bulk import decide_in_bulk

_UTC = pl.Datetime("us", "UTC")
ANSWER_COLUMNS = {
    "request_id": pl.String(),
    "decision_id": pl.Int64(),
    "permit_id": pl.String(),
    "allowed": pl.Boolean(),
    "next_permitted_at": _UTC,
}


def ask_gate(plan: pl.DataFrame, *, now: dt.datetime) -> pl.DataFrame:
    """The plan with the gate's answer: status, due_at, reason, decision_id, permit_id."""
    gated = plan.filter(pl.col("status") == GATE)
    calls = gated.filter(pl.col("kind") == ActionKind.CALL)
    messages = gated.filter(pl.col("kind") != ActionKind.CALL)
    answers = pl.concat(
        [_decide(messages, now=now, automated=True), _decide(calls, now=now, automated=False)],
        how="vertical",
    )
    joined = plan.join(answers, on="request_id", how="left")
    return joined.with_columns(*_settled()).drop("allowed", "next_permitted_at")


def _decide(rows: pl.DataFrame, *, now: dt.datetime, automated: bool) -> pl.DataFrame:
    if rows.is_empty():
        return pl.DataFrame(schema=ANSWER_COLUMNS)
    proposals = rows.select(
        "request_id",
        "borrower_id",
        "account_id",
        "channel",
        "address",
        pl.lit(Purpose.COLLECTION.value).alias("purpose"),
        "at",
        pl.lit(automated).alias("automated"),
    )
    answered = decide_in_bulk(proposals=proposals, now=now, issue_permits=automated)
    return answered.select(pl.col(name).cast(dtype) for name, dtype in ANSWER_COLUMNS.items())


def _settled() -> list[pl.Expr]:
    gated = pl.col("status") == GATE
    allowed = gated & pl.col("allowed")
    deferred = gated & ~pl.col("allowed") & pl.col("next_permitted_at").is_not_null()
    blocked = gated & ~pl.col("allowed") & pl.col("next_permitted_at").is_null()
    ready = (
        pl.when(pl.col("kind") == ActionKind.CALL)
        .then(pl.lit(ActionStatus.QUEUED.value))
        .otherwise(pl.lit(ActionStatus.SCHEDULED.value))
    )
    status = (
        pl.when(allowed)
        .then(ready)
        .when(deferred)
        .then(pl.lit(ActionStatus.DEFERRED.value))
        .when(blocked)
        .then(pl.lit(ActionStatus.BLOCKED.value))
        .otherwise(pl.col("status"))
    )
    due_at = (
        pl.when(deferred)
        .then(pl.col("next_permitted_at"))
        .when(blocked | (pl.col("status") == ActionStatus.SKIPPED))
        .then(pl.lit(None, dtype=_UTC))
        .otherwise(pl.col("at"))
    )
    reason = pl.struct("reason", "next_permitted_at").map_elements(
        lambda row: (
            texts.deferred(row["reason"], row["next_permitted_at"])
            if row["next_permitted_at"] is not None
            else row["reason"]
        ),
        return_dtype=pl.String,
    )
    return [
        status.alias("status"),
        due_at.alias("due_at"),
        pl.when(deferred)
        .then(reason)
        .when(blocked)
        .then(pl.col("reason").map_elements(texts.blocked, return_dtype=pl.String))
        .otherwise(pl.col("reason"))
        .alias("reason"),
        pl.when(allowed).then(pl.col("permit_id")).otherwise(None).alias("permit_id"),
    ]
