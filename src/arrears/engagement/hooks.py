"""Where the apps above engagement listen in, without engagement importing them.

The care desk threads a borrower's texts onto tickets and its e-mail replies onto the
borrower's e-mail thread; engagement is below care in the layers, so care registers functions
here (in its `AppConfig.ready`) instead of engagement calling care:

- **inbound listeners** `fn(inbound: InboundMessage) -> None`: called for each stored inbound
  text that is not an opt-out (a STOP is the gate's business, not a ticket), inside the
  transaction that stores it — the text is stored and threaded together or not at all, and the
  provider's retry of a failed webhook tries both again;
- **e-mail header providers** `fn(message: OutboxMessage) -> Mapping[str, str]`: extra headers
  for an outbox e-mail (`In-Reply-To`, `References`), asked when the dispatcher hands it over.
  `Message-ID` stays the dispatcher's (it is the message's idempotency key);
- **sent listeners** `fn(message: OutboxMessage) -> None`: told after a message was sent and
  committed (to link it to what asked for it). A listener's error is logged, never undoes a
  send: the message is out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arrears.engagement.inbox import InboundMessage
    from arrears.engagement.models import OutboxMessage

logger = logging.getLogger(__name__)

InboundListener = Callable[["InboundMessage"], object]
HeaderProvider = Callable[["OutboxMessage"], Mapping[str, str]]
SentListener = Callable[["OutboxMessage"], object]

_inbound: list[InboundListener] = []
_headers: list[HeaderProvider] = []
_sent: list[SentListener] = []

#: Headers a provider may not set: the dispatcher's own (identity of the message, recipient).
RESERVED_HEADERS = frozenset({"message-id", "x-arrears-outbox", "to", "from", "cc", "bcc"})


def _add(registry: list, fn: Callable) -> None:  # type: ignore[type-arg]
    if fn not in registry:  # AppConfig.ready may run more than once (tests, reloads)
        registry.append(fn)


def register_inbound_listener(fn: InboundListener) -> None:
    """Call `fn` with every inbound text stored from now on (opt-outs excepted)."""
    _add(_inbound, fn)


def register_email_headers(fn: HeaderProvider) -> None:
    """Ask `fn` for extra headers of every outbox e-mail handed over from now on."""
    _add(_headers, fn)


def register_sent_listener(fn: SentListener) -> None:
    """Call `fn` with every outbox message once it has been sent and committed."""
    _add(_sent, fn)


def inbound_received(inbound: InboundMessage) -> None:
    """Tell the listeners about a stored inbound text (their errors roll the storing back)."""
    if inbound.is_opt_out:
        return
    for listener in tuple(_inbound):
        listener(inbound)


def email_headers(message: OutboxMessage) -> dict[str, str]:
    """The providers' extra headers for `message` (reserved names dropped)."""
    headers: dict[str, str] = {}
    for provider in tuple(_headers):
        for name, value in provider(message).items():
            if name.lower() not in RESERVED_HEADERS and value:
                headers[name] = value
    return headers


def message_sent(message: OutboxMessage) -> None:
    """Tell the listeners a message went out; an error is logged (the message is out)."""
    for listener in tuple(_sent):
        try:
            listener(message)
        except Exception:
            logger.exception("a sent listener failed on outbox message %s", message.pk)
