"""Reads for the agent console: the account 360° in a fixed number of queries, the account's
contact history with each attempt's disposition and gate decision, and the call a collector
holds on an account (taken from the queue, with its permit).

Collection sits above servicing, compliance, engagement and hardship, so it can gather what
the agent sees about an account; the care desk's tickets are read by care's own selector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arrears.collection.choices import ActionStatus, CaseStatus
from arrears.collection.models import (
    Case,
    CaseEvent,
    CollectionAction,
    Escalation,
    Promise,
)
from arrears.collection.selectors.cases import active_dispositions, promises_of_account
from arrears.compliance.models import AutomatedConsent, ContactAttempt, Decision, Hold, OptOut
from arrears.compliance.selectors import account_holds
from arrears.core.errors import NotFound
from arrears.core.money import Money
from arrears.hardship.models import Plan
from arrears.hardship.selectors import plans_of_account
from arrears.servicing.models import (
    Account,
    BucketChange,
    ContactPoint,
    JournalEntry,
    Obligation,
    Statement,
)
from arrears.servicing.selectors.balances import Balances, balances
from arrears.servicing.selectors.listings import account_schedule, account_statements

#: How many rows the long lists show (the newest).
RECENT = 50


@dataclass
class AccountOverview:
    """Everything the account 360° shows above the long lists."""

    account: Account
    balances: Balances
    past_due: Money
    contact_points: list[ContactPoint]
    consents: list[AutomatedConsent]
    opt_outs: list[OptOut]
    holds: list[Hold]
    statements: list[Statement]
    schedule: list[Obligation]
    bucket_changes: list[BucketChange]
    cases: list[Case]
    notes: list[CaseEvent]
    promises: list[Promise]
    plans: list[Plan]
    escalations: list[Escalation]
    dispositions: list[Any] = field(default_factory=list)
    call_in_hand: CollectionAction | None = None

    @property
    def borrower(self) -> Any:
        return self.account.borrower

    @property
    def open_case(self) -> Case | None:
        return next((c for c in self.cases if c.status == CaseStatus.OPEN), None)

    @property
    def phone_numbers(self) -> list[ContactPoint]:
        return [
            p for p in self.contact_points if p.kind in ("mobile", "home", "work") and p.is_valid
        ]


def account_for_console(account_id: int) -> Account:
    """The account with its borrower and product (`NotFound` when there is none)."""
    account = Account.objects.select_related("borrower", "product").filter(pk=account_id).first()
    if account is None:
        raise NotFound(f"account {account_id}")
    return account


def account_overview(account: Account, *, user: Any = None) -> AccountOverview:
    """The account 360° (one query per section, whatever the account's history); with `user`,
    the call on the account they hold from their queue."""
    borrower = account.borrower
    cases = list(
        Case.objects.filter(account=account)
        .select_related("queue", "agent", "agency", "strategy")
        .order_by("status", "-opened_on", "-id")
    )
    return AccountOverview(
        account=account,
        balances=balances(account),
        past_due=Money.from_minor(int(account.past_due_minor or 0), account.currency),
        contact_points=list(borrower.contact_points.order_by("-is_primary", "kind", "id")),
        consents=list(AutomatedConsent.objects.filter(borrower=borrower).order_by("-id")),
        opt_outs=list(OptOut.objects.filter(borrower=borrower).order_by("-id")),
        holds=list(account_holds(account).order_by("-start_on", "-id")),
        statements=list(account_statements(account).order_by("-statement_on")[:12]),
        schedule=list(account_schedule(account)),
        bucket_changes=list(
            BucketChange.objects.filter(account=account).order_by("-changed_on", "-id")[:RECENT]
        ),
        cases=cases,
        notes=list(
            CaseEvent.objects.filter(case__account=account)
            .select_related("by")
            .order_by("-at", "-id")[:RECENT]
        ),
        promises=list(promises_of_account(account)[:RECENT]),
        plans=list(plans_of_account(account)[:RECENT]),
        escalations=list(
            Escalation.objects.filter(case__account=account).order_by("-requested_at", "-id")[
                :RECENT
            ]
        ),
        dispositions=list(active_dispositions()),
        call_in_hand=call_in_hand(account, user) if user is not None else None,
    )


@dataclass(frozen=True)
class AccountContacts:
    """The borrower's contact history (each attempt with its disposition and the decision of
    the permit it used) and the gate's recent decisions about this account."""

    attempts: list[ContactAttempt]
    decisions: list[Decision]


def account_contacts(account: Account) -> AccountContacts:
    attempts = (
        ContactAttempt.objects.filter(borrower_id=account.borrower_id)
        .select_related("permit__decision", "collection_outcome__disposition", "agent")
        .order_by("-started_at", "-id")[:RECENT]
    )
    decisions = Decision.objects.filter(account=account).order_by("-decided_at", "-id")[:RECENT]
    return AccountContacts(attempts=list(attempts), decisions=list(decisions))


def account_ledger(account: Account) -> list[JournalEntry]:
    """The account's journal entries, newest first, with their lines."""
    return list(
        JournalEntry.objects.filter(account=account)
        .prefetch_related("lines")
        .order_by("-effective_on", "-id")[:RECENT]
    )


def call_in_hand(account: Account, user: Any) -> CollectionAction | None:
    """The call on this account the collector took from the queue and has not recorded yet
    (with its decision and permit), if any."""
    return (
        CollectionAction.objects.filter(
            account=account,
            assigned_to_id=getattr(user, "pk", None),
            taken_at__isnull=False,
            status__in=(ActionStatus.QUEUED, ActionStatus.DEFERRED),
        )
        .select_related("case", "decision__permit")
        .order_by("-taken_at")
        .first()
    )


__all__ = [
    "AccountContacts",
    "AccountOverview",
    "account_contacts",
    "account_for_console",
    "account_ledger",
    "account_overview",
    "call_in_hand",
]
