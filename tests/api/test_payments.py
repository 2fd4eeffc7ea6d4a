"""Posting and reversing payments over the API: exactly once per key, never from a float."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.servicing.models import JournalEntry, Payment
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db

PAYMENT = {
    "amount": "120.50",
    "currency": "CNY",
    "received_on": "2025-02-15",
    "channel": "bank_transfer",
    "external_reference": "BANK-778",
}


def payments_url(account) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/accounts/{account.pk}/payments"


def test_a_payment_is_posted_and_shown_in_exact_money(agent_api, loan):
    response = agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == {"minor": 12050, "currency": "CNY", "amount": "120.50"}
    assert body["status"] == "posted"
    assert body["idempotency_key"] == "k-1"
    assert body["channel"] == "bank_transfer"
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.received_on) == (12050, dt.date(2025, 2, 15))


def test_the_same_request_sent_twice_posts_one_payment(agent_api, loan):
    first = agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})
    entries = JournalEntry.objects.count()

    again = agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.count() == entries


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "99.00"},
        {"received_on": "2025-02-16"},
        {"channel": "cash"},
        {"external_reference": "OTHER"},
    ],
)
def test_a_key_reused_for_a_different_payment_is_a_conflict(agent_api, loan, change):
    agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})

    response = agent_api.post(
        payments_url(loan), {**PAYMENT, **change}, headers={"Idempotency-Key": "k-1"}
    )

    assert_problem(response, 409)
    assert Payment.objects.count() == 1


def test_a_key_reused_on_another_account_is_a_conflict(agent_api, loan, card):
    agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})

    response = agent_api.post(payments_url(card), PAYMENT, headers={"Idempotency-Key": "k-1"})

    assert_problem(response, 409)
    assert Payment.objects.count() == 1


def test_a_payment_without_an_idempotency_key_is_refused_naming_the_header(agent_api, loan):
    response = agent_api.post(payments_url(loan), PAYMENT)

    problem = assert_problem(response, 422, field="Idempotency-Key")
    assert problem["errors"][0]["source"] == "header"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", [120.5, 120, "1.5e2", "-5.00", ""])
def test_an_amount_that_is_not_a_decimal_string_is_refused(agent_api, loan, amount):
    response = agent_api.post(
        payments_url(loan), {**PAYMENT, "amount": amount}, headers={"Idempotency-Key": "k-1"}
    )

    assert_problem(response, 422, field="amount")
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"currency": "USD"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"channel": "carrier_pigeon"}, "channel"),
    ],
)
def test_a_payment_the_account_cannot_take_is_refused_naming_the_field(
    agent_api, loan, change, field
):
    response = agent_api.post(
        payments_url(loan), {**PAYMENT, **change}, headers={"Idempotency-Key": "k-1"}
    )

    assert_problem(response, 422, field=field)
    assert not Payment.objects.exists()


def test_a_payment_to_an_unknown_account_is_not_found(agent_api, loan):
    response = agent_api.post(
        f"/api/v1/accounts/{loan.pk + 1000}/payments", PAYMENT, headers={"Idempotency-Key": "k"}
    )

    assert_problem(response, 404)


def test_a_payment_is_reversed_once(agent_api, supervisor_api, loan):
    posted = agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})
    url = f"/api/v1/payments/{posted.json()['id']}/reversal"
    reversal = {"reason": "cheque returned unpaid", "reversed_on": "2025-02-20"}

    first = supervisor_api.post(url, reversal)
    second = supervisor_api.post(url, reversal)

    assert first.status_code == 200
    assert first.json()["status"] == "reversed"
    assert first.json()["reversal_reason"] == "cheque returned unpaid"
    assert_problem(second, 409)
    assert JournalEntry.objects.filter(kind="reversal").count() == 1


def test_a_reversal_needs_a_reason(agent_api, supervisor_api, loan):
    posted = agent_api.post(payments_url(loan), PAYMENT, headers={"Idempotency-Key": "k-1"})

    response = supervisor_api.post(
        f"/api/v1/payments/{posted.json()['id']}/reversal",
        {"reason": "  ", "reversed_on": "2025-02-20"},
    )

    assert_problem(response, 422, field="reason")
    assert Payment.objects.get().status == "posted"


def test_reversing_an_unknown_payment_is_not_found(supervisor_api):
    response = supervisor_api.post(
        "/api/v1/payments/999/reversal", {"reason": "x", "reversed_on": "2025-02-20"}
    )

    assert_problem(response, 404)


def test_a_payment_received_before_the_account_opened_is_refused(agent_api, loan):
    response = agent_api.post(
        payments_url(loan),
        {**PAYMENT, "received_on": "2000-01-01"},
        headers={"Idempotency-Key": "k"},
    )

    assert_problem(response, 422, field="received_on")
    assert not Payment.objects.exists()
