"""Promises to pay (承诺还款): taking one, judging it against payments, reminding the borrower.

`take_promise` checks everything before it writes: each instalment's date not before today
(the business date) nor more than `MAX_PROMISE_DAYS` ahead, dates in order, amounts above zero
and exact to the currency's minor unit, the total not above what the account owes. A live
promise pauses the case's treatment until the last instalment's deadline (due date + grace);
the treatment starts again the day after (`core.collection.promises`). A new promise replaces a
live one (which is kept in the history as cancelled).

`review_promises(on)` runs nightly: it matches the posted payments (reversed ones excluded)
received from the day the promise was taken up to `on` to the instalments with
`core.collection.promises.judge_promise`, marks instalments and promises kept, partly kept or
broken, and on a broken promise resumes the treatment on the day it broke (deadline + 1), even
when the review runs later. It then queues the promise reminders of the instalments due the next
day (one per instalment: the outbox key is the instalment's).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.collection.choices import CaseEventKind, PromiseSource, PromiseStatus
from arrears.collection.models import Case, Promise, PromiseInstalment
from arrears.collection.services._support import (
    business_date,
    locked,
    now_of,
    reason_text,
    record_event,
)
from arrears.collection.services.cases import _pause, _resume, open_case_of
from arrears.collection.services.scheduling import schedule_message
from arrears.core.clock import Clock
from arrears.core.collection import promises as core
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money, total
from arrears.engagement.choices import NoticeKind
from arrears.engagement.services import message_address, queue_collection_message
from arrears.servicing.choices import PaymentStatus
from arrears.servicing.models import Account, Payment
from arrears.servicing.selectors import balances

DEFAULT_GRACE_DAYS = 2
MAX_GRACE_DAYS = 30
MAX_INSTALMENTS = 24
#: The furthest ahead a promised payment may fall (days from the day it is taken).
MAX_PROMISE_DAYS = 366
MAX_KEY_LENGTH = 120


@dataclass(frozen=True)
class PromisedPayment:
    """One promised instalment as a caller gives it."""

    due_on: dt.date
    amount: Money


def _instalments(
    account: Account, raw: Sequence[PromisedPayment | tuple[dt.date, Money]], today: dt.date
) -> list[PromisedPayment]:
    items = [p if isinstance(p, PromisedPayment) else PromisedPayment(*p) for p in raw]
    if not 1 <= len(items) <= MAX_INSTALMENTS:
        raise ValidationError(
            "instalments", _("give 1 to %(n)d promised payments") % {"n": MAX_INSTALMENTS}
        )
    latest = today + dt.timedelta(days=MAX_PROMISE_DAYS)
    for i, item in enumerate(items):
        where = f"instalments[{i}]"
        if not isinstance(item.due_on, dt.date) or isinstance(item.due_on, dt.datetime):
            raise ValidationError(f"{where}.due_on", _("must be a date"))
        if item.due_on < today:
            raise ValidationError(f"{where}.due_on", _("is in the past"))
        if item.due_on > latest:
            raise ValidationError(
                f"{where}.due_on", _("is more than %(n)d days ahead") % {"n": MAX_PROMISE_DAYS}
            )
        if not isinstance(item.amount, Money) or item.amount.currency != account.currency:
            raise ValidationError(
                f"{where}.amount", _("must be an amount in %(c)s") % {"c": account.currency}
            )
        if item.amount.minor <= 0:
            raise ValidationError(f"{where}.amount", _("must be more than zero"))
        if i and item.due_on <= items[i - 1].due_on:
            raise ValidationError(f"{where}.due_on", _("must be after the previous instalment"))
    return items


def check_promise(
    *,
    account: Account,
    instalments: Sequence[PromisedPayment | tuple[dt.date, Money]],
    source: str,
    grace_days: int,
    today: dt.date,
) -> list[PromisedPayment]:
    """The instalments, checked (errors name the field); nothing is written."""
    if source not in PromiseSource.values:
        raise ValidationError(
            "source", _("must be one of %(values)s") % {"values": ", ".join(PromiseSource.values)}
        )
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationError(
            "grace_days", _("must be between 0 and %(n)d") % {"n": MAX_GRACE_DAYS}
        )
    items = _instalments(account, instalments, today)
    promised = total((i.amount for i in items), account.currency)
    owed = balances(account).total
    if promised > owed:
        raise ValidationError(
            "instalments",
            _("the promised total %(promised)s is more than the %(owed)s owed")
            % {"promised": promised, "owed": owed},
        )
    return items


@transaction.atomic
def take_promise(
    *,
    account: Account,
    instalments: Sequence[PromisedPayment | tuple[dt.date, Money]],
    source: str,
    agent: Any = None,
    grace_days: int = DEFAULT_GRACE_DAYS,
    idempotency_key: str | None = None,
    note: str = "",
    clock: Clock | None = None,
) -> tuple[Promise, bool]:
    """Take a promise to pay; returns (promise, created). The same `idempotency_key` with the
    same promise returns the one already taken; with another promise it is a `Conflict`."""
    now = now_of(clock)
    today = business_date(now)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH:
        raise ValidationError("idempotency_key", _("must be 1 to 120 characters"))
    note = reason_text("note", note, required=False)
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    if idempotency_key is not None:
        earlier = Promise.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _same_promise(earlier, account, instalments, grace_days), False
    items = check_promise(
        account=account,
        instalments=instalments,
        source=source,
        grace_days=grace_days,
        today=today,
    )
    case = open_case_of(account)
    for live in Promise.objects.select_for_update().filter(
        account=account, status=PromiseStatus.LIVE
    ):
        _cancel(live, today=today, now=now, by=agent)
    promise = Promise(
        case=case,
        account=account,
        borrower_id=account.borrower_id,
        source=source,
        currency=account.currency,
        total_minor=sum(i.amount.minor for i in items),
        grace_days=grace_days,
        taken_at=now,
        taken_by=agent if getattr(agent, "pk", None) else None,
        idempotency_key=idempotency_key,
        note=note,
    )
    try:
        with transaction.atomic():
            promise.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("idempotency_key: a promise was just taken with this key")) from None
    PromiseInstalment.objects.bulk_create(
        PromiseInstalment(promise=promise, due_on=i.due_on, amount_minor=i.amount.minor)
        for i in items
    )
    if case is not None:
        _after_taken(case, promise, items, today=today, now=now, by=agent)
    return promise, True


def _same_promise(
    earlier: Promise,
    account: Account,
    instalments: Sequence[PromisedPayment | tuple[dt.date, Money]],
    grace_days: int,
) -> Promise:
    given = [p if isinstance(p, PromisedPayment) else PromisedPayment(*p) for p in instalments]
    stored = [(i.due_on, int(i.amount_minor)) for i in earlier.instalments.order_by("due_on")]
    same = (
        earlier.account_id == account.pk
        and earlier.grace_days == grace_days
        and stored == [(p.due_on, p.amount.minor) for p in given]
    )
    if not same:
        raise Conflict(
            _("idempotency_key: it was used for another promise (%(id)s)") % {"id": earlier.pk}
        )
    return earlier


def _after_taken(
    case: Case,
    promise: Promise,
    items: list[PromisedPayment],
    *,
    today: dt.date,
    now: dt.datetime,
    by: Any,
) -> None:
    last_deadline = items[-1].due_on + dt.timedelta(days=promise.grace_days)
    promised = Money.from_minor(int(promise.total_minor), promise.currency)
    record_event(
        case,
        kind=CaseEventKind.PROMISE,
        on=today,
        at=now,
        by=by,
        reason=_("promise to pay %(amount)s in %(n)d payment(s), the last on %(last)s")
        % {"amount": promised, "n": len(items), "last": items[-1].due_on.isoformat()},
        detail={
            "promise": promise.pk,
            "status": PromiseStatus.LIVE,
            "total_minor": int(promise.total_minor),
            "last_due_on": items[-1].due_on.isoformat(),
            "grace_days": promise.grace_days,
        },
    )
    locked_case = locked(case)
    if locked_case.paused_until is None or locked_case.paused_until < last_deadline:
        _pause(
            locked_case,
            until=last_deadline,
            on=today,
            now=now,
            reason=_("a live promise to pay (until its last payment's grace ends)"),
            by=by,
        )


def _cancel(promise: Promise, *, today: dt.date, now: dt.datetime, by: Any) -> None:
    promise.status = PromiseStatus.CANCELLED
    promise.resolved_on = today
    promise.save(update_fields=["status", "resolved_on"])
    promise.instalments.filter(status=PromiseStatus.LIVE).update(status=PromiseStatus.CANCELLED)
    if promise.case is not None:
        record_event(
            promise.case,
            kind=CaseEventKind.PROMISE,
            on=today,
            at=now,
            by=by,
            reason=_("replaced by a new promise"),
            detail={"promise": promise.pk, "status": PromiseStatus.CANCELLED},
        )


# --- the nightly review ---------------------------------------------------------------------


@dataclass
class PromiseReview:
    """What `review_promises` did, by outcome."""

    counts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


def review_promises(*, on: dt.date, clock: Clock | None = None) -> PromiseReview:
    """Judge every live promise on `on` and queue tomorrow's reminders (idempotent per day)."""
    review = PromiseReview()
    live = list(
        Promise.objects.filter(status=PromiseStatus.LIVE, taken_at__date__lte=on)
        .select_related("case", "account", "borrower")
        .prefetch_related("instalments")
    )
    payments = _payments_by_account({p.account_id for p in live}, on=on)
    for promise in live:
        with transaction.atomic():
            status = judge(promise, payments.get(promise.account_id, []), on=on, clock=clock)
        review.counts[status] += 1
    review.counts.update(remind_promises(on=on, clock=clock))
    return review


