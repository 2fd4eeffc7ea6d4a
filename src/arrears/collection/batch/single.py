"""One account's night, the slow way: the per-case services, the scalar strategy and the online
gate, one account after another.

What the batch does for a shard, this does for one account with the tools the online side uses
— `open_case` / `close_case` / `move_case_stage`, `evaluate` (scalar), `request_permit` for
each proposed contact, `queue_collection_message`, `route_queue` — so a differential test can
hold the two to the same cases, events and actions, and the benchmark can measure the batch
against a naive loop. The facts are read with the same code (`reading`, `facts`) for a shard of
one account: what a strategy sees never depends on the path. `strategy explain` uses
`account_facts_on` and `explain_answer` from here and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction

from arrears.collection.batch import texts
from arrears.collection.batch.actions import LETTER_PAY_DAYS
from arrears.collection.batch.facts import facts_of_cases
from arrears.collection.batch.night import Night
from arrears.collection.batch.plan import CONTACTS, TEMPLATED, action_key
from arrears.collection.batch.reading import Shard, ShardFrames, read_shard
from arrears.collection.batch.timing import call_moment, zone_of
from arrears.collection.choices import ActionKind, ActionStatus, CaseEventKind, CaseStatus
from arrears.collection.models import Case, CaseEvent, CollectionAction
from arrears.collection.services.cases import (
    cancel_pending_actions,
    close_case,
    move_case_stage,
    open_case,
    stage_of,
)
from arrears.collection.services.scheduling import route_queue, self_service_url
from arrears.compliance.choices import Purpose
from arrears.compliance.services import request_permit, void_permits
from arrears.core.clock import Clock, FixedClock
from arrears.core.collection.value import contact_value
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.core.strategy import AccountFacts, Evaluation, account_facts, evaluate
from arrears.core.strategy.outcomes import Outcome
from arrears.engagement.choices import NoticeKind
from arrears.engagement.models import OutboxMessage, Template
from arrears.engagement.services import message_address, queue_collection_message
from arrears.servicing.models import Account, ContactPoint

PHONES = ("mobile", "home", "work")


@dataclass(frozen=True)
class Answer:
    """The strategy's answer for one case, with the pause applied (as `evaluation.apply_pause`)."""

    evaluation: Evaluation
    step: str | None
    action: str
    channel: str | None
    template: str | None
    approval: bool
    due_on: dt.date | None
    next_on: dt.date | None
    outcome: str
    reason: str


def account_facts_on(
    account_id: int, *, day: dt.date, night: Night
) -> tuple[ShardFrames, pl.DataFrame]:
    """The account's shard frames and its facts row (empty when it has no open case)."""
    frames = read_shard(
        Shard(day, account_id, account_id, every_account=True),
        back_off_days=night.back_off_days,
        rpc_days=night.rpc_days,
    )
    facts = facts_of_cases(
        frames,
        frames.cases,
        night.products,
        day=day,
        time_zone=night.lender_zone,
        back_off_days=night.back_off_days,
    )
    return frames, facts


def answer_for(facts: AccountFacts, case: Case, night: Night, *, day: dt.date) -> Answer:
    """`evaluate` for one account, then the pause rule."""
    found = evaluate(night.strategy.document, facts, as_of=day)
    if case.paused_until is not None and case.paused_until >= day:
        return Answer(
            found, None, "none", None, None, False, None,
            case.paused_until + dt.timedelta(days=1), "paused",
            texts.paused_reason(until=case.paused_until, why=case.pause_reason),
        )  # fmt: skip
    return Answer(
        found, found.step, found.action, found.channel, found.template, found.approval,
        found.due_on, found.next_on, found.outcome.value, found.reason,
    )  # fmt: skip


@transaction.atomic
def run_account(
    *, account_id: int, business_date: dt.date, clock: Clock, night: Night | None = None
) -> None:
    """The collection night for one account, through the per-case services (`night`: what
    the accounts of one date share, loaded once by the caller of many)."""
    day = business_date
    night = night or Night.load(business_date=day, clock=clock)
    now = night.now
    clock = FixedClock(now)
    account = Account.objects.select_related("borrower").get(pk=account_id)
    case = _reconcile(account, day=day, clock=clock)
    if case is None:
        return
    if case.last_step_on == day:
        return  # stepped today already: a re-run writes nothing
    frames, rows = account_facts_on(account_id, day=day, night=night)
    facts = account_facts(rows.drop("case_id").row(0, named=True))
    answer = answer_for(facts, case, night, day=day)
    _record(case, answer, night=night, day=day, now=now)
    if answer.outcome == Outcome.LEFT_ALONE.value:
        cancel_pending_actions(case, now=now, why=answer.reason)
    if night.contacts and answer.outcome in (Outcome.DUE.value, Outcome.REPEAT_DUE.value):
        _act(case, account, facts, answer, frames.calls, night=night, day=day, clock=clock)


