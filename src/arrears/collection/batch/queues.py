"""Filling the work queues: each call to its queue, its value, and an owner (分案).

Routing is the per-case rule (`services.scheduling.route_queue`): the case's own queue if it
is active, else the first active queue (by order, then code) that takes the case's stage (a
queue with no stages takes every stage) and whose skills cover what the case needs
(`hardship_trained` for hardship or vulnerable borrowers, `legal` in the legal stage), else the
first that takes the stage. The call's expected value is `core.collection.value` (the
balance at risk × the chance a contact brings payment − its cost), ranking the queue.

Allocation deals the routed cases to the collectors of each queue with
`core.collection.assignment.assign_cases`: available collectors who have the queue's skills,
what the case needs and its language (`Collector.languages`), under their capacity (open cases
they own); a case stays with its collector while that collector may still take it. A case given
to a collector records an `owner` event with the reason; a case nobody can take stays with the
queue (the action says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Q
from django.utils.translation import get_language

from arrears.collection.batch.cases import write_events
from arrears.collection.choices import CaseEventKind, CaseStatus, OwnerKind
from arrears.collection.models import Case, Collector, WorkQueue
from arrears.common import bulk
from arrears.core.collection.assignment import CaseToAssign, Owner, assign_cases
from arrears.core.collection.labels import describe
from arrears.core.collection.value import ContactValueModel, contact_values
from arrears.core.money import Money

CALLS = ("queued", "deferred")


@dataclass(frozen=True)
class Queue:
    pk: int
    code: str
    stages: frozenset[str]
    skills: frozenset[str]


@dataclass(frozen=True)
class Staff:
    """The night's queues (in routing order) and the collectors who work each."""

    queues: tuple[Queue, ...]
    collectors: dict[int, list[Any]] = field(default_factory=dict)  # queue id → collectors

    @classmethod
    def load(cls) -> Staff:
        queues = tuple(
            Queue(q.pk, q.code, frozenset(q.stages or ()), frozenset(q.skills or ()))
            for q in WorkQueue.objects.filter(is_active=True).order_by("sort_order", "code")
        )
        members: dict[int, list[Any]] = {q.pk: [] for q in queues}
        for collector in Collector.objects.filter(
            is_available=True, user__is_active=True
        ).prefetch_related("queues"):
            for queue in collector.queues.all():
                if queue.pk in members:
                    members[queue.pk].append(collector)
        return cls(queues, members)


def needed_skills(hardship: bool, vulnerable: bool, stage: str) -> frozenset[str]:
    """What a collector needs for the case (as `services.scheduling.skills_needed`)."""
    needed = set()
    if hardship or vulnerable:
        needed.add("hardship_trained")
    if stage == "legal":
        needed.add("legal")
    return frozenset(needed)


def route(calls: pl.DataFrame, cases: pl.DataFrame, staff: Staff) -> pl.DataFrame:
    """Each call with the queue it goes to (queue_id, null when no queue takes its stage)."""
    if calls.is_empty():
        return calls.with_columns(pl.lit(None, pl.Int64).alias("queue_id"))
    own = {q.pk for q in staff.queues}
    keyed = calls.join(cases.select("case_id", pl.col("queue_id").alias("_own_queue")),
                       on="case_id", how="left")  # fmt: skip
    chosen = [
        own_queue if own_queue in own else _first_queue(staff.queues, stage, hardship, vulnerable)
        for own_queue, stage, hardship, vulnerable in keyed.select(
            "_own_queue", "case_stage", "hardship", "vulnerable"
        ).iter_rows()
    ]
    return keyed.with_columns(pl.Series("queue_id", chosen, dtype=pl.Int64)).drop("_own_queue")


def _first_queue(
    queues: Sequence[Queue], stage: str, hardship: bool, vulnerable: bool
) -> int | None:
    needed = needed_skills(hardship, vulnerable, stage)
    for_stage = [q for q in queues if not q.stages or stage in q.stages]
    fitting = [q for q in for_stage if needed <= q.skills]
    chosen = fitting or for_stage
    return chosen[0].pk if chosen else None


def expected_values(rows: pl.DataFrame, model: ContactValueModel) -> pl.Series:
    """The value of each contact (`core.collection.value`), null where the model has no figures
    (another currency, an unknown bucket, a call with no answer rate)."""
    usable = (
        (pl.col("currency") == model.currency)
        & pl.col("bucket").is_in(list(model.base_propensity))
        & pl.col("channel").is_in([str(c) for c in model.uplift if c in model.cost])
        & (
            pl.col("answer_rate").is_not_null()
            | pl.col("channel").is_in([str(c) for c in model.reach])
        )
    )
    frame = rows.with_row_index("_i").with_columns(
        pl.max_horizontal(pl.col("balance_minor"), pl.lit(0)).alias("balance_minor")
    )
    wanted = frame.filter(usable).select("_i", "balance_minor", "bucket", "channel", "answer_rate")
    valued = contact_values(wanted, model)
    return (
        frame.select("_i")
        .join(valued.select("_i", "value_minor"), on="_i", how="left")
        .sort("_i")["value_minor"]
        .alias("expected_value_minor")
    )


