"""Cases (案件): opening and closing, stage, owner, and pausing or resuming the treatment.

A case is the collection file of one account while it is delinquent. Each function here is one
change to one case, and writes one `CaseEvent` saying why — the nightly batch writes the same
events for the same changes (its differential test holds the two equal):

| change | event kind | `detail` |
|---|---|---|
| `open_case` | `opened` | stage, days_past_due, bucket |
| `close_case` | `closed` | close_reason, days_past_due, cancelled (actions cancelled) |
| `move_case_stage` | `stage` | from, to |
| `assign_case` | `owner` | from, to (each {kind, queue, agent, agency}) |
| `pause_treatment` | `paused` | until (the last day paused) |
| `resume_treatment` | `resumed` | paused_until (what it was) |
| `flag_hardship` | `treatment` | hardship: true, until |

`paused_until` is the last day the treatment waits: it starts again the day after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from arrears.collection.choices import (
    ActionStatus,
    CaseCloseReason,
    CaseEventKind,
    CaseStage,
    CaseStatus,
    OwnerKind,
)
from arrears.collection.models import Agency, Case, CollectionAction, Collector, WorkQueue
from arrears.collection.services._support import (
    locked,
    now_of,
    reason_text,
    record_event,
    require_open,
    touch,
)
from arrears.core.clock import Clock
from arrears.core.collection.stages import Stage, stage_for
from arrears.core.errors import Conflict, ValidationError
from arrears.engagement.services import cancel_collection_messages
from arrears.servicing.models import Account

#: How long a claim of hardship pauses the pressure while it is assessed (days).
HARDSHIP_PAUSE_DAYS = 30
#: Actions still to come: cancelled when the case closes or leaves the queues.
PENDING_ACTIONS = (
    ActionStatus.SCHEDULED,
    ActionStatus.QUEUED,
    ActionStatus.DEFERRED,
    ActionStatus.AWAITING_APPROVAL,
)


def stage_of(account: Account, *, current: str | None = None) -> str:
    """The stage the account's days past due put its case in (`core.collection.stages`)."""
    return stage_for(
        int(account.days_past_due),
        charged_off=account.charged_off_on is not None,
        current=current,
    ).value


def open_case_of(account: Account) -> Case | None:
    return Case.objects.filter(account=account, status=CaseStatus.OPEN).first()


