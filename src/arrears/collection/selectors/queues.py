"""The agent's work queue (工作队列) and the supervisor's view of the load.

Which calls a collector sees (`callable_actions`), in one query:

- call actions `queued` or `deferred` whose time has come (`due_at` ≤ now), of open cases not
  paused and not with an agency, on accounts with no hold in force (a dispute, a cease …);
- in the collector's queues whose skills they have, or already theirs (assigned to them, or a
  case they own); never a case another collector owns;
- routed by skill: hardship or vulnerable cases need `hardship_trained`, legal-stage cases
  `legal`; a collector with languages set sees only borrowers speaking one of them;
- capacity: a collector who owns as many open cases as `max_open_cases` sees only their own;
- ordered by the expected value of the contact (`expected_value_minor`, highest first; none
  last), then the oldest due.

`work_queue` then asks the compliance gate about each (`next_permitted`, which writes nothing)
and lists only what the gate allows now; what it allows later is shown apart with the time it
will, and what it refuses outright is left out. The work queue therefore never shows an
account the gate refuses now.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.collection.choices import ActionKind, ActionStatus, CaseStage, CaseStatus, OwnerKind
from arrears.collection.models import Case, CollectionAction, Collector, WorkQueue
from arrears.compliance.choices import Purpose
from arrears.compliance.models import Hold
from arrears.compliance.services import next_permitted
from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from arrears.core.money import Money

WAITING = (ActionStatus.QUEUED, ActionStatus.DEFERRED)
DEFAULT_LIMIT = 20


def collector_of(user: Any) -> Collector:
    """The user's collector profile (`ValidationError` on `agent` when they have none)."""
    pk = getattr(user, "pk", None)
    collector = (
        Collector.objects.filter(user_id=pk).prefetch_related("queues").first()
        if pk is not None
        else None
    )
    if collector is None:
        raise ValidationError("agent", _("you are not set up as a collector"))
    return collector


def holds_in_force(today: dt.date) -> Exists:
    """A hold covering the action's account today (its own, or every account of the borrower)."""
    return Exists(
        Hold.objects.filter(
            borrower_id=OuterRef("borrower_id"),
            lifted_at__isnull=True,
            start_on__lte=today,
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .filter(Q(account__isnull=True) | Q(account_id=OuterRef("account_id")))
    )


def owned_open_cases(user: Any) -> int:
    return Case.objects.filter(
        status=CaseStatus.OPEN, owner_kind=OwnerKind.AGENT, agent_id=user.pk
    ).count()


def callable_actions(
    collector: Collector, *, now: dt.datetime, today: dt.date, untaken: bool = False
) -> QuerySet[CollectionAction]:
    """The calls this collector may work now, best first (see the module's rules)."""
    user_id = collector.user_id
    skills = set(collector.skills or [])
    queues = [q.pk for q in collector.queues.all() if q.is_active and set(q.skills) <= skills]
    mine = Q(assigned_to_id=user_id) | Q(case__owner_kind=OwnerKind.AGENT, case__agent_id=user_id)
    actions = (
        CollectionAction.objects.filter(
            kind=ActionKind.CALL,
            status__in=WAITING,
            case__status=CaseStatus.OPEN,
        )
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=now))
        .filter(Q(case__paused_until__isnull=True) | Q(case__paused_until__lt=today))
        .exclude(case__owner_kind=OwnerKind.AGENCY)
        .exclude(Q(case__owner_kind=OwnerKind.AGENT) & ~Q(case__agent_id=user_id))
        .filter(Q(assigned_to__isnull=True) | Q(assigned_to_id=user_id))
        .filter(Q(queue_id__in=queues) | mine)
        .exclude(holds_in_force(today))
    )
    if "hardship_trained" not in skills:
        actions = actions.exclude(Q(case__hardship=True) | Q(case__vulnerable=True))
    if "legal" not in skills:
        actions = actions.exclude(case__stage=CaseStage.LEGAL)
    if collector.languages:
        actions = actions.filter(borrower__preferred_language__in=list(collector.languages))
    if owned_open_cases(collector.user) >= collector.max_open_cases:
        actions = actions.filter(case__owner_kind=OwnerKind.AGENT, case__agent_id=user_id)
    if untaken:
        actions = actions.filter(taken_at__isnull=True)
    return actions.order_by(
        F("expected_value_minor").desc(nulls_last=True), F("due_at").asc(nulls_first=True), "id"
    )


