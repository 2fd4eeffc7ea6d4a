"""The one way out: a channel adapter delivers only on a valid, unused compliance permit.

`ChannelAdapter.send(permit_id=…, message=…)` first uses the permit (`compliance.services.
use_permit`: this borrower, this channel, this address, not used, not expired, not voided) and
only then calls the adapter's `deliver`. A missing, used, expired or voided permit, or one for
another recipient, raises `PermitRefused` and nothing is delivered. The attempt is written to
the shared contact history, so the caps count it.

The permit is used before delivery is tried: if delivery fails the contact needs a new permit
(at most once, never twice). Real adapters (SMTP, SMS over HTTP, PDF letters, in-app) subclass
this; `RecordingAdapter` keeps messages in memory for tests and the demo.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import ClassVar

from arrears.compliance.choices import AttemptOutcome, Channel
from arrears.compliance.services import record_contact_attempt, use_permit
from arrears.core.clock import Clock, SystemClock


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutboundMessage:
    """What to send, to whom: the borrower (by id), the address on the adapter's channel."""

    borrower_id: int
    address: str
    body: str
    subject: str = ""
    language: str = "zh-hans"
    #: Stable across retries of one message (the outbox row's key): the SMS provider dedupes on
    #: it, the e-mail carries it as Message-ID, a letter is written under it.
    idempotency_key: str = ""
    #: The person the letter or e-mail is addressed to (salutation, address block).
    recipient_name: str = ""
    #: What kind of message it is (e.g. "warning_letter", "lawyers_letter"): picks a layout.
    kind: str = ""
    #: An HTML alternative for e-mail (the plain `body` is always sent too).
    html_body: str = ""
    #: Extra e-mail headers (threading: `In-Reply-To`, `References`); see `engagement.hooks`.
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Delivery:
    """What an adapter reports back: the provider's reference and the outcome so far."""

    permit_id: uuid.UUID
    channel: str
    address: str
    provider_ref: str
    delivered_at: dt.datetime
    outcome: str = AttemptOutcome.SENT


class DeliveryFailed(Exception):
    """The channel did not take the message. `transient`: worth trying again later (a timeout,
    a 5xx, a full queue); otherwise the address or the message is refused for good."""

    def __init__(self, message: str, *, transient: bool, provider_ref: str = "") -> None:
        super().__init__(message)
        self.transient = transient
        self.provider_ref = provider_ref


class ChannelAdapter(abc.ABC):
    """Base of every channel: `send` checks the permit, `deliver` (per channel) hands it over."""

    channel: ClassVar[str]

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    def send(self, *, permit_id: uuid.UUID | str | None, message: OutboundMessage) -> Delivery:
        """Deliver `message` on the permit, or raise `PermitRefused` having delivered nothing."""
        permit = use_permit(
            permit_id=permit_id,
            borrower=message.borrower_id,
            channel=self.channel,
            address=message.address,
            clock=self.clock,
        )
        delivery = self.deliver(message, permit_id=permit.pk)
        decision = permit.decision
        record_contact_attempt(
            borrower=permit.borrower,
            channel=self.channel,
            address=message.address,
            outcome=delivery.outcome,
            started_at=delivery.delivered_at,
            accounts=[decision.account] if decision.account is not None else [],
            party_role=decision.party_role,
            party_ref=decision.party_ref,
            purpose=decision.purpose,
            automated=True,
            permit=permit,
            clock=self.clock,
        )
        return delivery

    @abc.abstractmethod
    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        """Hand the message to the channel (SMTP server, SMS gateway, printer …)."""


class RecordingAdapter(ChannelAdapter):
    """Keeps what it is asked to deliver in memory (`outbox`): for tests and the demo."""

    def __init__(self, channel: str = Channel.SMS, *, clock: Clock | None = None) -> None:
        super().__init__(clock=clock)
        self.channel = channel  # type: ignore[misc]
        self.outbox: list[tuple[OutboundMessage, Delivery]] = []

    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        delivery = Delivery(
            permit_id=permit_id,
            channel=self.channel,
            address=message.address,
            provider_ref=f"recorded-{len(self.outbox) + 1}",
            delivered_at=self.clock.now(),
        )
        self.outbox.append((message, delivery))
        return delivery
