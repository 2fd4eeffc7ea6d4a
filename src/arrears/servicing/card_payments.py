"""The card-payment provider adapter: one interface, chosen in settings, with a test double.

A borrower paying in the portal pays with a debit card through the lender's payment provider.
`ARREARS_CARD_PAYMENT_PROVIDER` names the provider class (dotted path); it must treat the
request's `idempotency_key` as the identity of the charge: the same key twice charges once and
answers the same outcome. The portal asks with the same key it then posts the payment under
(`services.card_payments.take_card_payment`), so a double-submitted form charges and posts once.

The card number goes to the provider and nowhere else: Arrears keeps only its last four digits.

`ScriptedCardPayments` is the deterministic double for tests, the demo and development: every
charge succeeds unless a decline was scripted for the account (`decline(account_number, code)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from arrears.core.money import Money


class CardDeclineCode(models.TextChoices):
    """Why a card issuer refused a charge, in words a borrower can act on."""

    INSUFFICIENT_FUNDS = "insufficient_funds", _("There is not enough money on the card.")
    CARD_EXPIRED = "card_expired", _("The card has expired.")
    DO_NOT_HONOUR = "do_not_honour", _("The card's bank refused the payment.")
    LIMIT_EXCEEDED = "limit_exceeded", _("The payment is over the card's daily limit.")
    TECHNICAL = "technical", _("The payment service could not be reached.")


@dataclass(frozen=True)
class CardPaymentRequest:
    """What the lender asks the provider to charge."""

    idempotency_key: str
    account_number: str
    card_number: str
    amount: Money


@dataclass(frozen=True)
class CardPaymentOutcome:
    """The provider's answer: charged, or declined with one of `CardDeclineCode`."""

    succeeded: bool
    decline_code: str = ""
    provider_reference: str = ""


class CardPaymentProvider(Protocol):
    def charge(self, request: CardPaymentRequest) -> CardPaymentOutcome: ...


class UnconfiguredCardPayments:
    """The default in production until a real provider is configured: refuses to guess."""

    def charge(self, request: CardPaymentRequest) -> CardPaymentOutcome:
        raise ImproperlyConfigured(
            "ARREARS_CARD_PAYMENT_PROVIDER is not set: the portal cannot take "
            f"{request.idempotency_key}"
        )


@dataclass
class ScriptedCardPayments:
    """A deterministic provider: charges succeed unless a decline is scripted for the account.

    `decline(account_number, code, times=n)` makes the next `n` new charges on that account fail
    with `code`; a key already answered answers the same again (no new charge).
    """

    declines: dict[str, list[str]] = field(default_factory=dict)
    answered: dict[str, CardPaymentOutcome] = field(default_factory=dict)
    requests: list[CardPaymentRequest] = field(default_factory=list)

    def decline(self, account_number: str, code: str, *, times: int = 1) -> None:
        """Script `times` refusals with `code` for the next charges on this account."""
        self.declines.setdefault(account_number, []).extend([code] * times)

    def reset(self) -> None:
        self.declines.clear()
        self.answered.clear()
        self.requests.clear()

    @property
    def charged(self) -> list[CardPaymentRequest]:
        """The charges that moved money, once each."""
        return [r for r in self.requests if self.answered[r.idempotency_key].succeeded]

    def charge(self, request: CardPaymentRequest) -> CardPaymentOutcome:
        known = self.answered.get(request.idempotency_key)
        if known is not None:
            return known
        queued = self.declines.get(request.account_number) or []
        code = queued.pop(0) if queued else ""
        outcome = CardPaymentOutcome(
            succeeded=not code,
            decline_code=code,
            provider_reference=f"card-{request.idempotency_key}",
        )
        self.answered[request.idempotency_key] = outcome
        self.requests.append(request)
        return outcome


_PROVIDERS: dict[str, CardPaymentProvider] = {}


def card_payment_provider() -> CardPaymentProvider:
    """The configured provider, one instance per process (and per configured class)."""
    path = getattr(settings, "ARREARS_CARD_PAYMENT_PROVIDER", "") or (
        "arrears.servicing.card_payments.UnconfiguredCardPayments"
    )
    provider = _PROVIDERS.get(path)
    if provider is None:
        provider = _PROVIDERS[path] = import_string(path)()
    return provider
