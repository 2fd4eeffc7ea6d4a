"""The period's activity around the report's accounts, one aggregate query per record kind:
contact attempts by channel, promises that fell due, repayment plans, complaints and the
compliance gate's refusals.

A record "concerns" the report's accounts when it names one of them, or names no account and
belongs to a borrower who holds one (a call about the borrower rather than a debt).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from arrears.analytics.selectors.scope import Scope
from arrears.care.choices import TicketKind
from arrears.care.models import Ticket
from arrears.collection.choices import PromiseStatus
from arrears.collection.models import Promise, PromiseInstalment
from arrears.compliance.choices import Direction
from arrears.compliance.models import ContactAttempt, Decision
from arrears.hardship.choices import PlanStatus
from arrears.hardship.models import Plan


@dataclass(frozen=True)
class ChannelAttempts:
    """Outbound attempts on one channel, and how many reached the right party (本人接通)."""

    channel: str
    attempts: int
    right_party: int


@dataclass(frozen=True)
class PlanCounts:
    accounts_on_plans: int
    completed: int
    broken: int


def _concerns(scope: Scope, through: type, owner_field: str) -> Q:
    """Names an account of the report, or names none and its borrower holds one."""
    accounts = scope.accounts()
    named = through.objects.filter(**{owner_field: OuterRef("pk")})  # type: ignore[attr-defined]
    return Q(Exists(named.filter(account__in=accounts.values("pk")))) | (
        ~Q(Exists(named)) & Q(borrower__in=accounts.values("borrower_id"))
    )


def attempts_by_channel(scope: Scope) -> list[ChannelAttempts]:
    """Outbound contact attempts started in the period, by channel; right party = the call's
    recorded disposition (通话结果) has the right-party flag."""
    rows = (
        ContactAttempt.objects.filter(
            direction=Direction.OUTBOUND,
            started_at__gte=scope.start_at,
            started_at__lt=scope.end_at,
        )
        .filter(_concerns(scope, ContactAttempt.accounts.through, "contactattempt"))
        .order_by()
        .values("channel")
        .annotate(
            attempts=Count("pk"),
            right_party=Count("pk", filter=Q(collection_outcome__disposition__right_party=True)),
        )
    )
    return sorted(
        (ChannelAttempts(r["channel"], int(r["attempts"]), int(r["right_party"])) for r in rows),
        key=lambda found: found.channel,
    )


def promises_fallen_due(scope: Scope) -> Counter[str]:
    """Promises whose last instalment fell due in the period, counted by their status now
    (cancelled promises left out): kept, partly kept, broken, or live (still in its grace)."""
    last_due = (
        PromiseInstalment.objects.filter(promise=OuterRef("pk"))
        .order_by("-due_on")
        .values("due_on")[:1]
    )
    rows = (
        Promise.objects.filter(account__in=scope.accounts().values("pk"))
        .exclude(status=PromiseStatus.CANCELLED)
        .annotate(falls_due_on=Subquery(last_due))
        .filter(falls_due_on__gte=scope.start_on, falls_due_on__lt=scope.end_on)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    return Counter({str(row["status"]): int(row["n"]) for row in rows})


def plan_counts(scope: Scope) -> PlanCounts:
    """Accounts on an agreed plan at some time in the period; plans completed or broken in it.

    A plan is in force from its acceptance until it completed, broke or was cancelled.
    """
    start, end = scope.start_on, scope.end_on
    in_force = (
        Q(accepted_at__isnull=False, accepted_at__lt=scope.end_at)
        & (Q(completed_on__isnull=True) | Q(completed_on__gte=start))
        & (Q(broken_on__isnull=True) | Q(broken_on__gte=start))
        & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=start))
    )
    found = Plan.objects.filter(account__in=scope.accounts().values("pk")).aggregate(
        on_plans=Count("account", distinct=True, filter=in_force),
        completed=Count("pk", filter=Q(status=PlanStatus.COMPLETED, completed_on__gte=start,
                                       completed_on__lt=end)),
        broken=Count("pk", filter=Q(status=PlanStatus.BROKEN, broken_on__gte=start,
                                    broken_on__lt=end)),
    )  # fmt: skip
    return PlanCounts(int(found["on_plans"]), int(found["completed"]), int(found["broken"]))


def complaints(scope: Scope) -> int:
    """Complaint tickets (投诉) opened in the period, not merged into another ticket."""
    tickets: QuerySet[Ticket] = Ticket.objects.filter(
        kind=TicketKind.COMPLAINT,
        created_at__gte=scope.start_at,
        created_at__lt=scope.end_at,
        merged_into__isnull=True,
    ).filter(_concerns(scope, Ticket.accounts.through, "ticket"))
    return tickets.count()


def blocks_by_rule(scope: Scope) -> tuple[int, Counter[str]]:
    """Contacts the gate refused in the period, and how many times each rule refused one (a
    refusal by two rules counts once for each rule)."""
    accounts = scope.accounts()
    concerns = Q(account__in=accounts.values("pk")) | Q(
        account__isnull=True, borrower__in=accounts.values("borrower_id")
    )
    rows = (
        Decision.objects.filter(
            concerns, allowed=False, decided_at__gte=scope.start_at, decided_at__lt=scope.end_at
        )
        .order_by()
        .values("denied_rules")
        .annotate(n=Count("pk"))
    )
    refused = 0
    by_rule: Counter[str] = Counter()
    for row in rows:
        refused += int(row["n"])
        for rule in str(row["denied_rules"]).split():
            by_rule[rule] += int(row["n"])
    return refused, by_rule