def _reconcile(account: Account, *, day: dt.date, clock: Clock) -> Case | None:
    case = Case.objects.filter(account=account, status=CaseStatus.OPEN).first()
    dpd = int(account.days_past_due)
    if case is None:
        if account.status in ("open", "charged_off") and dpd >= 1:
            reason = texts.opened_reason(days_past_due=dpd, bucket=account.bucket)
            return open_case(account=account, on=day, reason=reason, clock=clock)
        return None
    owed = _owed(account, day)
    if account.status in ("paid_off", "closed") and owed <= 0:
        close_case(case=case, on=day, reason="paid_in_full", clock=clock)
        return None
    if account.status == "open" and dpd == 0 and case.stage != "pre_delinquency":
        close_case(case=case, on=day, reason="cured", clock=clock)
        return None
    stage = stage_of(account, current=case.stage)
    if stage != case.stage:
        why = texts.stage_reason(old=case.stage, new=stage, days_past_due=dpd)
        case = move_case_stage(case=case, stage=stage, on=day, reason=why, clock=clock)
    return Case.objects.get(pk=case.pk)


def _owed(account: Account, day: dt.date) -> int:
    from django.db.models import Q, Sum

    from arrears.servicing.models import JournalLine

    books = Q(book__in=["suspense:credit", "loss:charge_off", "recovery"])
    for prefix in ("principal:", "interest:", "fees:"):
        books |= Q(book__startswith=prefix)
    total = JournalLine.objects.filter(books, account=account, effective_on__lte=day).aggregate(
        s=Sum("amount_minor")
    )["s"]
    return int(total or 0)


def _record(case: Case, answer: Answer, *, night: Night, day: dt.date, now: dt.datetime) -> None:
    before = (case.segment, case.path)
    found = answer.evaluation
    has_step = answer.outcome in {o.value for o in Outcome if o.has_step}
    case.strategy_id = night.strategy.row_id
    case.segment = found.segment or ""
    case.path = found.arm or ""
    case.next_action = answer.action if has_step else "none"
    case.next_action_on = answer.due_on or answer.next_on
    case.next_action_reason = answer.reason
    if night.contacts and answer.outcome in (Outcome.DUE.value, Outcome.REPEAT_DUE.value):
        case.last_step, case.last_step_on = answer.step or "", day
    case.evaluated_on = day
    case.updated_at = now
    case.save()
    if (case.segment, case.path) != before:
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.TREATMENT, on=day, at=now,
            reason=answer.reason,
            detail={"strategy": night.strategy.row_id, "segment": case.segment,
                    "path": case.path, "from": {"segment": before[0], "path": before[1]}},
        )  # fmt: skip


def contact_moment(borrower_zone: str, *, day: dt.date, hour: int, now: dt.datetime,
                   lender_zone: str) -> dt.datetime:  # fmt: skip
    """`hour` o'clock the day after `day` in the borrower's zone (else the lender's), in UTC,
    never before now (`plan.contact_moments`, one at a time)."""
    try:
        zone = zoneinfo.ZoneInfo(borrower_zone) if borrower_zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour))
    moment = local.replace(tzinfo=zone or zoneinfo.ZoneInfo(lender_zone)).astimezone(dt.UTC)
    return max(moment, now)


def contact_address(account: Account, channel: str) -> str | None:
    if channel == "call":
        point = (
            ContactPoint.objects.filter(borrower=account.borrower, is_valid=True, kind__in=PHONES)
            .order_by("-is_primary", "pk")
            .first()
        )
        return point.value if point else None
    return message_address(account.borrower, channel)


def _act(
    case: Case,
    account: Account,
    facts: AccountFacts,
    answer: Answer,
    calls: pl.DataFrame,
    *,
    night: Night,
    day: dt.date,
    clock: Clock,
) -> None:
    now = night.now
    step = answer.step or ""
    kind = answer.action
    channel = "call" if kind == ActionKind.CALL else (answer.channel or "")
    repeats = _repeats(night, case.path, step)
    times = CollectionAction.objects.filter(case=case, step=step).count()
    key = action_key(case.pk, step, day, times + 1 if repeats else None)
    address = contact_address(account, channel) if kind in CONTACTS else None
    template = _template(answer.template, channel, facts.language) if kind in TEMPLATED else None
    at = contact_moment(account.borrower.time_zone, day=day, hour=night.contact_hour, now=now,
                        lender_zone=night.lender_zone)  # fmt: skip
    rate = None
    if kind == ActionKind.CALL:
        at, rate = call_moment(
            [
                (when, bool(answered))
                for when, answered in calls.select("at", "answered").iter_rows()
            ],
            zone_of(account.borrower.time_zone, night.lender_zone),
            night.everyone_rates,
            day=day,
            now=now,
            hours=night.call_hours,
        )
    fields: dict[str, Any] = {"status": ActionStatus.SCHEDULED, "due_at": at,
                              "reason": answer.reason}  # fmt: skip
    if answer.approval:
        fields.update(status=ActionStatus.AWAITING_APPROVAL,
                      reason=texts.awaiting_approval(answer.reason))  # fmt: skip
    elif kind in CONTACTS and address is None:
        fields.update(status=ActionStatus.SKIPPED, due_at=None,
                      reason=texts.skipped(answer.reason, texts.no_address(channel)))  # fmt: skip
    elif kind in TEMPLATED and template is None:
        why = texts.no_template(answer.template or "", channel, facts.language)
        fields.update(status=ActionStatus.SKIPPED, due_at=None,
                      reason=texts.skipped(answer.reason, why))  # fmt: skip
    elif kind in CONTACTS:
        assert address is not None
        fields.update(_ask(case, account, kind, channel, address, at, key, answer.reason, clock))
    message = None
    if kind in TEMPLATED and fields["status"] in (ActionStatus.SCHEDULED, ActionStatus.DEFERRED):
        message = _queue_message(case, account, facts, answer, channel, key, fields, day, clock)
    action = CollectionAction.objects.create(
        idempotency_key=key, case=case, account=account, borrower_id=account.borrower_id,
        business_date=day, step=step, kind=kind, channel=channel,
        template=answer.template or "", address=address or "", status=fields["status"],
        due_at=fields["due_at"], currency=account.currency, needs_approval=answer.approval,
        expected_value_minor=_value(facts, account, channel, rate, night),
        decision_id=fields.get("decision_id"), outbox_message=message,
        queue=route_queue(case) if kind == ActionKind.CALL and fields["status"] in (
            ActionStatus.QUEUED, ActionStatus.DEFERRED) else None,
        reason=fields["reason"], created_at=now,
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.STEP, on=day, at=now, reason=action.reason,
        detail={"step": step, "action": kind, "channel": channel, "status": action.status,
                "key": key},
    )  # fmt: skip


