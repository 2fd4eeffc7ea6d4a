"""Escalation (升级): a warning letter, a lawyer's letter, a legal-referral review, an agency.

`request_escalation` checks the preconditions a lender checks (`core.collection.escalation`,
per jurisdiction: earlier notices actually sent — read from the outbox — and their waiting
periods passed, no dispute or other hold, no plan or live promise, days past due and balance
high enough) and records every check with its reason. Not ready: the request is stored as
`not_eligible`, with the checks, and nothing else happens. Ready: when a supervisor's approval is
needed (the case's strategy step says so; by default every step but the warning letter) the
request waits, with an action `awaiting_approval`; otherwise it is carried out at once.

`approve_escalation` (only a user holding `collection.approve_escalation`: the supervisor roles)
checks the preconditions again — the account may have changed since — and carries the step out:
a letter goes to the outbox through the gate (the letter adapter prints the PDF), a legal review
moves the case to the legal stage, an agency placement places the case when an agency is given.
`reject_escalation` records why not. Each step writes an `escalation` event on the case.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.collection.choices import (
    ActionKind,
    ActionStatus,
    CaseEventKind,
    CaseStage,
    EscalationKind,
    EscalationStatus,
    PromiseStatus,
)
from arrears.collection.models import Agency, Case, CollectionAction, Escalation, Promise
from arrears.collection.services._support import (
    business_date,
    locked,
    now_of,
    reason_text,
    record_event,
    require_open,
)
from arrears.collection.services.cases import move_case_stage
from arrears.collection.services.scheduling import expected_value_minor, send_message
from arrears.compliance.choices import HoldKind
from arrears.compliance.selectors import account_holds
from arrears.compliance.services import jurisdiction_of
from arrears.core.clock import Clock
from arrears.core.collection import escalation as core
from arrears.core.collection.labels import describe
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.engagement.choices import NoticeKind, OutboxStatus
from arrears.engagement.models import OutboxMessage
from arrears.engagement.services import message_address
from arrears.servicing.selectors import balances

APPROVE_PERMISSION = "collection.approve_escalation"
#: Days the letter gives the borrower to pay or get in touch.
PAY_BY_DAYS = 14
#: Whether a step needs a supervisor when the case's strategy does not say.
DEFAULT_NEEDS_APPROVAL = {
    EscalationKind.WARNING_LETTER: False,
    EscalationKind.LAWYERS_LETTER: True,
    EscalationKind.LEGAL_REVIEW: True,
    EscalationKind.AGENCY_PLACEMENT: True,
}
#: The outbox kinds that count as each notice the preconditions name.
NOTICE_KINDS = {
    "reminder": (
        NoticeKind.DUE_REMINDER,
        NoticeKind.COLLECTION_REMINDER,
        NoticeKind.SELF_SERVICE_LINK,
    ),
    "warning_letter": (NoticeKind.WARNING_LETTER,),
    "lawyers_letter": (NoticeKind.LAWYERS_LETTER,),
}
_SENT = (OutboxStatus.SENT, OutboxStatus.DELIVERED)
_OPEN = (EscalationStatus.REQUESTED, EscalationStatus.APPROVED)


def notices_sent(case: Case) -> dict[str, dt.date]:
    """The last day each notice was sent on the account (from the outbox)."""
    kinds: dict[str, str] = {str(k): name for name, ks in NOTICE_KINDS.items() for k in ks}
    rows = OutboxMessage.objects.filter(
        account_id=case.account_id, kind__in=list(kinds), status__in=_SENT, sent_at__isnull=False
    ).values_list("kind", "sent_at")
    found: dict[str, dt.date] = {}
    for kind, sent_at in rows:
        if sent_at is None:
            continue
        name = kinds[kind]
        day = business_date(sent_at)
        if name not in found or day > found[name]:
            found[name] = day
    return found


def case_facts(case: Case, *, today: dt.date) -> core.CaseFacts:
    """What the preconditions read about the case today."""
    account = case.account
    holds = {h.kind for h in account_holds(account, current_on=today) if h.start_on <= today}
    return core.CaseFacts(
        as_of=today,
        days_past_due=int(account.days_past_due),
        balance=balances(account).total,
        notices_sent=notices_sent(case),
        dispute_open=HoldKind.DISPUTE in holds,
        holds=frozenset(holds - {HoldKind.DISPUTE}),
        on_plan=_on_plan(account),
        live_promise=Promise.objects.filter(account=account, status=PromiseStatus.LIVE).exists(),
    )


def _on_plan(account: Any) -> bool:
    """A hardship plan runs (asks the hardship app when it is installed)."""
    try:
        selectors = importlib.import_module("arrears.hardship.selectors")
    except ImportError:
        return False
    active_plan_for = getattr(selectors, "active_plan_for", None)
    return bool(active_plan_for(account)) if active_plan_for is not None else False


def check_preconditions(case: Case, kind: str, *, today: dt.date) -> core.Readiness:
    rules = core.escalation_rules_for(jurisdiction_of(case.borrower, case.account))
    return core.check_escalation(core.EscalationStep(kind), case_facts(case, today=today), rules)


def checks_document(readiness: core.Readiness) -> list[dict[str, Any]]:
    """The checks as stored on the escalation: the reason in both languages, the citation."""
    return [
        {
            "name": check.name,
            "passed": check.passed,
            "reason": check.reason,
            "params": dict(check.params),
            "text_en": describe(check.reason, check.params, "en"),
            "text_zh": describe(check.reason, check.params, "zh"),
            "cite": {
                "ref": check.cite.ref,
                "source": check.cite.source,
                "status": str(check.cite.status),
            },
            "ready_on": check.ready_on.isoformat() if check.ready_on else None,
        }
        for check in readiness.checks
    ]


def needs_approval(case: Case, kind: str) -> bool:
    """The case's strategy step for this action says; else `DEFAULT_NEEDS_APPROVAL`."""
    if case.strategy is not None:
        from arrears.core.strategy.document import read_strategy

        try:
            strategy = read_strategy(case.strategy.yaml_text)
        except ValidationError:
            strategy = None
        if strategy is not None:
            path = strategy.paths.get(case.path) if case.path else None
            paths = [path] if path is not None else list(strategy.paths.values())
            for candidate in paths:
                for step in candidate.steps:
                    if step.action.value == kind:
                        return step.needs_approval
    return DEFAULT_NEEDS_APPROVAL[EscalationKind(kind)]


