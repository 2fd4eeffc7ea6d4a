"""Which adapter serves each channel, as the settings say (docs/operations.md)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from arrears.compliance.choices import Channel
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError
from arrears.engagement.channels.base import ChannelAdapter, RecordingAdapter


def adapter_for(channel: str, *, clock: Clock | None = None) -> ChannelAdapter:
    """The configured adapter of `channel`: SMTP e-mail, the SMS provider (`ARREARS_SMS_PROVIDER`:
    `http`, or `recording` to keep texts in memory), PDF letters, or the in-app inbox."""
    if channel == Channel.EMAIL:
        from arrears.engagement.channels.email import EmailAdapter

        return EmailAdapter(clock=clock)
    if channel == Channel.SMS:
        provider = settings.ARREARS_SMS_PROVIDER
        if provider == "http":
            from arrears.engagement.channels.sms import HttpSmsAdapter

            return HttpSmsAdapter(clock=clock)
        if provider == "recording":
            return RecordingAdapter(Channel.SMS, clock=clock)
        raise ValidationError(
            "ARREARS_SMS_PROVIDER",
            _("must be http or recording, not %(value)s") % {"value": provider},
        )
    if channel == Channel.LETTER:
        from arrears.engagement.channels.letter import LetterAdapter

        return LetterAdapter(clock=clock)
    if channel == Channel.IN_APP:
        from arrears.engagement.channels.inapp import InAppAdapter

        return InAppAdapter(clock=clock)
    raise ValidationError("channel", _("no adapter sends on %(channel)s") % {"channel": channel})