@dataclass(frozen=True)
class QueueItem:
    """One call in a collector's queue, with when the gate allows it."""

    action: CollectionAction
    next_permitted_at: dt.datetime | None
    taken: bool

    @property
    def expected_value(self) -> Money | None:
        value = self.action.expected_value_minor
        if value is None or not self.action.currency:
            return None
        return Money.from_minor(int(value), self.action.currency)


@dataclass
class WorkQueueView:
    """What a collector sees: the calls the gate allows now, and those it allows later."""

    now: dt.datetime
    ready: list[QueueItem] = field(default_factory=list)
    later: list[QueueItem] = field(default_factory=list)
    refused: int = 0  # left out: the gate names no time (a person must unblock them)


def work_queue(user: Any, *, now: dt.datetime, limit: int = DEFAULT_LIMIT) -> WorkQueueView:
    """The collector's queue now: up to `limit` calls the gate allows, best first."""
    collector = collector_of(user)
    view = WorkQueueView(now=now)
    today = timezone.localdate(now)
    candidates = callable_actions(collector, now=now, today=today).select_related(
        "case__account", "case__borrower", "borrower", "account", "queue"
    )
    for action in candidates[: limit * 3]:
        when = next_permitted(
            borrower=action.borrower,
            account=action.account,
            channel=action.channel or "call",
            address=action.address,
            purpose=Purpose.COLLECTION,
            at=now,
            clock=FixedClock(now),
        )
        item = QueueItem(action, when, taken=action.taken_at is not None)
        if when is None:
            view.refused += 1
        elif when <= now:
            view.ready.append(item)
        else:
            view.later.append(item)
        if len(view.ready) >= limit:
            break
    return view


@dataclass(frozen=True)
class QueueLoad:
    """A queue's load: calls waiting, ready now, taken by a collector, the oldest due."""

    queue: WorkQueue | None
    waiting: int
    ready: int
    taken: int
    oldest_due_at: dt.datetime | None


@dataclass(frozen=True)
class CollectorLoad:
    """A collector's load: open cases owned against capacity, calls taken and not recorded."""

    collector: Collector
    open_cases: int
    capacity: int
    calls_in_hand: int


@dataclass
class Load:
    queues: list[QueueLoad]
    collectors: list[CollectorLoad]
    by_status: dict[str, int]


def queue_load(*, now: dt.datetime) -> Load:
    """For supervisors: the items per queue, per collector, and the oldest waiting."""
    waiting = CollectionAction.objects.filter(kind=ActionKind.CALL, status__in=WAITING)
    per_queue = waiting.values("queue_id").annotate(
        waiting=Count("id"),
        ready=Count("id", filter=Q(due_at__isnull=True) | Q(due_at__lte=now)),
        taken=Count("id", filter=Q(taken_at__isnull=False)),
        oldest=Min("due_at"),
    )
    queues = {q.pk: q for q in WorkQueue.objects.all()}
    loads = [
        QueueLoad(
            queue=queues.get(row["queue_id"]),
            waiting=row["waiting"],
            ready=row["ready"],
            taken=row["taken"],
            oldest_due_at=row["oldest"],
        )
        for row in per_queue.order_by("queue_id")
    ]
    owned = Counter(
        dict(
            Case.objects.filter(status=CaseStatus.OPEN, owner_kind=OwnerKind.AGENT)
            .values_list("agent_id")
            .annotate(n=Count("id"))
            .values_list("agent_id", "n")
        )
    )
    in_hand = Counter(
        dict(
            waiting.filter(taken_at__isnull=False)
            .values_list("assigned_to_id")
            .annotate(n=Count("id"))
            .values_list("assigned_to_id", "n")
        )
    )
    collectors = [
        CollectorLoad(
            collector=c,
            open_cases=owned.get(c.user_id, 0),
            capacity=c.max_open_cases,
            calls_in_hand=in_hand.get(c.user_id, 0),
        )
        for c in Collector.objects.select_related("user").order_by("user__username")
    ]
    by_status = dict(
        CollectionAction.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Load(queues=loads, collectors=collectors, by_status=by_status)
