"""The portal's home and account pages: a borrower sees their own figures, exact to the cent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from arrears.core.money import Money
from arrears.servicing.card_payments import ScriptedCardPayments
from arrears.servicing.services.payments import post_payment
from tests.factories import make_staff_user
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


def test_the_home_page_shows_each_accounts_minimum_due_due_date_and_balance(client, household):
    client.force_login(household.user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Hello, 王芳" in page
    card = page[page.index(f'data-testid="account-{household.card.pk}"') :]
    assert 'data-testid="minimum-due">CN¥123.45<' in card
    assert 'data-testid="balance">CN¥1,234.56<' in card
    due = household.today + dt.timedelta(days=10)
    assert due.strftime("%-d %b %Y") in card
    assert "Your account is up to date." in card


def test_an_overdue_loan_says_how_late_it_is_and_offers_pay_promise_and_help(client, household):
    client.force_login(household.user)
    page = client.get(reverse("portal:home")).content.decode()
    loan = page[page.index(f'data-testid="account-{household.loan.pk}"') :]
    loan = loan[: loan.index("</article>")]
    assert "<strong>12 days overdue</strong>" in loan
    first = household.loan.obligations.order_by("due_on").first()
    past_due = Money.from_minor(first.amount_minor, "CNY")
    assert past_due.minor == household.loan.past_due_minor
    assert f"CN¥{past_due.amount:,} is past due" in loan
    assert f'href="/portal/accounts/{household.loan.pk}/pay/"' in loan
    assert f'href="/portal/accounts/{household.loan.pk}/promise/"' in loan
    assert 'href="/portal/trouble-paying/"' in loan


def test_the_home_page_in_chinese_uses_the_lenders_words(client, household):
    client.force_login(household.user)
    page = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies.load({"django_language": "zh-hans"})
    page = client.get(reverse("portal:home")).content.decode()
    assert "最低还款额" in page
    assert "逾期" in page
    assert "¥123.45" in page


def test_the_loan_page_shows_the_schedule_and_the_payments_received(client, household):
    post_payment(
        account=household.loan,
        amount=Money("100.00", "CNY"),
        received_on=household.today,
        idempotency_key="bank-transfer-1",
        channel="bank_transfer",
    )
    client.force_login(household.user)
    page = client.get(reverse("portal:account", args=[household.loan.pk])).content.decode()
    assert 'data-testid="schedule"' in page
    assert page.count('<tr><td class="hide-phone">') == 12  # twelve instalments
    assert page.count('<td class="date"><a href="/portal/payments/') == 1
    assert "Bank transfer" in page and "CN¥100.00" in page
    assert "Overdue" in page


def test_the_card_page_lists_statements_and_a_statement_shows_how_the_balance_was_made(
    client, household
):
    client.force_login(household.user)
    page = client.get(reverse("portal:account", args=[household.card.pk])).content.decode()
    statement = household.card.statements.get()
    link = reverse("portal:statement", args=[household.card.pk, statement.pk])
    assert f'href="{link}"' in page
    detail = client.get(link).content.decode()
    assert "How the balance was worked out" in detail
    assert detail.count("CN¥1,234.56") >= 2 and "CN¥123.45" in detail


def test_another_borrowers_account_statement_and_payment_are_not_found(client, household):
    other = make_household("li.lei", "李雷")
    theirs = post_payment(
        account=other.loan,
        amount=Money("50.00", "CNY"),
        received_on=other.today,
        idempotency_key="theirs-1",
    )[0]
    statement = other.card.statements.get()
    client.force_login(household.user)
    for url in (
        reverse("portal:account", args=[other.loan.pk]),
        reverse("portal:statement", args=[other.card.pk, statement.pk]),
        reverse("portal:statement", args=[household.card.pk, statement.pk]),
        reverse("portal:pay-account", args=[other.loan.pk]),
        reverse("portal:autopay", args=[other.loan.pk]),
        reverse("portal:promise", args=[other.loan.pk]),
        reverse("portal:payment", args=[theirs.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("portal:pay-confirm", args=[other.loan.pk]),
        {"amount_minor": 100, "idempotency_key": "portal:x", "card_number": "6222000000000000"},
    )
    assert response.status_code == 404
    assert other.loan.payments.count() == 1


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_a_staff_login_is_refused_the_portal(client, household, role):
    client.force_login(make_staff_user(role))
    for url in (
        reverse("portal:home"),
        reverse("portal:account", args=[household.loan.pk]),
        reverse("portal:pay"),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "not linked to a borrower" in response.content.decode()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, household):
    response = client.get(reverse("portal:account", args=[household.loan.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_home_page_reads_a_fixed_number_of_queries_per_account(
    client, household, django_assert_max_num_queries
):
    client.force_login(household.user)
    client.get(reverse("portal:home"))  # warm the product-terms cache
    with django_assert_max_num_queries(14):
        assert client.get(reverse("portal:home")).status_code == 200
