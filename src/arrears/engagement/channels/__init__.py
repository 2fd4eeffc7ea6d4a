"""Channel adapters: every one is a `ChannelAdapter`, so every one asks for a permit first."""

from arrears.engagement.channels.base import (
    ChannelAdapter,
    Delivery,
    DeliveryFailed,
    OutboundMessage,
    RecordingAdapter,
)

__all__ = ["ChannelAdapter", "Delivery", "DeliveryFailed", "OutboundMessage", "RecordingAdapter"]