@transaction.atomic
def request_escalation(
    *,
    case: Case,
    kind: str,
    by: Any = None,
    reason: str = "",
    approval: bool | None = None,
    clock: Clock | None = None,
) -> Escalation:
    """Ask to escalate the case; returns the escalation (not eligible, waiting or done).

    `approval` None: the strategy decides whether a supervisor must approve."""
    now = now_of(clock)
    today = business_date(now)
    if kind not in EscalationKind.values:
        raise ValidationError(
            "kind", _("must be one of %(values)s") % {"values": ", ".join(EscalationKind.values)}
        )
    reason = reason_text("reason", reason, required=False)
    case = locked(case)
    require_open(case)
    if Escalation.objects.filter(case=case, kind=kind, status__in=_OPEN).exists():
        raise Conflict(_("A %(kind)s is already requested for this case.") % {"kind": kind})
    readiness = check_preconditions(case, kind, today=today)
    escalation = Escalation.objects.create(
        case=case,
        kind=kind,
        status=EscalationStatus.REQUESTED,
        checks=checks_document(readiness),
        requested_at=now,
        requested_by=_user(by),
        decision_reason=reason[:500],
    )
    if not readiness.ready:
        escalation.status = EscalationStatus.NOT_ELIGIBLE
        escalation.decision_reason = _failures(readiness)[:500]
        escalation.save(update_fields=["status", "decision_reason"])
        _event(escalation, now=now, by=by, reason=escalation.decision_reason)
        return escalation
    wants_approval = needs_approval(case, kind) if approval is None else approval
    action = _action(escalation, now=now, needs_approval=wants_approval, reason=reason)
    escalation.action = action
    escalation.save(update_fields=["action"])
    if wants_approval:
        _event(escalation, now=now, by=by, reason=reason or _("waiting for a supervisor"))
        return escalation
    escalation.status = EscalationStatus.APPROVED
    escalation.decided_at = now
    escalation.save(update_fields=["status", "decided_at"])
    _event(escalation, now=now, by=by, reason=reason or _("no approval needed"))
    return _carry_out(escalation, now=now, by=by, agency=None, recall_on=None, clock=clock)


def _failures(readiness: core.Readiness) -> str:
    return "; ".join(describe(c.reason, c.params, "en") for c in readiness.failures)


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _action(
    escalation: Escalation, *, now: dt.datetime, needs_approval: bool, reason: str
) -> CollectionAction:
    case = escalation.case
    return CollectionAction.objects.create(
        idempotency_key=f"escalation:{escalation.pk}",
        case=case,
        account_id=case.account_id,
        borrower_id=case.borrower_id,
        business_date=business_date(now),
        step=escalation.kind,
        kind=escalation.kind,
        status=ActionStatus.AWAITING_APPROVAL if needs_approval else ActionStatus.SCHEDULED,
        needs_approval=needs_approval,
        currency=case.account.currency,
        reason=reason or str(EscalationKind(escalation.kind).label),
        created_at=now,
    )


def _event(escalation: Escalation, *, now: dt.datetime, by: Any, reason: str) -> None:
    record_event(
        escalation.case,
        kind=CaseEventKind.ESCALATION,
        on=business_date(now),
        at=now,
        by=by,
        reason=reason,
        detail={
            "escalation": escalation.pk,
            "kind": escalation.kind,
            "status": escalation.status,
        },
    )


def _decidable(escalation: Escalation, by: Any) -> Escalation:
    if by is None or not by.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only a collection supervisor may decide an escalation."))
    escalation = Escalation.objects.select_for_update().select_related("case").get(pk=escalation.pk)
    if escalation.status != EscalationStatus.REQUESTED:
        raise Conflict(
            _("Escalation %(id)s is %(status)s, not waiting for a decision.")
            % {"id": escalation.pk, "status": escalation.status}
        )
    return escalation