@transaction.atomic
def open_case(
    *,
    account: Account,
    on: dt.date,
    reason: str,
    stage: str | None = None,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """Open the account's case on `on` (stage: from its days past due unless given).

    An account has at most one open case: opening a second is a `Conflict`.
    """
    now = now_of(clock)
    reason = reason_text("reason", reason)
    stage = _stage("stage", stage) if stage else stage_of(account)
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    existing = open_case_of(account)
    if existing is not None:
        raise Conflict(
            _("Account %(number)s already has an open case (%(id)s).")
            % {"number": account.number, "id": existing.pk}
        )
    case = Case(
        account=account,
        borrower_id=account.borrower_id,
        stage=stage,
        opened_on=on,
        opened_reason=reason[:300],
        updated_at=now,
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:  # opened by a concurrent writer since the check
        raise Conflict(
            _("Account %(number)s already has an open case.") % {"number": account.number}
        ) from None
    record_event(
        case,
        kind=CaseEventKind.OPENED,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={
            "stage": stage,
            "days_past_due": int(account.days_past_due),
            "bucket": account.bucket,
        },
    )
    return case


@transaction.atomic
def close_case(
    *,
    case: Case,
    on: dt.date,
    reason: str,
    note: str = "",
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """Close the case for a reason (cured, paid in full, settled …); its pending actions are
    cancelled."""
    now = now_of(clock)
    if reason not in CaseCloseReason.values:
        raise ValidationError(
            "reason",
            _("must be one of %(values)s") % {"values": ", ".join(CaseCloseReason.values)},
        )
    note = reason_text("note", note, required=False)
    case = locked(case)
    require_open(case)
    cancelled = cancel_pending_actions(
        case, now=now, why=_("the case was closed: %(reason)s") % {"reason": reason}
    )
    case.status = CaseStatus.CLOSED
    case.closed_on = on
    case.close_reason = reason
    case.next_action = "none"
    case.next_action_on = None
    touch(case, now, "status", "closed_on", "close_reason", "next_action", "next_action_on")
    record_event(
        case,
        kind=CaseEventKind.CLOSED,
        on=on,
        at=now,
        by=by,
        reason=note or str(CaseCloseReason(reason).label),
        detail={
            "close_reason": reason,
            "days_past_due": int(case.account.days_past_due),
            "cancelled": cancelled,
        },
    )
    return case


@transaction.atomic
def move_case_stage(
    *,
    case: Case,
    stage: str,
    on: dt.date,
    reason: str,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """Move the case to another stage (a case already there is left as it is)."""
    now = now_of(clock)
    stage = _stage("stage", stage)
    reason = reason_text("reason", reason)
    case = locked(case)
    require_open(case)
    if case.stage == stage:
        return case
    before = case.stage
    case.stage = stage
    touch(case, now, "stage")
    record_event(
        case,
        kind=CaseEventKind.STAGE,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={"from": before, "to": stage},
    )
    return case


@transaction.atomic
def assign_case(
    *,
    case: Case,
    on: dt.date,
    reason: str,
    queue: WorkQueue | None = None,
    agent: Any = None,
    agency: Agency | None = None,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """Give the case to a work queue, a collector or an agency (exactly one of them).

    A collector must be available, have the skills of the case's queue, and be under their
    capacity (open cases they own). Placing with an agency is `place_with_agency`, which
    records the placement and calls this.
    """
    now = now_of(clock)
    reason = reason_text("reason", reason)
    targets = [t for t in (queue, agent, agency) if t is not None]
    if len(targets) != 1:
        raise ValidationError("owner", _("give exactly one of queue, agent or agency"))
    case = locked(case)
    require_open(case)
    before = owner_of(case)
    if queue is not None:
        if not queue.is_active:
            raise ValidationError("queue", _("the queue is not active"))
        case.owner_kind, case.queue, case.agent, case.agency = OwnerKind.QUEUE, queue, None, None
    elif agent is not None:
        check_collector_can_take(case, agent)
        case.owner_kind, case.agent, case.agency = OwnerKind.AGENT, agent, None
    else:
        assert agency is not None
        if not agency.is_active:
            raise ValidationError("agency", _("the agency is not active"))
        case.owner_kind, case.agency, case.agent = OwnerKind.AGENCY, agency, None
    after = owner_of(case)
    if after == before:
        return case
    touch(case, now, "owner_kind", "queue", "agent", "agency")
    record_event(
        case,
        kind=CaseEventKind.OWNER,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={"from": before, "to": after},
    )
    return case


def owner_of(case: Case) -> dict[str, Any]:
    return {
        "kind": case.owner_kind,
        "queue": case.queue_id,
        "agent": case.agent_id,
        "agency": case.agency_id,
    }


def check_collector_can_take(case: Case, user: Any) -> Collector:
    """The user's collector profile, if they may own this case; else a `ValidationError`."""
    collector = Collector.objects.filter(user=user).first()
    if collector is None or not user.is_active:
        raise ValidationError("agent", _("is not an active collector"))
    if not collector.is_available:
        raise ValidationError("agent", _("is not available"))
    needed = set(case.queue.skills) if case.queue is not None else set()
    missing = needed - set(collector.skills)
    if missing:
        raise ValidationError(
            "agent", _("lacks the skills %(skills)s") % {"skills": ", ".join(sorted(missing))}
        )
    owned = (
        Case.objects.filter(status=CaseStatus.OPEN, owner_kind=OwnerKind.AGENT, agent=user)
        .exclude(pk=case.pk)
        .aggregate(n=Count("pk"))["n"]
    )
    if owned >= collector.max_open_cases:
        raise ValidationError(
            "agent",
            _("already owns %(n)d open cases, the most they can take")
            % {"n": collector.max_open_cases},
        )
    return collector


@transaction.atomic
def pause_treatment(
    *,
    case: Case,
    until: dt.date,
    on: dt.date,
    reason: str,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """Pause the treatment to the end of `until` (it resumes the day after)."""
    now = now_of(clock)
    reason = reason_text("reason", reason)
    if until < on:
        raise ValidationError("until", _("is before the day the pause starts"))
    case = locked(case)
    require_open(case)
    return _pause(case, until=until, on=on, now=now, reason=reason, by=by)


def _pause(
    case: Case, *, until: dt.date, on: dt.date, now: dt.datetime, reason: str, by: Any
) -> Case:
    if case.paused_until == until and case.pause_reason == reason[:300]:
        return case
    case.paused_until = until
    case.pause_reason = reason[:300]
    touch(case, now, "paused_until", "pause_reason")
    record_event(
        case,
        kind=CaseEventKind.PAUSED,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={"until": until.isoformat()},
    )
    return case


@transaction.atomic
def resume_treatment(
    *,
    case: Case,
    on: dt.date,
    reason: str,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """End a pause: the treatment starts again on `on` (a case not paused is left alone)."""
    now = now_of(clock)
    reason = reason_text("reason", reason)
    case = locked(case)
    require_open(case)
    return _resume(case, on=on, now=now, reason=reason, by=by)


def _resume(case: Case, *, on: dt.date, now: dt.datetime, reason: str, by: Any) -> Case:
    if case.paused_until is None or case.paused_until < on - dt.timedelta(days=1):
        return case
    before = case.paused_until
    case.paused_until = on - dt.timedelta(days=1)
    case.pause_reason = ""
    touch(case, now, "paused_until", "pause_reason")
    record_event(
        case,
        kind=CaseEventKind.RESUMED,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={"paused_until": before.isoformat()},
    )
    return case


@transaction.atomic
def flag_hardship(
    *,
    case: Case,
    on: dt.date,
    reason: str,
    by: Any = None,
    clock: Clock | None = None,
) -> Case:
    """The borrower says they cannot pay: the case is flagged and the pressure paused for
    `HARDSHIP_PAUSE_DAYS` while the hardship is assessed (a hardship plan takes it from there)."""
    now = now_of(clock)
    reason = reason_text("reason", reason)
    case = locked(case)
    require_open(case)
    until = on + dt.timedelta(days=HARDSHIP_PAUSE_DAYS)
    if not case.hardship:
        case.hardship = True
        touch(case, now, "hardship")
        record_event(
            case,
            kind=CaseEventKind.TREATMENT,
            on=on,
            at=now,
            by=by,
            reason=reason,
            detail={"hardship": True, "until": until.isoformat()},
        )
    if case.paused_until is None or case.paused_until < until:
        _pause(case, until=until, on=on, now=now, reason=reason, by=by)
    return case


def cancel_pending_actions(
    case: Case, *, now: dt.datetime, why: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Cancel the case's actions still to come (and their messages not yet sent)."""
    pending = CollectionAction.objects.filter(case=case, status__in=PENDING_ACTIONS)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    messages = [m for m in pending.values_list("outbox_message_id", flat=True) if m]
    count = pending.update(
        status=ActionStatus.CANCELLED,
        done_at=now,
        reason=Concat(F("reason"), Value(f"\n{why}"[:2000])),
    )
    if messages:
        cancel_collection_messages(message_ids=messages, reason=why, now=now)
    return count


def _stage(field: str, stage: str) -> str:
    if stage not in CaseStage.values:
        raise ValidationError(
            field, _("must be one of %(values)s") % {"values": ", ".join(CaseStage.values)}
        )
    return Stage(stage).value


__all__ = [
    "HARDSHIP_PAUSE_DAYS",
    "assign_case",
    "cancel_pending_actions",
    "check_collector_can_take",
    "close_case",
    "flag_hardship",
    "move_case_stage",
    "open_case",
    "open_case_of",
    "owner_of",
    "pause_treatment",
    "resume_treatment",
    "stage_of",
]
