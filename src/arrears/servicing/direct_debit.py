"""The direct-debit provider adapter: one interface, chosen in settings, with a test double.

`ARREARS_DIRECT_DEBIT_PROVIDER` names the class (dotted path). A provider must treat the
request's `idempotency_key` as the identity of the debit: the same key twice collects once and
answers the same outcome. That is what makes a cycle re-run after a crash safe — the debit is
asked again with the same key and the ledger posts it under the same key.

`ScriptedDirectDebit` is the deterministic double for tests, the demo and development: every
debit succeeds unless a failure was scripted for (account number, attempt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from arrears.core.money import Money


@dataclass(frozen=True)
class DebitRequest:
    """What the lender asks the provider to collect."""

    idempotency_key: str
    account_number: str
    consent_reference: str
    amount: Money
    collect_on: dt.date
    attempt: int


@dataclass(frozen=True)
class DebitOutcome:
    """The provider's answer: collected, or refused with one of `DebitFailureCode`."""

    succeeded: bool
    failure_code: str = ""
    provider_reference: str = ""


class DirectDebitProvider(Protocol):
    def debit(self, request: DebitRequest) -> DebitOutcome: ...


class UnconfiguredDirectDebit:
    """The default in production until a real provider is configured: refuses to guess."""

    def debit(self, request: DebitRequest) -> DebitOutcome:
        raise ImproperlyConfigured(
            "ARREARS_DIRECT_DEBIT_PROVIDER is not set: autopay cannot collect "
            f"{request.idempotency_key}"
        )


@dataclass
class ScriptedDirectDebit:
    """A deterministic provider: succeeds unless a failure is scripted for (account, attempt)."""

    failures: dict[tuple[str, int], str] = field(default_factory=dict)
    answered: dict[str, DebitOutcome] = field(default_factory=dict)
    requests: list[DebitRequest] = field(default_factory=list)

    def fail(self, account_number: str, code: str, *, attempts: tuple[int, ...] = (1,)) -> None:
        """Script a refusal with `code` for these attempts of this account's debits."""
        for attempt in attempts:
            self.failures[(account_number, attempt)] = code

    def reset(self) -> None:
        self.failures.clear()
        self.answered.clear()
        self.requests.clear()

    @property
    def collected(self) -> list[DebitRequest]:
        """The debits that moved money, once each."""
        return [r for r in self.requests if self.answered[r.idempotency_key].succeeded]

    def debit(self, request: DebitRequest) -> DebitOutcome:
        known = self.answered.get(request.idempotency_key)
        if known is not None:
            return known
        code = self.failures.get((request.account_number, request.attempt), "")
        outcome = DebitOutcome(
            succeeded=not code,
            failure_code=code,
            provider_reference=f"dd-{request.idempotency_key}",
        )
        self.answered[request.idempotency_key] = outcome
        self.requests.append(request)
        return outcome


_PROVIDERS: dict[str, DirectDebitProvider] = {}


def direct_debit_provider() -> DirectDebitProvider:
    """The configured provider, one instance per process (and per configured class)."""
    path = getattr(settings, "ARREARS_DIRECT_DEBIT_PROVIDER", "") or (
        "arrears.servicing.direct_debit.UnconfiguredDirectDebit"
    )
    provider = _PROVIDERS.get(path)
    if provider is None:
        provider = _PROVIDERS[path] = import_string(path)()
    return provider
