"""The nightly review of plans (还款计划跟踪): activate, match payments, re-age, complete, break,
and remind the borrower the day before each instalment.

Run by the daily cycle as the step `review_plans` (`hardship.cycle`) after servicing's steps, so
the day's payments and ageing are in. Every change is a status test or a keyed write, so a date
reviewed twice changes nothing the second time:

- an accepted plan whose start date has come is activated;
- each active plan's instalments are matched with the payments received since it began
  (`matching.match_payments`): kept, kept late (within the grace days), missed;
- after `re_age_after` consecutive on-time payments the account is re-aged once
  (`servicing.re_age_account`), if the jurisdiction's limits allow (data/plan_rules.yaml);
- a missed instalment (its grace days passed) breaks the plan on that day: it stops driving
  ageing, the account is aged on its contract again and collection resumes, history kept;
- when every instalment is paid the plan is completed and the contract dues it replaced no
  longer count (a re-age on the day of completion);
- a reminder is queued through engagement for each instalment due tomorrow and not yet paid
  (notice kind `plan_instalment_due`, idempotent per instalment);
- a card's annual fee charged while the plan is kept is waived the night after, when the
  plan's terms say so (the policy's `waive_annual_fee`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.compliance.choices import Purpose
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.engagement import selectors as engagement_selectors
from arrears.engagement.choices import NoticeKind
from arrears.engagement.services.collection_messages import queue_collection_message
from arrears.hardship import selectors
from arrears.hardship.choices import InstalmentStatus, PlanEventKind, PlanStatus
from arrears.hardship.matching import (
    Standing,
    all_paid,
    first_missed,
    on_time_run_completed,
)
from arrears.hardship.models import Plan, PlanInstalment
from arrears.hardship.rules import plan_rules
from arrears.hardship.services.ledger_terms import (
    end_plan_terms,
    grant_plan_discount,
    waive_annual_fees,
)
from arrears.hardship.services.plans import activate_plan, cancel_plan, record_event
from arrears.servicing.choices import AccountStatus
from arrears.servicing.selectors import balances, posted_payments_in_bulk
from arrears.servicing.services.ageing import age_account, re_age_account
from arrears.servicing.services.products import product_terms

#: Plans reviewed per transaction.
CHUNK = 200

_EVENT_OF = {
    InstalmentStatus.KEPT: PlanEventKind.INSTALMENT_KEPT,
    InstalmentStatus.KEPT_LATE: PlanEventKind.INSTALMENT_KEPT_LATE,
    InstalmentStatus.MISSED: PlanEventKind.INSTALMENT_MISSED,
}


def review_plans(*, on: dt.date, clock: Clock | None = None) -> dict[str, int]:
    """Review every plan for the business date `on`; returns what happened, counted."""
    clock = clock or SystemClock()
    counts: Counter[str] = Counter()
    for plan in Plan.objects.filter(status=PlanStatus.ACCEPTED, starts_on__lte=on).order_by("pk"):
        try:
            activate_plan(plan=plan, on=on, clock=clock)
        except Conflict as refused:  # the account was closed or charged off meanwhile
            cancel_plan(plan=plan, reason=refused.message, on=on, clock=clock)
            counts["cancelled"] += 1
            continue
        counts["activated"] += 1
    ids = list(
        Plan.objects.filter(status=PlanStatus.ACTIVE, activated_on__lte=on)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _review_chunk(ids[start : start + CHUNK], on=on, clock=clock, counts=counts)
    if _reminders_wanted(on, clock):
        counts["reminders"] += queue_plan_reminders(on=on, clock=clock)
    return dict(counts)


def _review_chunk(
    plan_ids: Sequence[int], *, on: dt.date, clock: Clock, counts: Counter[str]
) -> None:
    plans = list(
        Plan.objects.select_for_update()
        .select_related("account")
        .filter(pk__in=plan_ids, status=PlanStatus.ACTIVE)
        .order_by("pk")
    )
    if not plans:
        return
    instalments = selectors.instalments_of_plans([p.pk for p in plans])
    starts = min(p.activated_on for p in plans if p.activated_on is not None)
    payments = posted_payments_in_bulk(
        [p.account_id for p in plans], received_from=starts, received_through=on
    )
    for plan in plans:
        waived = waive_annual_fees(plan, on=on, clock=clock)
        if waived is not None:
            counts["annual_fees_waived"] += 1
            record_event(plan, PlanEventKind.ANNUAL_FEE_WAIVED, on=on, clock=clock, amount=waived)
        rows = instalments.get(plan.pk, [])
        standings = selectors.standings_of(plan, rows, payments, as_of=on)
        _record_standings(plan, rows, standings, on=on, clock=clock, counts=counts)
        _settle(plan, standings, on=on, clock=clock, counts=counts)


def _record_standings(
    plan: Plan,
    rows: list[PlanInstalment],
    standings: list[Standing],
    *,
    on: dt.date,
    clock: Clock,
    counts: Counter[str],
) -> None:
    """Write each instalment's paid amount and status; a change of status is an event."""
    changed: list[PlanInstalment] = []
    for row, standing in zip(rows, standings, strict=True):
        fresh = (standing.paid_minor, standing.paid_on, standing.status)
        if (row.paid_minor, row.paid_on, row.status) == fresh:
            continue
        previous = row.status
        row.paid_minor, row.paid_on, row.status = fresh
        changed.append(row)
        if standing.status != previous and standing.status in _EVENT_OF:
            counts[str(standing.status)] += 1
            record_event(
                plan,
                _EVENT_OF[standing.status],
                on=on,
                clock=clock,
                instalment_number=row.number,
                due_on=row.due_on,
                amount=Money.from_minor(int(row.amount_minor), plan.currency),
                paid_on=standing.paid_on,
            )
    if changed:
        PlanInstalment.objects.bulk_update(changed, ["paid_minor", "paid_on", "status"])


