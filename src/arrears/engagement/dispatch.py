"""The outbox dispatcher: each due message gets a permit at send time, then goes out once.

A pass works on a batch of messages, in short transactions:

1. **claim** (committed before anything else): up to `limit` `pending` rows due now — and
   `sending` rows whose lease ran out, i.e. left behind by a dispatcher that died — become
   `sending`, `attempts + 1`, `next_attempt_at = now + lease`. PostgreSQL takes them with
   `FOR UPDATE SKIP LOCKED`, so several dispatchers share the work; SQLite has one writer at a
   time anyway.
2. **permits, for the whole batch at once** (one transaction): a message keeps its stored permit
   if it is still usable (a retry after a crash); the others are put to the compliance gate
   together — `compliance.decide_in_bulk`, which answers for each what `request_permit` would,
   in the batch's order (a second message to one borrower counts the first's permit) — and get
   their decision and permit stored. A refusal puts the message back to `pending` at the gate's
   `next_permitted_at` (or `blocked` when the gate names no later time), with the decision. A
   message the gate cannot judge at all (no profile for the borrower's country, an address
   that is not one) is `failed` with the reason, and the rest of the batch goes on.
3. **send**, message by message: in one transaction, the adapter uses the permit (one permit at
   a time, at the moment of sending), hands the message over (with the message's id as the SMS
   `Idempotency-Key`, the e-mail `Message-ID`, the letter's file name, the in-app key), writes
   the contact attempt, and the row becomes `sent`. A failure rolls all
   of it back — the permit stays unused, nothing is recorded as contacted — and the row goes
   back to `pending` after an exponential back-off, or `failed` after the last attempt.

Why a crash never loses a message nor sends one twice: a message is `sent` only in the same
commit that uses its permit and records the contact; a dispatcher that dies before that commit
leaves the row `sending` with an unused permit, and once the lease has run out the next run
sends it again *with the same key*. The SMS provider answers a repeated key with the message it
already has, the letter overwrites the same file, the in-app row is unique per key — so those
are exactly once. SMTP has no such key: a crash in the milliseconds between the server's "250
OK" and our commit re-sends the e-mail with the same Message-ID (at least once, duplicates
detectable by the receiver); see docs/engagement-channels.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from arrears.compliance.choices import Channel
from arrears.compliance.models import Permit
from arrears.compliance.services import PermitRefused, decide_in_bulk
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.engagement import hooks
from arrears.engagement.channels.base import ChannelAdapter, DeliveryFailed, OutboundMessage
from arrears.engagement.channels.registry import adapter_for
from arrears.engagement.choices import OutboxStatus
from arrears.engagement.models import OutboxMessage

logger = logging.getLogger(__name__)

#: Called at each step with ("claimed" | "permitted" | "delivered" | "sent", message); the
#: "delivered" call runs inside the send transaction (fault tests crash the dispatcher there).
StepHook = Callable[[str, OutboxMessage], None]


@dataclasses.dataclass
class DispatchCounts:
    """What one run did."""

    claimed: int = 0
    sent: int = 0
    deferred: int = 0  # refused by the gate until a later time
    blocked: int = 0  # refused by the gate with no later time
    retried: int = 0  # failed for now, tried again after the back-off
    failed: int = 0  # gave up

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off before attempt `attempts + 1`: base · 2^(attempts − 1), at most six hours."""
    base = _setting("ARREARS_OUTBOX_RETRY_SECONDS", 60)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def dispatch_outbox(
    *,
    limit: int = 200,
    clock: Clock | None = None,
    adapters: Mapping[str, ChannelAdapter] | None = None,
    on_step: StepHook | None = None,
) -> DispatchCounts:
    """Send up to `limit` due messages; return what happened. Safe to run concurrently."""
    clock = clock or SystemClock()
    counts = DispatchCounts()
    chosen: dict[str, ChannelAdapter] = dict(adapters or {})
    claimed = _claim(limit=limit, now=clock.now())
    for message in claimed:
        counts.claimed += 1
        if on_step:
            on_step("claimed", message)
    permitted = _permit_batch(claimed, clock=clock)
    for message in claimed:
        outcome = permitted[message.pk]
        if outcome == "ok":
            if on_step:
                on_step("permitted", message)
            adapter = chosen.get(message.channel)
            if adapter is None:
                adapter = chosen[message.channel] = adapter_for(message.channel, clock=clock)
            outcome = _send(message, adapter=adapter, clock=clock, on_step=on_step)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def _claim(*, limit: int, now: dt.datetime) -> list[OutboxMessage]:
    lease = dt.timedelta(seconds=_setting("ARREARS_OUTBOX_LEASE_SECONDS", 300))
    due = Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.SENDING)
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(due, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "created_at"
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=OutboxStatus.SENDING,
                attempts=F("attempts") + 1,
                next_attempt_at=now + lease,
            )
    claimed = OutboxMessage.objects.select_related("borrower", "permit").filter(pk__in=ids)
    return sorted(claimed, key=lambda m: ids.index(m.pk))


def _usable(permit: Permit | None, now: dt.datetime) -> bool:
    return (
        permit is not None
        and permit.used_at is None
        and permit.voided_at is None
        and permit.valid_from <= now < permit.valid_until
    )


