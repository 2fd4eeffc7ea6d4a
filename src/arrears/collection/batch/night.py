"""The collection night: promises reviewed, then shard after shard, each done once.

`run_collection_night(business_date=…)` reviews the live promises (`review_promises`: kept or
broken, a broken one resumes its case's treatment) and the agency placements (`review_placements`:
what each collected, recalls on their recall date), then splits the accounts into id ranges of
`ARREARS_COLLECTION_SHARD_SIZE` (default 50,000; shard k holds ids k·size+1 … (k+1)·size) and
runs each with `run_collection_shard`. A shard is one transaction that ends by recording a
`CycleRun` (kind `collection:<first>-<last>`, unique per date): a finished shard is skipped, so a
run killed half-way resumes at the first unfinished shard, and a shard killed mid-way left
nothing behind. Each shard can also run as a task (`collection.tasks.run_collection_shard`), so
several workers share a night.

A business date more than `ARREARS_COLLECTION_CATCH_UP_DAYS` (default 2) before today is a
catch-up (a replay, a long outage): its cases open, close, move and record what the strategy
says, but no contact is proposed and no step is taken — stale reminders are never sent, and the
first night on time takes up each path where it stands.

One shard, in order (`ShardResult.timings` says how long each took):

1. read — the shard's candidates and everything about them (`reading.read_shard`);
2. cases — open, close, move (`cases.reconcile_cases`);
3. evaluate — the facts (`facts.facts_of_cases`), the strategy (`evaluate_frame`), recorded on
   the cases (`evaluation.record_on_cases`);
4. gate — the night's actions planned (`plan.plan_actions`) and the contacts decided
   (`gate.ask_gate`);
5. write — calls routed, valued and allocated (`queues`), messages to the outbox, actions and
   their history (`actions.write_actions`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from arrears.collection.batch.actions import write_actions
from arrears.collection.batch.cases import reconcile_cases
from arrears.collection.batch.evaluation import (
    ActiveStrategy,
    active_strategy,
    evaluate_cases,
    leave_queues,
    record_on_cases,
)
from arrears.collection.batch.facts import facts_of_cases
from arrears.collection.batch.gate import ask_gate
from arrears.collection.batch.lapse import lapse_unmade_calls
from arrears.collection.batch.plan import plan_actions
from arrears.collection.batch.queues import CALLS, Staff, allocate, expected_values, route
from arrears.collection.batch.reading import Shard, ShardFrames, read_shard
from arrears.collection.batch.timing import call_hours, everyone_rates, shard_tally
from arrears.collection.services.agencies import review_placements
from arrears.collection.services.promises import review_promises
from arrears.common.memory import long_lived_frozen
from arrears.core.clock import Clock, SystemClock
from arrears.core.collection.value import ContactValueModel
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.money import minor_units
from arrears.engagement.models import Template
from arrears.servicing.models import Account, CycleRun, Product
from arrears.servicing.services.products import product_terms

DEFAULT_SHARD_SIZE = 50_000
CALL_SLOTS = "call_slots"  # a shard record's calls by hour of the week
SHARD_KIND = "collection:{first}-{last}"
#: Called at each stage of a shard with (stage, shard): fault tests stop a shard there.
StageHook = Callable[[str, Shard], None]


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@dataclass(frozen=True)
class Night:
    """What every shard of one business date shares, loaded once."""

    business_date: dt.date
    now: dt.datetime
    strategy: ActiveStrategy
    products: pl.DataFrame
    templates: dict[tuple[str, str, str], int]
    template_rows: dict[int, Template]
    staff: Staff
    value_model: ContactValueModel
    lender_zone: str
    back_off_days: int
    rpc_days: int
    contact_hour: int
    call_hours: tuple[int, int]
    everyone_rates: tuple[float, ...]  # everyone's answer rate by hour of the week
    contacts: bool  # False when catching up on an old date: cases and reasons, no contacts

    @classmethod
    def load(cls, *, business_date: dt.date, clock: Clock) -> Night:
        rows = {t.pk: t for t in Template.objects.filter(is_active=True)}
        catch_up = int(setting("ARREARS_COLLECTION_CATCH_UP_DAYS", 2))
        today = timezone.localdate(clock.now())
        return cls(
            business_date=business_date,
            now=clock.now(),
            strategy=active_strategy(),
            products=products_frame(),
            templates={(t.kind, t.channel, t.language): pk for pk, t in rows.items()},
            template_rows=rows,
            staff=Staff.load(),
            value_model=ContactValueModel(),
            lender_zone=str(settings.TIME_ZONE),
            back_off_days=int(setting("ARREARS_COLLECTION_BACK_OFF_DAYS", 7)),
            rpc_days=30,
            contact_hour=int(setting("ARREARS_COLLECTION_CONTACT_HOUR", 9)),
            call_hours=call_hours(),
            everyone_rates=everyone_rates(_previous_tallies(business_date)),
            contacts=business_date >= today - dt.timedelta(days=catch_up),
        )


def _previous_tallies(day: dt.date) -> list[dict[str, list[int]]]:
    """The call tallies the shards of the night before recorded (best time to call)."""
    runs = CycleRun.objects.filter(
        kind__startswith="collection:", business_date=day - dt.timedelta(days=1)
    ).values_list("counts", flat=True)
    return [counts[CALL_SLOTS] for counts in runs if CALL_SLOTS in (counts or {})]


def products_frame() -> pl.DataFrame:
    """Each product's code, jurisdiction (its compliance profile) and currency exponent."""
    rows = [
        (p.pk, p.code, profile_code_for(product_terms(p).jurisdiction), minor_units(p.currency))
        for p in Product.objects.all()
    ]
    return pl.DataFrame(
        rows,
        schema={"product_id": pl.Int64, "product": pl.String, "jurisdiction": pl.String,
                "minor_exponent": pl.Int64},
        orient="row",
    )  # fmt: skip


