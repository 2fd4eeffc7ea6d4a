"""Autopay as the borrower sets it up in the portal: one call sets up or changes the mandate.

The portal signs the borrower's consent itself: the mandate's consent reference is the one the
portal showed with the form (`PORTAL-…`), so a form sent twice sets up one mandate. A changed
funding account needs a new consent; a suspended mandate comes back only with one.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction

from arrears.core.clock import Clock
from arrears.core.money import Money
from arrears.servicing.choices import MandateStatus
from arrears.servicing.models import Account, AutopayMandate
from arrears.servicing.services.autopay import change_autopay, set_up_autopay_once


def new_consent_reference(account: Account, today: dt.date) -> str:
    """A fresh reference for the borrower's online consent (代扣协议), shown with the form."""
    return f"PORTAL-{account.number}-{today:%Y%m%d}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def save_autopay_from_portal(
    *,
    account: Account,
    amount_rule: str,
    fixed_amount: Money | None,
    debit_days_before_due: int,
    funding_account: str,
    consent_reference: str,
    clock: Clock | None = None,
) -> tuple[AutopayMandate, bool]:
    """Set up autopay, or change the mandate in force; returns (mandate, created).

    With an active or suspended mandate the rules change; the funding account changes only
    when one is given (with the consent reference that goes with it). Errors name the field.
    """
    mandate = (
        AutopayMandate.objects.filter(
            account=account, status__in=(MandateStatus.ACTIVE, MandateStatus.SUSPENDED)
        )
        .order_by("-id")
        .first()
    )
    if mandate is None:
        return set_up_autopay_once(
            account=account,
            amount_rule=amount_rule,
            funding_account=funding_account,
            consent_reference=consent_reference,
            fixed_amount=fixed_amount,
            debit_days_before_due=debit_days_before_due,
            clock=clock,
        )
    new_funding = bool(funding_account and funding_account.strip())
    changed = change_autopay(
        mandate=mandate,
        amount_rule=amount_rule,
        fixed_amount=fixed_amount,
        debit_days_before_due=debit_days_before_due,
        funding_account=funding_account if new_funding else None,
        consent_reference=consent_reference if new_funding else None,
        clock=clock,
    )
    return changed, False