def _payments_by_account(account_ids: set[int], *, on: dt.date) -> dict[int, list[core.Payment]]:
    found: dict[int, list[core.Payment]] = defaultdict(list)
    rows = Payment.objects.filter(
        account_id__in=account_ids, status=PaymentStatus.POSTED, received_on__lte=on
    ).values_list("account_id", "received_on", "amount_minor", "currency")
    for account_id, received_on, minor, currency in rows:
        found[account_id].append(core.Payment(received_on, Money.from_minor(int(minor), currency)))
    return found


def _as_core(promise: Promise) -> core.Promise:
    return core.Promise(
        taken_on=business_date(promise.taken_at),
        instalments=tuple(
            core.PromisedInstalment(
                i.due_on, Money.from_minor(int(i.amount_minor), promise.currency)
            )
            for i in sorted(promise.instalments.all(), key=lambda i: i.due_on)
        ),
        grace_days=promise.grace_days,
    )


def judge(
    promise: Promise, payments: list[core.Payment], *, on: dt.date, clock: Clock | None = None
) -> str:
    """Mark one promise and its instalments as the payments up to `on` show; returns its status."""
    now = now_of(clock)
    outcome = core.judge_promise(_as_core(promise), payments, as_of=on)
    for row, judged in zip(
        sorted(promise.instalments.all(), key=lambda i: i.due_on), outcome.instalments, strict=True
    ):
        row_status = _STATUS[judged.status]
        if (row.status, int(row.paid_minor)) != (row_status, judged.paid.minor):
            row.status, row.paid_minor = row_status, judged.paid.minor
            row.save(update_fields=["status", "paid_minor"])
    status = outcome.status.value
    if status == PromiseStatus.LIVE and int(promise.kept_minor) == outcome.paid.minor:
        return status  # nothing new tonight: most live promises are left unwritten
    promise.kept_minor = outcome.paid.minor
    fields = ["kept_minor"]
    if status != PromiseStatus.LIVE:
        promise.status = status
        promise.broken_on = outcome.broken_on
        promise.resolved_on = outcome.broken_on or outcome.kept_on or on
        fields += ["status", "broken_on", "resolved_on"]
    promise.save(update_fields=fields)
    if status != PromiseStatus.LIVE and promise.case is not None:
        _settled(promise, promise.case, outcome, now=now)
    return status