@dataclass
class ShardResult:
    shard: Shard
    counts: Counter[str] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)
    skipped: bool = False
    call_slots: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class NightResult:
    business_date: dt.date
    shards: list[ShardResult] = field(default_factory=list)
    promises: dict[str, int] = field(default_factory=dict)
    placements: dict[str, int] = field(default_factory=dict)
    setup: dict[str, float] = field(default_factory=dict)  # seconds: promises, placements, setup

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for shard in self.shards:
            total.update(shard.counts)
        total["shards"] = len(self.shards)
        total["shards_skipped"] = sum(1 for s in self.shards if s.skipped)
        total.update({f"promises.{k}": v for k, v in self.promises.items()})
        total.update({f"placements.{k}": v for k, v in self.placements.items()})
        return dict(sorted(total.items()))

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent: reviewing promises, loading the night, and each stage of the shards."""
        total: Counter[str] = Counter(self.setup)
        for shard in self.shards:
            total.update(shard.timings)
        return {k: round(v, 3) for k, v in total.items()}


def shard_size() -> int:
    return max(1, int(setting("ARREARS_COLLECTION_SHARD_SIZE", DEFAULT_SHARD_SIZE)))


def plan_shards(business_date: dt.date, size: int | None = None) -> list[Shard]:
    """The id ranges that cover every account, aligned on multiples of the shard size."""
    size = size or shard_size()
    bounds = Account.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    first = (bounds["low"] - 1) // size
    last = (bounds["high"] - 1) // size
    return [Shard(business_date, k * size + 1, (k + 1) * size) for k in range(first, last + 1)]


def run_collection_night(
    *,
    business_date: dt.date,
    clock: Clock | None = None,
    size: int | None = None,
    hook: StageHook | None = None,
) -> NightResult:
    """Run the collection night for a business date (idempotent, resumable; see the module)."""
    clock = clock or SystemClock()
    result = NightResult(business_date)
    timer = _Timer(result.setup)
    with timer("promises"):
        result.promises = review_promises(on=business_date, clock=clock).as_dict()
    with timer("placements"):
        result.placements = review_placements(on=business_date, clock=clock)
    with timer("setup"):
        night = Night.load(business_date=business_date, clock=clock)
    for shard in plan_shards(business_date, size):
        result.shards.append(run_shard(shard, night=night, hook=hook))
    return result


def run_collection_shard(
    *,
    business_date: dt.date,
    first_id: int,
    last_id: int,
    clock: Clock | None = None,
    hook: StageHook | None = None,
) -> ShardResult:
    """Run one shard on its own (a task worker's unit)."""
    night = Night.load(business_date=business_date, clock=clock or SystemClock())
    with long_lived_frozen():
        return run_shard(Shard(business_date, first_id, last_id), night=night, hook=hook)


def shard_kind(shard: Shard) -> str:
    return SHARD_KIND.format(first=shard.first_id, last=shard.last_id)


def run_shard(shard: Shard, *, night: Night, hook: StageHook | None = None) -> ShardResult:
    """One shard in one transaction, recorded as done at its end (skipped when done before)."""
    result = ShardResult(shard)
    with transaction.atomic():
        run, _created = CycleRun.objects.select_for_update().get_or_create(
            kind=shard_kind(shard),
            business_date=shard.business_date,
            defaults={"started_at": night.now},
        )
        if run.finished_at is not None:
            result.counts.update({k: v for k, v in run.counts.items() if isinstance(v, int)})
            result.skipped = True
            return result
        for stage in _stages(shard, night, result):
            if hook is not None:
                hook(stage, shard)
        CycleRun.objects.filter(pk=run.pk).update(
            finished_at=night.now, counts={**result.counts, CALL_SLOTS: result.call_slots}
        )
    return result


def _stages(shard: Shard, night: Night, result: ShardResult) -> Iterator[str]:
    """Run the shard's stages, yielding after each (the hook's chance to stop it)."""
    clock = _Timer(result.timings)
    day, now = shard.business_date, night.now
    with clock("read"):
        frames = read_shard(
            shard,
            back_off_days=night.back_off_days,
            rpc_days=night.rpc_days,
        )
    result.counts["candidates"] = frames.accounts.height
    result.call_slots = shard_tally(frames.calls, frames.borrowers, night.lender_zone)
    yield "read"
    with clock("cases"):
        changes = reconcile_cases(frames.accounts, frames.cases, shard=shard, now=now)
    result.counts.update(opened=changes.opened, closed=changes.closed, moved=changes.moved)
    yield "cases"
    with clock("evaluate"):
        answers, facts = _evaluate(frames, changes.cases, night, day)
        result.counts["evaluated"] = answers.height
        result.counts["recorded"] = record_on_cases(
            answers,
            changes.cases,
            strategy_id=night.strategy.row_id,
            day=day,
            now=now,
            steps_taken=night.contacts,
        )
        result.counts["cancelled"] = leave_queues(answers, now=now)
        result.counts["lapsed"] = lapse_unmade_calls(shard, now=now)  # after: a dispute says why
        _mark_evaluated(shard)
    yield "evaluated"
    if not night.contacts:
        result.counts["too_late_for_contacts"] = 1
        return
    with clock("gate"):
        planned = plan_actions(
            answers,
            facts,
            frames,
            strategy=night.strategy.document,
            day=day,
            now=now,
            contact_hour=night.contact_hour,
            lender_zone=night.lender_zone,
            templates=night.templates,
            everyone=night.everyone_rates,
            call_hours=night.call_hours,
        )
        settled = ask_gate(planned, now=now)
    yield "gated"
    with clock("write"):
        actions = _queued(settled, changes.cases, night)
        result.counts.update(
            write_actions(
                actions,
                day=day,
                now=now,
                lender_zone=night.lender_zone,
                templates=night.template_rows,
            )
        )
    yield "written"


def _evaluate(
    frames: ShardFrames, cases: pl.DataFrame, night: Night, day: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    facts = facts_of_cases(
        frames,
        cases,
        night.products,
        day=day,
        time_zone=night.lender_zone,
        back_off_days=night.back_off_days,
    )
    return evaluate_cases(night.strategy.document, facts, cases, day=day), facts


def _mark_evaluated(shard: Shard) -> None:
    """Every open case of the shard was evaluated on the date (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collection_case SET evaluated_on = %s WHERE status = 'open' "
            "AND account_id BETWEEN %s AND %s AND (evaluated_on IS NULL OR evaluated_on <> %s)",
            [shard.business_date, shard.first_id, shard.last_id, shard.business_date],
        )


def _queued(settled: pl.DataFrame, cases: pl.DataFrame, night: Night) -> pl.DataFrame:
    """Route and value the calls, allocate them, and value the messages."""
    settled = settled.with_columns(expected_values(settled, night.value_model))
    owners = cases.select(
        "case_id",
        "agent_id",
        "owner_kind",
        "agency_id",
        pl.col("queue_id").alias("case_queue_id"),
    )
    with_owner = settled.join(owners, on="case_id", how="left")
    calls = with_owner.filter((pl.col("kind") == "call") & pl.col("status").is_in(list(CALLS)))
    others = with_owner.filter(~((pl.col("kind") == "call") & pl.col("status").is_in(list(CALLS))))
    routed = route(calls, cases, night.staff)
    allocated = allocate(
        routed,
        night.staff,
        day=night.business_date,
        now=night.now,
        currency=night.value_model.currency,
    )
    others = others.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("queue_id"),
        pl.lit(None, dtype=pl.Int64).alias("assigned_to_id"),
    )
    return pl.concat([allocated, others.select(allocated.columns)], how="vertical")


class _Timer:
    def __init__(self, into: dict[str, float]) -> None:
        self.into = into

    def __call__(self, name: str) -> _Timer:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.into[self.name] = self.into.get(self.name, 0.0) + time.perf_counter() - self.start


__all__ = [
    "DEFAULT_SHARD_SIZE",
    "Night",
    "NightResult",
    "ShardResult",
    "plan_shards",
    "run_collection_night",
    "run_collection_shard",
    "run_shard",
    "shard_size",
]