def allocate(
    calls: pl.DataFrame, staff: Staff, *, day: dt.date, now: dt.datetime, currency: str
) -> pl.DataFrame:
    """Deal each queue's calls to its collectors; adds assigned_to_id (null: stays with the
    queue) and records an `owner` event for each case that changes hands."""
    owners_of: dict[int, int] = {}
    why: dict[int, str] = {}
    open_cases = _open_cases_by_agent()
    labels: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}  # few distinct reasons
    for queue in staff.queues:
        members = staff.collectors.get(queue.pk) or []
        rows = calls.filter(pl.col("queue_id") == queue.pk)
        if not members or rows.is_empty():
            continue
        result = assign_cases(
            [_case(row, queue, currency) for row in rows.iter_rows(named=True)],
            [_owner(c, queue, open_cases) for c in members],
            currency=currency,
        )
        for placed in result.assignments:
            owners_of[int(placed.case_id)] = int(placed.owner_id)
            why[int(placed.case_id)] = _label(placed.reason, placed.params, labels)
        for left in result.unassigned:
            why[int(left.case_id)] = _label(left.reason, left.params, labels)
    assigned = calls.with_columns(
        pl.col("case_id").replace_strict(owners_of, default=None, return_dtype=pl.Int64)
        .alias("assigned_to_id")
    )  # fmt: skip
    _record_owners(assigned, why, day=day, now=now)
    return assigned


def _case(row: dict[str, Any], queue: Queue, currency: str) -> CaseToAssign:
    needs = needed_skills(row["hardship"], row["vulnerable"], row["case_stage"]) | queue.skills
    needs |= {f"language:{row['language']}"}
    return CaseToAssign(
        case_id=str(row["case_id"]),
        balance=Money.from_minor(max(int(row["balance_minor"]), 0), currency)
        if row["currency"] == currency
        else Money.zero(currency),
        skills_needed=frozenset(needs),
        current_owner=str(row["agent_id"]) if row.get("agent_id") else None,
    )


def _owner(collector: Any, queue: Queue, open_cases: dict[int, int]) -> Owner:
    skills = {*collector.skills, *(f"language:{lang}" for lang in collector.languages)}
    return Owner(
        owner_id=str(collector.user_id),
        skills=frozenset(skills),
        available=collector.is_available,
        max_open_cases=collector.max_open_cases,
        open_cases=open_cases.get(collector.user_id, 0),
        weight=Decimal(1),
    )


def _open_cases_by_agent() -> dict[int, int]:
    rows = (
        Case.objects.filter(status=CaseStatus.OPEN, owner_kind=OwnerKind.AGENT)
        .exclude(Q(agent__isnull=True))
        .values("agent_id")
        .annotate(n=Count("pk"))
    )
    return {row["agent_id"]: row["n"] for row in rows}


def _label(
    key: str, params: Any, labels: dict[tuple[str, tuple[tuple[str, str], ...]], str]
) -> str:
    """The core's reason in the lender's language (`core.collection.labels`), described once
    per distinct reason and parameters (`labels` keeps them for the night)."""
    texts = {k: str(v) for k, v in dict(params).items()}
    memo = (key, tuple(texts.items()))
    if memo not in labels:
        labels[memo] = describe(key, texts, get_language() or "en")
    return labels[memo]


def _record_owners(
    calls: pl.DataFrame, why: dict[int, str], *, day: dt.date, now: dt.datetime
) -> None:
    moved = calls.filter(
        pl.col("assigned_to_id").is_not_null()
        & pl.col("assigned_to_id").ne_missing(pl.col("agent_id"))
    )
    if moved.is_empty():
        return
    bulk.update_rows(
        Case,
        ("owner_kind", "agent_id", "agency_id", "updated_at"),
        [(OwnerKind.AGENT, agent, None, now, case) for case, agent in
         moved.select("case_id", "assigned_to_id").iter_rows()],
    )  # fmt: skip
    write_events(
        (
            (
                case,
                CaseEventKind.OWNER,
                why.get(case, ""),
                {
                    "from": {"kind": kind, "queue": queue, "agent": old, "agency": agency},
                    "to": {
                        "kind": OwnerKind.AGENT.value,
                        "queue": queue,
                        "agent": new,
                        "agency": None,
                    },
                },
            )
            for case, kind, queue, old, agency, new in moved.select(
                "case_id", "owner_kind", "case_queue_id", "agent_id", "agency_id", "assigned_to_id"
            ).iter_rows()
        ),
        day=day,
        now=now,
    )
