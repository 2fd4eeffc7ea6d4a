"""A borrower's card payment from the portal: charged by the provider, then posted once.

The charge and the payment share one idempotency key (`portal:…`, made when the confirmation
page is shown), so a form sent twice charges once and posts once. A declined charge posts
nothing and says why (`card_payments.CardDeclineCode`). Every charge tried is kept as a
`CardCharge` (charged with its payment, or declined with the reason), for the service desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.servicing.card_payments import (
    CardDeclineCode,
    CardPaymentProvider,
    CardPaymentRequest,
    card_payment_provider,
)
from arrears.servicing.choices import AccountStatus, CardChargeResult, PaymentChannel
from arrears.servicing.models import Account, CardCharge, Payment
from arrears.servicing.selectors.balances import balances
from arrears.servicing.services.payments import MAX_KEY_LENGTH, post_payment


@dataclass(frozen=True)
class CardPaymentResult:
    """The posted payment (None when declined), whether this call posted it, and why not."""

    payment: Payment | None
    created: bool
    decline_code: str = ""

    @property
    def declined(self) -> bool:
        return self.payment is None

    @property
    def decline_reason(self) -> str:
        labels = dict(CardDeclineCode.choices)
        return str(labels.get(self.decline_code, labels[CardDeclineCode.TECHNICAL]))


def card_digits(card_number: str) -> str:
    """The card number's digits, checked: 12 to 19 digits, spaces and dashes allowed."""
    digits = "".join(ch for ch in (card_number or "") if ch not in " -")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise ValidationError(
            "card_number", _("enter the 12 to 19 digits on the front of the card")
        )
    return digits


def check_card_payment(*, account: Account, amount: Money) -> None:
    """The amount a borrower may pay by card now: above zero, at most what the account owes."""
    if account.status not in (AccountStatus.OPEN, AccountStatus.CHARGED_OFF):
        raise ValidationError("amount", _("this account owes nothing"))
    if amount.currency != account.currency:
        raise ValidationError("amount", _("must be in %(c)s") % {"c": account.currency})
    if amount.minor <= 0:
        raise ValidationError("amount", _("must be more than zero"))
    owed = balances(account).total
    if amount > owed:
        raise ValidationError("amount", _("is more than the %(owed)s you owe") % {"owed": owed})


@transaction.atomic
def take_card_payment(
    *,
    account: Account,
    amount: Money,
    card_number: str,
    idempotency_key: str,
    clock: Clock | None = None,
    provider: CardPaymentProvider | None = None,
) -> CardPaymentResult:
    """Charge the borrower's card and post the payment (channel `card`) under one key.

    The same key again returns the payment already posted and charges nothing. A decline
    posts nothing; the charge tried is kept either way (`CardCharge`). Errors name the field
    (`amount`, `card_number`, `idempotency_key`).
    """
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValidationError("idempotency_key", _("is required"))
    earlier = Payment.objects.filter(idempotency_key=idempotency_key, account=account).first()
    if earlier is not None:
        return CardPaymentResult(payment=earlier, created=False)
    check_card_payment(account=account, amount=amount)
    digits = card_digits(card_number)
    clock = clock or SystemClock()
    outcome = (provider or card_payment_provider()).charge(
        CardPaymentRequest(
            idempotency_key=idempotency_key,
            account_number=account.number,
            card_number=digits,
            amount=amount,
        )
    )
    tried = CardCharge(
        account=account,
        amount_minor=amount.minor,
        currency=amount.currency,
        card_last4=digits[-4:],
        idempotency_key=idempotency_key,
        provider_reference=outcome.provider_reference[:120],
        tried_at=clock.now(),
    )
    if not outcome.succeeded:
        code = outcome.decline_code
        if code not in CardDeclineCode.values:
            code = CardDeclineCode.TECHNICAL
        tried.result, tried.decline_code = CardChargeResult.DECLINED, code
        tried.save()
        return CardPaymentResult(payment=None, created=False, decline_code=code)
    payment, created = post_payment(
        account=account,
        amount=amount,
        received_on=timezone.localdate(clock.now()),
        idempotency_key=idempotency_key,
        channel=PaymentChannel.CARD,
        external_reference=f"{outcome.provider_reference[:100]} ****{digits[-4:]}",
        clock=clock,
    )
    if created:  # else the request that posted it first kept the charge
        tried.result, tried.payment = CardChargeResult.CHARGED, payment
        tried.save()
    return CardPaymentResult(payment=payment, created=created)
