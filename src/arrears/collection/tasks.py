"""Background tasks of the collection app (django-tasks; the database backend by default).

The collection night splits into shards of account ids; each can run as a task, so task
workers on several machines share one night (`enqueue_collection_night`). A shard is recorded
when it finishes, so a task that runs twice, or after the cycle step already did its shard,
finds it done and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django_tasks import task

from arrears.collection.batch import plan_shards
from arrears.collection.batch import run_collection_shard as run_shard_now
from arrears.collection.services.promises import review_promises
from arrears.core.clock import Clock, FixedClock, SystemClock


@task()
def run_collection_shard(
    business_date: str, first_id: int, last_id: int, now: str | None = None
) -> dict[str, int]:
    """Run one shard of the collection night (`business_date` as YYYY-MM-DD; `now`, an ISO
    instant, fixes the moment the night runs at — by default the worker's clock)."""
    clock = FixedClock(dt.datetime.fromisoformat(now)) if now else SystemClock()
    result = run_shard_now(
        business_date=dt.date.fromisoformat(business_date),
        first_id=first_id,
        last_id=last_id,
        clock=clock,
    )
    return dict(result.counts)


def enqueue_collection_night(
    *, business_date: dt.date, size: int | None = None, clock: Clock | None = None
) -> int:
    """Review the promises, then enqueue one task per shard once the caller's transaction
    commits; returns how many shards were enqueued. With a `clock`, every shard runs at its
    moment (tests, replays); else each worker's own."""
    review_promises(on=business_date, clock=clock)
    now = clock.now().isoformat() if clock is not None else None
    shards = plan_shards(business_date, size)
    for shard in shards:
        transaction.on_commit(
            partial(_enqueue, shard.business_date, shard.first_id, shard.last_id, now)
        )
    return len(shards)


def _enqueue(business_date: dt.date, first_id: int, last_id: int, now: str | None) -> None:
    run_collection_shard.enqueue(business_date.isoformat(), first_id, last_id, now)
