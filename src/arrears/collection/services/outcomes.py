"""Recording what came of a call, and doing what its disposition drives (通话结果与后续处置).

`record_call_outcome` writes the attempt to the shared contact history (compliance's
`record_contact_attempt`, with the disposition's outcome: the gate's caps count it) and the
`ContactOutcome` beside it, then applies the disposition's effects to the case:

- `reset_no_answer` / `count_no_answer`: the case's run of unanswered calls;
- `mark_number_invalid`: the number is marked invalid on the borrower (never dialled again);
- `open_dispute`: a dispute hold on the account (compliance `set_hold`), so every queue and
  message stops, and the case's pending actions are cancelled;
- `flag_hardship`: the case is flagged and the pressure paused (`flag_hardship`);
- `pause_treatment`: a pause of `PAUSE_DAYS` (a promise taken in the same call pauses until
  its last payment's grace ends instead);
- `book_callback`: a call at the time the borrower asked for, through the gate;

and then the retry rule (`core.collection.retries.next_attempt`): a retry call, or — after the
policy's K unanswered calls in a row — an SMS or e-mail with a self-service link, both through
the gate (a proposal the gate refuses now is moved to its next permitted time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arrears.collection.choices import ActionStatus, CaseEventKind, PromiseSource
from arrears.collection.models import Case, CollectionAction, ContactOutcome, Promise
from arrears.collection.services._support import (
    aware,
    business_date,
    local_zone,
    locked,
    now_of,
    reason_text,
    record_event,
    touch,
)
from arrears.collection.services.cases import (
    _pause,
    cancel_pending_actions,
    flag_hardship,
    open_case_of,
)
from arrears.collection.services.dispositions import as_core, disposition_by_code
from arrears.collection.services.promises import (
    DEFAULT_GRACE_DAYS,
    PromisedPayment,
    take_promise,
)
from arrears.collection.services.scheduling import schedule_call, schedule_message
from arrears.compliance.choices import Channel, Direction, HoldKind, Purpose, Role
from arrears.compliance.models import ContactAttempt, Permit
from arrears.compliance.services import record_contact_attempt, set_hold, use_permit
from arrears.core.clock import Clock, FixedClock
from arrears.core.collection import best_time, retries
from arrears.core.collection.dispositions import Effect
from arrears.core.collection.labels import describe
from arrears.core.compliance.model import Channel as GateChannel
from arrears.core.errors import ValidationError
from arrears.engagement.choices import NoticeKind
from arrears.engagement.services import message_address
from arrears.servicing.choices import ContactKind
from arrears.servicing.models import Account
from arrears.servicing.services.borrowers import mark_contact_point_invalid

#: How long `pause_treatment` (without a promise) waits: a payment said to be made clears.
PAUSE_DAYS = 3
#: How long a dispute hold runs before a person must review it.
DISPUTE_REVIEW_DAYS = 30
#: The furthest ahead a callback may be booked (days).
MAX_CALLBACK_DAYS = 30
#: The call log a retry learns the borrower's good hours from.
BEST_TIME_DAYS = 90
_PHONE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)


@dataclass
class OutcomeRecorded:
    """What one recorded outcome did: the rows written and the actions scheduled."""

    outcome: ContactOutcome
    attempt: ContactAttempt
    case: Case | None
    promise: Promise | None = None
    scheduled: list[CollectionAction] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    next_step: str = ""


def _resolve(case: Case | None, account: Account | None) -> tuple[Account, Case | None]:
    if case is None and account is None:
        raise ValidationError("account", _("give the case or the account"))
    if case is not None:
        if account is not None and case.account_id != account.pk:
            raise ValidationError("case", _("is the case of another account"))
        return case.account, case
    assert account is not None
    return account, open_case_of(account)


def _permit(permit: Permit | str | None, *, borrower: Any, number: str, at: dt.datetime) -> Any:
    """Use the call's permit as of the moment the call started (it must have been valid then)."""
    if permit is None:
        return None
    permit_id = permit.pk if isinstance(permit, Permit) else permit
    return use_permit(
        permit_id=permit_id,
        borrower=borrower,
        channel=Channel.CALL,
        address=number,
        clock=FixedClock(at),
    )