def _settle(
    plan: Plan, standings: list[Standing], *, on: dt.date, clock: Clock, counts: Counter[str]
) -> None:
    """Complete, break or re-age the plan as its standings say.

    An account repaid in full completes its plan whatever the schedule still lists: a borrower
    may pay off early, and then owes none of the plan's later interest.
    """
    status = plan.account.status
    if status in (AccountStatus.PAID_OFF, AccountStatus.CLOSED) or all_paid(standings):
        _complete(plan, on=on, clock=clock)
        counts["completed"] += 1
        return
    missed = first_missed(standings)
    if missed is not None or status == AccountStatus.CHARGED_OFF:
        _break(plan, missed, on=on, clock=clock)
        counts["broken"] += 1
        return
    if plan.re_aged_on is None and plan.re_age_after:
        number = on_time_run_completed(standings, plan.re_age_after)
        if number is not None and _re_age(plan, number, on=on, clock=clock):
            counts["re_aged"] += 1


def _break(plan: Plan, missed: Standing | None, *, on: dt.date, clock: Clock) -> None:
    """The grace days of an instalment passed unpaid (or the account was charged off): the plan
    ends and the account goes back to its contract (aged on it at once) and to collection."""
    plan.status = PlanStatus.BROKEN
    plan.broken_on = on
    plan.end_reason = (
        f"instalment {missed.number} due {missed.due_on} missed"
        if missed is not None
        else "the account was charged off"
    )
    plan.save(update_fields=["status", "broken_on", "end_reason"])
    ledger = end_plan_terms(plan, on=on, reason=plan.end_reason, clock=clock)
    if missed is None:
        record_event(
            plan, PlanEventKind.BROKEN, on=on, clock=clock, reason=plan.end_reason, **ledger
        )
    else:
        record_event(
            plan,
            PlanEventKind.BROKEN,
            on=on,
            clock=clock,
            instalment_number=missed.number,
            due_on=missed.due_on,
            unpaid=Money.from_minor(missed.unpaid_minor, plan.currency),
            grace_days=plan.grace_days,
            **ledger,
        )
    account = plan.account
    if account.status == AccountStatus.OPEN:
        age_account(account=account, as_of=max(on, account.aged_on or on), clock=clock)