_STATUS = {
    core.InstalmentStatus.PENDING: PromiseStatus.LIVE,
    core.InstalmentStatus.KEPT: PromiseStatus.KEPT,
    core.InstalmentStatus.PARTLY_KEPT: PromiseStatus.PARTLY_KEPT,
    core.InstalmentStatus.BROKEN: PromiseStatus.BROKEN,
}


def _settled(
    promise: Promise, case: Case, outcome: core.PromiseOutcome, *, now: dt.datetime
) -> None:
    case = locked(case)
    day = outcome.broken_on or outcome.kept_on or outcome.resume_on
    paid = outcome.paid
    reason = {
        PromiseStatus.BROKEN: _("the promise was broken (跳票): %(paid)s paid by its deadline"),
        PromiseStatus.KEPT: _("the promise was kept: %(paid)s paid"),
        PromiseStatus.PARTLY_KEPT: _("the promise was partly kept: %(paid)s paid"),
    }[PromiseStatus(promise.status)] % {"paid": paid}
    record_event(
        case,
        kind=CaseEventKind.PROMISE,
        on=day,
        at=now,
        reason=reason,
        detail={
            "promise": promise.pk,
            "status": promise.status,
            "paid_minor": paid.minor,
            "broken_on": outcome.broken_on.isoformat() if outcome.broken_on else None,
        },
    )
    if outcome.broken_on is not None and case.status == "open":
        _resume(case, on=outcome.broken_on, now=now, reason=reason, by=None)