@transaction.atomic
def record_call_outcome(
    *,
    disposition: str,
    number: str,
    case: Case | None = None,
    account: Account | None = None,
    started_at: dt.datetime | None = None,
    duration_seconds: int | None = None,
    agent: Any = None,
    recording_ref: str = "",
    note: str = "",
    callback_at: dt.datetime | None = None,
    permit: Permit | str | None = None,
    action: CollectionAction | None = None,
    party_role: str = Role.DEBTOR,
    direction: str = Direction.OUTBOUND,
    promise: list[PromisedPayment] | None = None,
    promise_grace_days: int | None = None,
    clock: Clock | None = None,
) -> OutcomeRecorded:
    """Record a call's outcome (on the case, or the account's open case) and apply what its
    disposition drives; with `promise`, the promise taken in the call is written too."""
    now = now_of(clock)
    account, case = _resolve(case, account)
    row = disposition_by_code(disposition)
    drives = as_core(row)
    number = (number or "").strip()
    if not number:
        raise ValidationError("number", _("give the number called"))
    started_at = aware("started_at", started_at) or now
    if started_at > now:
        raise ValidationError("started_at", _("is in the future: record what has happened"))
    callback_at = aware("callback_at", callback_at)
    if drives.drives(Effect.BOOK_CALLBACK):
        if callback_at is None:
            raise ValidationError("callback_at", _("give the time the borrower asked to be called"))
        if callback_at <= started_at:
            raise ValidationError("callback_at", _("must be after the call"))
        if callback_at > started_at + dt.timedelta(days=MAX_CALLBACK_DAYS):
            raise ValidationError(
                "callback_at", _("must be within %(n)d days") % {"n": MAX_CALLBACK_DAYS}
            )
    note = reason_text("note", note, required=False)
    if action is not None and action.case_id != (case.pk if case else None):
        raise ValidationError("action", _("is an action of another case"))
    used = _permit(permit, borrower=account.borrower, number=number, at=started_at)
    attempt = record_contact_attempt(
        borrower=account.borrower,
        channel=Channel.CALL,
        address=number,
        outcome=row.attempt_outcome,
        started_at=started_at,
        accounts=[account],
        direction=direction,
        party_role=party_role,
        purpose=Purpose.COLLECTION,
        duration_seconds=duration_seconds,
        agent=agent if getattr(agent, "pk", None) else None,
        recording_ref=recording_ref,
        permit=used,
        clock=clock,
    )
    outcome = ContactOutcome.objects.create(
        attempt=attempt,
        case=case,
        action=action,
        disposition=row,
        note=note,
        callback_at=callback_at,
        recorded_at=now,
        recorded_by=agent if getattr(agent, "pk", None) else None,
    )
    done = OutcomeRecorded(outcome=outcome, attempt=attempt, case=case)
    if action is not None:
        CollectionAction.objects.filter(pk=action.pk).update(status=ActionStatus.DONE, done_at=now)
    if Effect.MARK_NUMBER_INVALID in drives.effects:
        mark_contact_point_invalid(borrower=account.borrower_id, value=number)
        done.effects.append(Effect.MARK_NUMBER_INVALID.value)
    if promise:
        done.promise, _created = take_promise(
            account=account,
            instalments=promise,
            source=PromiseSource.AGENT,
            agent=agent,
            grace_days=DEFAULT_GRACE_DAYS if promise_grace_days is None else promise_grace_days,
            clock=clock,
        )
    if case is not None:
        _apply(done, row=row, drives=drives, number=number, started_at=started_at,
               agent=agent, now=now, clock=clock)  # fmt: skip
    return done


def _apply(
    done: OutcomeRecorded,
    *,
    row: Any,
    drives: Any,
    number: str,
    started_at: dt.datetime,
    agent: Any,
    now: dt.datetime,
    clock: Clock | None,
) -> None:
    assert done.case is not None
    case = locked(done.case)
    done.case = case
    today = business_date(now)
    streak_before = int(case.no_answer_streak)
    if Effect.RESET_NO_ANSWER in drives.effects and case.no_answer_streak:
        case.no_answer_streak = 0
        touch(case, now, "no_answer_streak")
    elif Effect.COUNT_NO_ANSWER in drives.effects:
        case.no_answer_streak = streak_before + 1
        touch(case, now, "no_answer_streak")
    record_event(
        case,
        kind=CaseEventKind.OUTCOME,
        on=today,
        at=now,
        by=agent,
        reason=_outcome_words(row, done.outcome.note),
        detail={
            "disposition": row.code,
            "attempt": done.attempt.pk,
            "outcome": done.outcome.pk,
            "number": number,
            "no_answer_streak": int(case.no_answer_streak),
        },
    )
    if Effect.OPEN_DISPUTE in drives.effects:
        _open_dispute(case, agent=agent, today=today, now=now, clock=clock)
        done.effects.append(Effect.OPEN_DISPUTE.value)
    if Effect.FLAG_HARDSHIP in drives.effects:
        flag_hardship(case=case, on=today, reason=row.label_en, by=agent, clock=clock)
        done.effects.append(Effect.FLAG_HARDSHIP.value)
    elif Effect.PAUSE_TREATMENT in drives.effects and done.promise is None:
        until = today + dt.timedelta(days=PAUSE_DAYS)
        if case.paused_until is None or case.paused_until < until:
            _pause(case, until=until, on=today, now=now, reason=row.label_en, by=agent)
        done.effects.append(Effect.PAUSE_TREATMENT.value)
    if Effect.BOOK_CALLBACK in drives.effects and done.outcome.callback_at is not None:
        done.scheduled.append(
            schedule_call(
                case=case,
                at=done.outcome.callback_at,
                number=number,
                key=f"callback:{done.outcome.pk}",
                reason=_("the borrower asked to be called back"),
                now=now,
                assigned_to=agent if getattr(agent, "pk", None) else None,
                clock=clock,
            )
        )
        done.effects.append(Effect.BOOK_CALLBACK.value)
    if Effect.OPEN_DISPUTE not in drives.effects:
        _retry(done, drives=drives, number=number, started_at=started_at,
               streak_before=streak_before, now=now, clock=clock)  # fmt: skip


