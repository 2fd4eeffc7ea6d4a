"""One message a collection step sends: rendered from its template, written to the outbox once.

The collection services (a fallback SMS after unanswered calls, a promise reminder, a warning or
lawyer's letter) call `queue_collection_message` with their own idempotency key: a second call
with the same key returns the row already written and writes nothing. The message leaves only
through the dispatcher, which asks the compliance gate for a permit at send time, as for every
notice; `send_at` lets the caller start it no earlier than the gate's next permitted time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.compliance.choices import Purpose
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.engagement import selectors
from arrears.engagement.choices import DEFAULT_CHANNEL_ORDER, NoticeKind, OutboxStatus
from arrears.engagement.models import OutboxMessage, Template
from arrears.engagement.services.templates import render_template
from arrears.servicing.models import Account, Borrower

MAX_KEY_LENGTH = 200


def message_address(borrower: Borrower, channel: str) -> str | None:
    """Where the borrower is reached on `channel` (the first valid contact point), or None."""
    reach = selectors.reach_of([borrower])[borrower.pk]
    return reach.addresses.get(channel)


@transaction.atomic
def queue_collection_message(
    *,
    kind: str,
    borrower: Borrower,
    account: Account | None,
    variables: Mapping[str, Any],
    idempotency_key: str,
    channel: str | None = None,
    due_on: dt.date | None = None,
    purpose: str = Purpose.COLLECTION,
    send_at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> tuple[OutboxMessage, bool]:
    """Write the message to the outbox (or find the one written under this key).

    `channel` None: the borrower's first channel with an address and an active template (their
    own order, then SMS, e-mail, in-app, letter). Returns (message, created).
    """
    now = (clock or SystemClock()).now()
    if kind not in NoticeKind.values:
        raise ValidationError("kind", _("is not a kind of notice"))
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValidationError("idempotency_key", _("must be 1 to 200 characters"))
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    reach = selectors.reach_of([borrower])[borrower.pk]
    chosen = _channel(kind, channel, reach)
    if chosen is None:
        raise ValidationError(
            "channel",
            _("the borrower cannot be reached on %(channel)s")
            % {"channel": channel or ", ".join(DEFAULT_CHANNEL_ORDER)},
        )
    picked, template = chosen
    rendered = render_template(template, {**_common(borrower, account), **variables})
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        borrower=borrower,
        account=account,
        kind=kind,
        purpose=purpose,
        channel=picked,
        address=reach.addresses[picked],
        language=reach.language,
        subject=rendered.subject[:300],
        body=rendered.body,
        html_body=rendered.html_body,
        template=template,
        due_on=due_on,
        status=OutboxStatus.PENDING,
        next_attempt_at=max(send_at, now) if send_at is not None else now,
        created_at=now,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:  # written by a concurrent caller since the check above
        return OutboxMessage.objects.get(idempotency_key=idempotency_key), False
    return message, True


@transaction.atomic
def cancel_collection_messages(
    *, message_ids: Iterable[uuid.UUID | str], reason: str, now: dt.datetime
) -> int:
    """Cancel messages not yet sent (the case closed, a dispute was raised); returns how many.

    A message already being sent is left to the dispatcher (its permit decides)."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids), status=OutboxStatus.PENDING
    ).update(status=OutboxStatus.CANCELLED, last_error=reason[:2000])


def _common(borrower: Borrower, account: Account | None) -> dict[str, Any]:
    return {
        "borrower_name": borrower.full_name,
        "account_last4": account.number[-4:] if account is not None else "",
    }


def _channel(kind: str, channel: str | None, reach: selectors.Reach) -> tuple[str, Template] | None:
    order = (channel,) if channel else (*reach.channels, *DEFAULT_CHANNEL_ORDER)
    for candidate in order:
        if candidate not in reach.addresses:
            continue
        template = Template.objects.filter(
            kind=kind, channel=candidate, language=reach.language, is_active=True
        ).first()
        if template is not None:
            return candidate, template
    return None