def _value(
    facts: AccountFacts, account: Account, channel: str, rate: float | None, night: Night
) -> int | None:
    """`core.collection.value` for this contact (None where the model has no figures)."""
    try:
        at_risk = Money(max(facts.balance, Decimal(0)), account.currency)
        found = contact_value(balance_at_risk=at_risk, bucket=facts.bucket,
                              channel=Channel(channel), answer_rate=rate,
                              model=night.value_model)  # fmt: skip
    except (ValidationError, ValueError):
        return None
    return found.value.minor


def _repeats(night: Night, path: str, step: str) -> bool:
    found = night.strategy.document.paths.get(path)
    return found is not None and any(s.id == step and s.repeats for s in found.steps)


def _template(template: str | None, channel: str, language: str) -> Template | None:
    if not template or template not in NoticeKind.values:
        return None
    return Template.objects.filter(
        kind=template, channel=channel, language=language, is_active=True
    ).first()


def _ask(
    case: Case,
    account: Account,
    kind: str,
    channel: str,
    address: str,
    at: dt.datetime,
    key: str,
    reason: str,
    clock: Clock,
) -> Mapping[str, Any]:
    """The online gate for one contact (a call's permit is voided: an agent asks again)."""
    call = kind == ActionKind.CALL
    decision = request_permit(
        borrower=account.borrower, account=account, channel=channel, address=address,
        purpose=Purpose.COLLECTION, automated=not call, at=at, clock=clock,
    )  # fmt: skip
    if decision.allowed and call:
        void_permits(borrower=account.borrower, reason="batch call: no permit", now=clock.now(),
                     channel="call", address=address)  # fmt: skip
    if decision.allowed:
        ready = ActionStatus.QUEUED if call else ActionStatus.SCHEDULED
        return {"status": ready, "due_at": at, "reason": reason, "decision_id": decision.pk}
    later = decision.next_permitted_at
    if later is None:
        return {"status": ActionStatus.BLOCKED, "due_at": None, "reason": texts.blocked(reason),
                "decision_id": decision.pk}  # fmt: skip
    return {"status": ActionStatus.DEFERRED, "due_at": later,
            "reason": texts.deferred(reason, later), "decision_id": decision.pk}  # fmt: skip


def _queue_message(
    case: Case,
    account: Account,
    facts: AccountFacts,
    answer: Answer,
    channel: str,
    key: str,
    fields: Mapping[str, Any],
    day: dt.date,
    clock: Clock,
) -> OutboxMessage:
    due = fields["due_at"]
    variables = {
        "amount": Money.from_minor(int(account.past_due_minor), account.currency),
        "days_past_due": int(account.days_past_due),
        "self_service_url": self_service_url(case),
        "balance": Money(max(facts.balance, Decimal(0)), account.currency),
        "pay_by": day + dt.timedelta(days=LETTER_PAY_DAYS),
    }
    message, _created = queue_collection_message(
        kind=answer.template or "", borrower=account.borrower, account=account,
        variables=variables, idempotency_key=key, channel=channel,
        due_on=due.astimezone(zoneinfo.ZoneInfo(str(settings.TIME_ZONE))).date(),
        send_at=due, clock=clock,
    )  # fmt: skip
    decision_id = fields.get("decision_id")
    permit = None
    if fields["status"] == ActionStatus.SCHEDULED and decision_id is not None:
        from arrears.compliance.models import Permit

        permit = Permit.objects.filter(decision_id=decision_id).first()
    OutboxMessage.objects.filter(pk=message.pk).update(decision_id=decision_id, permit=permit)
    return message
