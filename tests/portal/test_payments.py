"""Paying by card, autopay and promises from the portal: real postings, once, or nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from arrears.collection.models import Promise
from arrears.servicing.card_payments import ScriptedCardPayments
from arrears.servicing.models import AutopayMandate, Payment
from arrears.servicing.selectors import balances
from tests.factories import make_borrower, make_borrower_login, make_loan_account
from tests.portal.money_fixtures import Household, make_household, scripted_card_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(db: Any) -> Household:
    return make_household()


@pytest.fixture
def card_provider() -> Iterator[ScriptedCardPayments]:
    provider = scripted_card_provider()
    yield provider
    provider.reset()


CARD = "6222 0200 1234 5678"


def _confirm(client, account, choice="minimum", other=""):
    response = client.post(
        reverse("portal:pay-account", args=[account.pk]),
        {"choice": choice, "other_amount": other},
    )
    page = response.content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    amount = re.search(r'name="amount_minor" value="(\d+)"', page)
    return response, (key.group(1) if key else None), (int(amount.group(1)) if amount else None)


def test_a_borrower_pays_the_minimum_due_by_card_and_gets_a_receipt(
    client, household, card_provider
):
    client.force_login(household.user)
    response, key, amount_minor = _confirm(client, household.card)
    assert response.status_code == 200
    assert 'data-testid="amount-to-pay">CN¥123.45<' in response.content.decode()
    assert amount_minor == 12345 and key.startswith("portal:")

    done = client.post(
        reverse("portal:pay-confirm", args=[household.card.pk]),
        {"amount_minor": amount_minor, "idempotency_key": key, "card_number": CARD},
    )
    payment = Payment.objects.get(account=household.card)
    assert done.status_code == 302 and done["Location"] == reverse(
        "portal:payment", args=[payment.pk]
    )
    assert (payment.amount_minor, payment.channel, payment.idempotency_key) == (12345, "card", key)
    assert payment.external_reference.endswith("****5678")
    assert balances(household.card).total.minor == 123456 - 12345
    receipt = client.get(done["Location"]).content.decode()
    assert "Thank you: your payment is received" in receipt and "CN¥123.45" in receipt
    assert [r.card_number for r in card_provider.charged] == ["6222020012345678"]


def test_paying_what_is_past_due_brings_an_overdue_loan_up_to_date(
    client, household, card_provider
):
    client.force_login(household.user)
    past_due = household.loan.past_due_minor
    _response, key, _amount = _confirm(client, household.loan, "other", f"{past_due / 100:.2f}")
    client.post(
        reverse("portal:pay-confirm", args=[household.loan.pk]),
        {"amount_minor": past_due, "idempotency_key": key, "card_number": CARD},
    )
    household.loan.refresh_from_db()
    assert household.loan.days_past_due == 0
    assert "Your account is up to date." in client.get(reverse("portal:home")).content.decode()


def test_a_payment_sent_twice_is_charged_and_posted_once(client, household, card_provider):
    client.force_login(household.user)
    _response, key, amount_minor = _confirm(client, household.card, "full")
    assert amount_minor == 123456
    form = {"amount_minor": amount_minor, "idempotency_key": key, "card_number": CARD}
    first = client.post(reverse("portal:pay-confirm", args=[household.card.pk]), form)
    second = client.post(reverse("portal:pay-confirm", args=[household.card.pk]), form)
    assert first["Location"] == second["Location"]
    assert Payment.objects.filter(account=household.card).count() == 1
    assert len(card_provider.charged) == 1
    assert balances(household.card).total.minor == 0


def test_a_declined_card_says_why_and_posts_nothing(client, household, card_provider):
    card_provider.decline(household.card.number, "insufficient_funds")
    client.force_login(household.user)
    _response, key, amount_minor = _confirm(client, household.card)
    declined = client.post(
        reverse("portal:pay-confirm", args=[household.card.pk]),
        {"amount_minor": amount_minor, "idempotency_key": key, "card_number": CARD},
    )
    page = declined.content.decode()
    assert "Your card was declined." in page
    assert "There is not enough money on the card." in page
    assert "Nothing was taken from your card" in page
    assert not Payment.objects.filter(account=household.card).exists()
    assert balances(household.card).total.minor == 123456
    fresh = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert fresh != key  # trying again is a new charge
    again = client.post(
        reverse("portal:pay-confirm", args=[household.card.pk]),
        {"amount_minor": amount_minor, "idempotency_key": fresh, "card_number": CARD},
    )
    assert again.status_code == 302
    assert Payment.objects.get(account=household.card).amount_minor == 12345


@pytest.mark.parametrize(
    ("choice", "other", "field", "message"),
    [
        ("other", "", "other_amount", "Enter the amount you want to pay."),
        ("other", "0", "other_amount", "Enter an amount above zero."),
        ("other", "1234.57", "other_amount", "is more than the 1234.56 CNY you owe"),
        ("other", "12.345", "other_amount", "Ensure that there are no more than 2 decimal places."),
        ("", "", "choice", "This field is required."),
    ],
)
def test_a_bad_amount_is_named_next_to_its_field_and_nothing_is_charged(
    client, household, card_provider, choice, other, field, message
):
    client.force_login(household.user)
    response, key, _amount = _confirm(client, household.card, choice, other)
    assert response.status_code == 422 and key is None
    page = response.content.decode()
    error = re.search(rf'data-testid="error-{field}">([^<]+)<', page)
    assert error and message in error.group(1)
    assert not card_provider.requests and not Payment.objects.exists()


def test_a_bad_card_number_is_named_and_nothing_is_charged(client, household, card_provider):
    client.force_login(household.user)
    _response, key, amount_minor = _confirm(client, household.card)
    response = client.post(
        reverse("portal:pay-confirm", args=[household.card.pk]),
        {"amount_minor": amount_minor, "idempotency_key": key, "card_number": "1234"},
    )
    assert response.status_code == 422
    assert "enter the 12 to 19 digits on the front of the card" in re.search(
        r'data-testid="error-card_number">([^<]+)<', response.content.decode()
    ).group(1)
    assert not card_provider.requests and not Payment.objects.exists()


def test_the_pay_menu_lists_the_accounts_that_owe_or_goes_straight_to_the_only_one(
    client, household
):
    client.force_login(household.user)
    page = client.get(reverse("portal:pay")).content.decode()
    assert "Choose the account to pay." in page  # the loan and the card both owe
    assert reverse("portal:pay-account", args=[household.card.pk]) in page
    single = make_borrower()
    make_loan_account(borrower=single)
    client.force_login(make_borrower_login(single))
    response = client.get(reverse("portal:pay"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:pay-account", args=[single.accounts.get().pk])


def test_a_borrower_sets_up_changes_and_cancels_autopay(client, household):
    client.force_login(household.user)
    url = reverse("portal:autopay", args=[household.card.pk])
    page = client.get(url).content.decode()
    reference = re.search(r'name="consent_reference" value="([^"]+)"', page).group(1)
    form = {
        "amount_rule": "minimum",
        "debit_days_before_due": "2",
        "funding_account": "6217 0000 1111 2222",
        "consent": "on",
        "consent_reference": reference,
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # sent twice: still one mandate
    mandate = AutopayMandate.objects.get(account=household.card)
    assert (mandate.amount_rule, mandate.debit_days_before_due) == ("minimum", 2)
    assert (mandate.funding_account_masked, mandate.consent_reference) == ("****2222", reference)
    shown = client.get(url).content.decode()
    debit_on = household.today + dt.timedelta(days=8)
    assert "CN¥123.45" in shown and debit_on.strftime("%-d %b %Y") in shown

    changed = {"amount_rule": "fixed", "fixed_amount": "200.00", "debit_days_before_due": "0",
               "funding_account": "", "consent_reference": reference}  # fmt: skip
    assert client.post(url, changed).status_code == 302
    mandate.refresh_from_db()
    assert (mandate.amount_rule, mandate.fixed_amount_minor) == ("fixed", 20000)
    assert mandate.funding_account_masked == "****2222"

    client.post(reverse("portal:autopay-cancel", args=[household.card.pk]))
    mandate.refresh_from_db()
    assert mandate.status == "cancelled"
    assert "Set up autopay" in client.get(url).content.decode()


def test_autopay_without_consent_or_a_fixed_amount_is_refused_and_writes_nothing(client, household):
    client.force_login(household.user)
    url = reverse("portal:autopay", args=[household.loan.pk])
    response = client.post(url, {"amount_rule": "fixed", "debit_days_before_due": "0",
                                 "funding_account": "6217000011112222",
                                 "consent_reference": "PORTAL-X"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 422
    assert "Tick the box to authorise the collection." in page
    assert "Enter the amount to collect each time." in page
    assert 'value="statement_balance"' not in page  # a loan has no statement balance
    assert not AutopayMandate.objects.exists()


def test_a_borrower_promises_to_pay_by_a_date_through_collections_promise_service(
    client, household
):
    client.force_login(household.user)
    url = reverse("portal:promise", args=[household.loan.pk])
    page = client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    on = household.today + dt.timedelta(days=7)
    form = {"amount": "1039.43", "due_on": on.isoformat(), "idempotency_key": key}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # sent twice: one promise
    promise = Promise.objects.get(account=household.loan)
    assert (promise.source, promise.total_minor, promise.status) == ("portal", 103943, "live")
    assert [i.due_on for i in promise.instalments.all()] == [on]
    shown = client.get(url).content.decode()
    assert "Your promise" in shown and "CN¥1,039.43" in shown


@pytest.mark.parametrize(
    ("amount", "days", "field", "message"),
    [
        ("100.00", 31, "due_on", "choose a day from"),
        ("100.00", -1, "due_on", "choose a day from"),
        ("99999.00", 5, "amount", "is more than the"),
        ("0", 5, "amount", "Enter an amount above zero."),
        ("", 5, "amount", "This field is required."),
    ],
)
def test_a_promise_outside_the_window_or_above_the_balance_is_refused(
    client, household, amount, days, field, message
):
    client.force_login(household.user)
    on = household.today + dt.timedelta(days=days)
    response = client.post(
        reverse("portal:promise", args=[household.loan.pk]),
        {"amount": amount, "due_on": on.isoformat(), "idempotency_key": "portal:k"},
    )
    assert response.status_code == 422
    error = re.search(rf'data-testid="error-{field}">([^<]+)<', response.content.decode())
    assert error and message in error.group(1)
    assert not Promise.objects.exists()
