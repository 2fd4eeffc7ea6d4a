"""In-app notifications: the adapter stores the message for the borrower's portal inbox."""

from __future__ import annotations

import uuid

from arrears.compliance.choices import Channel
from arrears.engagement.channels.base import ChannelAdapter, Delivery, OutboundMessage
from arrears.engagement.inbox import InAppNotification


class InAppAdapter(ChannelAdapter):
    """Writes an `InAppNotification` (once per message key) in the sender's transaction."""

    channel = Channel.IN_APP

    def deliver(self, message: OutboundMessage, *, permit_id: uuid.UUID) -> Delivery:
        now = self.clock.now()
        notification, _created = InAppNotification.objects.get_or_create(
            key=message.idempotency_key or f"permit:{permit_id}",
            defaults={
                "borrower_id": message.borrower_id,
                "title": message.subject,
                "body": message.body,
                "language": message.language,
                "created_at": now,
            },
        )
        return Delivery(
            permit_id=permit_id,
            channel=self.channel,
            address=message.address,
            provider_ref=f"inapp:{notification.pk}",
            delivered_at=now,
        )
