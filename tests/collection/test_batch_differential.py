"""The nightly batch and a per-account run of the same strategy agree, account by account.

The per-account path (`collection.batch.single`) uses the per-case services (`open_case`,
`close_case`, `move_case_stage`), the scalar strategy (`evaluate`) and the online compliance
gate (`request_permit`) one contact at a time. On a seeded random portfolio both paths must
leave the same cases, the same case history and the same actions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from arrears.collection.batch import run_collection_night
from arrears.collection.batch.night import Night
from arrears.collection.batch.single import run_account
from arrears.collection.models import Case, CaseEvent, CollectionAction
from arrears.collection.services.promises import review_promises
from arrears.core.clock import FixedClock
from arrears.engagement.models import OutboxMessage
from tests.conftest import rolled_back
from tests.factories import make_night_portfolio

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)
NOW = dt.datetime(2025, 6, 10, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Shanghai


@pytest.fixture
def world(products):
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()


def _untimed(body: str) -> str:
    """The body without the self-service link's signature (it carries the signing time)."""
    return re.sub(r"\?t=[^\s]+", "?t=…", body)


def _without_case_ids(detail: dict[str, Any]) -> str:
    """The detail with the case id in keys masked (PostgreSQL's ids are not reused after a
    rollback, so the two runs number their new cases differently)."""
    return re.sub(r"collection:\d+:", "collection:#:", str(sorted(detail.items())))


def outcome() -> dict[str, Any]:
    """Everything the night wrote, keyed by account (ids of new rows differ between runs)."""
    cases = {
        c.account_id: (c.status, c.stage, c.close_reason, c.segment, c.path, c.next_action,
                       c.next_action_on, c.next_action_reason, c.last_step, c.last_step_on)
        for c in Case.objects.all()
    }  # fmt: skip
    events = sorted(
        (e.case.account_id, e.kind, e.on, e.reason, _without_case_ids(e.detail))
        for e in CaseEvent.objects.select_related("case").filter(at=NOW)
    )
    actions = {
        a.account_id: (a.step, a.kind, a.channel, a.template, a.address, a.status, a.due_at,
                       a.reason, a.needs_approval, a.queue_id, a.idempotency_key.split(":")[2],
                       a.expected_value_minor)
        for a in CollectionAction.objects.all()
    }  # fmt: skip
    messages = sorted(
        (m.account_id, m.kind, m.channel, m.address, m.language, m.subject, _untimed(m.body),
         m.next_attempt_at, m.due_on, m.status, m.permit_id is not None)
        for m in OutboxMessage.objects.all()
    )  # fmt: skip
    return {"cases": cases, "events": events, "actions": actions, "messages": messages}


def test_the_batch_and_the_per_account_path_take_the_same_actions(world):
    accounts = make_night_portfolio(DAY, 120, seed=20261128)
    clock = FixedClock(NOW)
    with rolled_back():
        run_collection_night(business_date=DAY, clock=clock)
        batch = outcome()
    with rolled_back():
        review_promises(on=DAY, clock=clock)
        night = Night.load(business_date=DAY, clock=clock)
        for account in sorted(accounts, key=lambda a: a.pk):
            run_account(account_id=account.pk, business_date=DAY, clock=clock, night=night)
        single = outcome()
    assert batch["cases"] == single["cases"]
    assert batch["events"] == single["events"]
    assert batch["actions"] == single["actions"]
    assert batch["messages"] == single["messages"]
    statuses = {a[5] for a in batch["actions"].values()}
    # the portfolio exercises every branch: sent, queued, deferred, blocked, waiting, skipped
    assert {
        "scheduled",
        "queued",
        "deferred",
        "blocked",
        "awaiting_approval",
        "skipped",
    } <= statuses
    assert len(batch["actions"]) >= 20
