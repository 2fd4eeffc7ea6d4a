"""Running the collection night twice changes nothing; a night killed between shards or in the
middle of one resumes without scheduling anything twice; a shard reads the database in a fixed
number of queries whatever its size."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection.batch import run_collection_night
from arrears.collection.batch.night import Night, plan_shards, run_shard, shard_kind
from arrears.collection.batch.reading import Shard, read_shard
from arrears.collection.models import Case, CaseEvent, CollectionAction
from arrears.compliance.models import Decision, Permit
from arrears.core.clock import FixedClock
from arrears.engagement.models import OutboxMessage
from arrears.servicing.models import CycleRun
from tests.collection.test_batch_night import arm_of_account
from tests.conftest import rolled_back
from tests.factories import make_night_portfolio, make_overdue_loan

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)
CLOCK = FixedClock(dt.datetime(2025, 6, 10, 16, 30, tzinfo=dt.UTC))


@pytest.fixture
def world(products):
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()


class Killed(Exception):
    """The process died here."""


def written() -> dict[str, Any]:
    """What the night wrote, comparable between databases that number new rows differently."""
    mask = re.compile(r"collection:\d+:")
    return {
        "cases": sorted(
            (c.account_id, c.status, c.stage, c.segment, c.path, c.next_action,
             c.next_action_reason, c.last_step, c.last_step_on)
            for c in Case.objects.all()
        ),
        "events": sorted(
            (e.case.account_id, e.kind, e.reason, mask.sub("#", str(sorted(e.detail.items()))))
            for e in CaseEvent.objects.select_related("case")
        ),
        "actions": sorted(
            (a.account_id, a.step, a.kind, a.status, a.due_at, a.reason,
             mask.sub("#", a.idempotency_key))
            for a in CollectionAction.objects.all()
        ),
        "outbox": sorted((m.account_id, m.kind, m.next_attempt_at, m.status)
                         for m in OutboxMessage.objects.all()),
        "decisions": Decision.objects.count(),
        "permits": Permit.objects.count(),
    }  # fmt: skip


def test_running_the_night_twice_changes_nothing(world):
    make_night_portfolio(DAY, 40, seed=5)
    first = run_collection_night(business_date=DAY, clock=CLOCK)
    after_first = written()
    assert first.counts["actions.scheduled"] > 0
    again = run_collection_night(business_date=DAY, clock=CLOCK)
    assert again.counts["shards_skipped"] == again.counts["shards"] == 1
    assert written() == after_first
    # even with the shard records gone, every case is looked at again and nothing is written
    CycleRun.objects.filter(kind__startswith="collection:").delete()
    forced = run_collection_night(business_date=DAY, clock=CLOCK)
    assert forced.counts["shards_skipped"] == 0
    assert forced.counts.get("actions.scheduled", 0) == 0 and forced.counts["opened"] == 0
    assert written() == after_first


@pytest.mark.parametrize("stage", ["read", "cases", "evaluated", "gated", "written"])
def test_a_night_killed_mid_shard_resumes_without_scheduling_anything_twice(world, stage):
    make_night_portfolio(DAY, 24, seed=11)
    with rolled_back():
        run_collection_night(business_date=DAY, clock=CLOCK, size=8)
        clean = written()
    first, second = plan_shards(DAY, 8)[:2]
    kills = iter([True])

    def die_once(at: str, shard: Shard) -> None:
        if at == stage and shard == second and next(kills, False):
            raise Killed(f"killed at {at} of shard {shard.key}")

    with pytest.raises(Killed):
        run_collection_night(business_date=DAY, clock=CLOCK, size=8, hook=die_once)
    done = set(
        CycleRun.objects.filter(
            kind__startswith="collection:", finished_at__isnull=False
        ).values_list("kind", flat=True)
    )
    assert done == {shard_kind(first)}  # the shard before the kill is kept, the killed one not
    resumed = run_collection_night(business_date=DAY, clock=CLOCK, size=8)
    assert resumed.counts["shards_skipped"] == 1
    assert written() == clean


def test_a_night_killed_between_shards_resumes_at_the_first_unfinished_one(world):
    make_night_portfolio(DAY, 24, seed=12)
    with rolled_back():
        run_collection_night(business_date=DAY, clock=CLOCK, size=8)
        clean = written()
    night = Night.load(business_date=DAY, clock=CLOCK)
    shards = plan_shards(DAY, 8)
    assert len(shards) >= 3
    run_shard(shards[0], night=night)  # … and the process dies before the next shard
    resumed = run_collection_night(business_date=DAY, clock=CLOCK, size=8)
    assert [s.skipped for s in resumed.shards][:2] == [True, False]
    assert written() == clean


def test_a_shard_reads_the_database_in_a_fixed_number_of_queries(world):
    def queries_to_read(accounts: int) -> int:
        with rolled_back():
            for _ in range(accounts):
                make_overdue_loan(DAY, 3)
            shard = Shard(DAY, 1, 10_000)
            with CaptureQueriesContext(connection) as reads:
                frames = read_shard(shard, back_off_days=7, rpc_days=30)
            assert frames.accounts.height == accounts
            return len(reads.captured_queries)

    assert queries_to_read(3) == queries_to_read(15)


def calling_case(days_past_due: int) -> Case:
    """An open case whose path calls again today (a daily call, last made yesterday)."""
    account = make_overdue_loan(DAY, days_past_due)
    path = arm_of_account(account.pk)
    return Case.objects.create(
        account=account, borrower=account.borrower, stage="early", opened_on=DAY,
        opened_reason="seeded", segment="delinquent", path=path,
        last_step="call_d3" if path == "ladder" else "call_d1",
        last_step_on=DAY - dt.timedelta(days=1), updated_at=CLOCK.now(),
    )  # fmt: skip


def test_a_shard_of_any_size_takes_the_same_number_of_queries(world):
    def queries_for_shard(accounts: int) -> int:
        with rolled_back():
            for _ in range(accounts):
                calling_case(5)
            night = Night.load(business_date=DAY, clock=CLOCK)
            with CaptureQueriesContext(connection) as night_queries:
                result = run_shard(Shard(DAY, 1, 10_000), night=night)
            assert result.counts["actions.queued"] == accounts
            return len(night_queries.captured_queries)

    assert queries_for_shard(4) == queries_for_shard(16)


def test_task_workers_share_a_night_shard_by_shard(world, django_capture_on_commit_callbacks):
    from arrears.collection.tasks import enqueue_collection_night

    make_night_portfolio(DAY, 20, seed=13)
    with rolled_back():
        run_collection_night(business_date=DAY, clock=CLOCK, size=8)
        clean = written()
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        shards = enqueue_collection_night(business_date=DAY, size=8, clock=CLOCK)
    assert shards == len(enqueued) == len(plan_shards(DAY, 8))
    finished = CycleRun.objects.filter(kind__startswith="collection:", finished_at__isnull=False)
    assert finished.count() == shards
    assert written() == clean
