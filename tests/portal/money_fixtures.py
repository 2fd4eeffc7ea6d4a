"""A borrower with an overdue loan and a card with a statement due soon, as of today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from arrears.servicing.card_payments import ScriptedCardPayments, card_payment_provider
from arrears.servicing.models import Account, Borrower
from arrears.servicing.services.accounts import post_purchase
from tests.factories import (
    cny,
    make_borrower,
    make_borrower_login,
    make_card_account,
    make_overdue_loan,
    make_statement,
)


@dataclass
class Household:
    borrower: Borrower
    user: Any
    loan: Account
    card: Account
    today: dt.date


def make_household(username: str = "wang.fang", name: str = "王芳") -> Household:
    """An overdue loan (first instalment 12 days late) and a card whose statement of 10 days
    ago billed CN¥1,234.56 with a minimum payment of CN¥123.45 due in 10 days."""
    today = timezone.localdate()
    borrower = make_borrower(full_name=name)
    loan = make_overdue_loan(today, 12, borrower=borrower)
    card = make_card_account(borrower=borrower, opened_on=today - dt.timedelta(days=60))
    post_purchase(
        account=card,
        amount=cny("1234.56"),
        on=today - dt.timedelta(days=50),
        idempotency_key=f"purchase-{card.pk}",
    )
    make_statement(card, today - dt.timedelta(days=10), due_on=today + dt.timedelta(days=10))
    return Household(borrower, make_borrower_login(borrower, username), loan, card, today)


def scripted_card_provider() -> ScriptedCardPayments:
    """The test double of the card-payment provider, emptied."""
    provider = card_payment_provider()
    assert isinstance(provider, ScriptedCardPayments)
    provider.reset()
    return provider
