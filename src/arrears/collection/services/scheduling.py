"""Scheduling the next contact of a case: a call in a work queue, or a message in the outbox.

Every proposal passes the compliance gate before it is written: `next_permitted` says when the
contact may first be made at or after the proposed time. The same time: the action is `queued`
(a call) or `scheduled` (a message). A later time: the action is `deferred` to it (a message's
outbox row starts then). No time at all (a hold, an opt-out, a refusal — only a person can
unblock it): the action is `blocked`, with the gate's reason, and nothing goes to the outbox.

Each action has an idempotency key chosen by its caller, so recording the same outcome twice, or
re-running a night, schedules nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from arrears.collection.choices import ActionKind, ActionStatus, CaseStage
from arrears.collection.models import Case, CollectionAction, WorkQueue
from arrears.collection.services._support import business_date
from arrears.compliance.choices import Purpose
from arrears.compliance.services import next_permitted
from arrears.core.clock import Clock, FixedClock
from arrears.core.collection.value import contact_value
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services import message_address, queue_collection_message
from arrears.servicing.selectors import balances

#: Where the self-service page lives (pay, set up a plan, book a callback); the link carries a
#: signed reference to the account, never its number.
DEFAULT_SELF_SERVICE_URL = "http://127.0.0.1:8000/self-service/"
SELF_SERVICE_SALT = "arrears.collection.self-service"


def self_service_url(case: Case) -> str:
    base = str(getattr(settings, "ARREARS_SELF_SERVICE_URL", "") or DEFAULT_SELF_SERVICE_URL)
    token = signing.dumps({"a": case.account_id}, salt=SELF_SERVICE_SALT, compress=True)
    return f"{base}{'&' if '?' in base else '?'}t={token}"


def skills_needed(case: Case) -> set[str]:
    """What a collector needs to work this case: hardship training, legal."""
    needed = set()
    if case.hardship or case.vulnerable:
        needed.add("hardship_trained")
    if case.stage == CaseStage.LEGAL:
        needed.add("legal")
    return needed


def route_queue(case: Case) -> WorkQueue | None:
    """The queue a call of this case goes to: the case's own queue, else the first active queue
    (in order) for its stage whose skills cover what the case needs, else the first for its
    stage. A queue with no stages takes every stage."""
    if case.queue_id is not None and case.queue is not None and case.queue.is_active:
        return case.queue
    needed = skills_needed(case)
    for_stage = [
        q
        for q in WorkQueue.objects.filter(is_active=True).order_by("sort_order", "code")
        if not q.stages or case.stage in q.stages
    ]
    fitting = [q for q in for_stage if needed <= set(q.skills)]
    chosen = fitting or for_stage
    return chosen[0] if chosen else None


def expected_value_minor(case: Case, *, channel: str) -> int | None:
    """The value of this contact now (`core.collection.value`), None when the model has no
    figures for the account's currency or bucket."""
    account = case.account
    try:
        owed = balances(account).total
        at_risk = owed if owed.minor > 0 else Money.zero(account.currency)
        value = contact_value(
            balance_at_risk=at_risk, bucket=account.bucket, channel=Channel(channel)
        )
    except ValidationError:
        return None
    return value.value.minor


def message_variables(case: Case) -> dict[str, Any]:
    """What a collection message says: the past-due amount, days past due, the link."""
    account = case.account
    return {
        "amount": Money.from_minor(int(account.past_due_minor), account.currency),
        "days_past_due": int(account.days_past_due),
        "self_service_url": self_service_url(case),
    }


def _permitted(
    case: Case, *, channel: str, address: str, at: dt.datetime, automated: bool, now: dt.datetime
) -> dt.datetime | None:
    """When the gate first allows the contact at or after `at`, judged as of `now`."""
    return next_permitted(
        borrower=case.borrower,
        account=case.account,
        channel=channel,
        address=address,
        purpose=Purpose.COLLECTION,
        automated=automated,
        at=at,
        clock=FixedClock(now),
    )