def _re_age(plan: Plan, number: int, *, on: dt.date, clock: Clock) -> bool:
    """Re-age the account after the run of on-time payments, if the jurisdiction allows."""
    account = plan.account
    if account.status != AccountStatus.OPEN:
        return False
    rules = plan_rules(product_terms(account.product).jurisdiction)
    refusal = rules.re_age_refusal(
        on=on, opened_on=account.opened_on, earlier=selectors.re_age_dates(account)
    )
    if refusal is not None:
        if not plan.events.filter(kind=PlanEventKind.RE_AGE_REFUSED).exists():
            record_event(plan, PlanEventKind.RE_AGE_REFUSED, on=on, clock=clock, reason=refusal)
        return False
    change = re_age_account(account=account, on=max(on, account.aged_on or on), clock=clock)
    plan.re_aged_on = on
    plan.save(update_fields=["re_aged_on"])
    record_event(
        plan,
        PlanEventKind.RE_AGED,
        on=on,
        clock=clock,
        instalment_number=number,
        from_bucket=change.from_bucket if change else account.bucket,
        to_bucket=change.to_bucket if change else account.bucket,
    )
    return True


def _complete(plan: Plan, *, on: dt.date, clock: Clock) -> None:
    """Every instalment paid: the plan is done — a settlement's discount is granted, the
    contract's rate is back from the next day — and the contract dues it stood in for no longer
    count against the account."""
    plan.status = PlanStatus.COMPLETED
    plan.completed_on = on
    plan.save(update_fields=["status", "completed_on"])
    ledger: dict[str, Any] = {}
    discount = grant_plan_discount(plan, on=on, clock=clock)
    if discount is not None:
        ledger["settlement_discount"] = discount
    ledger.update(end_plan_terms(plan, on=on, reason=_("plan completed"), clock=clock))
    account = plan.account
    account.refresh_from_db()
    bucket = account.bucket
    if account.status == AccountStatus.OPEN:
        change = re_age_account(account=account, on=max(on, account.aged_on or on), clock=clock)
        bucket = change.to_bucket if change else account.bucket
    record_event(
        plan,
        PlanEventKind.COMPLETED,
        on=on,
        clock=clock,
        account_status=account.status,
        bucket=bucket,
        **ledger,
    )


# --- reminders ----------------------------------------------------------------------------------
def _reminders_wanted(on: dt.date, clock: Clock) -> bool:
    """Reminders only for a date close to today: catching up on old dates reminds nobody."""
    catch_up = int(getattr(settings, "ARREARS_NOTICE_CATCH_UP_DAYS", 2))
    return on >= timezone.localdate(clock.now()) - dt.timedelta(days=catch_up)


def reminder_key(plan: Plan, instalment: PlanInstalment) -> str:
    return (
        f"notice:{NoticeKind.PLAN_INSTALMENT_DUE}:{plan.account_id}:{instalment.due_on}"
        f":plan{plan.pk}:i{instalment.number}"
    )


def queue_plan_reminders(*, on: dt.date, clock: Clock | None = None) -> int:
    """Queue a reminder for every active plan's instalment due the day after `on` and not yet
    paid; returns how many were written (a second run writes none)."""
    clock = clock or SystemClock()
    tomorrow = on + dt.timedelta(days=1)
    due = list(
        PlanInstalment.objects.filter(
            plan__status=PlanStatus.ACTIVE,
            due_on=tomorrow,
            amount_minor__gt=0,
        )
        .exclude(status__in=[InstalmentStatus.KEPT, InstalmentStatus.KEPT_LATE])
        .select_related("plan__account__borrower")
    )
    borrowers = {i.plan.account.borrower for i in due}
    reach = engagement_selectors.reach_of(borrowers)
    written = 0
    for instalment in due:
        plan = instalment.plan
        account = plan.account
        if NoticeKind.PLAN_INSTALMENT_DUE in reach[account.borrower_id].declined_kinds:
            continue
        unpaid = Money.from_minor(instalment.unpaid_minor, plan.currency)
        unpaid = unpaid.min(balances(account).total)  # never ask more than is owed
        if unpaid.amount <= 0:
            continue
        try:
            _message, created = queue_collection_message(
                kind=NoticeKind.PLAN_INSTALMENT_DUE,
                borrower=account.borrower,
                account=account,
                variables={"amount": unpaid, "due_on": instalment.due_on, "days_before": 1},
                idempotency_key=reminder_key(plan, instalment),
                due_on=instalment.due_on,
                purpose=Purpose.SERVICING,
                clock=clock,
            )
        except ValidationError:  # no channel reaches the borrower: nothing to queue
            continue
        if created:
            written += 1
            record_event(
                plan,
                PlanEventKind.REMINDER_QUEUED,
                on=on,
                clock=clock,
                instalment_number=instalment.number,
                due_on=instalment.due_on,
                amount=unpaid,
            )
    return written
