"""Delivering a public reply on its channel, through the compliance gate."""

from __future__ import annotations

import datetime as dt

from arrears.care.models import TicketMessage


def deliver_reply(*, message: TicketMessage, at: dt.datetime) -> None:
    """Placeholder until delivery is built (helper h2)."""