def schedule_call(
    *,
    case: Case,
    at: dt.datetime,
    number: str,
    key: str,
    reason: str,
    now: dt.datetime,
    step: str = "",
    assigned_to: Any = None,
    clock: Clock | None = None,
) -> CollectionAction:
    """A call to `number` at `at` (or when the gate next allows it) in the case's work queue."""
    existing = CollectionAction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    at = max(at, now)
    permitted = _permitted(case, channel="call", address=number, at=at, automated=False, now=now)
    status, due, why = _gate_status(ActionStatus.QUEUED, at, permitted, reason)
    return CollectionAction.objects.create(
        idempotency_key=key,
        case=case,
        account_id=case.account_id,
        borrower_id=case.borrower_id,
        business_date=business_date(now),
        step=step,
        kind=ActionKind.CALL,
        channel=Channel.CALL.value,
        address=number,
        status=status,
        due_at=due,
        expected_value_minor=expected_value_minor(case, channel="call"),
        currency=case.account.currency,
        queue=route_queue(case),
        assigned_to=assigned_to,
        reason=why,
        created_at=now,
    )


@dataclass(frozen=True)
class GatedMessage:
    """A message as the gate placed it: its status, when it goes, the outbox row (if any)."""

    status: str
    due_at: dt.datetime | None
    reason: str
    address: str
    message: OutboxMessage | None


def send_message(
    *,
    case: Case,
    kind: str,
    channel: str,
    at: dt.datetime,
    key: str,
    reason: str,
    now: dt.datetime,
    variables: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> GatedMessage:
    """Ask the gate when a message may go, and write it to the outbox for then (not at all
    when the gate names no time)."""
    address = message_address(case.borrower, channel)
    if address is None:
        raise ValidationError(
            "channel", _("the borrower has no address on %(channel)s") % {"channel": channel}
        )
    at = max(at, now)
    permitted = _permitted(case, channel=channel, address=address, at=at, automated=True, now=now)
    status, due, why = _gate_status(ActionStatus.SCHEDULED, at, permitted, reason)
    message = None
    if due is not None:
        message, _created = queue_collection_message(
            kind=kind,
            borrower=case.borrower,
            account=case.account,
            variables={**message_variables(case), **(variables or {})},
            idempotency_key=f"collection:{key}",
            channel=channel,
            due_on=business_date(due),
            send_at=due,
            clock=clock,
        )
    return GatedMessage(status, due, why, address, message)


def schedule_message(
    *,
    case: Case,
    kind: str,
    channel: str,
    at: dt.datetime,
    key: str,
    reason: str,
    now: dt.datetime,
    variables: dict[str, Any] | None = None,
    step: str = "",
    action_kind: str = ActionKind.MESSAGE,
    clock: Clock | None = None,
) -> CollectionAction:
    """A message of `kind` on `channel` at `at` (or when the gate next allows it), through the
    outbox; blocked — and not written to the outbox — when the gate names no time."""
    existing = CollectionAction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    gated = send_message(
        case=case,
        kind=kind,
        channel=channel,
        at=at,
        key=key,
        reason=reason,
        now=now,
        variables=variables,
        clock=clock,
    )
    return CollectionAction.objects.create(
        idempotency_key=key,
        case=case,
        account_id=case.account_id,
        borrower_id=case.borrower_id,
        business_date=business_date(now),
        step=step,
        kind=action_kind,
        channel=channel,
        template=kind,
        address=gated.address,
        status=gated.status,
        due_at=gated.due_at,
        expected_value_minor=expected_value_minor(case, channel=channel),
        currency=case.account.currency,
        outbox_message=gated.message,
        reason=gated.reason,
        created_at=now,
    )


def _gate_status(
    ready: str, at: dt.datetime, permitted: dt.datetime | None, reason: str
) -> tuple[str, dt.datetime | None, str]:
    if permitted is None:
        why = _("%(reason)s — blocked by the compliance gate: a person must unblock it") % {
            "reason": reason
        }
        return ActionStatus.BLOCKED, None, why
    if permitted > at:
        why = _("%(reason)s — the compliance gate first allows it at %(at)s") % {
            "reason": reason,
            "at": permitted.isoformat(),
        }
        return ActionStatus.DEFERRED, permitted, why
    return ready, at, reason
