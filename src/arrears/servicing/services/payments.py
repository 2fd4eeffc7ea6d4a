"""Payments: posted once per idempotency key, spread by the product's waterfall, reversible once.

A payment is one journal entry (cash +X; each receivable book it pays −; an overpayment to
`suspense:credit`), `PaymentApplication` rows that say which obligations it settled, and a
re-ageing of the account. The account row is locked first (`select_for_update`), so concurrent
payments on one account are serialised and none of their effects is lost.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.core.clock import Clock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import (
    AccountStatus,
    BucketChangeReason,
    EntryKind,
    PaymentChannel,
    PaymentStatus,
)
from arrears.servicing.models import Account, JournalEntry, Payment
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.allocation import (
    allocate,
    apply_to_obligations,
    payment_lines,
    settle_status,
    undo_applications,
)
from arrears.servicing.services.ledger import CASH, RECOVERY, post_entry, reverse_entry

#: Keys are stored with a prefix on the journal entry, which holds 120 characters.
MAX_KEY_LENGTH = 100

_CACHED_FIELDS = ("status", "closed_on", "days_past_due", "bucket", "past_due_minor", "aged_on")


def _check_input(account: Account, amount: Money, idempotency_key: str, channel: str) -> None:
    if not idempotency_key or not idempotency_key.strip():
        raise ValidationError("idempotency_key", _("is required"))
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValidationError(
            "idempotency_key", _("must be at most %(n)d characters") % {"n": MAX_KEY_LENGTH}
        )
    if not isinstance(amount, Money):
        raise ValidationError("amount", _("must be an amount of money"))
    if amount.currency != account.currency:
        raise ValidationError(
            "amount",
            _("is in %(given)s but the account is in %(currency)s")
            % {"given": amount.currency, "currency": account.currency},
        )
    if amount.amount <= 0:
        raise ValidationError("amount", _("must be more than zero"))
    if channel not in PaymentChannel.values:
        raise ValidationError(
            "channel", _("must be one of %(names)s") % {"names": ", ".join(PaymentChannel.values)}
        )


def _check_date(account: Account, received_on: dt.date) -> None:
    if received_on < account.opened_on:
        raise ValidationError(
            "received_on",
            _("is before the account was opened on %(opened)s") % {"opened": account.opened_on},
        )


def _replay(
    key: str,
    account: Account,
    amount: Money,
    received_on: dt.date,
    channel: str,
    external_reference: str,
) -> Payment | None:
    """The payment already posted under this key, if it is the same payment; else Conflict."""
    payment = Payment.objects.filter(idempotency_key=key).first()
    if payment is None:
        return None
    same = (
        payment.account_id == account.pk
        and payment.amount_minor == amount.minor
        and payment.currency == amount.currency
        and payment.received_on == received_on
        and payment.channel == str(channel)
        and payment.external_reference == external_reference
    )
    if not same:
        raise Conflict(
            _("idempotency_key: %(key)s was already used for a different payment") % {"key": key}
        )
    return payment


@transaction.atomic
def post_payment(
    *,
    account: Account,
    amount: Money,
    received_on: dt.date,
    idempotency_key: str,
    channel: PaymentChannel | str = PaymentChannel.OTHER,
    external_reference: str = "",
    clock: Clock | None = None,
) -> tuple[Payment, bool]:
    """Post a payment once; returns (payment, created).

    The same key again returns the first payment with created=False and changes nothing (the
    same key with another amount or account is a Conflict). A charged-off account's payment is
    a recovery (cash + / recovery −) that pays no obligation. Otherwise the product's waterfall
    decides which books and obligations it pays, and the account is re-aged: a payment that
    clears the past-due amount cures it. `account` is refreshed in place.
    """
    _check_input(account, amount, idempotency_key, channel)
    same_request = (amount, received_on, str(channel), external_reference)
    replay = _replay(idempotency_key, account, *same_request)
    if replay is not None:
        return replay, False
    _check_date(account, received_on)
    locked = Account.objects.select_for_update().select_related("product").get(pk=account.pk)
    replay = _replay(idempotency_key, locked, *same_request)  # a concurrent twin may have committed
    if replay is not None:
        return replay, False
    if locked.status == AccountStatus.CHARGED_OFF:
        lines = {CASH: amount.minor, RECOVERY: -amount.minor}
        entry = _post(locked, EntryKind.RECOVERY, lines, received_on, idempotency_key, clock)
        payment = _record(
            locked, amount, received_on, idempotency_key, channel, external_reference, entry
        )
        return payment, True
    result = allocate(locked, amount, received_on, clock)
    lines = payment_lines(amount, result)
    entry = _post(locked, EntryKind.PAYMENT, lines, received_on, idempotency_key, clock)
    payment = _record(
        locked, amount, received_on, idempotency_key, channel, external_reference, entry
    )
    apply_to_obligations(locked, payment, result, amount)
    settle_status(locked, received_on, clock)
    _reage(locked, received_on, BucketChangeReason.PAYMENT, clock)
    _copy_state(locked, account)
    return payment, True


def _post(
    account: Account,
    kind: EntryKind,
    lines: dict[str, int],
    on: dt.date,
    key: str,
    clock: Clock | None,
) -> JournalEntry:
    entry, _created = post_entry(
        account=account,
        kind=kind,
        effective_on=on,
        lines=lines,
        idempotency_key=f"payment:{key}",
        clock=clock,
    )
    return entry


def _record(
    account: Account,
    amount: Money,
    on: dt.date,
    key: str,
    channel: str,
    reference: str,
    entry: JournalEntry,
) -> Payment:
    try:
        with transaction.atomic():
            return Payment.objects.create(
                account=account,
                amount_minor=amount.minor,
                currency=amount.currency,
                received_on=on,
                channel=channel,
                idempotency_key=key,
                external_reference=reference[:120],
                entry=entry,
            )
    except IntegrityError:
        raise Conflict(_("idempotency_key: %(key)s was already used") % {"key": key}) from None


def _reage(account: Account, on: dt.date, reason: BucketChangeReason, clock: Clock | None) -> None:
    """Re-age as of the later of the money date and the last ageing: never age backwards."""
    as_of = max(on, account.aged_on) if account.aged_on else on
    age_account(account=account, as_of=as_of, reason=reason, clock=clock)


def _copy_state(source: Account, target: Account) -> None:
    for field in _CACHED_FIELDS:
        setattr(target, field, getattr(source, field))


@transaction.atomic
def reverse_payment(
    *,
    payment: Payment,
    reversed_on: dt.date,
    reason: str,
    idempotency_key: str | None = None,
    clock: Clock | None = None,
) -> Payment:
    """Undo a returned or dishonoured payment (退票 / NSF): a reversal entry, negative
    applications reopening exactly what it paid, and a re-age recorded as a REVERSAL (the
    delinquency the payment cured comes back). A payment can be reversed once: Conflict after.
    """
    if not reason or not reason.strip():
        raise ValidationError("reason", _("must say why the payment is reversed"))
    account = (
        Account.objects.select_for_update().select_related("product").get(pk=payment.account_id)
    )
    locked = Payment.objects.select_for_update().select_related("entry").get(pk=payment.pk)
    if locked.status == PaymentStatus.REVERSED:
        raise Conflict(
            _("payment %(key)s has already been reversed") % {"key": locked.idempotency_key}
        )
    if reversed_on < locked.received_on:
        raise ValidationError("reversed_on", _("is before the payment was received"))
    reverse_entry(
        entry=locked.entry,
        effective_on=reversed_on,
        idempotency_key=idempotency_key or f"payment-reversal:{locked.idempotency_key}",
        memo=(
            _("Payment %(key)s reversed: %(reason)s")
            % {"key": locked.idempotency_key, "reason": reason}
        )[:200],
        clock=clock,
    )
    undo_applications(locked)
    locked.status, locked.reversal_reason = PaymentStatus.REVERSED, reason.strip()[:200]
    locked.save(update_fields=["status", "reversal_reason"])
    payment.status, payment.reversal_reason = locked.status, locked.reversal_reason
    if account.status != AccountStatus.CHARGED_OFF:
        settle_status(account, reversed_on, clock)
        _reage(account, reversed_on, BucketChangeReason.REVERSAL, clock)
    if Payment.account.is_cached(payment):
        _copy_state(account, payment.account)
    return payment
