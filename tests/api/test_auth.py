"""Who may call the API: a token or a signed-in session is required, and roles decide what."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from arrears.identity.services import grant_role, issue_token, revoke_token
from arrears.servicing.models import Borrower, Payment
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

PAYMENT = {"amount": "100.00", "currency": "CNY", "received_on": "2025-02-15"}
BORROWER = {"reference": "B-API-1", "full_name": "李四", "country": "CN"}

OPERATIONS = [
    ("get", "/api/v1/borrowers"),
    ("get", "/api/v1/borrowers/1"),
    ("post", "/api/v1/borrowers"),
    ("get", "/api/v1/accounts"),
    ("get", "/api/v1/accounts/1"),
    ("get", "/api/v1/accounts/1/ledger"),
    ("get", "/api/v1/accounts/1/statements"),
    ("get", "/api/v1/accounts/1/schedule"),
    ("post", "/api/v1/accounts/1/payments"),
    ("post", "/api/v1/payments/1/reversal"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_needs_a_token_or_a_session(method, path, roles):
    response = getattr(Client(), method)(path, {}, content_type="application/json")

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_authenticates_nobody(roles):
    response = ApiClient("arr_not-a-real-token").get("/api/v1/accounts")

    assert_problem(response, 401)


def test_a_revoked_token_stops_working(roles):
    user = get_user_model().objects.create_user(username="revoked")
    grant_role(user=user, role="agent")
    token, secret = issue_token(user=user, name="gateway")
    assert ApiClient(secret).get("/api/v1/accounts").status_code == 200

    revoke_token(token=token)

    assert_problem(ApiClient(secret).get("/api/v1/accounts"), 401)


def test_a_disabled_user_s_token_stops_working(roles):
    user = get_user_model().objects.create_user(username="leaver")
    grant_role(user=user, role="agent")
    _token, secret = issue_token(user=user, name="gateway")
    user.is_active = False
    user.save()

    assert_problem(ApiClient(secret).get("/api/v1/accounts"), 401)


def test_a_user_without_a_role_is_refused(api_as, loan):
    nobody = api_as(None)

    assert_problem(nobody.get("/api/v1/accounts"), 403)
    assert_problem(nobody.get(f"/api/v1/accounts/{loan.pk}"), 403)


def test_compliance_reads_but_cannot_post_payments_or_borrowers(compliance_api, loan):
    assert compliance_api.get(f"/api/v1/accounts/{loan.pk}").status_code == 200
    assert compliance_api.get(f"/api/v1/accounts/{loan.pk}/ledger").status_code == 200

    payment = compliance_api.post(
        f"/api/v1/accounts/{loan.pk}/payments", PAYMENT, headers={"Idempotency-Key": "c-1"}
    )
    borrower = compliance_api.post("/api/v1/borrowers", BORROWER)

    assert_problem(payment, 403)
    assert_problem(borrower, 403)
    assert not Payment.objects.exists()
    assert not Borrower.objects.filter(reference="B-API-1").exists()


def test_an_agent_posts_payments_but_only_a_supervisor_reverses_them(
    agent_api, supervisor_api, loan
):
    posted = agent_api.post(
        f"/api/v1/accounts/{loan.pk}/payments", PAYMENT, headers={"Idempotency-Key": "a-1"}
    )
    assert posted.status_code == 201
    reversal = {"reason": "cheque returned", "reversed_on": "2025-02-16"}
    url = f"/api/v1/payments/{posted.json()['id']}/reversal"

    assert_problem(agent_api.post(url, reversal), 403)
    assert supervisor_api.post(url, reversal).status_code == 200


def test_a_signed_in_browser_may_read_with_its_session(roles, loan):
    user = get_user_model().objects.create_user(username="browser")
    grant_role(user=user, role="agent")
    browser = Client()
    browser.force_login(user)

    assert browser.get(f"/api/v1/accounts/{loan.pk}").status_code == 200


def test_a_session_must_send_the_csrf_token_to_post(roles, loan):
    user = get_user_model().objects.create_user(username="browser")
    grant_role(user=user, role="agent")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    url = f"/api/v1/accounts/{loan.pk}/payments"

    refused = browser.post(
        url, PAYMENT, content_type="application/json", headers={"Idempotency-Key": "s-1"}
    )
    browser.get("/admin/login/")  # sets the CSRF cookie, as any page with a form does
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        url,
        PAYMENT,
        content_type="application/json",
        headers={"Idempotency-Key": "s-1", "X-CSRFToken": csrf},
    )

    assert_problem(refused, 403)
    assert accepted.status_code == 201
    assert Payment.objects.count() == 1


def test_a_token_caller_is_never_asked_for_csrf(roles, loan):
    user = get_user_model().objects.create_user(username="gateway")
    grant_role(user=user, role="agent")
    _token, secret = issue_token(user=user, name="gateway")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/accounts/{loan.pk}/payments",
        PAYMENT,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "t-1"},
    )

    assert response.status_code == 201
