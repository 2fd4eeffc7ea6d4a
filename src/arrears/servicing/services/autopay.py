"""Autopay (自动还款 / 代扣): mandates, the nightly debit run, failures, retries and returns.

A debit is keyed `autopay:{mandate}:{due_on}:{attempt}`. The provider is asked with that key and
the payment is posted with it (`post_payment`, channel `direct_debit`), so running a date again —
or again after a crash half-way — asks and posts nothing twice. A refused debit is retried on
the days after the first attempt that `ARREARS_AUTOPAY_RETRY_DAYS` lists (default 2 and 4: at
most two retries), never once the account is charged off or the mandate no longer active. A
refusal that no retry can cure (funding account closed, mandate revoked) suspends the mandate.
A debit returned later is reversed (`reverse_payment`): the delinquency it cured comes back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import (
    AccountStatus,
    AutopayAmountRule,
    AutopayDebitStatus,
    DebitFailureCode,
    MandateStatus,
    PaymentChannel,
    ProductKind,
)
from arrears.servicing.direct_debit import DebitRequest, DirectDebitProvider, direct_debit_provider
from arrears.servicing.models import Account, AutopayDebit, AutopayMandate
from arrears.servicing.selectors.autopay import autopay_amount, mandates_to_debit_on
from arrears.servicing.services.payments import post_payment, reverse_payment

#: A mandate may debit at most this many days before the due date.
MAX_DAYS_BEFORE_DUE = 10

#: Refusals a retry may cure; the others suspend the mandate.
RETRYABLE = frozenset({DebitFailureCode.INSUFFICIENT_FUNDS, DebitFailureCode.TECHNICAL})

DEFAULT_RETRY_DAYS = (2, 4)


def debit_key(mandate_id: int, due_on: dt.date, attempt: int) -> str:
    """The idempotency key of one debit attempt (also the payment's key)."""
    return f"autopay:{mandate_id}:{due_on.isoformat()}:{attempt}"


def retry_days() -> tuple[int, ...]:
    """Days after the first attempt on which a refused debit is tried again."""
    days = getattr(settings, "ARREARS_AUTOPAY_RETRY_DAYS", DEFAULT_RETRY_DAYS)
    return tuple(int(d) for d in days)


def _today(clock: Clock) -> dt.date:
    return timezone.localtime(clock.now()).date()


def mask_funding_account(funding_account: str) -> str:
    """Only the last four characters are kept: `****1234`."""
    kept = "".join(ch for ch in funding_account if ch.isalnum())
    if len(kept) < 4:
        raise ValidationError("funding_account", _("must have at least four digits or letters"))
    return f"****{kept[-4:]}"


def _check_rule(
    account: Account,
    amount_rule: str,
    fixed_amount: Money | None,
    debit_days_before_due: int,
) -> int | None:
    """Validate the amount and day rules; returns the fixed amount in minor units (or None)."""
    if amount_rule not in AutopayAmountRule.values:
        raise ValidationError(
            "amount_rule",
            _("must be one of %(names)s") % {"names": ", ".join(AutopayAmountRule.values)},
        )
    if amount_rule == AutopayAmountRule.STATEMENT_BALANCE and account.kind != ProductKind.CARD:
        raise ValidationError("amount_rule", _("a loan has no statement balance"))
    if not 0 <= debit_days_before_due <= MAX_DAYS_BEFORE_DUE:
        raise ValidationError(
            "debit_days_before_due",
            _("must be between 0 and %(n)d") % {"n": MAX_DAYS_BEFORE_DUE},
        )
    if amount_rule != AutopayAmountRule.FIXED:
        if fixed_amount is not None:
            raise ValidationError("fixed_amount", _("is only for the fixed-amount rule"))
        return None
    if not isinstance(fixed_amount, Money):
        raise ValidationError("fixed_amount", _("is required for the fixed-amount rule"))
    if fixed_amount.currency != account.currency:
        raise ValidationError(
            "fixed_amount",
            _("is in %(given)s but the account is in %(currency)s")
            % {"given": fixed_amount.currency, "currency": account.currency},
        )
    if fixed_amount.minor <= 0:
        raise ValidationError("fixed_amount", _("must be more than zero"))
    return fixed_amount.minor


@transaction.atomic
def set_up_autopay(
    *,
    account: Account,
    amount_rule: AutopayAmountRule | str,
    funding_account: str,
    consent_reference: str,
    fixed_amount: Money | None = None,
    debit_days_before_due: int = 0,
    starts_on: dt.date | None = None,
    clock: Clock | None = None,
) -> AutopayMandate:
    """Set up autopay on an open account: debit the rule's amount on (or before) each due date.

    The borrower's consent (the signed mandate or 代扣协议) is referenced, never stored; the
    funding account is kept masked. One active mandate per account: change or cancel it first.
    """
    clock = clock or SystemClock()
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.status != AccountStatus.OPEN:
        raise Conflict(_("autopay can only be set up on an open account"))
    fixed_minor = _check_rule(locked, str(amount_rule), fixed_amount, debit_days_before_due)
    masked = mask_funding_account(funding_account or "")
    if not consent_reference or not consent_reference.strip():
        raise ValidationError("consent_reference", _("is required"))
    if AutopayMandate.objects.filter(account=locked, status=MandateStatus.ACTIVE).exists():
        raise Conflict(_("the account already has an active autopay mandate"))
    return AutopayMandate.objects.create(
        account=locked,
        amount_rule=str(amount_rule),
        fixed_amount_minor=fixed_minor,
        currency=locked.currency,
        debit_days_before_due=debit_days_before_due,
        funding_account_masked=masked,
        consent_reference=consent_reference.strip()[:120],
        starts_on=starts_on or _today(clock),
        created_at=clock.now(),
    )


@transaction.atomic
def set_up_autopay_once(
    *,
    account: Account,
    amount_rule: AutopayAmountRule | str,
    funding_account: str,
    consent_reference: str,
    fixed_amount: Money | None = None,
    debit_days_before_due: int = 0,
    starts_on: dt.date | None = None,
    clock: Clock | None = None,
) -> tuple[AutopayMandate, bool]:
    """`set_up_autopay`, safe to send again: returns (mandate, created).

    A request repeated while its mandate is active (same consent reference, rules and funding
    account) answers with that mandate and writes nothing, so a client that lost the answer
    can retry. Any other request on an account with an active mandate is a Conflict.
    """
    Account.objects.select_for_update().get(pk=account.pk)  # one set-up at a time per account
    active = AutopayMandate.objects.filter(account=account, status=MandateStatus.ACTIVE).first()
    if active is not None and _same_request(
        active,
        amount_rule=str(amount_rule),
        fixed_amount=fixed_amount,
        debit_days_before_due=debit_days_before_due,
        funding_account=funding_account,
        consent_reference=consent_reference,
        starts_on=starts_on,
    ):
        return active, False
    mandate = set_up_autopay(
        account=account,
        amount_rule=amount_rule,
        funding_account=funding_account,
        consent_reference=consent_reference,
        fixed_amount=fixed_amount,
        debit_days_before_due=debit_days_before_due,
        starts_on=starts_on,
        clock=clock,
    )
    return mandate, True


def _same_request(
    mandate: AutopayMandate,
    *,
    amount_rule: str,
    fixed_amount: Money | None,
    debit_days_before_due: int,
    funding_account: str,
    consent_reference: str,
    starts_on: dt.date | None,
) -> bool:
    """Would this set-up request have made `mandate`? (An invalid request never would.)"""
    try:
        masked = mask_funding_account(funding_account or "")
    except ValidationError:
        return False
    fixed = (fixed_amount.currency, fixed_amount.minor) if fixed_amount is not None else None
    stored = (
        (mandate.currency, mandate.fixed_amount_minor)
        if mandate.fixed_amount_minor is not None
        else None
    )
    return (
        mandate.consent_reference == (consent_reference or "").strip()[:120]
        and mandate.amount_rule == amount_rule
        and stored == fixed
        and mandate.debit_days_before_due == debit_days_before_due
        and mandate.funding_account_masked == masked
        and (starts_on is None or mandate.starts_on == starts_on)
    )


@transaction.atomic
def change_autopay(
    *,
    mandate: AutopayMandate,
    amount_rule: AutopayAmountRule | str | None = None,
    fixed_amount: Money | None = None,
    debit_days_before_due: int | None = None,
    funding_account: str | None = None,
    consent_reference: str | None = None,
    clock: Clock | None = None,
) -> AutopayMandate:
    """Change an active or suspended mandate's rules or funding account.

    Arguments left out keep their value. A suspended mandate (its funding account was closed or
    the mandate revoked at the bank) becomes active again only with a new funding account and
    consent reference.
    """
    clock = clock or SystemClock()
    locked = AutopayMandate.objects.select_for_update().select_related("account").get(pk=mandate.pk)
    if locked.status == MandateStatus.CANCELLED:
        raise Conflict(_("a cancelled autopay mandate cannot be changed; set up a new one"))
    rule = str(amount_rule) if amount_rule is not None else locked.amount_rule
    if fixed_amount is None and rule == AutopayAmountRule.FIXED and amount_rule is None:
        fixed_amount = Money.from_minor(int(locked.fixed_amount_minor or 0), locked.currency)
    days = locked.debit_days_before_due if debit_days_before_due is None else debit_days_before_due
    locked.fixed_amount_minor = _check_rule(locked.account, rule, fixed_amount, days)
    locked.amount_rule, locked.debit_days_before_due = rule, days
    if funding_account is not None:
        locked.funding_account_masked = mask_funding_account(funding_account)
    if consent_reference is not None:
        if not consent_reference.strip():
            raise ValidationError("consent_reference", _("is required"))
        locked.consent_reference = consent_reference.strip()[:120]
    if locked.status == MandateStatus.SUSPENDED:
        if funding_account is None or consent_reference is None:
            raise ValidationError(
                "funding_account",
                _("a suspended mandate needs a new funding account and consent reference"),
            )
        locked.status, locked.suspended_reason = MandateStatus.ACTIVE, ""
    locked.changed_at = clock.now()
    locked.save()
    return locked


@transaction.atomic
def cancel_autopay(*, mandate: AutopayMandate, clock: Clock | None = None) -> AutopayMandate:
    """Cancel a mandate: nothing more is debited under it (retries included). Idempotent."""
    clock = clock or SystemClock()
    locked = AutopayMandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.status != MandateStatus.CANCELLED:
        locked.status, locked.cancelled_at = MandateStatus.CANCELLED, clock.now()
        locked.save(update_fields=["status", "cancelled_at"])
    mandate.status, mandate.cancelled_at = locked.status, locked.cancelled_at
    return locked


def run_autopay(
    *,
    day: dt.date,
    clock: Clock | None = None,
    provider: DirectDebitProvider | None = None,
) -> dict[str, int]:
    """Debit every mandate due on `day`: first attempts, then the retries scheduled for it.

    A cycle step. Each debit commits on its own, so a run killed half-way keeps the debits it
    finished; the next run skips them (keyed) and asks the provider again with the same key for
    any it did not finish.
    """
    clock = clock or SystemClock()
    provider = provider or direct_debit_provider()
    counts: Counter[str] = Counter(succeeded=0, failed=0, nothing_due=0, retries_abandoned=0)
    for mandate, due_on in mandates_to_debit_on(day):
        with transaction.atomic():
            counts[_collect(mandate, due_on, 1, day, day, provider, clock)] += 1
    retries = AutopayDebit.objects.filter(
        status=AutopayDebitStatus.FAILED, next_retry_on=day
    ).order_by("pk")
    for failed_id in list(retries.values_list("pk", flat=True)):
        with transaction.atomic():
            counts[_retry(failed_id, day, provider, clock)] += 1
    counts.pop("done", None)
    return dict(counts)


def _retry(failed_id: int, day: dt.date, provider: DirectDebitProvider, clock: Clock) -> str:
    failed = AutopayDebit.objects.select_related("mandate", "account").get(pk=failed_id)
    mandate, account = failed.mandate, failed.account
    if mandate.status != MandateStatus.ACTIVE or account.status != AccountStatus.OPEN:
        AutopayDebit.objects.filter(pk=failed.pk).update(next_retry_on=None)
        return "retries_abandoned"
    attempt = failed.attempt + 1
    return _collect(
        mandate, failed.for_due_on, attempt, failed.first_attempted_on, day, provider, clock
    )


def _collect(
    mandate: AutopayMandate,
    due_on: dt.date,
    attempt: int,
    first_attempted_on: dt.date,
    day: dt.date,
    provider: DirectDebitProvider,
    clock: Clock,
) -> str:
    """One debit attempt; returns what happened (a count name)."""
    account = (
        Account.objects.select_for_update().select_related("product").get(pk=mandate.account_id)
    )
    key = debit_key(mandate.pk, due_on, attempt)
    debit = AutopayDebit.objects.filter(idempotency_key=key).first()
    if debit is not None and debit.status != AutopayDebitStatus.SCHEDULED:
        return "done"
    if debit is None:
        amount = autopay_amount(mandate, account, for_due_on=due_on, as_of=day)
        if amount.minor <= 0:
            return "nothing_due"
        debit = AutopayDebit.objects.create(
            mandate=mandate,
            account=account,
            for_due_on=due_on,
            attempt=attempt,
            attempted_on=day,
            first_attempted_on=first_attempted_on,
            amount_minor=amount.minor,
            currency=amount.currency,
            idempotency_key=key,
            created_at=clock.now(),
        )
    amount = Money.from_minor(int(debit.amount_minor), debit.currency)
    outcome = provider.debit(
        DebitRequest(
            idempotency_key=key,
            account_number=account.number,
            consent_reference=mandate.consent_reference,
            amount=amount,
            collect_on=day,
            attempt=attempt,
        )
    )
    debit.provider_reference = outcome.provider_reference[:120]
    if outcome.succeeded:
        payment, _created = post_payment(
            account=account,
            amount=amount,
            received_on=day,
            idempotency_key=key,
            channel=PaymentChannel.DIRECT_DEBIT,
            external_reference=debit.provider_reference,
            clock=clock,
        )
        debit.status, debit.payment = AutopayDebitStatus.SUCCEEDED, payment
        debit.save()
        return "succeeded"
    code = _failure_code(outcome.failure_code)
    debit.status, debit.failure_code = AutopayDebitStatus.FAILED, code
    debit.next_retry_on = _next_retry(debit, code, day)
    debit.save()
    if code not in RETRYABLE:
        _suspend(mandate, code)
    return "failed"


def _failure_code(code: str) -> str:
    return code if code in DebitFailureCode.values else DebitFailureCode.TECHNICAL


def _next_retry(debit: AutopayDebit, code: str, day: dt.date) -> dt.date | None:
    offsets = retry_days()
    if code not in RETRYABLE or debit.attempt > len(offsets):
        return None
    return max(
        debit.first_attempted_on + dt.timedelta(days=offsets[debit.attempt - 1]),
        day + dt.timedelta(days=1),
    )


def _suspend(mandate: AutopayMandate, code: str) -> None:
    AutopayMandate.objects.filter(pk=mandate.pk, status=MandateStatus.ACTIVE).update(
        status=MandateStatus.SUSPENDED, suspended_reason=code
    )
    mandate.refresh_from_db(fields=["status", "suspended_reason"])


@transaction.atomic
def record_autopay_return(
    *,
    debit: AutopayDebit,
    code: DebitFailureCode | str,
    on: dt.date,
    clock: Clock | None = None,
) -> AutopayDebit:
    """A debit collected earlier came back (退回 / returned): reverse its payment.

    The reversal reopens what the payment paid, so the delinquency it cured comes back. The
    same return recorded again changes nothing; a different one is a Conflict. A return that no
    retry can cure (account closed, mandate revoked) suspends the mandate.
    """
    if str(code) not in DebitFailureCode.values:
        raise ValidationError(
            "code", _("must be one of %(names)s") % {"names": ", ".join(DebitFailureCode.values)}
        )
    # lock the debit row alone: PostgreSQL cannot lock the nullable side of the payment join
    locked = (
        AutopayDebit.objects.select_for_update(of=("self",))
        .select_related("payment", "mandate")
        .get(pk=debit.pk)
    )
    if locked.status == AutopayDebitStatus.RETURNED:
        if (locked.failure_code, locked.returned_on) == (str(code), on):
            return locked
        raise Conflict(_("debit %(key)s was already returned") % {"key": locked.idempotency_key})
    if locked.status != AutopayDebitStatus.SUCCEEDED or locked.payment is None:
        raise Conflict(
            _("debit %(key)s collected nothing, so nothing can be returned")
            % {"key": locked.idempotency_key}
        )
    reverse_payment(
        payment=locked.payment,
        reversed_on=on,
        reason=_("autopay debit returned: %(code)s") % {"code": code},
        clock=clock,
    )
    locked.status, locked.failure_code, locked.returned_on = (
        AutopayDebitStatus.RETURNED,
        str(code),
        on,
    )
    locked.save(update_fields=["status", "failure_code", "returned_on"])
    if str(code) not in RETRYABLE:
        _suspend(locked.mandate, str(code))
    debit.status, debit.failure_code, debit.returned_on = (
        locked.status,
        locked.failure_code,
        locked.returned_on,
    )
    return locked
