"""The domain side of the portal's money pages: the card-payment adapter and service, portal
autopay and portal promises — each keyed, each writing nothing on bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from arrears.collection.services.portal_promises import portal_promise_window, promise_from_portal
from arrears.core.errors import NotFound, ValidationError
from arrears.core.money import Money
from arrears.servicing.card_payments import (
    CardPaymentRequest,
    ScriptedCardPayments,
    UnconfiguredCardPayments,
)
from arrears.servicing.models import AutopayMandate, CardCharge, Payment
from arrears.servicing.selectors.payments import card_charges_tried
from arrears.servicing.selectors.portal import (
    borrower_account,
    borrower_payment,
    borrower_statement,
    portal_overview,
)
from arrears.servicing.services.card_payments import take_card_payment
from arrears.servicing.services.portal_autopay import save_autopay_from_portal
from tests.portal.money_fixtures import Household, make_household, scripted_card_provider

pytestmark = pytest.mark.django_db

CARD = "6222020012345678"


@pytest.fixture
def household(db: Any) -> Household:
    return make_household()


@pytest.fixture
def card_provider() -> Iterator[ScriptedCardPayments]:
    provider = scripted_card_provider()
    yield provider
    provider.reset()


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def test_the_scripted_provider_answers_a_key_once_and_declines_only_what_is_scripted():
    provider = ScriptedCardPayments()
    provider.decline("A1", "card_expired")
    request = CardPaymentRequest("k1", "A1", CARD, cny("10.00"))
    assert provider.charge(request).decline_code == "card_expired"
    assert provider.charge(request).decline_code == "card_expired"  # same key, same answer
    assert provider.charge(CardPaymentRequest("k2", "A1", CARD, cny("10.00"))).succeeded
    assert [r.idempotency_key for r in provider.charged] == ["k2"]


def test_production_refuses_to_charge_until_a_provider_is_set():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        UnconfiguredCardPayments().charge(CardPaymentRequest("k", "A", CARD, cny("1.00")))


def test_a_card_payment_posts_once_per_key(household, card_provider):
    first = take_card_payment(
        account=household.card, amount=cny("100.00"), card_number=CARD, idempotency_key="portal:a"
    )
    again = take_card_payment(
        account=household.card, amount=cny("100.00"), card_number=CARD, idempotency_key="portal:a"
    )
    assert first.created and not again.created and first.payment == again.payment
    assert Payment.objects.get().channel == "card"
    assert len(card_provider.requests) == 1
    # the charge is kept once, with the payment it posted and only the card's last digits
    charge = CardCharge.objects.get()
    assert (charge.result, charge.payment, charge.card_last4) == ("charged", first.payment, "5678")
    assert charge.amount_minor == 10000 and charge.decline_code == ""


def test_a_declined_card_payment_posts_nothing_and_is_kept_with_its_reason(
    household, card_provider
):
    card_provider.decline(household.card.number, "do_not_honour")
    result = take_card_payment(
        account=household.card, amount=cny("100.00"), card_number=CARD, idempotency_key="portal:b"
    )
    assert result.declined and result.decline_reason == "The card's bank refused the payment."
    assert not Payment.objects.exists()
    # the service desk can see it: declined, why, for how much, on which card
    charge = CardCharge.objects.get()
    assert (charge.result, charge.decline_code, charge.payment) == (
        "declined",
        "do_not_honour",
        None,
    )
    assert charge.get_decline_code_display() == "The card's bank refused the payment."
    assert (charge.amount_minor, charge.currency, charge.card_last4) == (10000, "CNY", "5678")
    # tried again and charged: both attempts are kept, newest first
    take_card_payment(
        account=household.card, amount=cny("100.00"), card_number=CARD, idempotency_key="portal:c"
    )
    assert [c.result for c in card_charges_tried(household.card.pk)] == ["charged", "declined"]


@pytest.mark.parametrize(
    ("amount", "card", "field"),
    [("1234.57", CARD, "amount"), ("0.00", CARD, "amount"), ("10.00", "12ab", "card_number")],
)
def test_a_bad_card_payment_names_its_field_and_charges_nothing(
    household, card_provider, amount, card, field
):
    with pytest.raises(ValidationError) as refused:
        take_card_payment(
            account=household.card, amount=cny(amount), card_number=card, idempotency_key="k"
        )
    assert refused.value.field == field
    assert not card_provider.requests and not Payment.objects.exists()
    assert not CardCharge.objects.exists()


def test_portal_autopay_sets_up_once_then_changes_the_same_mandate(household):
    rules = {"account": household.card, "fixed_amount": None, "debit_days_before_due": 0}
    first, created = save_autopay_from_portal(
        **rules, amount_rule="minimum", funding_account="62170000", consent_reference="PORTAL-1"
    )
    again, created_again = save_autopay_from_portal(
        **rules, amount_rule="minimum", funding_account="62170000", consent_reference="PORTAL-1"
    )
    assert created and not created_again and first == again
    changed, _ = save_autopay_from_portal(
        **rules, amount_rule="statement_balance", funding_account="", consent_reference="PORTAL-1"
    )
    assert changed.pk == first.pk and changed.amount_rule == "statement_balance"
    assert AutopayMandate.objects.count() == 1


def test_a_loan_cannot_collect_a_statement_balance(household):
    with pytest.raises(ValidationError) as refused:
        save_autopay_from_portal(
            account=household.loan,
            amount_rule="statement_balance",
            fixed_amount=None,
            debit_days_before_due=0,
            funding_account="62170000",
            consent_reference="PORTAL-2",
        )
    assert refused.value.field == "amount_rule"
    assert not AutopayMandate.objects.exists()


@override_settings(ARREARS_PORTAL_PROMISE_DAYS=10)
def test_the_portal_promise_window_is_the_lenders_setting(household):
    first, last = portal_promise_window(household.today)
    assert (first, last) == (household.today, household.today + dt.timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        promise_from_portal(
            account=household.loan,
            due_on=household.today + dt.timedelta(days=11),
            amount=cny("10.00"),
            idempotency_key="portal:p",
        )
    assert refused.value.field == "due_on"
    promise, created = promise_from_portal(
        account=household.loan,
        due_on=household.today + dt.timedelta(days=10),
        amount=cny("10.00"),
        idempotency_key="portal:p",
    )
    assert created and promise.source == "portal" and promise.total_minor == 1000


def test_every_portal_lookup_goes_through_the_borrower(household):
    other = make_household("li.lei", "李雷")
    payment = take_card_payment(
        account=other.card,
        amount=cny("1.00"),
        card_number=CARD,
        idempotency_key="portal:other",
        provider=ScriptedCardPayments(),
    ).payment
    statement = other.card.statements.get()
    with pytest.raises(NotFound):
        borrower_account(household.borrower, other.card.pk)
    with pytest.raises(NotFound):
        borrower_statement(household.borrower, other.card.pk, statement.pk)
    with pytest.raises(NotFound):
        borrower_payment(household.borrower, payment.pk)
    mine = {o.account.pk for o in portal_overview(household.borrower, household.today)}
    assert mine == {household.loan.pk, household.card.pk}