@transaction.atomic
def approve_escalation(
    *,
    escalation: Escalation,
    by: Any,
    reason: str = "",
    agency: Agency | None = None,
    recall_on: dt.date | None = None,
    clock: Clock | None = None,
) -> Escalation:
    """A supervisor approves: the preconditions are checked again, then the step is carried
    out (an agency placement needs `agency` and `recall_on` to place the case now)."""
    now = now_of(clock)
    reason = reason_text("reason", reason, required=False)
    escalation = _decidable(escalation, by)
    case = locked(escalation.case)
    require_open(case)
    readiness = check_preconditions(case, escalation.kind, today=business_date(now))
    if not readiness.ready:
        raise Conflict(
            _("The preconditions no longer hold: %(failures)s") % {"failures": _failures(readiness)}
        )
    escalation.case = case
    escalation.status = EscalationStatus.APPROVED
    escalation.checks = checks_document(readiness)
    escalation.decided_at = now
    escalation.decided_by = by
    escalation.decision_reason = reason[:500]
    escalation.save(
        update_fields=["status", "checks", "decided_at", "decided_by", "decision_reason"]
    )
    if escalation.action_id is not None:
        CollectionAction.objects.filter(pk=escalation.action_id).update(
            approved_by=by, approved_at=now, status=ActionStatus.SCHEDULED
        )
    _event(escalation, now=now, by=by, reason=reason or _("approved"))
    return _carry_out(escalation, now=now, by=by, agency=agency, recall_on=recall_on, clock=clock)


@transaction.atomic
def reject_escalation(
    *, escalation: Escalation, by: Any, reason: str, clock: Clock | None = None
) -> Escalation:
    """A supervisor says no, and why; the waiting action is cancelled."""
    now = now_of(clock)
    reason = reason_text("reason", reason)
    escalation = _decidable(escalation, by)
    escalation.status = EscalationStatus.REJECTED
    escalation.decided_at = now
    escalation.decided_by = by
    escalation.decision_reason = reason[:500]
    escalation.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    if escalation.action_id is not None:
        CollectionAction.objects.filter(pk=escalation.action_id).update(
            status=ActionStatus.CANCELLED, done_at=now
        )
    _event(escalation, now=now, by=by, reason=reason)
    return escalation


def _carry_out(
    escalation: Escalation,
    *,
    now: dt.datetime,
    by: Any,
    agency: Agency | None,
    recall_on: dt.date | None,
    clock: Clock | None,
) -> Escalation:
    kind = escalation.kind
    case = escalation.case
    if kind in (EscalationKind.WARNING_LETTER, EscalationKind.LAWYERS_LETTER):
        _send_letter(escalation, now=now, clock=clock)
    elif kind == EscalationKind.LEGAL_REVIEW:
        move_case_stage(
            case=case,
            stage=CaseStage.LEGAL,
            on=business_date(now),
            reason=_("legal-referral review approved"),
            by=by,
            clock=clock,
        )
        _done(escalation, now=now)
    elif agency is not None:
        from arrears.collection.services.agencies import place_with_agency

        if recall_on is None:
            raise ValidationError("recall_on", _("give the day the agency returns the case"))
        place_with_agency(case=case, agency=agency, recall_on=recall_on, by=by, clock=clock)
    return escalation


def _send_letter(escalation: Escalation, *, now: dt.datetime, clock: Clock | None) -> None:
    case = escalation.case
    today = business_date(now)
    channel = "letter" if message_address(case.borrower, "letter") else "email"
    account = case.account
    gated = send_message(
        case=case,
        kind=escalation.kind,
        channel=channel,
        at=now,
        key=f"escalation:{escalation.pk}",
        reason=str(EscalationKind(escalation.kind).label),
        now=now,
        variables={
            "balance": balances(account).total,
            "pay_by": today + dt.timedelta(days=PAY_BY_DAYS),
            "amount": Money.from_minor(int(account.past_due_minor), account.currency),
        },
        clock=clock,
    )
    if escalation.action_id is not None:
        CollectionAction.objects.filter(pk=escalation.action_id).update(
            channel=channel,
            template=escalation.kind,
            address=gated.address,
            status=gated.status,
            due_at=gated.due_at,
            outbox_message=gated.message,
            expected_value_minor=expected_value_minor(case, channel=channel),
            reason=gated.reason[:2000],
        )
    if gated.message is not None:
        _done(escalation, now=now, action=False)


def _done(escalation: Escalation, *, now: dt.datetime, action: bool = True) -> None:
    escalation.status = EscalationStatus.DONE
    escalation.done_at = now
    escalation.save(update_fields=["status", "done_at"])
    if action and escalation.action_id is not None:
        CollectionAction.objects.filter(pk=escalation.action_id).update(
            status=ActionStatus.DONE, done_at=now
        )


#: The action kinds of the escalation steps (the strategy's actions of the same names).
ESCALATION_ACTIONS = (
    ActionKind.WARNING_LETTER,
    ActionKind.LAWYERS_LETTER,
    ActionKind.LEGAL_REVIEW,
    ActionKind.AGENCY_PLACEMENT,
)