def _send(
    message: OutboxMessage,
    *,
    adapter: ChannelAdapter,
    clock: Clock,
    on_step: StepHook | None,
) -> str:
    """Hand one permitted message to its adapter: sent, or back to pending, or failed."""
    try:
        with transaction.atomic():
            delivery = adapter.send(permit_id=message.permit_id, message=_outbound(message))
            if on_step:
                on_step("delivered", message)
            OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.SENT,
                provider_ref=delivery.provider_ref[:200],
                sent_at=delivery.delivered_at,
                last_error="",
            )
    except PermitRefused as refusal:
        # Voided (an opt-out, a hold) or expired since step 2: ask the gate again at once.
        _back_to_pending(message, now=clock.now(), error=str(refusal), forget_permit=True)
        return "deferred"
    except DeliveryFailed as failure:
        return _failed(message, failure, now=clock.now())
    except Exception as error:  # an adapter's bug must not wedge the row: retry, then give up
        logger.exception("sending outbox message %s failed", message.pk)
        return _failed(message, DeliveryFailed(repr(error), transient=True), now=clock.now())
    hooks.message_sent(message)
    if on_step:
        on_step("sent", message)
    return "sent"


def _permit_batch(messages: list[OutboxMessage], *, clock: Clock) -> dict[Any, str]:
    """Give each message a usable permit (committed) or park it: "ok" or the outcome, by id.

    The messages without a usable permit are decided together by `decide_in_bulk`; a message
    it refuses to judge (bad data) fails on its own and the others are decided without it.
    """
    now = clock.now()
    outcomes: dict[Any, str] = {m.pk: "ok" for m in messages if _usable(m.permit, now)}
    asking = [m for m in messages if m.pk not in outcomes]
    while asking:
        try:
            with transaction.atomic():
                answer = decide_in_bulk(proposals=_proposals(asking), now=now)
                outcomes.update(_store(asking, answer))
            break
        except ValidationError as error:
            position = _row_of(error)
            if position is None:
                raise
            bad = asking.pop(position)
            outcomes[bad.pk] = _failed(bad, DeliveryFailed(str(error), transient=False), now=now)
    return outcomes


def _proposals(messages: list[OutboxMessage]) -> pl.DataFrame:
    """The messages as proposed contacts, now: this borrower, account, channel, address and
    purpose, sent by a machine (`automated`), of the message's kind."""
    return pl.DataFrame(
        {
            "request_id": [uuid.uuid4().hex for _m in messages],
            "borrower_id": [m.borrower_id for m in messages],
            "account_id": [m.account_id for m in messages],
            "channel": [m.channel for m in messages],
            "address": [m.address for m in messages],
            "purpose": [m.purpose for m in messages],
            "automated": [True] * len(messages),
            "message_kind": [m.kind for m in messages],
        },
        schema_overrides={"account_id": pl.Int64},
    )


def _store(messages: list[OutboxMessage], answer: pl.DataFrame) -> dict[Any, str]:
    """Store each message's decision and permit; put the refused back to pending at the next
    permitted time, or block them (a few UPDATEs for the whole batch)."""
    outcomes: dict[Any, str] = {}
    permitted: list[OutboxMessage] = []
    refused: list[OutboxMessage] = []
    for message, row in zip(messages, answer.iter_rows(named=True), strict=True):
        message.decision_id = row["decision_id"]
        if row["permit_id"] is not None:
            message.permit_id = uuid.UUID(row["permit_id"])
            permitted.append(message)
            outcomes[message.pk] = "ok"
            continue
        message.permit_id = None
        message.last_error = _("Refused by the compliance gate: %(rules)s") % {
            "rules": " ".join(row["denied_rule_ids"]) or "-"
        }
        message.attempts -= 1  # nothing was attempted
        if row["next_permitted_at"] is not None:
            message.status = OutboxStatus.PENDING
            message.next_attempt_at = row["next_permitted_at"]
            outcomes[message.pk] = "deferred"
        else:
            message.status = OutboxStatus.BLOCKED
            outcomes[message.pk] = "blocked"
        refused.append(message)
    mine = OutboxMessage.objects.filter(status=OutboxStatus.SENDING)
    mine.bulk_update(permitted, ["decision", "permit"], batch_size=500)
    mine.bulk_update(
        refused,
        ["decision", "permit", "status", "next_attempt_at", "last_error", "attempts"],
        batch_size=500,
    )
    return outcomes


def _row_of(error: ValidationError) -> int | None:
    """The row an error of `decide_in_bulk` names (`proposals[3].channel` → 3)."""
    found = re.match(r"proposals\[(\d+)\]", error.field)
    return int(found.group(1)) if found else None


def _back_to_pending(
    message: OutboxMessage, *, now: dt.datetime, error: str, forget_permit: bool
) -> None:
    update: dict[str, object] = {
        "status": OutboxStatus.PENDING,
        "next_attempt_at": now,
        "last_error": error[:2000],
        "attempts": F("attempts") - 1,
    }
    if forget_permit:
        update["permit"] = None
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(**update)


def _failed(message: OutboxMessage, failure: DeliveryFailed, *, now: dt.datetime) -> str:
    max_attempts = _setting("ARREARS_OUTBOX_MAX_ATTEMPTS", 6)
    give_up = not failure.transient or message.attempts >= max_attempts
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
        next_attempt_at=now if give_up else now + retry_delay(message.attempts),
        last_error=str(failure)[:2000],
    )
    return "failed" if give_up else "retried"


def _outbound(message: OutboxMessage) -> OutboundMessage:
    return OutboundMessage(
        borrower_id=message.borrower_id,
        address=message.address,
        body=message.body,
        subject=message.subject,
        language=message.language,
        idempotency_key=str(message.pk),
        recipient_name=message.borrower.full_name,
        kind=message.kind,
        html_body=message.html_body,
        headers=hooks.email_headers(message) if message.channel == Channel.EMAIL else {},
    )
