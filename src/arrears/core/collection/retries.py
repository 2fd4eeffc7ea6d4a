"""Retries and channel fallback (重拨与渠道切换): what follows a call that missed the borrower.

`next_attempt` reads the disposition's retry rule and returns a `RetryPlan`: call again (when,
on which number), send a message on another channel instead, or stop and let the treatment path
decide. The rules, in order:

1. The disposition's effects move the run of unanswered calls: `count_no_answer` adds one,
   `reset_no_answer` ends it. On every K-th unanswered call in a row (`RetryPolicy.
   no_answers_before_fallback`) the plan switches to the first fallback channel the borrower can
   be reached on (SMS, then e-mail) with a self-service link: pay, set up a plan, book a callback.
2. `mark_number_bad` (invalid or wrong number) marks the number bad; a bad number is never
   called again. The plan moves to the next valid number of the borrower, a few minutes later.
3. `soon` (busy): the same number again after the disposition's minutes.
4. `next_good_slot` (no answer, voicemail, third party): the same number at the earliest of the
   borrower's good hours (`best_time.best_slots`) at least `min_gap_minutes` away; without one,
   `no_slot_minutes` later.
5. `later_then_other_numbers` (powered off, suspended): after the disposition's hours (at the
   first good hour from then, when there is one), on the borrower's next valid number in turn —
   the same number when it is the only one.
6. A day holds at most `max_calls_per_day` calls to the borrower: once reached, the call moves to
   the first good hour of a later day (or the next day at `first_call_at`).
7. With no valid number left the plan falls back to another channel, or stops (unreachable, 失联).

Every time is the borrower's local time (aware); the plan never goes back in time. The plan is
a proposal: the compliance gate still decides, and a refusal moves it to `next_permitted`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from arrears.core.collection.dispositions import Disposition, Effect, RetryRule
from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError


class RetryAction(StrEnum):
    CALL = "call"
    SWITCH_CHANNEL = "switch_channel"  # send an SMS / e-mail with self-service links instead
    STOP = "stop"  # no automatic retry


class SelfService(StrEnum):
    """What the fallback message lets the borrower do without waiting for a call."""

    PAY = "pay"
    SET_UP_PLAN = "set_up_plan"
    BOOK_CALLBACK = "book_callback"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    number: str
    bad: bool = False  # known invalid or not the borrower's: never called again


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    no_answers_before_fallback: int = 3
    fallback_channels: tuple[Channel, ...] = (Channel.SMS, Channel.EMAIL)
    self_service: tuple[SelfService, ...] = (
        SelfService.PAY,
        SelfService.SET_UP_PLAN,
        SelfService.BOOK_CALLBACK,
    )
    max_calls_per_day: int = 6
    min_gap_minutes: int = 30
    next_number_minutes: int = 5
    no_slot_minutes: int = 120
    first_call_at: dt.time = dt.time(9, 0)

    def __post_init__(self) -> None:
        if self.no_answers_before_fallback < 1:
            raise ValidationError("no_answers_before_fallback", "must be at least 1")
        if Channel.CALL in self.fallback_channels:
            raise ValidationError("fallback_channels", "a fallback is another channel than a call")
        for name in ("max_calls_per_day", "min_gap_minutes", "next_number_minutes"):
            if getattr(self, name) < 1:
                raise ValidationError(name, "must be at least 1")
        if self.no_slot_minutes < 1:
            raise ValidationError("no_slot_minutes", "must be at least 1")


@dataclass(frozen=True, slots=True)
class RetryPlan:
    action: RetryAction
    reason: str  # a key of `labels.LABELS`
    no_answers_in_a_row: int  # the run of unanswered calls after this one
    at: dt.datetime | None = None  # borrower's local time; None when stopping
    number: str | None = None  # the number to call
    channel: Channel | None = None  # CALL, or the fallback channel
    self_service: tuple[SelfService, ...] = ()
    mark_bad: str | None = None  # the number to mark bad now
    params: Mapping[str, str] = field(default_factory=dict)


def next_attempt(
    disposition: Disposition,
    *,
    at: dt.datetime,
    number: str,
    numbers: Sequence[PhoneNumber],
    attempts_today: int,
    no_answers_in_a_row: int = 0,
    best_slots: Sequence[dt.datetime] = (),
    other_channels: Collection[Channel] = (Channel.SMS, Channel.EMAIL),
    policy: RetryPolicy = RetryPolicy(),
) -> RetryPlan:
    """What follows a call to `number` that ended at `at` with `disposition`.

    `attempts_today` counts the calls to the borrower on `at`'s local day, this one included;
    `no_answers_in_a_row` is the run of unanswered calls before this one; `other_channels` are
    the channels the borrower has an address on.
    """
    _check(at, attempts_today, no_answers_in_a_row, best_slots)
    run = _run_after(disposition, no_answers_in_a_row)
    marks = disposition.retry.rule is RetryRule.MARK_NUMBER_BAD
    bad = {n.number for n in numbers if n.bad} | ({number} if marks else set())
    plan = _Plan(run=run, at=at, mark_bad=number if marks else None, policy=policy)
    fallback = next((c for c in policy.fallback_channels if c in other_channels), None)
    counted = disposition.drives(Effect.COUNT_NO_ANSWER)
    if counted and run % policy.no_answers_before_fallback == 0 and fallback is not None:
        return plan.switch(fallback, "retry.fallback_after_no_answers", count=str(run))
    rule = disposition.retry.rule
    if rule is RetryRule.NONE:
        return plan.stop("retry.none")
    valid = [n.number for n in numbers if n.number not in bad]
    if not valid:
        if fallback is not None:
            return plan.switch(fallback, "retry.no_valid_number")
        return plan.stop("retry.unreachable")
    slots = sorted(s for s in best_slots if s > at)
    if rule is RetryRule.SOON:
        target = number if number in valid else _next_number(number, valid)
        when = at + dt.timedelta(minutes=disposition.retry.minutes or 1)
        reason = "retry.soon"
    elif rule is RetryRule.NEXT_GOOD_SLOT:
        target = number if number in valid else _next_number(number, valid)
        when = _first_from(slots, at + dt.timedelta(minutes=policy.min_gap_minutes)) or (
            at + dt.timedelta(minutes=policy.no_slot_minutes)
        )
        reason = "retry.next_good_slot"
    elif rule is RetryRule.LATER_THEN_OTHER_NUMBERS:
        target = _next_number(number, valid)
        later = at + dt.timedelta(hours=disposition.retry.hours or 1)
        when = _first_from(slots, later) or later
        reason = "retry.later_other_number" if target != number else "retry.later"
    else:  # MARK_NUMBER_BAD
        target = _next_number(number, valid)
        when = at + dt.timedelta(minutes=policy.next_number_minutes)
        reason = "retry.next_number"
    if attempts_today >= policy.max_calls_per_day and _local_day(when, at) == at.date():
        when = _first_from([s for s in slots if _local_day(s, at) > at.date()], at) or (
            dt.datetime.combine(at.date() + dt.timedelta(days=1), policy.first_call_at, at.tzinfo)
        )
        reason = "retry.day_full"
    return plan.call(target, when, reason)


@dataclass(frozen=True, slots=True)
class _Plan:
    run: int
    at: dt.datetime
    mark_bad: str | None
    policy: RetryPolicy

    def call(self, number: str, when: dt.datetime, reason: str) -> RetryPlan:
        return RetryPlan(
            RetryAction.CALL,
            reason,
            self.run,
            at=when,
            number=number,
            channel=Channel.CALL,
            mark_bad=self.mark_bad,
            params={"number": number},
        )

    def switch(self, channel: Channel, reason: str, **params: str) -> RetryPlan:
        return RetryPlan(
            RetryAction.SWITCH_CHANNEL,
            reason,
            self.run,
            at=self.at,
            channel=channel,
            self_service=self.policy.self_service,
            mark_bad=self.mark_bad,
            params={"channel": channel.value, **params},
        )

    def stop(self, reason: str) -> RetryPlan:
        return RetryPlan(RetryAction.STOP, reason, self.run, mark_bad=self.mark_bad)


def _run_after(disposition: Disposition, before: int) -> int:
    if disposition.drives(Effect.COUNT_NO_ANSWER):
        return before + 1
    if disposition.drives(Effect.RESET_NO_ANSWER):
        return 0
    return before


def _next_number(current: str, valid: list[str]) -> str:
    """The valid number after `current` in the borrower's order, wrapping round."""
    if current in valid:
        i = valid.index(current)
        return valid[(i + 1) % len(valid)]
    return valid[0]


def _first_from(slots: Sequence[dt.datetime], earliest: dt.datetime) -> dt.datetime | None:
    return next((s for s in slots if s >= earliest), None)


def _local_day(moment: dt.datetime, at: dt.datetime) -> dt.date:
    return moment.astimezone(at.tzinfo).date()


def _check(
    at: dt.datetime, attempts_today: int, run: int, best_slots: Sequence[dt.datetime]
) -> None:
    if at.tzinfo is None:
        raise ValidationError("at", "must be the borrower's local time with its time zone")
    if any(s.tzinfo is None for s in best_slots):
        raise ValidationError("best_slots", "must carry their time zone")
    if attempts_today < 1:
        raise ValidationError("attempts_today", "counts this call too, so it is at least 1")
    if run < 0:
        raise ValidationError("no_answers_in_a_row", "cannot be negative")
