"""The outbox dispatcher: each due message gets a permit at send time, then goes out once.

For each message, three short transactions:

1. **claim** (committed before anything else): `pending` rows due now — and `sending` rows whose
   lease ran out, i.e. left behind by a dispatcher that died — become `sending`, `attempts + 1`,
   `next_attempt_at = now + lease`. PostgreSQL takes them with `FOR UPDATE SKIP LOCKED`, so
   several dispatchers share the work; SQLite has one writer at a time anyway.
2. **permit**: the stored permit if it is still usable (a retry after a crash), else
   `compliance.request_permit(...)` for this borrower, channel, address and purpose. A refusal
   puts the message back to `pending` at the gate's `next_permitted_at` (or `blocked` when the
   gate names no later time), with the decision.
3. **send**: in one transaction, the adapter uses the permit, hands the message over (with the
   message's id as the SMS `Idempotency-Key`, the e-mail `Message-ID`, the letter's file name,
   the in-app key), writes the contact attempt, and the row becomes `sent`. A failure rolls all
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
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from arrears.compliance.models import Permit
from arrears.compliance.services import PermitRefused, request_permit
from arrears.core.clock import Clock, SystemClock
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
    for message in _claim(limit=limit, now=clock.now()):
        counts.claimed += 1
        if on_step:
            on_step("claimed", message)
        adapter = chosen.get(message.channel)
        if adapter is None:
            adapter = chosen[message.channel] = adapter_for(message.channel, clock=clock)
        outcome = _dispatch_one(message, adapter=adapter, clock=clock, on_step=on_step)
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


def _dispatch_one(
    message: OutboxMessage,
    *,
    adapter: ChannelAdapter,
    clock: Clock,
    on_step: StepHook | None,
) -> str:
    permitted = _permit(message, clock=clock)
    if permitted != "ok":
        return permitted
    if on_step:
        on_step("permitted", message)
    assert message.permit is not None
    try:
        with transaction.atomic():
            delivery = adapter.send(permit_id=message.permit.pk, message=_outbound(message))
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
    if on_step:
        on_step("sent", message)
    return "sent"


def _permit(message: OutboxMessage, *, clock: Clock) -> str:
    """Give `message` a usable permit (committed), or park it: returns "ok" or the outcome."""
    now = clock.now()
    if _usable(message.permit, now):
        return "ok"
    with transaction.atomic():
        decision = request_permit(
            borrower=message.borrower,
            account=message.account,
            channel=message.channel,
            address=message.address,
            purpose=message.purpose,
            automated=True,
            message_kind=message.kind,
            clock=clock,
        )
        permit = decision.issued_permit
        update: dict[str, object] = {"decision": decision}
        if permit is not None:
            update["permit"] = permit
            outcome = "ok"
        else:
            reasons = _("Refused by the compliance gate: %(rules)s") % {
                "rules": decision.denied_rules or "-"
            }
            update["last_error"] = reasons
            update["attempts"] = F("attempts") - 1  # nothing was attempted
            if decision.next_permitted_at is not None:
                update["status"] = OutboxStatus.PENDING
                update["next_attempt_at"] = decision.next_permitted_at
                outcome = "deferred"
            else:
                update["status"] = OutboxStatus.BLOCKED
                outcome = "blocked"
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(**update)
    message.decision = decision
    message.permit = permit
    return outcome


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
    )