def _outcome_words(row: Any, note: str) -> str:
    words = f"{row.label_en} / {row.label_zh}"
    return f"{words}: {note}" if note else words


def _open_dispute(
    case: Case, *, agent: Any, today: dt.date, now: dt.datetime, clock: Clock | None
) -> None:
    """A dispute hold on the account: the gate refuses every contact until it is resolved."""
    reason = _("the borrower disputes the debt (recorded on a call)")
    set_hold(
        borrower=case.borrower,
        account=case.account,
        kind=HoldKind.DISPUTE,
        start_on=today,
        review_on=today + dt.timedelta(days=DISPUTE_REVIEW_DAYS),
        reason=reason,
        set_by=agent if getattr(agent, "pk", None) else None,
        clock=clock,
    )
    cancel_pending_actions(case, now=now, why=reason)
    _pause(
        case,
        until=today + dt.timedelta(days=DISPUTE_REVIEW_DAYS),
        on=today,
        now=now,
        reason=reason,
        by=agent,
    )


def _numbers(case: Case) -> list[retries.PhoneNumber]:
    points = case.borrower.contact_points.filter(kind__in=_PHONE_KINDS).order_by(
        "-is_primary", "pk"
    )
    return [retries.PhoneNumber(p.value, bad=not p.is_valid) for p in points]


def _best_slots(case: Case, *, after: dt.datetime) -> list[dt.datetime]:
    """The borrower's best hours from their own calls, steadied toward the overall rate."""
    zone = after.tzinfo
    since = after - dt.timedelta(days=BEST_TIME_DAYS)
    calls = ContactAttempt.objects.filter(
        borrower_id=case.borrower_id, channel=Channel.CALL, started_at__gte=since
    ).values_list("started_at", "outcome")
    answered = {"connected", "conversation", "refused"}
    tally = best_time.tally(
        (best_time.hour_of_week(at.astimezone(zone)), outcome in answered) for at, outcome in calls
    )
    rates = best_time.borrower_rates(tally, best_time.EMPTY, best_time.EMPTY)
    return best_time.best_slots(rates, after=after, k=24)


def _calls_today(case: Case, local: dt.datetime) -> int:
    """Calls to the borrower on the local day of `local` (this one included)."""
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    calls = ContactAttempt.objects.filter(
        borrower_id=case.borrower_id,
        channel=Channel.CALL,
        started_at__gte=start.astimezone(dt.UTC),
        started_at__lt=end.astimezone(dt.UTC),
    ).count()
    return max(1, calls)


def _retry(
    done: OutcomeRecorded,
    *,
    drives: Any,
    number: str,
    started_at: dt.datetime,
    streak_before: int,
    now: dt.datetime,
    clock: Clock | None,
) -> None:
    case = done.case
    assert case is not None
    local = started_at.astimezone(local_zone(case.borrower))
    reach = [c for c in (Channel.SMS, Channel.EMAIL) if message_address(case.borrower, c)]
    plan = retries.next_attempt(
        drives,
        at=local,
        number=number,
        numbers=_numbers(case),
        attempts_today=_calls_today(case, local),
        no_answers_in_a_row=streak_before,
        best_slots=_best_slots(case, after=local),
        other_channels=[GateChannel(c) for c in reach],
    )
    language = "zh" if (get_language() or "").startswith("zh") else "en"
    done.next_step = describe(plan.reason, plan.params, language)
    key = f"outcome:{done.outcome.pk}"
    if plan.action is retries.RetryAction.CALL and plan.at is not None and plan.number:
        done.scheduled.append(
            schedule_call(
                case=case,
                at=plan.at.astimezone(dt.UTC),
                number=plan.number,
                key=f"{key}:retry",
                reason=done.next_step,
                now=now,
                clock=clock,
            )
        )
    elif plan.action is retries.RetryAction.SWITCH_CHANNEL and plan.channel is not None:
        try:
            with transaction.atomic():  # a missing template must not lose the recorded call
                fallback = schedule_message(
                    case=case,
                    kind=NoticeKind.SELF_SERVICE_LINK,
                    channel=plan.channel.value,
                    at=max(started_at, now),
                    key=f"{key}:fallback",
                    reason=done.next_step,
                    now=now,
                    step="fallback_self_service",
                    clock=clock,
                )
        except ValidationError as error:
            done.next_step = _("%(step)s — not sent: %(why)s") % {
                "step": done.next_step,
                "why": error.message,
            }
            return
        done.scheduled.append(fallback)
