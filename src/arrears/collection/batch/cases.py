"""Opening, closing and moving cases for a whole shard at once.

The rules and the history are the per-case services' (`collection.services.cases`): a case
opens when its account is past due (1 day or more, open or charged off) and has no open case;
it closes when the account is brought up to date (cured) or is paid off with nothing owed (paid
in full), cancelling what it had still to come; its stage follows
`core.collection.stages.stage_for` (a case escalated to legal or agency stays there). Each
change writes the `CaseEvent` that `open_case`, `close_case` and `move_case_stage` write, with
the reasons of `batch.texts` (a differential test holds the two paths equal).

The batch decides with Polars and writes with `bulk.insert_rows` / `bulk.update_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from arrears.collection.batch import texts
from arrears.collection.batch.reading import Shard, read_open_cases
from arrears.collection.choices import CaseCloseReason, CaseEventKind, CaseStatus, OwnerKind
from arrears.collection.models import Case, CaseEvent
from arrears.collection.services.cases import PENDING_ACTIONS
from arrears.common import bulk
from arrears.core.collection.stages import stage_for


@dataclass(frozen=True)
class CaseChanges:
    """What reconciling did, and the shard's open cases afterwards."""

    cases: pl.DataFrame
    opened: int
    closed: int
    moved: int


def reconcile_cases(
    accounts: pl.DataFrame, cases: pl.DataFrame, *, shard: Shard, now: dt.datetime
) -> CaseChanges:
    """Open, close and move the shard's cases; returns its open cases after the changes."""
    day = shard.business_date
    joined = accounts.join(cases, on="account_id", how="left")
    to_open = with_stages(
        joined.filter(
            pl.col("case_id").is_null()
            & pl.col("account_status").is_in(["open", "charged_off"])
            & (pl.col("days_past_due") >= 1)
        ),
        current=False,
    )
    has_case = joined.filter(pl.col("case_id").is_not_null())
    why = _close_reason()
    to_close = has_case.with_columns(why.alias("close_reason")).filter(
        pl.col("close_reason").is_not_null()
    )
    moved = with_stages(has_case.filter(why.is_null()), current=True).filter(
        pl.col("new_stage") != pl.col("stage")
    )
    open_cases(to_open, day=day, now=now)
    close_cases(to_close, day=day, now=now)
    move_cases(moved, day=day, now=now)
    changed = to_open.height + to_close.height + moved.height
    return CaseChanges(
        read_open_cases(shard) if changed else cases,
        opened=to_open.height,
        closed=to_close.height,
        moved=moved.height,
    )


