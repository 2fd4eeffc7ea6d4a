"""Taking the next call from the work queue: locked, assigned, and allowed by the gate.

`take_next_action` takes the best call the collector may work now (`selectors.callable_actions`)
with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL — two collectors asking at the same moment
lock different rows, so they never get the same call (SQLite has one writer at a time) — and
asks the compliance gate for a call permit now (`request_permit`, logged). Allowed: the action
is assigned to the collector and returned with its permit, which `record_call_outcome` uses.
Refused: the action is deferred to the gate's next permitted time (or blocked when there is
none), keeping the decision, and the next call is tried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from arrears.collection.choices import ActionStatus
from arrears.collection.models import CollectionAction
from arrears.collection.selectors.queues import callable_actions, collector_of
from arrears.collection.services._support import business_date, now_of
from arrears.compliance.choices import Purpose
from arrears.compliance.models import Decision, Permit
from arrears.compliance.services import request_permit
from arrears.core.clock import Clock
from arrears.core.errors import Conflict

#: How many refused calls one request skips past before it gives up.
MAX_REFUSALS = 25


@dataclass(frozen=True)
class TakenAction:
    """The call the collector makes now, and the permit to make it."""

    action: CollectionAction
    decision: Decision
    permit: Permit


def _next_locked(collector: Any, now: dt.datetime) -> CollectionAction | None:
    rows = callable_actions(collector, now=now, today=business_date(now), untaken=True)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows.first()


@transaction.atomic
def take_next_action(*, agent: Any, clock: Clock | None = None) -> TakenAction | None:
    """The collector's next call with its permit, or None when nothing may be called now."""
    now = now_of(clock)
    collector = collector_of(agent)
    for _attempt in range(MAX_REFUSALS):
        action = _next_locked(collector, now)
        if action is None:
            return None
        decision = request_permit(
            borrower=action.borrower,
            account=action.account,
            channel=action.channel or "call",
            address=action.address,
            purpose=Purpose.COLLECTION,
            clock=clock,
        )
        permit = decision.issued_permit
        if permit is not None:
            action.assigned_to = agent
            action.taken_at = now
            action.decision = decision
            action.save(update_fields=["assigned_to", "taken_at", "decision"])
            return TakenAction(action, decision, permit)
        _refused(action, decision)
    return None


def _refused(action: CollectionAction, decision: Decision) -> None:
    rules = decision.denied_rules or "-"
    if decision.next_permitted_at is not None:
        action.status = ActionStatus.DEFERRED
        action.due_at = decision.next_permitted_at
        why = _("the compliance gate refused it now (%(rules)s); it allows it at %(at)s") % {
            "rules": rules,
            "at": decision.next_permitted_at.isoformat(),
        }
    else:
        action.status = ActionStatus.BLOCKED
        why = _("blocked by the compliance gate (%(rules)s)") % {"rules": rules}
    action.decision = decision
    action.reason = f"{action.reason}\n{why}".strip()[:2000]
    action.save(update_fields=["status", "due_at", "decision", "reason"])


@transaction.atomic
def release_action(*, action: CollectionAction, agent: Any, clock: Clock | None = None) -> None:
    """Give a call taken but not made back to the queue (its permit is left to expire)."""
    locked = CollectionAction.objects.select_for_update().get(pk=action.pk)
    if locked.assigned_to_id != getattr(agent, "pk", None) or locked.taken_at is None:
        raise Conflict(_("This call is not in your hands."))
    locked.taken_at = None
    locked.assigned_to = None
    locked.save(update_fields=["taken_at", "assigned_to"])