def remind_promises(*, on: dt.date, clock: Clock | None = None) -> Counter[str]:
    """Queue a reminder for each live instalment due the day after `on` (once per instalment)."""
    now = now_of(clock)
    counts: Counter[str] = Counter()
    due = PromiseInstalment.objects.filter(
        due_on=on + dt.timedelta(days=1),
        status=PromiseStatus.LIVE,
        promise__status=PromiseStatus.LIVE,
    ).select_related("promise__case__account", "promise__case__borrower", "promise__account")
    for instalment in due:
        promise = instalment.promise
        amount = Money.from_minor(int(instalment.amount_minor), promise.currency)
        variables = {"amount": amount, "due_on": instalment.due_on}
        key = f"promise-reminder:{instalment.pk}"
        try:
            with transaction.atomic():
                _remind(promise, key=key, variables=variables, now=now, clock=clock)
        except ValidationError:
            counts["reminder_unreachable"] += 1
            continue
        counts["reminded"] += 1
    return counts


def _remind(
    promise: Promise, *, key: str, variables: dict[str, Any], now: dt.datetime, clock: Clock | None
) -> None:
    case = promise.case
    if case is not None and case.status == "open":
        channel = _first_channel(promise)
        schedule_message(
            case=case,
            kind=NoticeKind.PROMISE_REMINDER,
            channel=channel,
            at=now,
            key=key,
            reason=_("a reminder of the payment promised for %(on)s")
            % {"on": variables["due_on"].isoformat()},
            now=now,
            variables=variables,
            step="promise_reminder",
            clock=clock,
        )
        return
    queue_collection_message(
        kind=NoticeKind.PROMISE_REMINDER,
        borrower=promise.borrower,
        account=promise.account,
        variables=variables,
        idempotency_key=f"collection:{key}",
        due_on=variables["due_on"],
        clock=clock,
    )


def _first_channel(promise: Promise) -> str:
    for channel in ("sms", "email", "in_app", "letter"):
        if message_address(promise.borrower, channel) is not None:
            return channel
    raise ValidationError("channel", _("the borrower cannot be reached by any message"))