def _close_reason() -> pl.Expr:
    """Why an open case closes today (null: it stays open)."""
    status = pl.col("account_status")
    return (
        pl.when(status.is_in(["paid_off", "closed"]) & (pl.col("balance_minor") <= 0))
        .then(pl.lit(CaseCloseReason.PAID_IN_FULL.value))
        .when(
            (status == "open")
            & (pl.col("days_past_due") == 0)
            & (pl.col("stage") != "pre_delinquency")
        )
        .then(pl.lit(CaseCloseReason.CURED.value))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def with_stages(rows: pl.DataFrame, *, current: bool) -> pl.DataFrame:
    """`new_stage` for every row by the one scalar rule (`stage_for`), asked once per distinct
    (days past due, charged off[, current stage])."""
    keys = ["days_past_due", "charged_off", *(["stage"] if current else [])]
    distinct = rows.select(keys).unique()
    stages = [
        stage_for(int(values[0]), charged_off=bool(values[1]),
                  current=values[2] if current else None).value
        for values in distinct.iter_rows()
    ]  # fmt: skip
    table = distinct.with_columns(pl.Series("new_stage", stages, dtype=pl.String))
    return rows.join(table, on=keys, how="left", nulls_equal=True)


def open_cases(rows: pl.DataFrame, *, day: dt.date, now: dt.datetime) -> None:
    """Open a case for each row (account_id, borrower_id, new_stage, days_past_due, bucket)."""
    if rows.is_empty():
        return
    reasons = [
        texts.opened_reason(days_past_due=dpd, bucket=bucket)
        for dpd, bucket in rows.select("days_past_due", "bucket").iter_rows()
    ]
    columns = ("account_id", "borrower_id", "status", "stage", "opened_on", "opened_reason",
               "close_reason", "owner_kind", "segment", "path", "last_step", "next_action",
               "next_action_reason", "pause_reason", "hardship", "vulnerable",
               "no_answer_streak", "updated_at")  # fmt: skip
    bulk.insert_rows(
        Case,
        columns,
        [
            (
                account,
                borrower,
                CaseStatus.OPEN,
                stage,
                day,
                reason[:300],
                "",
                OwnerKind.QUEUE,
                "",
                "",
                "",
                "none",
                "",
                "",
                False,
                False,
                0,
                now,
            )
            for (account, borrower, stage), reason in zip(
                rows.select("account_id", "borrower_id", "new_stage").iter_rows(),
                reasons,
                strict=True,
            )
        ],
    )
    first, last = int(rows["account_id"].min()), int(rows["account_id"].max())  # type: ignore[arg-type]
    opened = bulk.read_frame(
        "SELECT c.id, c.account_id FROM collection_case c WHERE c.status = 'open' "
        "AND c.opened_on = %s AND c.account_id BETWEEN %s AND %s",
        [day, first, last],
        {"case_id": pl.Int64(), "account_id": pl.Int64()},
    )
    facts = rows.select("account_id", "new_stage", "days_past_due", "bucket").with_columns(
        pl.Series("reason", reasons)
    )
    write_events(
        (
            (
                case_id,
                CaseEventKind.OPENED,
                reason,
                {"stage": stage, "days_past_due": dpd, "bucket": bucket},
            )
            for case_id, _account, stage, dpd, bucket, reason in opened.join(
                facts, on="account_id", how="inner"
            ).iter_rows()
        ),
        day=day,
        now=now,
    )


def close_cases(rows: pl.DataFrame, *, day: dt.date, now: dt.datetime) -> None:
    """Close each row's case (case_id, close_reason, days_past_due), cancelling what waits."""
    if rows.is_empty():
        return
    closing = rows.select("case_id", "close_reason", "days_past_due")
    why = closing.select(
        "case_id",
        pl.col("close_reason")
        .map_elements(texts.cancelled_reason, return_dtype=pl.String)
        .alias("why"),
    )
    cancelled = cancel_pending_actions(why, now=now)
    bulk.update_rows(
        Case,
        ("status", "closed_on", "close_reason", "next_action", "next_action_on", "updated_at"),
        [
            (CaseStatus.CLOSED, day, reason, "none", None, now, case_id)
            for case_id, reason, _dpd in closing.iter_rows()
        ],
    )
    write_events(
        (
            (
                case_id,
                CaseEventKind.CLOSED,
                texts.closed_event_reason(reason),
                {
                    "close_reason": reason,
                    "days_past_due": dpd,
                    "cancelled": cancelled.get(case_id, 0),
                },
            )
            for case_id, reason, dpd in closing.iter_rows()
        ),
        day=day,
        now=now,
    )


def move_cases(rows: pl.DataFrame, *, day: dt.date, now: dt.datetime) -> None:
    """Move each row's case (case_id, stage, new_stage, days_past_due) to its new stage."""
    if rows.is_empty():
        return
    moving = rows.select("case_id", "stage", "new_stage", "days_past_due")
    bulk.update_rows(
        Case,
        ("stage", "updated_at"),
        [(new, now, case_id) for case_id, _old, new, _dpd in moving.iter_rows()],
    )
    write_events(
        (
            (
                case_id,
                CaseEventKind.STAGE,
                texts.stage_reason(old=old, new=new, days_past_due=dpd),
                {"from": old, "to": new},
            )
            for case_id, old, new, dpd in moving.iter_rows()
        ),
        day=day,
        now=now,
    )


def cancel_pending_actions(cancelling: pl.DataFrame, *, now: dt.datetime) -> dict[int, int]:
    """Cancel the actions still to come of each case (case_id, why) and their messages not yet
    sent, as `services.cases.cancel_pending_actions` does; returns how many per case."""
    statuses = list(PENDING_ACTIONS)
    stamp = connection.ops.adapt_datetimefield_value(now)
    counts: dict[int, int] = {}
    marks = ", ".join(["%s"] * len(statuses))
    with connection.cursor() as cursor:
        for why, ids in cancelling.group_by("why").agg(pl.col("case_id")).iter_rows():
            for chunk in _chunks(ids, 500):
                holes = ", ".join(["%s"] * len(chunk))
                pending = f"x.case_id IN ({holes}) AND x.status IN ({marks})"
                cursor.execute(
                    f"SELECT x.case_id, COUNT(*) FROM collection_collectionaction x "
                    f"WHERE {pending} GROUP BY x.case_id",
                    [*chunk, *statuses],
                )
                found = {int(c): int(n) for c, n in cursor.fetchall()}
                if not found:
                    continue
                counts.update(found)
                cursor.execute(
                    "UPDATE engagement_outboxmessage SET status = 'cancelled', last_error = %s "
                    "WHERE status = 'pending' AND id IN (SELECT x.outbox_message_id "
                    f"FROM collection_collectionaction x WHERE {pending})",
                    [why[:2000], *chunk, *statuses],
                )
                cursor.execute(
                    "UPDATE collection_collectionaction SET status = 'cancelled', done_at = %s, "
                    f"reason = %s WHERE case_id IN ({holes}) AND status IN ({marks})",
                    [stamp, why[:2000], *chunk, *statuses],
                )
    return counts


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def write_events(
    rows: Iterable[tuple[int, str, str, dict[str, Any]]], *, day: dt.date, now: dt.datetime
) -> int:
    """One `CaseEvent` per (case_id, kind, reason, detail)."""
    return bulk.insert_rows(
        CaseEvent,
        ("case_id", "kind", "on", "at", "reason", "detail"),
        [(case_id, kind, day, now, reason, detail) for case_id, kind, reason, detail in rows],
    )
