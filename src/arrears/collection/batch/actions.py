"""Writing the night's actions: the outbox rows of the messages, the actions, the case history.

A message the gate allows (or defers) is rendered from its template in the borrower's language
and written to the outbox with its decision and permit (`status` pending, first attempt at the
moment the gate allows); the dispatcher sends it. Every action gets a row with its idempotency
key, and its case a `step` event. Rows are written with `bulk.insert_rows` (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import polars as pl

from arrears.collection.batch.cases import write_events
from arrears.collection.batch.plan import TEMPLATED
from arrears.collection.choices import ActionStatus, CaseEventKind
from arrears.collection.models import Case, CollectionAction
from arrears.collection.services.scheduling import self_service_url
from arrears.common import bulk
from arrears.compliance.choices import Purpose
from arrears.core.money import Money
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.models import OutboxMessage, Template
from arrears.engagement.services.templates import TemplateRenderer

#: Days a letter gives the borrower to pay (its `pay_by`).
LETTER_PAY_DAYS = 14

_ACTION_COLUMNS = (
    "idempotency_key", "case_id", "account_id", "borrower_id", "business_date", "step", "kind",
    "channel", "template", "address", "status", "due_at", "expected_value_minor", "currency",
    "needs_approval", "queue_id", "assigned_to_id", "decision_id", "outbox_message_id", "reason",
    "created_at",
)  # fmt: skip
_OUTBOX_COLUMNS = (
    "id", "idempotency_key", "borrower_id", "account_id", "kind", "purpose", "channel",
    "address", "language", "subject", "body", "html_body", "template_id", "due_on", "status",
    "attempts", "next_attempt_at", "last_error", "decision_id", "permit_id", "provider_ref",
    "created_at",
)  # fmt: skip


def write_actions(
    actions: pl.DataFrame,
    *,
    day: dt.date,
    now: dt.datetime,
    lender_zone: str,
    templates: Mapping[int, Template],
) -> dict[str, int]:
    """Write the outbox rows, the actions and their `step` events; returns counts by status."""
    if actions.is_empty():
        return {}
    sending = pl.col("kind").is_in(list(TEMPLATED)) & pl.col("status").is_in(
        [ActionStatus.SCHEDULED.value, ActionStatus.DEFERRED.value]
    )
    actions = actions.with_columns(
        pl.when(sending)
        .then(pl.Series([str(uuid.uuid4()) for _ in range(actions.height)]))
        .otherwise(None)
        .alias("outbox_message_id"),
        pl.col("due_at").dt.convert_time_zone(lender_zone).dt.date().alias("_due_on"),
    )
    _write_outbox(actions.filter(sending), day=day, now=now, templates=templates)
    bulk.insert_rows(
        CollectionAction,
        _ACTION_COLUMNS,
        [
            (
                key,
                case,
                account,
                borrower,
                day,
                step,
                kind,
                channel,
                template,
                address or "",
                status,
                due_at,
                value,
                currency,
                approval,
                queue,
                agent,
                decision,
                uuid.UUID(message) if message else None,
                reason,
                now,
            )
            for (
                key,
                case,
                account,
                borrower,
                step,
                kind,
                channel,
                template,
                address,
                status,
                due_at,
                value,
                currency,
                approval,
                queue,
                agent,
                decision,
                message,
                reason,
            ) in actions.select(
                "key",
                "case_id",
                "account_id",
                "borrower_id",
                "step",
                "kind",
                "channel",
                "template",
                "address",
                "status",
                "due_at",
                "expected_value_minor",
                "currency",
                "needs_approval",
                "queue_id",
                "assigned_to_id",
                "decision_id",
                "outbox_message_id",
                "reason",
            ).iter_rows()
        ],
    )
    write_events(
        (
            (
                case,
                CaseEventKind.STEP,
                reason,
                {"step": step, "action": kind, "channel": channel, "status": status, "key": key},
            )
            for case, reason, step, kind, channel, status, key in actions.select(
                "case_id", "reason", "step", "kind", "channel", "status", "key"
            ).iter_rows()
        ),
        day=day,
        now=now,
    )
    counts = actions.group_by("status").len()
    return {f"actions.{status}": int(n) for status, n in counts.iter_rows()}


def _write_outbox(
    rows: pl.DataFrame, *, day: dt.date, now: dt.datetime, templates: Mapping[int, Template]
) -> None:
    records: list[tuple[Any, ...]] = []
    renderers: dict[int, TemplateRenderer] = {}  # each template compiled once for the night
    case = Case()  # the unsaved case the self-service link is signed for (only its account)
    for row in rows.iter_rows(named=True):
        renderer = renderers.get(row["template_id"])
        if renderer is None:
            renderer = renderers[row["template_id"]] = TemplateRenderer(
                templates[row["template_id"]]
            )
        rendered = renderer.render(message_variables(row, day=day, case=case))
        records.append(
            (
                uuid.UUID(row["outbox_message_id"]),
                row["key"],
                row["borrower_id"],
                row["account_id"],
                row["template"],
                Purpose.COLLECTION.value,
                row["channel"],
                row["address"],
                row["language"],
                rendered.subject[:300],
                rendered.body,
                rendered.html_body,
                row["template_id"],
                row["_due_on"],
                OutboxStatus.PENDING.value,
                0,
                row["due_at"],
                "",
                row["decision_id"],
                uuid.UUID(row["permit_id"]) if row["permit_id"] else None,
                "",
                now,
            )
        )
    bulk.insert_rows(OutboxMessage, _OUTBOX_COLUMNS, records)


def message_variables(
    row: Mapping[str, Any], *, day: dt.date, case: Case | None = None
) -> dict[str, Any]:
    """What a collection message says (the per-case scheduling's variables, and for letters the
    balance and the date to pay by). `case`: an unsaved case to reuse for the link (building
    one per message costs more than the rest)."""
    currency = row["currency"]
    case = case or Case()
    case.account_id = row["account_id"]
    return {
        "borrower_name": row["full_name"],
        "account_last4": str(row["account_number"])[-4:],
        "amount": Money.from_minor(int(row["past_due_minor"]), currency),
        "days_past_due": int(row["days_past_due"]),
        "self_service_url": self_service_url(case),
        "balance": Money.from_minor(max(int(row["balance_minor"]), 0), currency),
        "pay_by": day + dt.timedelta(days=LETTER_PAY_DAYS),
    }
